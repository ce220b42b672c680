/**
 * Two builders of the same store at once (a server's first build and `paperboy reindex`, or a
 * digest run): both finish, the saved index is one whole generation, and both indexes answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { parseQuery } from '../../src/search/query.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { findIndexMeta, saveIndex } from '../../src/search/store-io.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from './fixtures.ts';

test('two builds saving at once leave one whole generation, and both indexes answer', async () => {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(120), FIXED_NOW);
  const a = SearchIndex.detached(store, { corpusEmbedder: SMALL_EMBEDDER });
  const b = SearchIndex.detached(store, { corpusEmbedder: SMALL_EMBEDDER });
  await Promise.all([a.rebuild(), b.rebuild()]);
  const meta = await findIndexMeta(store.db);
  assert.ok(meta);
  const { rows } = await sql<{ generation: number }>`SELECT DISTINCT generation FROM search_index_parts`.execute(store.db);
  assert.deepEqual(rows.map((r) => Number(r.generation)), [meta.generation], 'only the current generation\'s parts are kept');
  for (const index of [a, b]) {
    const r = await index.search({ query: parseQuery('quantum codes'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });
    assert.equal(r.hits.length, 5);
  }
  const reopened = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
  assert.equal(reopened.status().generation, meta.generation, 'a restart loads the saved generation');
  assert.equal(reopened.status().semantic, 'ready');
  await Promise.all([a.close(), b.close(), reopened.close()]);
});

test('many saves at once: the current generation always has its parts', async () => {
  const store = await tempStore();
  for (let round = 0; round < 20; round++) {
    const parts = new Map([['a', new Uint8Array(64).fill(round)], ['b', new Uint8Array(32).fill(round)]]);
    const saved = await Promise.all([1, 2, 3, 4].map((k) => saveIndex(store.db, parts, round * 10 + k, '{}')));
    const meta = await findIndexMeta(store.db);
    assert.ok(meta);
    assert.equal(saved.filter((s) => s.current && s.generation === meta.generation).length, 1, 'the current generation is one that a save made current');
    const { rows } = await sql<{ generation: number }>`SELECT DISTINCT generation FROM search_index_parts`.execute(store.db);
    assert.deepEqual(rows.map((r) => Number(r.generation)), [meta.generation], `round ${round}: only the current generation's parts are kept`);
    assert.ok(meta.watermark > round * 10, 'each round moves the index forward');
  }
  await store.close();
});
