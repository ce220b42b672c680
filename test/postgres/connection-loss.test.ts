/**
 * The server closing a connection that is checked out (a restart, a failover, pg_terminate_backend)
 * while it is held across awaits: a Kysely connection or transaction, and the PostgreSQL search
 * engine's build, which holds one connection for its advisory lock for minutes. The holder gets an
 * error; the process goes on (no unhandled 'error' event); the build stops, says so at warn level,
 * keyword search goes on, and the build runs again by itself.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.ts';
import pg from 'pg';
import { PgSearchEngine } from '../../src/search/pg-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, testStoreKind, withAdmin } from '../helpers/postgres.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from '../search/fixtures.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every 50 ms until it returns a value other than undefined/false, for at most `ms`. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const terminate = (pid: number) => withAdmin((a) => a.query('SELECT pg_terminate_backend($1)', [pid]));

test('a connection held across awaits that the server ends: its holder gets an error, the process and the pool go on', { skip }, async () => {
  const db = await createTestDatabase();
  const store = await openStore(db.url);
  after(async () => { await store.close(); await db.drop(); });

  // A connection checked out between two queries (as the engine's lock connection is).
  await assert.rejects(store.db.connection().execute(async (conn) => {
    const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(conn);
    await terminate(rows[0]!.pid);
    await sleep(300); // the server's message arrives while the connection is idle and checked out
    await sql`SELECT 1`.execute(conn);
  }), /not queryable|terminat/i);

  // A transaction doing JS work between its statements.
  await assert.rejects(store.transaction(async (trx) => {
    const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
    await terminate(rows[0]!.pid);
    await sleep(300);
    await sql`SELECT 1`.execute(trx);
  }));

  const { rows } = await sql<{ ok: number }>`SELECT 1 AS ok`.execute(store.db);
  assert.equal(rows[0]!.ok, 1, 'the pool dropped the dead connections and connects anew');
});

test('the PostgreSQL engine build losing its lock connection: it stops with a warning, keyword search goes on, and it builds again', { skip }, async () => {
  const db = await createTestDatabase();
  const store = await openStore(db.url);
  const blocker = new pg.Client({ connectionString: db.url });
  let engine: PgSearchEngine | null = null;
  after(async () => { await engine?.close(); await blocker.end().catch(() => {}); await store.close(); await db.drop(); });
  await store.upsertPapers(topicalRecords(60), FIXED_NOW);
  const name = new URL(db.url).pathname.slice(1);

  // Holds the build at its word statistics (it rewrites search_lexeme_stats) with the advisory lock taken.
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE search_lexeme_stats IN ACCESS EXCLUSIVE MODE');

  const info: string[] = [];
  const warnings: string[] = [];
  engine = await PgSearchEngine.open(store, { corpusEmbedder: SMALL_EMBEDDER, log: (m) => info.push(m), warn: (m) => warnings.push(m), buildRetryMs: 500 });
  assert.equal(engine.status().semantic, 'building');

  await waitFor('the build to wait for the table lock', async () => {
    const { rows } = await blocker.query(`SELECT 1 FROM pg_locks WHERE NOT granted AND relation = 'search_lexeme_stats'::regclass`);
    return rows.length > 0;
  });
  const holder = await withAdmin(async (a) => {
    const { rows } = await a.query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1`, [name]);
    return rows;
  });
  assert.equal(holder.length, 1, 'one connection holds the build lock');
  await terminate(holder[0]!.pid);
  await sleep(300); // the server's message reaches the held, idle connection: no unhandled 'error' event
  await blocker.query('COMMIT');

  await waitFor('the build to stop', async () => engine!.status().semantic === 'off');
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /^search: postgres engine build stopped, the database went away \(.*terminating connection due to administrator command\); keyword search goes on, semantic search is off until the build runs again in 1 s$/);

  const r = await engine.search({ query: parseQuery('quantum codes'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 10 });
  assert.equal(r.mode, 'keyword', 'hybrid falls back to keyword while there is no model');
  assert.ok(r.hits.length > 0, 'keyword search goes on');

  engine.startFollowing(50);
  await waitFor('the build to run again and finish', async () => engine!.status().semantic === 'ready');
  assert.ok(info.includes('search: postgres engine building again'), info.join('\n'));
  const h = await engine.search({ query: parseQuery('quantum codes'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 10 });
  assert.equal(h.mode, 'hybrid');
  assert.equal(warnings.length, 1);
});
