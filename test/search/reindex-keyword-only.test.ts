/**
 * `paperboy reindex --keyword-only` saves an index without vectors, which turns semantic and hybrid
 * search off on every running server. When the saved index has vectors it is refused (exit 2,
 * nothing changed) unless --drop-semantic says so. On the test run's store (PostgreSQL's own engine:
 * test/postgres/reindex-keyword-only.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { runReindex } from '../../src/cli/reindex.ts';
import { parseQuery } from '../../src/search/query.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { findIndexMeta } from '../../src/search/store-io.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from './fixtures.ts';

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c) => { text += c; });
  return { stream: s, text: () => text };
}

const hybrid = (index: SearchIndex, q: string) => index.search({ query: parseQuery(q), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });

test('reindex --keyword-only is refused while the saved index has vectors, unless --drop-semantic', { timeout: 120_000 }, async () => {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(60), FIXED_NOW);
  const built = SearchIndex.detached(store, { corpusEmbedder: SMALL_EMBEDDER });
  await built.rebuild();
  await built.close();
  const before = await findIndexMeta(store.db);
  assert.ok(before && await SearchIndex.savedHasVectors(store));

  // A running server's index.
  const server = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER });
  try {
    assert.equal((await hybrid(server, 'quantum codes')).mode, 'hybrid');

    const out = sink();
    const err = sink();
    assert.equal(await runReindex(store, ['--keyword-only'], out.stream, err.stream), 2);
    assert.equal(out.text(), '');
    assert.match(err.text(), /^reindex: the saved search index has vectors; --keyword-only would drop them and turn semantic and hybrid search off on every running server until a full reindex\. Run paperboy reindex without --keyword-only to rebuild everything, or add --drop-semantic to drop the vectors\. Nothing was changed\.\n$/);
    assert.deepEqual(await findIndexMeta(store.db), before, 'the saved index is as it was');
    await server.refresh();
    assert.equal(server.status().semantic, 'ready');
    assert.equal((await hybrid(server, 'quantum codes')).mode, 'hybrid', 'semantic search goes on');

    const alone = sink();
    assert.equal(await runReindex(store, ['--drop-semantic'], sink().stream, alone.stream), 2);
    assert.match(alone.text(), /^reindex: --drop-semantic goes with --keyword-only\n\nusage: paperboy reindex \[--keyword-only \[--drop-semantic\]\]/);

    const help = sink();
    assert.equal(await runReindex(store, ['--help'], help.stream), 0);
    assert.match(help.text(), /refused unless --drop-semantic/);

    const done = sink();
    assert.equal(await runReindex(store, ['--keyword-only', '--drop-semantic'], done.stream, sink().stream), 0);
    assert.match(done.text(), /^reindex done papers=60 semantic=off generation=\d+ ms=\d+\n$/);
    assert.equal(await SearchIndex.savedHasVectors(store), false);
    await server.refresh();
    assert.equal(server.status().semantic, 'off', 'asked for: the running server turns semantic search off');

    // Without vectors saved, --keyword-only needs nothing more.
    assert.equal(await runReindex(store, ['--keyword-only'], sink().stream, sink().stream), 0);
  } finally {
    await server.close();
  }
});
