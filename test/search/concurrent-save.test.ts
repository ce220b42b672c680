/**
 * Saved index generations when several builders and loaders share a store: two builders at once
 * (a server's first build and `paperboy reindex`, or a digest run) leave one whole generation; a
 * loader that sees its generation replaced mid-read loads the newer one; a rebuild with nothing
 * changed since the last save still replaces it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin } from 'kysely';
import { sql } from '../../src/store/kysely.ts';
import { parseQuery } from '../../src/search/query.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { openStore } from '../../src/store/index.ts';
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

test('a process loading the saved index while another saves a newer one loads the newer one, without rebuilding', async () => {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(120), FIXED_NOW);
  const first = SearchIndex.detached(store, { corpusEmbedder: SMALL_EMBEDDER });
  await first.rebuild();
  const older = first.status().generation;
  // The loader's store: after its first piece of a saved part is read, another builder saves a
  // newer generation (and drops the older one's parts) before the loader reads the next piece.
  let replaced: Promise<void> | null = null;
  const builder = SearchIndex.detached(store, { corpusEmbedder: SMALL_EMBEDDER });
  const midRead: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      const row = args.result.rows[0] as Record<string, unknown> | undefined;
      if (row && Object.keys(row).join() === 'data' && Buffer.isBuffer(row.data)) await (replaced ??= builder.rebuild());
      return args.result;
    },
  };
  // Another process: its own connection to the same database.
  const own = await openStore(store.url);
  const loaderStore = Object.create(own, { db: { value: own.db.withPlugin(midRead) } }) as typeof own;
  const logs: string[] = [];
  const loader = await SearchIndex.open(loaderStore, { corpusEmbedder: SMALL_EMBEDDER, buildInWorker: false, log: (m) => logs.push(m) }, true);
  assert.ok(replaced, 'the newer generation was saved in the middle of the read');
  const newer = builder.status().generation;
  assert.ok(newer > older);
  assert.equal(loader.status().generation, newer, 'the loader loaded the newer generation');
  assert.equal(loader.status().semantic, 'ready');
  assert.ok(logs.some((m) => m.includes(`generation ${older} was replaced while it was read`)), logs.join('\n'));
  assert.deepEqual(logs.filter((m) => /cannot be read|index saved/.test(m)), [], 'it neither found a broken index nor rebuilt one');
  const r = await loader.search({ query: parseQuery('quantum codes'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });
  assert.equal(r.hits.length, 5);
  await Promise.all([first.close(), builder.close(), loader.close()]);
  await own.close();
});

test('a rebuild with no paper changed since the last save still replaces it (a reindex with other options takes effect)', async () => {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(60), FIXED_NOW);
  const keywordOnly = SearchIndex.detached(store, { semantic: false });
  await keywordOnly.rebuild();
  await keywordOnly.close();
  const full = SearchIndex.detached(store, { corpusEmbedder: SMALL_EMBEDDER });
  await full.rebuild();
  await full.close();
  const reopened = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
  assert.equal(reopened.status().generation, 2, 'the second build is the saved one');
  assert.equal(reopened.status().semantic, 'ready', 'a restart finds the vectors of the second build');
  await reopened.close();
});

test('a saved index whose parts are missing (a dump restored without them) is rebuilt, and the log says why', async () => {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(60), FIXED_NOW);
  const first = SearchIndex.detached(store, { corpusEmbedder: SMALL_EMBEDDER });
  await first.rebuild();
  await first.close();
  await sql`DELETE FROM search_index_parts`.execute(store.db);
  const logs: string[] = [];
  const reopened = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER, buildInWorker: false, log: (m) => logs.push(m) }, true);
  assert.ok(logs.some((m) => m.includes('the saved index\'s parts are missing (generation 1); rebuilding')), logs.join('\n'));
  assert.ok(!logs.some((m) => m.includes('was replaced while it was read')), 'not mistaken for a newer save');
  assert.equal(reopened.status().generation, 2, 'a new generation is built and saved');
  assert.equal((await reopened.search({ query: parseQuery('quantum codes'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 })).hits.length, 5);
  await reopened.close();
});
