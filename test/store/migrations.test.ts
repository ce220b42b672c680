/**
 * Both stores have the same migrations (number and name), and a migrated store reports its schema
 * current; a second migrate applies nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledMigrations } from '../../src/store/sqlite/migrate.ts';
import { postgresMigrations } from '../../src/store/postgres/migrate.ts';
import { tempStore, FIXED_NOW } from '../helpers/store.ts';

test('every migration exists for both stores, with the same number and name', () => {
  const sqlite = bundledMigrations().map((m) => m.name);
  const postgres = postgresMigrations().map((m) => m.name);
  assert.ok(sqlite.length >= 5);
  assert.deepEqual(postgres, sqlite, 'src/store/sqlite/migrations and src/store/postgres/migrations list the same files');
});

test('a migrated store is ready, its schema current; migrating again applies nothing', async () => {
  const store = await tempStore();
  const status = await store.schemaStatus();
  assert.deepEqual(status.pending, []);
  assert.equal(status.tooNew, false);
  assert.equal(status.current, bundledMigrations().at(-1)!.version);
  assert.deepEqual(await store.migrate(FIXED_NOW), []);
  assert.deepEqual(await store.readiness(), { ok: true, problem: null });
  assert.deepEqual(await store.integrityProblems(), []);
});
