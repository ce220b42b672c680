/**
 * A store without a saved index is built in a worker thread: the opening thread answers "being
 * built", then keyword results once the worker hands the keyword index over, then everything once
 * the worker has saved the generation and it is loaded. Real store, real worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/search/query.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { findIndexMeta } from '../../src/search/store-io.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { topicalRecords } from './fixtures.ts';

/** Enough training for the keyword index to arrive well before the vectors. */
const SLOWER_EMBEDDER = { dims: 32, epochs: 30, queriesPerDoc: 4, batchSize: 16, maxTrainingDocs: 2000 };
const search = (index: SearchIndex, q: string) => index.search({ query: parseQuery(q), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });

test('the first build runs in a worker thread: keyword search first, then the saved generation', { timeout: 120_000 }, async () => {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(600), FIXED_NOW);
  const logs: string[] = [];
  const index = await SearchIndex.open(store, { corpusEmbedder: SLOWER_EMBEDDER, log: (m) => logs.push(m) });
  try {
    assert.equal(index.status().state, 'building');
    assert.equal((await search(index, 'quantum codes')).hits.length, 0, 'nothing before the keyword index arrives');
    // The keyword index arrives from the worker while the embedder is still being trained there.
    let sawKeywordOnly = false;
    while (index.status().state !== 'ready' || index.status().semantic !== 'ready') {
      const s = index.status();
      if (s.state === 'ready' && s.semantic === 'building') {
        const r = await search(index, 'quantum codes');
        assert.equal(r.mode, 'keyword', 'hybrid falls back to keyword while the vectors are built');
        assert.ok(r.hits.length > 0);
        sawKeywordOnly = true;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(sawKeywordOnly, 'keyword search worked before the semantic part was ready');
    await index.ready();
    const meta = await findIndexMeta(store.db);
    assert.equal(index.status().generation, meta?.generation, 'the worker saved the generation this index loaded');
    assert.ok(logs.some((l) => /built in a worker thread/.test(l)), logs.join('\n'));
    const r = await search(index, 'quantum codes');
    assert.equal(r.mode, 'hybrid');
    assert.ok(r.hits.length > 0);
    // A paper added afterwards is found: the change log is followed from the worker's watermark.
    await store.upsertPapers([{ ...topicalRecords(1)[0]!, id: '2504.00001', title: 'Zebrafish fins regrow' }], FIXED_NOW);
    await index.papersChanged(['2504.00001']);
    assert.deepEqual((await search(index, 'zebrafish')).hits.map((h) => h.id), ['2504.00001']);
  } finally {
    await index.close();
  }
});

test('closing during a worker build stops the worker, saves nothing half-built, and logs an interruption, not a failure', { timeout: 60_000 }, async () => {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(600), FIXED_NOW);
  const logs: string[] = [];
  const index = await SearchIndex.open(store, { corpusEmbedder: SLOWER_EMBEDDER, log: (m) => logs.push(m) });
  await new Promise((r) => setTimeout(r, 300));
  await index.close();
  assert.equal(await findIndexMeta(store.db), null);
  assert.ok(logs.includes('search: build interrupted by the shutdown; the next start builds again'), logs.join('\n'));
  assert.ok(!logs.some((l) => /build failed|worker stopped/.test(l)), logs.join('\n'));
});
