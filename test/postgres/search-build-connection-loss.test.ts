/**
 * The database connection of a process's first search-index build ends mid-build (a restart, a
 * failover, pg_terminate_backend): the process does not stay without search. Its page says the
 * build failed and when it runs again, the JSON API answers 503 with Retry-After rather than an
 * empty list, and then the build runs again (or the index another process saved is taken up), after
 * which papers added later are found.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { parseQuery } from '../../src/search/query.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { findIndexMeta } from '../../src/search/store-io.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { paperRecord } from '../helpers/factories.ts';
import { createTestDatabase, testStoreKind, withAdmin } from '../helpers/postgres.ts';
import { searchApp } from '../helpers/search-app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from '../search/fixtures.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Opens an index on a store whose papers table is locked, so that its build (in a worker thread,
 * on its own connection) waits reading the papers; ends that connection, then lets the lock go.
 */
async function openAndCutBuild(url: string, store: Store, opts: { buildRetryMs: { first: number; max: number }; log: (m: string) => void }): Promise<SearchIndex> {
  const blocker = new pg.Client({ connectionString: url });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE papers IN ACCESS EXCLUSIVE MODE');
    const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER, ...opts });
    assert.equal(index.status().state, 'building');
    let pids: number[] = [];
    await waitFor('the build to wait for the papers', async () => {
      const { rows } = await blocker.query<{ pid: number }>(`SELECT pid FROM pg_locks WHERE NOT granted AND relation = 'papers'::regclass`);
      pids = rows.map((r) => r.pid);
      return pids.length > 0;
    });
    assert.equal(pids.length, 1, 'only the build reads the papers');
    await withAdmin((a) => a.query('SELECT pg_terminate_backend($1)', [pids[0]]));
    await blocker.query('COMMIT');
    return index;
  } finally {
    await blocker.end().catch(() => {});
  }
}

test('a first build whose connection is ended: the page and the API say so, the build runs again, and later papers are found', { skip, timeout: 120_000 }, async () => {
  const db = await createTestDatabase();
  const store = await openStore(db.url);
  let index: SearchIndex | null = null;
  after(async () => { await index?.close(); await store.close(); await db.drop(); });
  await store.upsertPapers(topicalRecords(60), FIXED_NOW);
  const logs: string[] = [];
  index = await openAndCutBuild(db.url, store, { buildRetryMs: { first: 3_000, max: 3_000 }, log: (m) => logs.push(m) });
  const app = await searchApp(store, index);

  await waitFor('the build to fail', () => index!.status().state === 'retrying');
  assert.ok(logs.some((l) => /^search: build failed: .*terminating connection due to administrator command.*; building again in 3 s$/.test(l)), logs.join('\n'));
  const page = await (await app.request('/search?q=quantum+codes')).text();
  assert.match(page, /The search index could not be built; it is built again in (about \d s|a moment)\. Results appear as soon as it is ready\./);
  assert.doesNotMatch(page, /being built \(/, 'no stale progress');
  const api = await app.request('/api/papers/search?q=quantum+codes');
  assert.equal(api.status, 503);
  assert.match(api.headers.get('retry-after') ?? '', /^\d+$/);
  assert.match(((await api.json()) as { error: string }).error, /^The search index could not be built; it is tried again in \d s\. Try again later\.$/);

  index.startFollowing(50);
  await waitFor('the build to run again and finish', () => index!.status().state === 'ready' && index!.status().semantic === 'ready');
  await index.ready();
  assert.ok(logs.includes('search: building the index again (attempt 2)'), logs.join('\n'));
  assert.equal(index.status().generation, (await findIndexMeta(store.db))?.generation);

  // A paper added afterwards (as by another process: the change log, not papersChanged) is found.
  await store.upsertPapers([paperRecord({ id: '2504.00001', title: 'Zebrafish fins regrow', abstract: 'Zebrafish regenerate their fins.' })], FIXED_NOW);
  await waitFor('the new paper to be searchable', async () => {
    const r = await index!.search({ query: parseQuery('zebrafish'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });
    return r.hits.some((h) => h.id === '2504.00001');
  }, 10_000);
  const found = await app.request('/api/papers/search?q=zebrafish');
  assert.equal(found.status, 200);
  assert.deepEqual(((await found.json()) as { paper: { id: string } }[]).map((r) => r.paper.id), ['2504.00001']);
  const page2 = await (await app.request('/search?q=quantum+codes')).text();
  assert.match(page2, /\d+ papers for <strong class="searched">quantum codes<\/strong>/);
  assert.doesNotMatch(page2, /could not be built|being built/);
});

test('while the failed build waits, the index another process saves is taken up at once', { skip, timeout: 120_000 }, async () => {
  const db = await createTestDatabase();
  const store = await openStore(db.url);
  const other = await openStore(db.url);
  let index: SearchIndex | null = null;
  after(async () => { await index?.close(); await other.close(); await store.close(); await db.drop(); });
  await store.upsertPapers(topicalRecords(60), FIXED_NOW);
  const logs: string[] = [];
  index = await openAndCutBuild(db.url, store, { buildRetryMs: { first: 600_000, max: 600_000 }, log: (m) => logs.push(m) });
  await waitFor('the build to fail', () => index!.status().state === 'retrying');
  assert.ok((index.status().retryInSeconds ?? 0) > 500);
  index.startFollowing(50);

  await SearchIndex.detached(other, { corpusEmbedder: SMALL_EMBEDDER }).rebuild(); // another process (paperboy reindex, or a server)
  const saved = (await findIndexMeta(store.db))!.generation;
  await waitFor('the saved index to be taken up', () => index!.status().generation === saved, 10_000);
  const s = index.status();
  assert.deepEqual([s.state, s.semantic, s.retryInSeconds], ['ready', 'ready', undefined]);
  assert.ok(logs.includes(`search: took up the index saved meanwhile (generation ${saved}) instead of building again`), logs.join('\n'));
  assert.ok(!logs.includes('search: building the index again (attempt 2)'));
});
