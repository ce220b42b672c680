/**
 * A first index build that has not finished, or that failed: the JSON API says "not ready" (503
 * with Retry-After) instead of an empty list, the page says what is happening, and a failed build
 * is tried again (waiting longer each time, up to a bound) or replaced by an index another process
 * saved meanwhile. The failures are real: a local embedding endpoint answering 503.
 */
import { after, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenAiEmbedder } from '../../src/search/embedder.ts';
import { parseQuery } from '../../src/search/query.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { findIndexMeta } from '../../src/search/store-io.ts';
import { startEmbeddingsServer } from '../helpers/embeddings-server.ts';
import { paperRecord } from '../helpers/factories.ts';
import { searchApp } from '../helpers/search-app.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from './fixtures.ts';

const embeddings = await startEmbeddingsServer(8);
after(() => embeddings.close());
beforeEach(() => { embeddings.failWith = null; });
const endpointEmbedder = () => new OpenAiEmbedder({ baseUrl: embeddings.baseUrl, model: 'test-embed', dims: 8 });

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function topicalStore() {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(30), FIXED_NOW);
  return store;
}

test('before the first index is ready, the JSON APIs answer 503 with Retry-After (not an empty list) and the page says it is being built', async () => {
  const store = await topicalStore();
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let reached!: () => void;
  const atKeywordIndex = new Promise<void>((r) => { reached = r; });
  // The build stops just before it hands its keyword index over, until released.
  const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER, buildInWorker: false, onKeywordIndex: () => { reached(); return gate; } });
  const app = await searchApp(store, index);
  try {
    await atKeywordIndex;
    assert.equal(index.status().state, 'building');
    for (const path of ['/api/papers/search?q=quantum+codes', '/api/v1/search?q=quantum+codes']) {
      const res = await app.request(path);
      assert.equal(res.status, 503, path);
      assert.equal(res.headers.get('retry-after'), '30', path);
      assert.match(((await res.json()) as { error: string }).error, /^The search index is being built \(\d+% done\); try again in a minute\.$/, path);
    }
    // What needs no index still answers: the newest papers without q, a paper named by its id.
    assert.equal((await app.request('/api/papers/search')).status, 200);
    const named = await app.request('/api/papers/search?q=2503.10001');
    assert.equal(named.status, 200);
    assert.deepEqual(((await named.json()) as { paper: { id: string } }[]).map((r) => r.paper.id), ['2503.10001']);
    const page = await app.request('/search?q=quantum+codes');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /The search index is being built \(\d+% done\): results appear as soon as it is ready/);

    release();
    await index.ready();
    const res = await app.request('/api/papers/search?q=quantum+codes');
    assert.equal(res.status, 200);
    assert.ok(((await res.json()) as unknown[]).length > 0, 'results once the index is built');
  } finally {
    release();
    await index.close();
    await store.close();
  }
});

test('a first build the embedding endpoint fails is tried again, waiting longer each time up to a bound, until it succeeds', { timeout: 60_000 }, async () => {
  const store = await topicalStore();
  embeddings.failWith = 503;
  const logs: string[] = [];
  const index = await SearchIndex.open(store, { embedder: endpointEmbedder(), log: (m) => logs.push(m), buildRetryMs: { first: 1_000, max: 2_000 } }, true);
  const failures = () => logs.filter((l) => l.startsWith('search: build failed: '));
  try {
    assert.match(failures()[0] ?? '', /^search: build failed: .*answered 503.*; keyword search goes on, building again in 1 s$/, logs.join('\n'));
    const s = index.status();
    assert.deepEqual([s.state, s.semantic], ['ready', 'off'], 'keyword search meanwhile');
    assert.ok(s.retryInSeconds !== undefined && s.retryInSeconds <= 1, JSON.stringify(s));
    const r = await index.search({ query: parseQuery('quantum codes'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });
    assert.equal(r.mode, 'keyword');
    assert.ok(r.hits.length > 0);

    await until('three failed builds', () => failures().length >= 3);
    assert.deepEqual(failures().map((l) => /building again in (\d+) s$/.exec(l)?.[1]), ['1', '2', '2'], 'twice as long, then no longer than the bound');
    assert.ok(logs.includes('search: building the index again (attempt 2)'), logs.join('\n'));

    embeddings.failWith = null;
    await until('a build to succeed', () => index.status().semantic === 'ready', 10_000);
    await index.ready();
    assert.equal(index.status().retryInSeconds, undefined);
    assert.equal(index.status().generation, (await findIndexMeta(store.db))?.generation, 'the generation was saved');

    await store.upsertPapers([paperRecord({ id: '2504.00001', title: 'Zebrafish fins regrow', abstract: 'Zebrafish regenerate their fins.' })], FIXED_NOW);
    await index.papersChanged(['2504.00001']);
    const found = await index.search({ query: parseQuery('zebrafish'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });
    assert.equal(found.mode, 'hybrid');
    assert.deepEqual(found.hits.map((h) => h.id), ['2504.00001']);
    assert.ok(index.discoveryView()!.vectorOf('2504.00001'), 'and it has a vector');
  } finally {
    await index.close();
    await store.close();
  }
});

test('while a failed build waits, an index another process saves is taken up and the build is not run again', async () => {
  const store = await topicalStore();
  embeddings.failWith = 503;
  const logs: string[] = [];
  const index = await SearchIndex.open(store, { embedder: endpointEmbedder(), log: (m) => logs.push(m), buildRetryMs: { first: 60_000, max: 60_000 } }, true);
  try {
    assert.ok((index.status().retryInSeconds ?? 0) > 50, JSON.stringify(index.status()));
    embeddings.failWith = null;
    await SearchIndex.detached(store, { embedder: endpointEmbedder() }).rebuild(); // as paperboy reindex does
    await index.refresh();
    const s = index.status();
    assert.deepEqual([s.state, s.semantic, s.retryInSeconds], ['ready', 'ready', undefined]);
    assert.equal(s.generation, (await findIndexMeta(store.db))?.generation);
    assert.ok(!logs.includes('search: building the index again (attempt 2)'));
  } finally {
    await index.close();
    await store.close();
  }
});
