/**
 * `paperboy reindex --keyword-only` with PAPERBOY_SEARCH_ENGINE=postgres: refused while PostgreSQL's
 * stored model has vectors, unless --drop-semantic (see test/search/reindex-keyword-only.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { runReindex } from '../../src/cli/reindex.ts';
import { PgSearchEngine } from '../../src/search/pg-engine.ts';
import { testStoreKind } from '../helpers/postgres.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from '../search/fixtures.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c) => { text += c; });
  return { stream: s, text: () => text };
}

test('with PAPERBOY_SEARCH_ENGINE=postgres, the stored PostgreSQL model\'s vectors are kept the same way', { skip, timeout: 120_000 }, async () => {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(60), FIXED_NOW);
  const engine = PgSearchEngine.detached(store, { corpusEmbedder: SMALL_EMBEDDER });
  await engine.rebuild();
  await engine.close();
  const settings = { embedder: { kind: 'corpus' as const }, searchEngine: 'postgres' as const };

  const err = sink();
  assert.equal(await runReindex(store, ['--keyword-only'], sink().stream, err.stream, settings), 2);
  assert.match(err.text(), /^reindex: PostgreSQL's search engine has vectors; --keyword-only would drop them/);
  assert.equal(await PgSearchEngine.storedHasVectors(store), true);

  assert.equal(await runReindex(store, ['--keyword-only', '--drop-semantic'], sink().stream, sink().stream, settings), 0);
  assert.equal(await PgSearchEngine.storedHasVectors(store), false);
});
