/**
 * Members' history papers' term weights computed ahead (prepareHistoryTerms) and kept packed per
 * index epoch: For you ranks and explains exactly as the plain computation does, for a sample of
 * members with different histories, before and after votes, edits and new papers. Real arXiv
 * abstracts (the demo corpus), a real store and a real search index (small corpus embedder).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { SearchIndex } from '../../src/search/search-index.ts';
import { forYou, ForYouCache, MAX_CANDIDATES, MAX_HISTORY, prepareHistoryTerms, type ForYouDeps } from '../../src/discovery/for-you.ts';
import { buildProfile, prepareCandidates, rankForYou, type CandidatePaper, type HistoryItem } from '../../src/discovery/model.ts';
import { packTerms, termVector } from '../../src/discovery/terms.ts';
import { dayWindow, type DayWindow } from '../../src/domain/dates.ts';
import type { PaperRecord } from '../../src/domain/paper.ts';
import { seededRandom } from '../../src/search/linalg.ts';
import { addToCollection, insertCollection } from '../../src/store/collections.ts';
import {
  listAuthorsOf, listMemberHistory, listPaperTextsByIds, listPeriodPapers, listRecentHistoryPapers, setNotInterested,
} from '../../src/store/discovery.ts';
import { startForYouPreparation } from '../../src/discovery/prepare.ts';
import { createUser } from '../../src/store/users.ts';
import { setVote } from '../../src/store/votes.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { paperRecord } from '../helpers/factories.ts';
import { SMALL_EMBEDDER } from '../search/fixtures.ts';

const DEMO = new URL('../../demo/arxiv-cs-2025-05-06.jsonl.gz', import.meta.url);
const DAY = '2025-06-02';
/** Papers read from the demo corpus: the first HISTORY_PAPERS are old (histories), the rest new on DAY. */
const PAPERS = 260;
const HISTORY_PAPERS = 200;

interface DemoRow { id: string; title: string; abstract: string; authors: string[]; categories: string[] }
const rows = zlib.gunzipSync(fs.readFileSync(DEMO)).toString('utf8').split('\n').filter(Boolean).slice(0, PAPERS).map((l) => JSON.parse(l) as DemoRow);
const records: PaperRecord[] = rows.map((r, i) => paperRecord({
  id: r.id, title: r.title, abstract: r.abstract.replace(/\s+/g, ' ').trim(), authors: r.authors, categories: r.categories,
  announcedOn: [i < HISTORY_PAPERS ? '2025-05-01' : DAY],
}));
const old = records.slice(0, HISTORY_PAPERS).map((r) => r.id);

const store = await tempStore();
await store.upsertPapers(records, FIXED_NOW);
const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
after(() => index.close());
const deps: ForYouDeps = { store, index };
const window: DayWindow = dayWindow(DAY);

/** For you as the plain computation gives it: the same store reads, every term vector computed, nothing kept. */
async function reference(userId: number, limit: number) {
  const view = index.discoveryView()!;
  const history = await listMemberHistory(store.db, userId, MAX_HISTORY);
  const texts = await listPaperTextsByIds(store.db, history.map((r) => r.paperId));
  const items: HistoryItem[] = history.filter((r) => texts.has(r.paperId)).map((r) => {
    const t = texts.get(r.paperId)!;
    return { id: r.paperId, title: t.title, signal: r.signal, vector: view.vectorOf(r.paperId), terms: termVector(t.title, t.abstract, view.df, view.papers) };
  });
  const papers = await listPeriodPapers(store.db, window.from, window.to, MAX_CANDIDATES);
  const authors = await listAuthorsOf(store.db, papers.map((p) => p.id));
  const cands: CandidatePaper[] = papers.map((p) => ({
    id: p.id, upvotes: p.upvotes, authors: authors.get(p.id) ?? [], vector: view.vectorOf(p.id), terms: termVector(p.title, p.abstract, view.df, view.papers),
  }));
  return rankForYou(buildProfile(items), prepareCandidates(cands), { limit });
}

const strip = (items: { id: string; score: number; reason: unknown }[]) => items.map((i) => ({ id: i.id, score: i.score, reason: i.reason }));

/** Members with different histories: many upvotes, a few, saves, dismissals, overlaps, nothing. */
const rand = seededRandom(19);
const members: number[] = [];
for (let m = 0; m < 8; m++) {
  const user = await createUser(store.db, { username: `history-${m}`, email: null, passwordHash: null, role: 'member', verified: true }, FIXED_NOW);
  members.push(user.id);
  const share = [0.9, 0.05, 0.3, 0.15, 0.5, 0.02, 0, 0.6][m]!;
  const at = (n: number) => `2025-05-${String(10 + (n % 18)).padStart(2, '0')}T${String(n % 24).padStart(2, '0')}:00:00.000Z`;
  const picked = old.filter(() => rand() < share);
  await store.transaction(async (trx) => { for (const [n, id] of picked.entries()) await setVote(trx, user.id, id, true, at(n + m)); });
  if (m % 3 === 0) {
    const c = await insertCollection(store.db, { userId: user.id, name: 'Reading', slug: 'reading', isPublic: false }, FIXED_NOW);
    for (const [n, id] of old.filter(() => rand() < 0.08).entries()) await addToCollection(store.db, c, id, at(n + 3));
  }
  if (m % 2 === 1) for (const [n, id] of old.filter(() => rand() < 0.05).entries()) await setNotInterested(store.db, user.id, id, true, at(n + 5));
}

/** The papers in anyone's history. */
async function historyPapers(): Promise<Set<string>> {
  return new Set((await listRecentHistoryPapers(store.db, null, 100_000)).map((r) => r.paperId));
}

async function assertSameAsReference(cache: ForYouCache, label: string) {
  for (const userId of members) {
    const got = await forYou(deps, { userId, window, limit: 25 }, cache);
    if (got.mode === 'trending') { assert.equal(got.history.positives, 0, `${label}: member ${userId}`); continue; }
    assert.deepEqual(strip(got.items), strip(await reference(userId, 25)), `${label}: member ${userId}`);
  }
}

test('histories prepared ahead: every member\'s list is the plain computation\'s, to the last digit of every score', async () => {
  const cache = new ForYouCache();
  const papers = await historyPapers();
  assert.ok(papers.size > 150, `${papers.size} papers in histories`);
  assert.equal(await prepareHistoryTerms(deps, cache), papers.size, 'each history paper weighed once');
  const at = cache.historyTermsAt(index, index.discoveryView()!)!;
  const view = index.discoveryView()!;
  const texts = await listPaperTextsByIds(store.db, [...papers]);
  for (const id of papers) {
    const t = texts.get(id)!;
    assert.deepEqual(at.kept.get(id), packTerms(termVector(t.title, t.abstract, view.df, view.papers)), id);
  }
  assert.equal(await prepareHistoryTerms(deps, cache), 0, 'nothing changed: nothing to do');
  await assertSameAsReference(cache, 'prepared');
  // Later calls (profiles kept) and a process that prepared nothing agree.
  await assertSameAsReference(cache, 'again');
  await assertSameAsReference(new ForYouCache(), 'not prepared');
});

test('a new vote is weighed by the next preparation alone; new papers and an edited abstract move the epoch, and what is kept then follows the new text and statistics', async () => {
  const cache = new ForYouCache();
  await prepareHistoryTerms(deps, cache);
  const before = await historyPapers();
  const fresh = old.find((id) => !before.has(id))!;
  assert.ok(fresh, 'a paper in nobody\'s history');
  await store.transaction(async (trx) => { await setVote(trx, members[5]!, fresh, true, '2025-06-01T09:00:00.000Z'); });
  assert.equal(await prepareHistoryTerms(deps, cache), 1, 'only the newly upvoted paper');
  await assertSameAsReference(cache, 'after a vote');

  // An edited abstract of a history paper, and papers new on the day: the index takes them in.
  const edited = records.find((r) => before.has(r.id))!;
  await store.upsertPapers([
    { ...edited, abstract: `${edited.abstract} We also release a benchmark of protein folding trajectories.` },
    paperRecord({ id: '2506.20001', title: 'Protein folding trajectories', abstract: 'A benchmark of protein folding trajectories for sequence models.', announcedOn: [DAY] }),
  ], FIXED_NOW);
  const epoch = index.discoveryView()!.epoch;
  await index.refresh();
  assert.notEqual(index.discoveryView()!.epoch, epoch, 'the index took the changes in');
  // A call before the preparation catches up weighs what it needs and gives the plain computation's list too.
  await assertSameAsReference(cache, 'epoch moved, not prepared yet');
  assert.equal(await prepareHistoryTerms(deps, cache), 0, 'the calls above weighed and kept every history paper');
  const view = index.discoveryView()!;
  const kept = cache.historyTermsAt(index, view)!.kept.get(edited.id);
  const t = (await listPaperTextsByIds(store.db, [edited.id])).get(edited.id)!;
  assert.match(t.abstract, /protein folding trajectories/);
  assert.deepEqual(kept, packTerms(termVector(t.title, t.abstract, view.df, view.papers)), 'the edited abstract is what is kept');
  await assertSameAsReference(cache, 'after new papers');

  // A history paper's new title alone (the number of papers the same): kept profiles and term
  // weights follow it too.
  const renamed = records.find((r) => before.has(r.id) && r.id !== edited.id)!;
  const epochBefore = index.discoveryView()!.epoch;
  await store.upsertPapers([{ ...renamed, title: 'A renamed paper about protein folding' }], FIXED_NOW);
  await index.refresh();
  assert.notEqual(index.discoveryView()!.epoch, epochBefore);
  await assertSameAsReference(cache, 'after a new title'); // the reasons' titles and every score
});

test('an older view neither reads nor empties what the current epoch keeps', async () => {
  const cache = new ForYouCache();
  const stale = index.discoveryView()!;
  await store.upsertPapers([paperRecord({ id: '2506.20002', title: 'Protein design', abstract: 'Designing proteins with folding models.', announcedOn: [DAY] })], FIXED_NOW);
  await index.refresh();
  const weighed = await prepareHistoryTerms(deps, cache);
  assert.ok(weighed > 0);
  assert.equal(cache.historyTermsAt(index, stale), null);
  assert.equal(cache.historyTermsAt(index, index.discoveryView()!)!.kept.size, weighed);
});

test('the background preparation (as `paperboy serve` runs it) prepares the histories after the periods', async () => {
  const cache = new ForYouCache();
  const papers = await historyPapers();
  const stop = startForYouPreparation(deps, { cache, intervalMs: 20 });
  const kept = () => cache.historyTermsAt(index, index.discoveryView()!)?.kept.size ?? 0;
  for (let i = 0; i < 300 && kept() < papers.size; i++) await new Promise((res) => setTimeout(res, 10));
  stop();
  assert.equal(kept(), papers.size, 'every history paper kept');
  assert.ok(cache.periods.size > 0, 'the periods were prepared too');
});

test('the papers of recent histories, most recently touched first, each once; `since` reads only later rows', async () => {
  const all = await listRecentHistoryPapers(store.db, null, 100_000);
  assert.equal(new Set(all.map((r) => r.paperId)).size, all.length, 'each paper once');
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.at >= all[i]!.at, 'most recent first');
  const since = all[Math.floor(all.length / 2)]!.at;
  const later = await listRecentHistoryPapers(store.db, since, 100_000);
  assert.ok(later.length > 0 && later.length < all.length);
  assert.ok(later.every((r) => r.at >= since));
  assert.deepEqual(later, all.filter((r) => r.at >= since));
  assert.equal((await listRecentHistoryPapers(store.db, null, 1)).length <= 3, true, 'at most one row of each kind');
});
