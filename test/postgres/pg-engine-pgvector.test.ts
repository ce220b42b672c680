/**
 * PAPERBOY_SEARCH_ENGINE=postgres on a database where pgvector cannot be created (the app's account
 * is its owner, not a superuser, and nobody ran CREATE EXTENSION vector): the build failure is a
 * warning an operator's alerting sees, its advice names things that exist and work, keyword search
 * goes on, and the build is not tried again and again.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { sql } from '../../src/store/kysely.ts';
import { runReindex } from '../../src/cli/reindex.ts';
import { PgSearchEngine } from '../../src/search/pg-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { createTestDatabase, testStoreKind, withAdmin } from '../helpers/postgres.ts';
import { startServe, type ServeProcess } from '../helpers/server-process.ts';
import { FIXED_NOW, tempDir } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from '../search/fixtures.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ADVICE = /^search: postgres engine build failed: search: pgvector is needed for semantic search on PostgreSQL: permission denied to create extension "vector" \(install pgvector and run CREATE EXTENSION vector as a superuser once; until then, search by keywords only with paperboy reindex --keyword-only, or use the in-memory engine, PAPERBOY_SEARCH_ENGINE=memory\); keyword search goes on, semantic search is off until paperboy reindex$/;

test('without pgvector: a warning with advice that works, keyword search goes on, no retries', { skip, timeout: 300_000 }, async () => {
  const role = `paperboy_owner_${process.pid}`;
  const db = await createTestDatabase({ migrated: false });
  const name = new URL(db.url).pathname.slice(1);
  await withAdmin(async (a) => {
    await a.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER`);
    await a.query(`ALTER DATABASE ${name} OWNER TO ${role}`);
  });
  const u = new URL(db.url);
  u.username = role;
  u.password = '';
  const url = u.toString();
  let store: Store | null = null;
  let proc: ServeProcess | null = null;
  after(async () => {
    await proc?.kill9();
    await store?.close();
    await db.drop();
    await withAdmin((a) => a.query(`DROP ROLE IF EXISTS ${role}`));
  });
  store = await openStore(url);
  await store.migrate(FIXED_NOW);
  assert.equal((await sql`SELECT 1 FROM pg_extension WHERE extname = 'vector'`.execute(store.db)).rows.length, 0, 'no pgvector in this database');
  await store.upsertPapers(topicalRecords(60), FIXED_NOW);

  // serve: the line is logged at warn level (LOG_LEVEL=warn shows nothing below), and the site stays ready.
  proc = await startServe(tempDir(), { DATABASE_URL: url, PAPERBOY_SEARCH_ENGINE: 'postgres', PAPERBOY_DEMO: 'false', PAPERBOY_SCHEDULER: 'false', LOG_LEVEL: 'warn' });
  const line = await (async () => {
    for (let i = 0; i < 400; i++) {
      const found = proc!.output().split('\n').find((l) => l.includes('pgvector is needed'));
      if (found) return found;
      await sleep(50);
    }
    throw new Error(`no pgvector line from serve:\n${proc!.output()}`);
  })();
  const logged = JSON.parse(line) as { level: number; msg: string };
  assert.equal(logged.level, 40, 'warn');
  assert.match(logged.msg, ADVICE);
  assert.doesNotMatch(proc.output(), /PAPERBOY_SEARCH_SEMANTIC/);
  const ready = await fetch(`${proc.url}/readyz`);
  assert.equal(ready.status, 200);
  const page = await fetch(`${proc.url}/search?q=quantum+codes`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Quantum/, 'keyword search answers');
  await proc.stop();
  proc = null;

  // The engine itself: one warning, semantic off, keyword results, no second try.
  const info: string[] = [];
  const warnings: string[] = [];
  const engine = await PgSearchEngine.open(store, { corpusEmbedder: SMALL_EMBEDDER, log: (m) => info.push(m), warn: (m) => warnings.push(m), buildRetryMs: 50 }, true);
  try {
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, ADVICE);
    assert.equal(engine.status().semantic, 'off');
    const r = await engine.search({ query: parseQuery('quantum codes'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });
    assert.equal(r.mode, 'keyword');
    assert.ok(r.hits.length > 0);
    engine.startFollowing(20);
    await sleep(500);
    assert.equal(warnings.length, 1, 'a missing extension is not retried every minute');
    assert.ok(!info.includes('search: postgres engine building again'));
  } finally {
    await engine.close();
  }

  // The advice works: a keyword-only model for this engine, which the next start loads quietly.
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => { text += c; });
  assert.equal(await runReindex(store, ['--keyword-only'], out, new PassThrough(), { embedder: { kind: 'corpus' }, searchEngine: 'postgres' }), 0);
  assert.match(text, /^reindex done .*postgres_generation=\d+/);
  const again: string[] = [];
  const next = await PgSearchEngine.open(store, { log: (m) => again.push(m), warn: (m) => again.push(`WARN ${m}`) }, true);
  try {
    assert.ok(!again.some((m) => m.startsWith('WARN')), again.join('\n'));
    assert.equal(next.status().semantic, 'off');
    assert.ok((await next.search({ query: parseQuery('quantum codes'), mode: 'keyword', sort: 'relevance', offset: 0, limit: 5 })).hits.length > 0);
  } finally {
    await next.close();
  }
});
