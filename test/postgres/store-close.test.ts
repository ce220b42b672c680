/**
 * Closing the PostgreSQL store ends its connection pool even when only the pool itself was used
 * (a command refusing a database whose schema is too new): otherwise idle connections kept the
 * process alive for the pool's 10 s idle timeout after it had said why it stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { openStore } from '../../src/store/index.ts';
import { testStoreKind } from '../helpers/postgres.ts';
import { tempDatabaseUrl } from '../helpers/store.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

test('close() ends the pool after a schema check alone, and after ordinary queries', { skip }, async () => {
  const poolOf = (s: unknown) => (s as { pool: pg.Pool }).pool;
  const url = await tempDatabaseUrl();
  const checked = await openStore(url);
  await checked.schemaStatus();
  await checked.close();
  assert.equal(poolOf(checked).ended, true, 'no idle connection is left to hold the process');

  const used = await openStore(url);
  await used.db.selectFrom('papers').select('id').limit(1).execute();
  await used.close();
  assert.equal(poolOf(used).ended, true);
});
