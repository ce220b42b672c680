/**
 * Migration 011 on a database that already holds papers: every author row gets its key (computed
 * by the program, src/domain/author-key.ts), the old case-insensitive index goes, and spellings in
 * another case are found afterwards; on PostgreSQL the triggers it pauses are back on. Runs on the
 * store PAPERBOY_TEST_STORE names.
 */
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from '../../src/store/kysely.ts';
import pg from 'pg';
import { authorNameKey } from '../../src/domain/author-key.ts';
import { migrationParts } from '../../src/store/backfills.ts';
import { findAuthorSpelling } from '../../src/store/authors.ts';
import { openStore } from '../../src/store/index.ts';
import { migratePostgres, postgresMigrations } from '../../src/store/postgres/migrate.ts';
import { bundledMigrations, migrateSqlite } from '../../src/store/sqlite/migrate.ts';
import { atEndOfFile, createTestDatabase, testStoreKind } from '../helpers/postgres.ts';
import { FIXED_NOW, tempDir } from '../helpers/store.ts';

const NAMES = ['Émile Durand', 'ÉMILE DURAND', 'Δημήτρης Παπαδόπουλος', 'Сергей Иванов', 'Ada  Lovelace', 'Johann Strauß', '100% Sure'];
const BEFORE = 10;

/** Papers and authors written as a build at migration 010 would, without a key. */
const SEED = [
  ...NAMES.map((_, i) => `INSERT INTO papers (id, title, abstract, created_at, modified_at, published_at) VALUES ('2505.0050${i}', 'T', 'A', '${FIXED_NOW}', '${FIXED_NOW}', '${FIXED_NOW}')`),
  ...NAMES.map((n, i) => `INSERT INTO paper_authors (paper_id, position, name) VALUES ('2505.0050${i}', 0, '${n.replace(/'/g, "''")}')`),
  // The commonest spelling: "Émile Durand" on two papers.
  `INSERT INTO paper_authors (paper_id, position, name) VALUES ('2505.00501', 1, 'Émile Durand')`,
];

async function databaseAt010(): Promise<string> {
  if (testStoreKind() === 'postgres') {
    const db = await createTestDatabase({ migrated: false });
    atEndOfFile(() => db.drop());
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      await migratePostgres(pool, FIXED_NOW, postgresMigrations().filter((m) => m.version <= BEFORE));
      for (const s of SEED) await pool.query(s);
    } finally {
      await pool.end();
    }
    return db.url;
  }
  const file = path.join(tempDir(), 'old.db');
  const raw = new BetterSqlite3(file);
  try {
    migrateSqlite(raw, FIXED_NOW, bundledMigrations().filter((m) => m.version <= BEFORE));
    for (const s of SEED) raw.exec(s);
  } finally {
    raw.close();
  }
  return `sqlite:${file}`;
}

test('migration 011 keys the author rows already stored; spellings in another case are found after it', async () => {
  const store = await openStore(await databaseAt010());
  atEndOfFile(() => store.close());
  assert.equal((await store.migrate(FIXED_NOW))[0], '011_author_name_key', 'the first migration after 010 is 011');

  const rows = await store.db.selectFrom('paper_authors').select(['name', 'name_key']).execute();
  assert.equal(rows.length, NAMES.length + 1);
  for (const r of rows) assert.equal(r.name_key, authorNameKey(r.name), r.name);

  assert.equal(await findAuthorSpelling(store.db, 'émile DURAND'), 'Émile Durand');
  assert.equal(await findAuthorSpelling(store.db, 'ΔΗΜΉΤΡΗΣ ΠΑΠΑΔΌΠΟΥΛΟΣ'), 'Δημήτρης Παπαδόπουλος');
  assert.equal(await findAuthorSpelling(store.db, 'сергей иванов'), 'Сергей Иванов');
  assert.equal(await findAuthorSpelling(store.db, 'ada lovelace'), 'Ada  Lovelace');
  assert.equal(await findAuthorSpelling(store.db, 'JOHANN STRAUSS'), 'Johann Strauß');
  assert.equal(await findAuthorSpelling(store.db, '100% SURE'), '100% Sure');
  assert.equal(await findAuthorSpelling(store.db, '100_ sure'), null);
  assert.equal(await findAuthorSpelling(store.db, 'Emile Durand'), null, 'accents are not folded');

  // Papers stored after the migration carry their key too.
  await store.upsertPapers([{
    id: '2505.00599', title: 'T', abstract: 'A', authors: ['Zoë Ångström'], categories: ['cs.CL'], publishedAt: FIXED_NOW, updatedAt: FIXED_NOW,
    versions: [{ version: 1, submittedAt: FIXED_NOW }],
  }], FIXED_NOW);
  assert.equal(await findAuthorSpelling(store.db, 'ZOË ÅNGSTRÖM'), 'Zoë Ångström');

  if (testStoreKind() === 'postgres') {
    const { rows: triggers } = await sql<{ name: string; enabled: string }>`
      SELECT tgname AS name, tgenabled AS enabled FROM pg_trigger
      WHERE tgrelid = 'paper_authors'::regclass AND tgname IN ('paper_search_authors_updated', 'paper_authors_changed') ORDER BY tgname`.execute(store.db);
    assert.deepEqual(triggers, [{ name: 'paper_authors_changed', enabled: 'O' }, { name: 'paper_search_authors_updated', enabled: 'O' }]);
    const { rows: notNull } = await sql<{ nullable: string }>`
      SELECT is_nullable AS nullable FROM information_schema.columns WHERE table_name = 'paper_authors' AND column_name = 'name_key'`.execute(store.db);
    // 011 made the key NOT NULL; 014 accepts rows an older build writes without it (its trigger or
    // fillMissingAuthorNameKeys sets the key: test/postgres/author-key-old-writers.test.ts).
    assert.deepEqual(notNull, [{ nullable: 'YES' }]);
    const { rows: missing } = await sql<{ n: string }>`SELECT count(*) AS n FROM paper_authors WHERE name_key IS NULL`.execute(store.db);
    assert.equal(Number(missing[0]!.n), 0, 'every row has its key');
  }
  const indexes = testStoreKind() === 'postgres'
    ? (await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'paper_authors'`.execute(store.db)).rows
    : (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'paper_authors' AND sql IS NOT NULL`.execute(store.db)).rows;
  const names = indexes.map((r) => r.name).sort();
  assert.ok(names.includes('paper_authors_name_key'), names.join());
  assert.ok(!names.includes('paper_authors_name'), 'the case-insensitive index is gone');
});

test('a migration is cut at its backfill lines, and a step it names must exist', () => {
  assert.deepEqual(migrationParts('A;\n-- @backfill x-y\nB;\n-- @backfill z\n'), [
    { kind: 'sql', text: 'A;\n' }, { kind: 'backfill', name: 'x-y' }, { kind: 'sql', text: '\nB;\n' }, { kind: 'backfill', name: 'z' },
  ]);
  assert.deepEqual(migrationParts('-- @backfills are described here\nSELECT 1;'), [{ kind: 'sql', text: '-- @backfills are described here\nSELECT 1;' }]);
  const dir = tempDir();
  const raw = new BetterSqlite3(path.join(dir, 'x.db'));
  try {
    assert.throws(() => migrateSqlite(raw, FIXED_NOW, [{ version: 1, name: '001_x', sql: 'CREATE TABLE t (a);\n-- @backfill missing\n' }]),
      /001_x failed, nothing of it was applied: no backfill step named missing/);
    assert.deepEqual(raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't'").get(), { n: 0 }, 'rolled back');
  } finally {
    raw.close();
  }
});
