/**
 * A database migrated by a newer Paperboy than this one: every command that opens the store
 * (`migrate` first of all, the step an upgrade relies on) refuses it with the message `serve` gives
 * and exit code 1, before reading or writing anything. On the test run's store (SQLite or PostgreSQL).
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.ts';
import { openStore } from '../../src/store/index.ts';
import { bundledMigrations } from '../../src/store/sqlite/migrate.ts';
import { FIXED_NOW, tempDatabaseUrl, tempDir } from '../helpers/store.ts';
import { runPaperboy } from '../helpers/paperboy.ts';
import { testStoreKind } from '../helpers/postgres.ts';

const paperboy = runPaperboy;

test('every command refuses a database whose schema is newer than the build, with exit code 1 and nothing written', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  const url = await tempDatabaseUrl(dir);
  const latest = Math.max(...bundledMigrations().map((m) => m.version));
  const future = latest + 1;
  const store = await openStore(url);
  try {
    await store.migrate(FIXED_NOW);
    await sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${future}, ${`${String(future).padStart(3, '0')}_future`}, ${FIXED_NOW})`.execute(store.db);
  } finally {
    await store.close();
  }

  const file = path.join(dir, 'one.jsonl');
  fs.writeFileSync(file, `${JSON.stringify({ id: '2505.00001', title: 'T', authors: ['A'], categories: ['cs.CL'], abstract: 'x', listing_dates: ['2025-05-06'] })}\n`);
  const env = { DATABASE_URL: url, PAPERBOY_DATA_DIR: dir, PAPERBOY_NEW_PASSWORD: 'correct horse battery staple', PAPERBOY_ARXIV_API_URL: 'http://127.0.0.1:9/api' };
  const message = `paperboy: store: the database schema (${future}) is newer than this build (${latest}); upgrade Paperboy\n`;
  const everyCommand = [
    ['migrate'],
    ['stats'],
    ['import', file],
    ['export', path.join(dir, 'out.jsonl.gz')],
    ['import', '--all', path.join(dir, 'nothing.jsonl.gz')],
    ['search', 'attention'],
    ['reindex', '--keyword-only'],
    ['keywords'],
    ['admin', 'create-user', '--username', 'late', '--email', 'late@example.org', '--role', 'member'],
    ['digest', 'status'],
    ['ingest', '--api', '--ids', '2505.00001'],
  ];
  // Every command reaches the store through the same migration check; which commands go through it
  // does not depend on the store, so PostgreSQL's run checks its own refusal with two of them.
  const commands = testStoreKind() === 'postgres' ? everyCommand.slice(0, 2) : everyCommand;
  for (const args of commands) {
    const r = paperboy(args, env);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', `${args.join(' ')} reports nothing done`);
  }
  assert.ok(!fs.existsSync(path.join(dir, 'out.jsonl.gz')), 'nothing exported');

  const after = await openStore(url);
  try {
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM papers`.execute(after.db);
    assert.equal(Number(rows[0]!.n), 0, 'nothing imported');
    const users = await sql<{ n: number }>`SELECT count(*) AS n FROM users`.execute(after.db);
    assert.equal(Number(users.rows[0]!.n), 0, 'no account created');
    assert.equal((await after.schemaStatus()).current, future, 'the newer schema is left as it was');
  } finally {
    await after.close();
  }

  // serve says the same and does not start.
  const s = paperboy(['serve'], { ...env, PORT: '0', PAPERBOY_DEMO: 'false' });
  assert.equal(s.code, 1);
  assert.equal(s.stderr, message);
});
