import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchIndex } from '../../src/search/search-index.ts';
import { searchPapers } from '../../src/search/service.ts';
import { markSegments } from '../../src/search/highlight.ts';
import { parseQuery } from '../../src/search/query.ts';
import type { Store } from '../../src/store/index.ts';
import { paperRecord } from '../helpers/factories.ts';
import { SMALL_EMBEDDER, topicalRecords, tumourRecords } from './fixtures.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';

const store: Store = await tempStore();
await store.upsertPapers(topicalRecords(60), FIXED_NOW);
const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
/** The paper's number in topicalRecords. */
const nth = (id: string) => Number(id.slice(5)) - 10000;

describe('search index on a real store', () => {
  const ids = (hits: { id: string }[]) => hits.map((h) => h.id);
  const run = (q: string, o: Partial<Parameters<SearchIndex['search']>[0]> = {}) =>
    index.search({ query: parseQuery(q), mode: 'keyword', sort: 'relevance', offset: 0, limit: 50, ...o });

  after(async () => { await index.close(); });

  test('builds in the background on first open, keyword and semantic', () => {
    const s = index.status();
    assert.equal(s.state, 'ready');
    assert.equal(s.papers, 60);
    assert.equal(s.semantic, 'ready');
  });

  test('keyword search finds the topic, title matches first', async () => {
    const r = await run('quantum codes');
    assert.equal(r.total, 10);
    assert.ok(r.hits.every((h) => nth(h.id) % 6 === 4));
    assert.deepEqual(r.terms.sort(), ['code', 'quantum']);
  });

  test('filters: category, author, year, dates, code, exclusions', async () => {
    assert.ok((await run('attention cat:cs.CL')).hits.every((h) => nth(h.id) % 3 === 0));
    const lecun = await run('author:"yann lecun"');
    assert.equal(lecun.total, 15);
    assert.ok(lecun.hits.every((h) => nth(h.id) % 4 === 0));
    assert.equal((await run('author:lecun -author:lovelace')).total, 0);
    assert.equal((await run('attention year:2024 before:2024-02-01')).hits.every((h) => nth(h.id) % 9 === 0), true);
    assert.equal((await run('has:code')).total, 12);
    const noVideo = await run('models -video');
    assert.ok(noVideo.hits.length > 0 && noVideo.hits.every((h) => nth(h.id) % 6 !== 2));
    assert.equal((await run('cat:cs.CL -cat:cs.LG')).total, 0);
  });

  test('phrases must appear as written', async () => {
    const loose = await run('long documents');
    const exact = await run('"attention heads and long documents"');
    assert.ok(exact.hits.length > 0 && exact.hits.length < loose.hits.length);
    assert.ok(exact.hits.every((h) => nth(h.id) % 2 === 1), ids(exact.hits).join());
  });

  test('sort by date: papers with every word, newest first', async () => {
    const r = await run('robots', { sort: 'date' });
    assert.equal(r.total, 10);
    const days = r.hits.map((h) => `2024-0${1 + (nth(h.id) % 9)}`);
    assert.deepEqual(days, [...days].sort().reverse());
  });

  test('semantic and hybrid modes answer, and pages do not overlap', async () => {
    const sem = await run('robot arm control', { mode: 'semantic', limit: 5 });
    assert.equal(sem.mode, 'semantic');
    assert.equal(sem.hits.length, 5);
    const p1 = await run('graph molecules', { mode: 'hybrid', limit: 4 });
    const p2 = await run('graph molecules', { mode: 'hybrid', limit: 4, offset: 4 });
    assert.equal(p1.mode, 'hybrid');
    assert.equal(new Set([...ids(p1.hits), ...ids(p2.hits)]).size, 8);
  });

  test('new and changed papers are searchable after the next refresh, without a rebuild', async () => {
    const generation = index.status().generation;
    await store.upsertPapers([paperRecord({ id: '2503.20001', title: 'Zebrafish regeneration atlas', abstract: 'Fin regeneration in zebrafish.' })], FIXED_NOW);
    await index.refresh();
    assert.deepEqual(ids((await run('zebrafish')).hits), ['2503.20001']);
    // An update replaces the old text.
    await store.upsertPapers([paperRecord({ id: '2503.10004', title: 'Axolotl limb regrowth', abstract: 'Limbs regrow.', versions: [{ version: 2, submittedAt: '2025-01-01T00:00:00.000Z' }] })], FIXED_NOW);
    await index.papersChanged(['2503.10004']);
    assert.deepEqual(ids((await run('axolotl')).hits), ['2503.10004']);
    assert.ok(!ids((await run('quantum')).hits).includes('2503.10004'));
    assert.equal(index.status().generation, generation);
    // Semantic search sees the new paper too.
    assert.ok(ids((await run('zebrafish fin', { mode: 'semantic', limit: 60 })).hits).includes('2503.20001'));
  });

  test('votes reorder "most upvoted" without reindexing', async () => {
    await store.seedDemoVotes(new Map([['2503.10005', 7]]), FIXED_NOW);
    await index.refresh();
    const r = await run('robots', { sort: 'upvotes' });
    assert.equal(r.hits[0]!.id, '2503.10005');
    assert.equal(r.hits[0]!.score, 7);
  });

  test('a second index on the same store loads the saved one and catches up from the change log', async () => {
    const other = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER });
    assert.equal(other.status().state, 'ready', 'loaded, not rebuilding');
    const r = await other.search({ query: parseQuery('zebrafish'), mode: 'keyword', sort: 'relevance', offset: 0, limit: 5 });
    assert.deepEqual(ids(r.hits), ['2503.20001']);
    await other.close();
  });

  test('searchPapers: cards, highlights, totals, did you mean, arXiv ids, hostile input', async () => {
    const r = await searchPapers({ store, index }, { q: 'quantum', mode: 'keyword', pageSize: 3 });
    assert.equal(r.items.length, 3);
    assert.equal(r.pages, 3, '9 quantum papers left after the update above');
    assert.match(markSegments(r.items[0]!.title, '[', ']'), /\[Quantum\]/);
    assert.equal(r.items[0]!.card.authors.length > 0, true);
    // A phrase is marked where it stands, not its words apart; a free word wherever it stands.
    await store.upsertPapers([paperRecord({ id: '2503.20002', title: 'Stem cells and the stem of a cell line', abstract: 'Cells from a stem are grown; stem cells are not.' })], FIXED_NOW);
    await index.refresh();
    const phrase = await searchPapers({ store, index }, { q: '"stem cells" line', mode: 'keyword' });
    const hit = phrase.items.find((i) => i.id === '2503.20002')!;
    assert.equal(markSegments(hit.title, '[', ']'), '[Stem cells] and the stem of a cell [line]');
    assert.equal(markSegments(hit.snippet, '[', ']'), 'Cells from a stem are grown; [stem cells] are not.');
    const typo = await searchPapers({ store, index }, { q: 'quantun' });
    assert.equal(typo.suggestion, 'quantum');
    // Only the first three misspelt words are looked at (each costs thousands of lookups): a long
    // query of unknown words is answered without correcting them all.
    const many = await searchPapers({ store, index }, { q: 'quantun quantun quantun quantun quantun' });
    assert.equal(many.suggestion, 'quantum quantum quantum quantun quantun');
    const byId = await searchPapers({ store, index }, { q: 'https://arxiv.org/abs/2503.10007v2' });
    assert.equal(byId.paperId, '2503.10007');
    for (const q of ['"', '-', 'NEAR(a b)', '*', '((((', 'a'.repeat(10_000), '\u0000\u0001', '中文 검색', "' OR 1=1 --", 'cat:', 'author:""']) {
      const out = await searchPapers({ store, index }, { q });
      assert.equal(typeof out.total, 'number', q.slice(0, 20));
    }
    const filtered = await searchPapers({ store, index }, { q: 'attention', category: 'cs.CL', from: '2024-01-01', to: '2024-03-31', hasCode: true });
    assert.ok(filtered.items.every((i) => i.card.categories.includes('cs.CL') && i.card.codeUrl));
    assert.match((await searchPapers({ store, index }, { q: 'x', from: 'tomorrow' })).notes.join(), /not a date/);
  });
});

describe('ranking constants that were tuned on SciFact', () => {
  test('a query word that mixes letters and digits (a gene, a model) weighs more than a common word', async () => {
    const s = await tempStore();
    const records = [
      paperRecord({ id: '2504.30001', title: 'Autophagy in liver cells', abstract: 'Autophagy flux in liver cells slows with age.' }),
      paperRecord({ id: '2504.30002', title: 'Stromal fibroblasts in prostate tumours', abstract: 'Loss of p62 in stromal fibroblasts changes autophagy.' }),
      ...Array.from({ length: 30 }, (_, i) => paperRecord({
        id: `2504.${31000 + i}`, title: `Cell study ${i}`,
        abstract: i < 12 ? `Levels of p62 in tissue ${i}.` : i < 16 ? `Autophagy in tissue ${i}.` : `Cells in tissue ${i}.`,
      })),
    ];
    await s.upsertPapers(records, FIXED_NOW);
    const order = async (tuning?: { identifierBoost: number }) => {
      const ix = SearchIndex.detached(s, { semantic: false, tuning });
      await ix.rebuild();
      const r = await ix.search({ query: parseQuery('p62 autophagy'), mode: 'keyword', sort: 'relevance', offset: 0, limit: 50 });
      await ix.close();
      const rank = (id: string) => r.hits.findIndex((h) => h.id === id);
      return { withP62: rank('2504.30002'), autophagyOnly: rank('2504.30001') };
    };
    const boosted = await order();
    assert.ok(boosted.withP62 < boosted.autophagyOnly, JSON.stringify(boosted));
    const plain = await order({ identifierBoost: 1 });
    assert.ok(plain.withP62 > plain.autophagyOnly, `without the boost the common word wins: ${JSON.stringify(plain)}`);
  });

  test('hybrid: a paper that states the query in one sentence passes one that scatters its words', async () => {
    const s = await tempStore();
    const records = [
      paperRecord({ id: '2504.40001', title: 'A cohort followed for a decade', abstract: 'APOE4 carriers were followed. Tau was measured.' }),
      paperRecord({ id: '2504.40002', title: 'Neurons grown from stem cells', abstract: 'In neurons grown from the stem cells of volunteers APOE4 raised tau.' }),
      ...topicalRecords(40),
    ];
    await s.upsertPapers(records, FIXED_NOW);
    // The cosine and smoothing are off in both runs, so only the sentence share differs.
    const order = async (sentenceWeight?: number) => {
      const ix = SearchIndex.detached(s, { corpusEmbedder: SMALL_EMBEDDER, tuning: { semanticWeight: 0, smoothingWeight: 0, sentenceWeight } });
      await ix.rebuild();
      const keyword = await ix.search({ query: parseQuery('apoe4 tau'), mode: 'keyword', sort: 'relevance', offset: 0, limit: 10 });
      const hybrid = await ix.search({ query: parseQuery('apoe4 tau'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 10 });
      await ix.close();
      return { keyword: keyword.hits.map((h) => h.id).slice(0, 2), hybrid: hybrid.hits.map((h) => h.id).slice(0, 2), mode: hybrid.mode };
    };
    const tuned = await order();
    assert.equal(tuned.mode, 'hybrid');
    assert.deepEqual(tuned.keyword, ['2504.40001', '2504.40002'], 'BM25 alone prefers the shorter abstract');
    assert.deepEqual(tuned.hybrid, ['2504.40002', '2504.40001']);
    const without = await order(0);
    assert.deepEqual(without.hybrid, ['2504.40001', '2504.40002'], 'without the sentence share the order is BM25\'s');

    // The sentences are kept between searches, but not past an edit of the paper's text.
    const ix = SearchIndex.detached(s, { corpusEmbedder: SMALL_EMBEDDER, tuning: { semanticWeight: 0, smoothingWeight: 0 } });
    await ix.rebuild();
    const top2 = async () => (await ix.search({ query: parseQuery('apoe4 tau'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 10 })).hits.map((h) => h.id).slice(0, 2);
    assert.deepEqual(await top2(), ['2504.40002', '2504.40001']);
    assert.deepEqual(await top2(), ['2504.40002', '2504.40001']);
    await s.upsertPapers([paperRecord({ id: '2504.40002', title: 'Neurons grown from stem cells', abstract: 'In neurons grown from the stem cells of volunteers APOE4 was present. Tau was low.' })], FIXED_NOW);
    await ix.papersChanged(['2504.40002']);
    assert.deepEqual(await top2(), ['2504.40001', '2504.40002'], 'the edited abstract no longer states both in one sentence');
    await ix.close();
    await s.close();
  });

  test('hybrid: a paper that says a query word in other words ("tumor" for "tumour") passes one that lacks it', async () => {
    const s = await tempStore();
    await s.upsertPapers([...tumourRecords('2504.5000'), ...topicalRecords(40)], FIXED_NOW);
    // The cosine, sentence share and smoothing are off in both runs, so only the synonym share differs.
    const ix = SearchIndex.detached(s, { corpusEmbedder: SMALL_EMBEDDER, tuning: { semanticWeight: 0, smoothingWeight: 0, sentenceWeight: 0 } });
    await ix.rebuild();
    const rank = async () => {
      const r = await ix.search({ query: parseQuery('tumour suppression'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 10 });
      assert.equal(r.mode, 'hybrid');
      const at = (id: string) => r.hits.findIndex((h) => h.id === id);
      return { tumor: at('2504.50001'), keyboard: at('2504.50002') };
    };
    const tuned = await rank();
    const keyword = await ix.search({ query: parseQuery('tumour suppression'), mode: 'keyword', sort: 'relevance', offset: 0, limit: 10 });
    await ix.close();
    assert.ok(tuned.tumor >= 0 && tuned.tumor < tuned.keyboard, JSON.stringify(tuned));
    const k = (id: string) => keyword.hits.findIndex((h) => h.id === id);
    assert.ok(k('2504.50002') < k('2504.50001'), 'BM25 alone prefers the shorter keyboard paper');

    // Saved with the index and loaded with it: a second index on the store ranks the same.
    const loaded = await SearchIndex.open(s, { corpusEmbedder: SMALL_EMBEDDER, tuning: { semanticWeight: 0, smoothingWeight: 0, sentenceWeight: 0 } }, true);
    const again = await loaded.search({ query: parseQuery('tumour suppression'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 10 }).finally(() => loaded.close());
    assert.ok(again.hits.findIndex((h) => h.id === '2504.50001') < again.hits.findIndex((h) => h.id === '2504.50002'), 'the loaded index has the word vectors');

    const without = SearchIndex.detached(s, { corpusEmbedder: SMALL_EMBEDDER, tuning: { semanticWeight: 0, smoothingWeight: 0, sentenceWeight: 0, synonymWeight: 0 } });
    await without.rebuild();
    const plain = await without.search({ query: parseQuery('tumour suppression'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 10 }).finally(() => without.close());
    await s.close();
    const p = (id: string) => plain.hits.findIndex((h) => h.id === id);
    assert.ok(p('2504.50002') < p('2504.50001'), 'without the synonym share the order is BM25\'s');
  });
});
