/**
 * Migration 015: PostgreSQL's search documents stay in their rows (no out-of-row TOAST copy for a
 * paper of ordinary length), so a keyword query reads each document without fetching it from
 * another table once per query word; the documents present are moved in, and the engine's keyword
 * ranking is the same before and after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.ts';
import pg from 'pg';
import { PgSearchEngine } from '../../src/search/pg-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import { openStore } from '../../src/store/index.ts';
import { migratePostgres, postgresMigrations } from '../../src/store/postgres/migrate.ts';
import { atEndOfFile, createTestDatabase, testStoreKind } from '../helpers/postgres.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from '../search/fixtures.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;
const BEFORE = 14;

/**
 * Abstracts of a usual length (about 1,500 characters): their documents are above the 2 KB at which
 * PostgreSQL moves values out of a row. No announcements: before migration 019 there is nowhere to
 * record when a day's New on arXiv changed, and this test writes papers on a schema of 014.
 */
function longRecords(n: number) {
  return topicalRecords(n).map((r, i) => ({
    ...r,
    announcedOn: [],
    // Words that hardly repeat, as the rare terms of real abstracts: the document does not compress below 2 KB.
    abstract: `${r.abstract} ${Array.from({ length: 160 }, (_, j) => `z${(Math.imul(i * 160 + j + 1, 2_654_435_761) >>> 0).toString(36)}`).join(' ')} observation${i % 7} measurement${i % 5} calibration`,
  }));
}

test('search documents stay in their rows, moved there by migration 015, and keyword rankings are unchanged', { skip }, async () => {
  const db = await createTestDatabase({ migrated: false });
  atEndOfFile(() => db.drop());
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    await migratePostgres(pool, FIXED_NOW, postgresMigrations().filter((m) => m.version <= BEFORE));
  } finally {
    await pool.end();
  }
  const store = await openStore(db.url);
  atEndOfFile(() => store.close());
  await store.upsertPapers(longRecords(60), FIXED_NOW);
  const toastBytes = async () => Number((await sql<{ n: string }>`
    SELECT pg_relation_size(reltoastrelid) AS n FROM pg_class WHERE relname = 'paper_search_documents'`.execute(store.db)).rows[0]!.n);
  assert.ok(await toastBytes() > 0, 'before 015 the documents were moved out of their rows');

  const queries = ['observation2 calibration', 'sparse attention', 'quantum codes measurement3', 'graph molecules measurement4 protein', '"long documents" attention'];
  const engine = await PgSearchEngine.open(store, { corpusEmbedder: SMALL_EMBEDDER, semantic: false }, true);
  const ranked = async () => Promise.all(queries.map(async (q) => (await engine.search({ query: parseQuery(q), mode: 'keyword', sort: 'relevance', offset: 0, limit: 50 })).hits));
  const before = await ranked();
  assert.ok(before.every((hits) => hits.length > 0));

  // 015 comes next; later migrations follow it.
  assert.equal((await store.migrate(FIXED_NOW))[0], '015_search_document_inline');
  await sql`VACUUM paper_search_documents`.execute(store.db);
  assert.equal(await toastBytes(), 0, 'every document is in its row');
  // New and edited papers' documents go in their rows too.
  await store.upsertPapers(longRecords(80).slice(60), FIXED_NOW);
  assert.equal(await toastBytes(), 0, 'new documents are in their rows');
  await sql`DELETE FROM papers WHERE id > '2503.10059'`.execute(store.db);

  assert.deepEqual(await ranked(), before, 'same papers, same order, same scores');
  await engine.close();
});
