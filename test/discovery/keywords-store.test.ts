/**
 * Keywords are computed at import time (against the corpus as it then is), kept per paper version,
 * and by `paperboy keywords` for existing stores; real arXiv listing lines from the shared data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { importFile } from '../../src/services/import.ts';
import { buildKeywordModel, scoreKeywords } from '../../src/domain/keywords.ts';
import { decodeKeywordModel, encodeKeywordModel, refreshKeywords } from '../../src/services/keywords.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { keywordsOf, readKeywordModelMeta, replacePaperKeywords } from '../../src/store/keywords.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempDatabaseUrl, tempDir, tempStore } from '../helpers/store.ts';
import { runPaperboy } from '../helpers/paperboy.ts';

const SHARED = process.env.PAPERBOY_SHARED_DATA ?? path.resolve('../shared/data');
const LISTINGS = path.join(SHARED, 'arxiv-cs-listings-2025-05-06', 'arxiv_cs_2025-05_06.jsonl.gz');
const skip = fs.existsSync(LISTINGS) ? false : `shared data not found: ${LISTINGS}`;

/** `n` lines of the real listing file from line `from`, as a JSONL file in a temporary folder. */
function listingSlice(n: number, edit?: (row: Record<string, unknown>) => void, from = 0): string {
  const lines = zlib.gunzipSync(fs.readFileSync(LISTINGS)).toString('utf8').split('\n').slice(from, from + n);
  const file = path.join(tempDir(), 'slice.jsonl');
  fs.writeFileSync(file, lines.map((l) => { const row = JSON.parse(l) as Record<string, unknown>; edit?.(row); return JSON.stringify(row); }).join('\n'));
  return file;
}

const paperboy = runPaperboy;

/** Another process's view of the same database: a store of its own, with nothing cached. */
async function openAgain(url: string): Promise<Store> {
  const store = await openStore(url);
  await store.migrate(FIXED_NOW);
  return store;
}

test('the keyword model is counted once and kept: later imports score with it until a twentieth of the corpus is new', { skip }, async () => {
  const url = await tempDatabaseUrl();
  const first = await openAgain(url);
  await importFile(first, listingSlice(400), { now: () => FIXED_NOW });
  assert.deepEqual(await readKeywordModelMeta(first.db), { generation: 1, docs: 400, corpusLimit: 50_000, scoredSince: 0 });
  const model = buildKeywordModel(await first.db.selectFrom('papers').select(['title', 'abstract']).execute());
  await first.close();

  // A later command (its own process): ten new papers get the keywords of the saved 400-paper model.
  const later = await openAgain(url);
  try {
    const before = new Set((await later.db.selectFrom('papers').select('id').execute()).map((r) => r.id));
    const added = await importFile(later, listingSlice(10, undefined, 400), { now: () => FIXED_NOW });
    assert.equal(added.keywords, 10);
    assert.deepEqual(await readKeywordModelMeta(later.db), { generation: 1, docs: 400, corpusLimit: 50_000, scoredSince: 10 });
    const ten = (await later.db.selectFrom('papers').select(['id', 'title', 'abstract']).execute()).filter((p) => !before.has(p.id));
    assert.equal(ten.length, 10);
    const stored = await keywordsOf(later.db, ten.map((p) => p.id));
    for (const p of ten) {
      assert.deepEqual(stored.get(p.id) ?? [], scoreKeywords(p, model).map((k) => k.keyword), `${p.id}: scored with the saved model`);
    }

    // Changed papers count as new: 15 edited (25 scored since, more than 400 / 20), still the same model...
    const edited = await importFile(later, listingSlice(15, (row) => { row.abstract = `${String(row.abstract)} Revised.`; }), { now: () => FIXED_NOW });
    assert.equal(edited.updated, 15);
    assert.deepEqual(await readKeywordModelMeta(later.db), { generation: 1, docs: 400, corpusLimit: 50_000, scoredSince: 25 });
    // ...and the next refresh counts the corpus again.
    await importFile(later, listingSlice(1, undefined, 410), { now: () => FIXED_NOW });
    assert.deepEqual(await readKeywordModelMeta(later.db), { generation: 2, docs: 411, corpusLimit: 50_000, scoredSince: 0 });

    // A store that grew by more than a twentieth since the count is counted again at once.
    await importFile(later, listingSlice(25, undefined, 411), { now: () => FIXED_NOW });
    assert.deepEqual(await readKeywordModelMeta(later.db), { generation: 3, docs: 436, corpusLimit: 50_000, scoredSince: 0 });

    // Unreadable saved data (cut short, written by hand) is counted again and saved over, not an error.
    await later.db.withTables<{ keyword_model: { data: Uint8Array } }>().updateTable('keyword_model')
      .set({ data: Buffer.from('not a model') }).execute();
    const third = await openAgain(url);
    try {
      const after = await importFile(third, listingSlice(1, undefined, 436), { now: () => FIXED_NOW });
      assert.equal(after.keywords, 1);
    } finally {
      await third.close();
    }
    assert.deepEqual(await readKeywordModelMeta(later.db), { generation: 4, docs: 437, corpusLimit: 50_000, scoredSince: 0 });
  } finally {
    await later.close();
  }
});

test('a saved keyword model reads back as the model that was counted', { skip }, () => {
  const lines = zlib.gunzipSync(fs.readFileSync(LISTINGS)).toString('utf8').split('\n').slice(0, 2000).filter(Boolean);
  const docs = lines.map((l) => JSON.parse(l) as { title: string; abstract: string });
  const odd = { title: 'Schrödinger bridges for Übersetzung', abstract: 'Schrödinger bridges and 中文 Übersetzung, again.' };
  docs.push(odd, odd);
  const model = buildKeywordModel(docs);
  const back = decodeKeywordModel(encodeKeywordModel(model), model.docs);
  assert.equal(back.docs, model.docs);
  assert.deepEqual(back.df, model.df);
  assert.ok([...back.df.keys()].some((k) => k.includes('schrödinger')), 'keys out of ASCII survive');
  const empty = decodeKeywordModel(encodeKeywordModel(buildKeywordModel([])), 0);
  assert.equal(empty.df.size, 0);
});

test('an import computes keywords of what it added; a re-import changes nothing; a changed paper is done again', { skip }, async () => {
  const store = await tempStore();
  const file = listingSlice(300);
  const report = await importFile(store, file, { now: () => FIXED_NOW });
  assert.equal(report.new, 300);
  assert.equal(report.keywords, 300);
  const ids = (await store.db.selectFrom('papers').select('id').orderBy('id').execute()).map((r) => r.id);
  const kws = await keywordsOf(store.db, ids);
  assert.ok(kws.size >= 295, `nearly every real abstract has keywords (${kws.size} of 300)`);
  for (const list of kws.values()) assert.ok(list.length >= 1 && list.length <= 8);

  const again = await importFile(store, file, { now: () => FIXED_NOW });
  assert.equal(again.unchanged, 300);
  assert.equal(again.keywords, 0);

  const target = ids[0]!;
  const changed = await importFile(store, listingSlice(1, (row) => { row.title = 'Quantum annealing for scheduling'; row.abstract = 'Quantum annealing solves scheduling. Quantum annealing scales.'; }), { now: () => FIXED_NOW });
  assert.equal(changed.updated, 1);
  assert.equal(changed.keywords, 1);
  assert.equal((await keywordsOf(store.db, [target])).get(target)![0], 'quantum annealing');
});

test('an empty abstract and a paper without any usable word are done (no keywords, no error), and not redone', async () => {
  const store = await tempStore();
  const file = path.join(tempDir(), 'odd.jsonl');
  const row = (id: string, title: string, abstract: string) => JSON.stringify({ id, title, authors: ['A'], categories: ['cs.CL'], abstract, listing_dates: ['2025-05-06'] });
  fs.writeFileSync(file, [row('2505.00001', 'Sparse attention', ''), row('2505.00002', 'On the', '  ')].join('\n'));
  const r = await importFile(store, file, { now: () => FIXED_NOW });
  assert.equal(r.keywords, 2);
  const kws = await keywordsOf(store.db, ['2505.00001', '2505.00002']);
  assert.deepEqual(kws.get('2505.00001'), ['sparse attention']);
  assert.equal(kws.has('2505.00002'), false);
  assert.equal((await refreshKeywords(store, { now: () => FIXED_NOW })).papers, 0);
});

test('paperboy keywords: nothing due after an import; --all redoes every paper; a bad option is a usage error', { skip }, () => {
  const dir = tempDir();
  const env = { PAPERBOY_DATA_DIR: dir };
  const imported = paperboy(['import', listingSlice(120)], env);
  assert.equal(imported.code, 0, imported.stderr);
  const none = paperboy(['keywords'], env);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /^keywords done papers=0 keywords=0 corpus=0 ms=\d+\n$/);
  const all = paperboy(['keywords', '--all'], env);
  assert.equal(all.code, 0, all.stderr);
  const m = /^keywords done papers=120 keywords=(\d+) corpus=120 ms=\d+\n$/.exec(all.stdout);
  assert.ok(m, all.stdout);
  assert.ok(Number(m[1]) >= 120 * 3, 'several keywords a paper');
  const bad = paperboy(['keywords', '--frobnicate'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /usage: paperboy keywords/);
  assert.match(paperboy(['help'], env).stdout, /\n  keywords /);
});

/*
 * Two runs at once over the same due papers (an import and `paperboy keywords`, or two app
 * processes' ingest runs on one PostgreSQL database). Whether they interleave is up to timing,
 * so each race is run many rounds.
 */
const ROUNDS = 20;

test('two keyword refreshes at once both finish, and leave the keywords one refresh computes', async () => {
  const store = await tempStore();
  await store.upsertPapers(Array.from({ length: 40 }, (_, i) => paperRecord({ id: `2505.${String(20000 + i).padStart(5, '0')}` })), FIXED_NOW);
  await refreshKeywords(store, { now: () => FIXED_NOW });
  const ids = (await store.db.selectFrom('papers').select('id').orderBy('id').execute()).map((r) => r.id);
  const expected = await keywordsOf(store.db, ids);
  for (let round = 0; round < ROUNDS; round++) {
    const reports = await Promise.all([1, 2].map(() => refreshKeywords(store, { now: () => FIXED_NOW, all: true })));
    assert.deepEqual(reports.map((r) => r.papers), [40, 40], `round ${round}: both runs did every paper`);
    assert.deepEqual(await keywordsOf(store.db, ids), expected, `round ${round}`);
  }
  assert.equal((await refreshKeywords(store, { now: () => FIXED_NOW })).papers, 0, 'nothing is left due');
});

test('two keyword writes at once for the same papers: each paper keeps one write\'s keywords whole', async () => {
  const store = await tempStore();
  const ids = Array.from({ length: 40 }, (_, i) => `2505.${String(21000 + i).padStart(5, '0')}`);
  await store.upsertPapers(ids.map((id) => paperRecord({ id })), FIXED_NOW);
  const write = (words: string[]) => store.transaction((trx) => replacePaperKeywords(trx,
    ids.map((paperId) => ({ paperId, sourceHash: 'h', keywords: words.map((keyword, i) => ({ keyword, score: 1 - i / 10 })) })), FIXED_NOW));
  const first = ['sparse attention', 'long context', 'retrieval'];
  const second = ['graph neural networks', 'message passing'];
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all([write(first), write(second)]);
    const kws = await keywordsOf(store.db, ids);
    for (const id of ids) {
      const got = kws.get(id);
      assert.ok(JSON.stringify(got) === JSON.stringify(first) || JSON.stringify(got) === JSON.stringify(second), `round ${round}: ${id} has ${JSON.stringify(got)}`);
    }
  }
});

test('keywords are the same whether a paper\'s analysis was kept from counting the model or made again', async () => {
  const records = Array.from({ length: 30 }, (_, i) => paperRecord({ id: `2505.${String(30000 + i).padStart(5, '0')}`, title: `Sparse attention for graph number ${i % 7}` }));
  const run = async (keptAnalyses: number) => {
    const store = await tempStore();
    await store.upsertPapers(records, FIXED_NOW);
    const report = await refreshKeywords(store, { now: () => FIXED_NOW, keptAnalyses });
    assert.equal(report.papers, 30);
    return keywordsOf(store.db, records.map((r) => r.id));
  };
  const all = await run(Infinity);
  assert.ok([...all.values()].some((k) => k.length > 0), 'keywords were found');
  assert.deepEqual(await run(5), all, 'five kept, the others analysed again');
  assert.deepEqual(await run(0), all);
});
