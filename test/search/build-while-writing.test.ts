/**
 * Papers written to the store while an index is being built (an ingest, an import, a member's
 * submission): the build reads the papers twice (the keyword pass, then the embedding pass), and
 * what changed in between must neither fail the build nor put a vector in another paper's slot.
 * The writes happen in the build's own hook between the two passes, so the timing is exact.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAiEmbedder } from '../../src/search/embedder.ts';
import { parseQuery } from '../../src/search/query.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { findIndexMeta, listIndexDocsAfter } from '../../src/search/store-io.ts';
import type { Store } from '../../src/store/index.ts';
import { startEmbeddingsServer } from '../helpers/embeddings-server.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from './fixtures.ts';

const embeddings = await startEmbeddingsServer(16);
after(() => embeddings.close());

const ALL = topicalRecords(40); // ids 2503.10000 .. 2503.10039
/** Left out of the first write, and written while the build runs: before, among and after the others. */
const LATE = new Set(['2503.10000', '2503.10015', '2503.10025', '2503.10039']);
/** Deleted while the build runs (one of them the last paper the keyword pass saw). */
const GONE = ['2503.10020', '2503.10038'];
const EDITED = '2503.10030';
const NEW_ID = '2504.00001';

async function writeDuringBuild(store: Store): Promise<void> {
  await store.upsertPapers([
    ...ALL.filter((r) => LATE.has(r.id)),
    paperRecord({ id: NEW_ID, title: 'Zebrafish fins regrow after injury', abstract: 'Zebrafish regenerate fins; we follow the blastema cells.' }),
    { ...ALL.find((r) => r.id === EDITED)!, title: 'Octopus camouflage and skin cells', abstract: 'Octopuses change colour with chromatophores.' },
  ], FIXED_NOW);
  await store.db.deleteFrom('papers').where('id', 'in', GONE).execute();
}

async function storeWithEarlyPapers(): Promise<Store> {
  const store = await tempStore();
  // The keyword pass sees 2503.10038 last; it is deleted during the build, and 2503.10039 comes late.
  await store.upsertPapers(ALL.filter((r) => !LATE.has(r.id)), FIXED_NOW);
  return store;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i]! * b[i]!; aa += a[i]! * a[i]!; bb += b[i]! * b[i]!; }
  return ab / Math.sqrt(aa * bb);
}

/** Every paper in the store has its own text's vector in the index; deleted ones have none. */
async function assertVectorsMatch(index: SearchIndex, store: Store, embedder: OpenAiEmbedder): Promise<void> {
  const docs = await listIndexDocsAfter(store.db, '', 1_000);
  assert.equal(docs.length, 40 - GONE.length + 1);
  const expected = await embedder.embedDocuments(docs.map((d) => ({ title: d.title, abstract: d.abstract })));
  const view = index.discoveryView()!;
  assert.equal(view.vectors, true);
  docs.forEach((d, i) => {
    const v = view.vectorOf(d.id);
    assert.ok(v, `${d.id} has a vector`);
    assert.ok(cosine(v, expected[i]!) > 0.99, `${d.id}: its vector is its own text's (cosine ${cosine(v, expected[i]!).toFixed(3)})`);
  });
  for (const id of GONE) assert.equal(view.vectorOf(id), null, `${id} was deleted`);
}

test('papers added, edited and deleted between the keyword pass and the embedding pass: the build succeeds and every paper gets its own vector', async () => {
  const store = await storeWithEarlyPapers();
  const embedder = new OpenAiEmbedder({ baseUrl: embeddings.baseUrl, model: 'test-embed', dims: 16 });
  const logs: string[] = [];
  let wrote = false;
  const index = await SearchIndex.open(store, {
    embedder, log: (m) => logs.push(m),
    onKeywordIndex: async () => { await writeDuringBuild(store); wrote = true; },
  }, true);
  try {
    assert.ok(wrote);
    assert.ok(!logs.some((l) => /build failed|changed order/.test(l)), logs.join('\n'));
    const s = index.status();
    assert.deepEqual([s.state, s.semantic], ['ready', 'ready']);
    assert.equal(s.generation, (await findIndexMeta(store.db))?.generation, 'the generation was saved');
    await assertVectorsMatch(index, store, embedder);

    const found = await index.search({ query: parseQuery('zebrafish fins'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });
    assert.equal(found.mode, 'hybrid');
    assert.deepEqual(found.hits.map((h) => h.id), [NEW_ID], 'a paper added during the build is found');
    const edited = await index.search({ query: parseQuery('octopus camouflage'), mode: 'keyword', sort: 'relevance', offset: 0, limit: 5 });
    assert.deepEqual(edited.hits.map((h) => h.id), [EDITED], 'its new text is searched');
    const gone = await index.search({ query: parseQuery('"Reinforcement learning for robots 38"'), mode: 'keyword', sort: 'relevance', offset: 0, limit: 5 });
    assert.ok(!gone.hits.some((h) => GONE.includes(h.id)), 'deleted papers are not found');
  } finally {
    await index.close();
  }

  // A restart loads the saved generation and takes the same papers from the change log.
  const again = await SearchIndex.open(store, { embedder });
  try {
    await assertVectorsMatch(again, store, embedder);
    const found = await again.search({ query: parseQuery('zebrafish'), mode: 'semantic', sort: 'relevance', offset: 0, limit: 40 });
    assert.equal(found.mode, 'semantic');
    assert.ok(found.hits.some((h) => h.id === NEW_ID));
  } finally {
    await again.close();
    await store.close();
  }
});

test('the same with the corpus-trained embedder: the build succeeds, and the papers written meanwhile are embedded', async () => {
  const store = await storeWithEarlyPapers();
  const logs: string[] = [];
  const index = await SearchIndex.open(store, {
    corpusEmbedder: SMALL_EMBEDDER, buildInWorker: false, log: (m) => logs.push(m),
    onKeywordIndex: () => writeDuringBuild(store),
  }, true);
  try {
    assert.ok(!logs.some((l) => /build failed|changed order/.test(l)), logs.join('\n'));
    assert.deepEqual([index.status().state, index.status().semantic], ['ready', 'ready']);
    const view = index.discoveryView()!;
    for (const id of [...LATE, NEW_ID, EDITED]) assert.ok(view.vectorOf(id), `${id} has a vector`);
    for (const id of GONE) assert.equal(view.vectorOf(id), null);
    const r = await index.search({ query: parseQuery('zebrafish fins'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });
    assert.equal(r.mode, 'hybrid');
    assert.deepEqual(r.hits.map((h) => h.id), [NEW_ID]);
  } finally {
    await index.close();
    await store.close();
  }
});
