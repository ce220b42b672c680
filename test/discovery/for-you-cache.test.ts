/**
 * The fast paths of For you give the same output as the plain computation: term vectors split in
 * counting (cached per paper) and weighting, the index's remembered document frequencies, and the
 * caches of a process. A real SQLite store and a real search index (small corpus embedder).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchIndex } from '../../src/search/search-index.ts';
import { tokenize } from '../../src/search/text.ts';
import { forYou, ForYouCache, MAX_CANDIDATES, MAX_HISTORY } from '../../src/discovery/for-you.ts';
import { buildProfile, prepareCandidates, rankForYou, type CandidatePaper, type HistoryItem } from '../../src/discovery/model.ts';
import { MAX_TERMS, TITLE_WEIGHT, termCounts, termVector, weighTerms, type TermVector } from '../../src/discovery/terms.ts';
import { dayWindow, windowContaining } from '../../src/domain/dates.ts';
import { prepareLatestPeriods, startForYouPreparation } from '../../src/discovery/prepare.ts';
import { createUser } from '../../src/store/users.ts';
import { setVote } from '../../src/store/votes.ts';
import { listAuthorsOf, listMemberHistory, listPaperTextsByIds, listPeriodPapers, setNotInterested } from '../../src/store/discovery.ts';
import { changesSettled, FIXED_NOW, tempStore } from '../helpers/store.ts';
import { paperRecord } from '../helpers/factories.ts';
import { SMALL_EMBEDDER, topicalRecords } from '../search/fixtures.ts';

/** The term vector as one pass computes it (tokenize, count, weigh, keep, scale): the reference. */
function referenceTermVector(title: string, abstract: string, df: (t: string) => number, papers: number): TermVector {
  const tf = new Map<string, number>();
  const wc = new Map<string, Map<string, number>>();
  for (const [text, weight] of [[title, TITLE_WEIGHT], [abstract, 1]] as const) {
    for (const t of tokenize(text)) {
      if (!t.term || (t.term.length < 3 && /^[a-z0-9]{1,2}$/.test(t.term)) || /^\d+$/.test(t.term)) continue;
      tf.set(t.term, (tf.get(t.term) ?? 0) + weight);
      const m = wc.get(t.term) ?? new Map<string, number>();
      wc.set(t.term, m);
      m.set(t.word, (m.get(t.word) ?? 0) + 1);
    }
  }
  const scored = [...tf].filter(([t]) => df(t) >= 2).map(([t, n]) => [t, (1 + Math.log(n)) * Math.log(1 + papers / df(t))] as [string, number]);
  scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = scored.slice(0, MAX_TERMS);
  const norm = Math.sqrt(kept.reduce((s, [, w]) => s + w * w, 0)) || 1;
  const weights = new Map<string, number>();
  const words = new Map<string, string>();
  for (const [t, w] of kept) {
    weights.set(t, w / norm);
    const best = [...wc.get(t)!].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    words.set(t, best);
  }
  return { weights, words };
}

const store = await tempStore();
const DAY = '2025-05-06';
const records = topicalRecords(48).map((r, i) => (i >= 24 ? { ...r, announcedOn: [DAY] } : { ...r, announcedOn: ['2025-04-01'] }));
await store.upsertPapers(records, FIXED_NOW);
const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
after(() => index.close());

test('counting then weighing gives the one-pass term vector, for real text, odd text and empty text', () => {
  const view = index.discoveryView()!;
  const texts: [string, string][] = [
    ...records.map((r) => [r.title, r.abstract] as [string, string]),
    ['', ''], ['Title only', ''], ['', 'Attention attention ATTENTION heads, 2024 42 x lm'], ['Über Aufmerksamkeit', 'Les têtes d\'attention et les documents longs.'],
  ];
  for (const [title, abstract] of texts) {
    const ref = referenceTermVector(title, abstract, view.df, view.papers);
    assert.deepEqual(termVector(title, abstract, view.df, view.papers), ref, title);
    assert.deepEqual(weighTerms(termCounts(title, abstract), view.df, view.papers), ref, title);
  }
});

test('a kept term vector follows its paper\'s text: a new version\'s abstract is weighed anew', () => {
  const view = index.discoveryView()!;
  const cache = new ForYouCache();
  const [r] = records;
  const before = cache.termsOf(r!.id, r!.title, r!.abstract, view);
  assert.deepEqual(before, referenceTermVector(r!.title, r!.abstract, view.df, view.papers));
  const revised = `${r!.abstract} Attention heads are pruned.`;
  assert.deepEqual(cache.termsOf(r!.id, r!.title, revised, view), referenceTermVector(r!.title, revised, view.df, view.papers));
  assert.notDeepEqual(cache.termsOf(r!.id, r!.title, revised, view), before);
});

test('the index remembers document frequencies, and forgets them when papers come in', async () => {
  const view = index.discoveryView()!;
  assert.equal(view.df('zyxwoprotein'), 0);
  assert.ok(view.df('attent') > 0);
  await store.upsertPapers([
    paperRecord({ id: '2505.20001', title: 'Zyxwoprotein folding', abstract: 'Zyxwoprotein chains fold.', announcedOn: ['2025-05-07'] }),
    paperRecord({ id: '2505.20002', title: 'Zyxwoprotein design', abstract: 'Design of zyxwoprotein.', announcedOn: ['2025-05-07'] }),
  ], FIXED_NOW);
  await index.refresh();
  const after = index.discoveryView()!;
  assert.equal(after.df('zyxwoprotein'), 2, 'a term of the new papers is counted');
  assert.equal(view.df('zyxwoprotein'), 2, 'an older view asks the index, not a copy');
});

test('For you through the caches ranks and explains exactly as the plain model does, first call and later calls', async () => {
  const user = await createUser(store.db, { username: 'cache-reader', email: null, passwordHash: null, role: 'member', verified: true }, FIXED_NOW);
  await store.transaction(async (trx) => {
    for (const n of [0, 6, 12, 1]) await setVote(trx, user.id, `2503.${10000 + n}`, true, FIXED_NOW);
  });
  await setNotInterested(store.db, user.id, '2503.10025', true, FIXED_NOW);
  const window = dayWindow(DAY);
  const deps = { store, index };
  const cache = new ForYouCache();
  const first = await forYou(deps, { userId: user.id, window, limit: 20 }, cache);
  const again = await forYou(deps, { userId: user.id, window, limit: 20 }, cache);
  const fresh = await forYou(deps, { userId: user.id, window, limit: 20 }, new ForYouCache());
  assert.equal(first.mode, 'personal');
  assert.ok(first.items.length > 5);

  // The plain computation: the same store reads, every term vector computed in one pass, no cache.
  const view = index.discoveryView()!;
  const rows = await listMemberHistory(store.db, user.id, MAX_HISTORY);
  const texts = await listPaperTextsByIds(store.db, rows.map((r) => r.paperId));
  const history: HistoryItem[] = rows.map((r) => ({
    id: r.paperId, title: texts.get(r.paperId)!.title, signal: r.signal, vector: view.vectorOf(r.paperId),
    terms: referenceTermVector(texts.get(r.paperId)!.title, texts.get(r.paperId)!.abstract, view.df, view.papers),
  }));
  const papers = await listPeriodPapers(store.db, window.from, window.to, MAX_CANDIDATES);
  const authors = await listAuthorsOf(store.db, papers.map((p) => p.id));
  const cands: CandidatePaper[] = papers.map((p) => ({
    id: p.id, upvotes: p.upvotes, authors: authors.get(p.id) ?? [], vector: view.vectorOf(p.id), terms: referenceTermVector(p.title, p.abstract, view.df, view.papers),
  }));
  assert.equal(cands.length, first.candidates);
  const expected = rankForYou(buildProfile(history), prepareCandidates(cands), { limit: 20 });
  const strip = (items: { id: string; score: number; reason: unknown }[]) => items.map((i) => ({ id: i.id, score: i.score, reason: i.reason }));
  assert.deepEqual(strip(first.items), strip(expected));
  assert.deepEqual(strip(again.items), strip(first.items));
  assert.deepEqual(strip(fresh.items), strip(first.items));
});

test('periods prepared ahead are what a member\'s call then uses, with the same ranking; the preparation stops when told', async () => {
  const user = await createUser(store.db, { username: 'ahead-reader', email: null, passwordHash: null, role: 'member', verified: true }, FIXED_NOW);
  await store.transaction(async (trx) => { for (const n of [2, 8]) await setVote(trx, user.id, `2503.${10000 + n}`, true, FIXED_NOW); });
  // On PostgreSQL the store sees commits through a counter it polls every 250 ms: the votes above
  // must have reached the change token before anything is prepared, or the cache rightly drops
  // what was prepared when they arrive.
  await changesSettled(store);
  const deps = { store, index };
  const cache = new ForYouCache();
  const latest = (await store.db.selectFrom('announcements').select((eb) => eb.fn.max('day').as('d')).executeTakeFirstOrThrow()).d as string;
  const counts = await prepareLatestPeriods(deps, ['day', 'week'], cache);
  assert.equal(counts.day, 2, `the latest day (${latest}) has the two papers added above`);
  assert.ok((counts.week ?? 0) >= 2);
  const prepared = [...cache.periods.values()];
  const window = windowContaining('week', latest)!;
  const r = await forYou(deps, { userId: user.id, window, limit: 20 }, cache);
  assert.equal(r.candidates, counts.week);
  assert.deepEqual([...cache.periods.values()], prepared, 'the call found the week prepared and prepared nothing more');
  const plain = await forYou(deps, { userId: user.id, window, limit: 20 }, new ForYouCache());
  assert.deepEqual(r.items, plain.items);

  const bg = new ForYouCache();
  const stop = startForYouPreparation(deps, { cache: bg, intervalMs: 20, periods: ['day'] });
  for (let i = 0; i < 100 && bg.periods.size === 0; i++) await new Promise((res) => setTimeout(res, 10));
  stop();
  assert.equal(bg.periods.size, 1, 'the background preparation prepared the latest day');
});
