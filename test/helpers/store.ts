/**
 * Test stores: a real SQLite file in a fresh temporary folder, or (PAPERBOY_TEST_STORE=postgres) a
 * fresh PostgreSQL database; migrated, removed after the test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from '../../src/store/kysely.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { atEndOfFile, createTestDatabase, testStoreKind } from './postgres.ts';

export const FIXED_NOW = '2026-11-28T12:00:00.000Z';

/**
 * A DATABASE_URL for a new, migrated, empty database: a SQLite file in `dir` (a new temporary
 * folder when not given), or a fresh PostgreSQL database. Removed when the calling test file ends.
 */
export async function tempDatabaseUrl(dir?: string): Promise<string> {
  if (testStoreKind() === 'postgres') {
    const db = await createTestDatabase();
    atEndOfFile(() => db.drop());
    return db.url;
  }
  return `sqlite:${path.join(dir ?? tempDir(), 'test.db')}`;
}

/** A migrated store on a new database; closed and deleted when the calling test file ends. */
export async function tempStore(): Promise<Store> {
  if (testStoreKind() === 'postgres') {
    const db = await createTestDatabase();
    const store = await openStore(db.url);
    await store.migrate(FIXED_NOW);
    atEndOfFile(async () => {
      await store.close();
      await db.drop();
    });
    return store;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-test-'));
  const store = await openStore(`sqlite:${path.join(dir, 'test.db')}`);
  await store.migrate(FIXED_NOW);
  atEndOfFile(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

/** A migrated SQLite store whatever PAPERBOY_TEST_STORE says (tests that move data between stores). */
export async function tempSqliteStore(): Promise<Store> {
  const dir = tempDir();
  const store = await openStore(`sqlite:${path.join(dir, 'test.db')}`);
  await store.migrate(FIXED_NOW);
  atEndOfFile(() => store.close());
  return store;
}

/**
 * A temporary folder removed when the calling test file ends (not when the hook or test that asked
 * for it ends: a server started in a `before` hook keeps opening files in it).
 */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-test-'));
  atEndOfFile(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Waits until the store's change token holds still for longer than PostgreSQL's poll of the commit
 * counter (250 ms): commits made so far are then reflected in it, and a cache filled from now on is
 * not dropped when they arrive. On SQLite, whose token follows its commits at once, one look.
 */
export async function changesSettled(store: Store): Promise<void> {
  for (let last = store.changeToken(); ;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (store.changeToken() === last) return;
    last = store.changeToken();
  }
}

/** Papers whose keywords have been computed (and are kept). */
export async function papersWithKeywords(store: Store): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM paper_keyword_state`.execute(store.db);
  return Number(rows[0]!.n);
}

/** True once a keywords run has begun: its corpus statistics are saved before the first paper is scored. */
export async function keywordsBegun(store: Store): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`SELECT (SELECT COUNT(*) FROM keyword_model) + (SELECT COUNT(*) FROM paper_keyword_state) AS n`.execute(store.db);
  return Number(rows[0]!.n) > 0;
}
