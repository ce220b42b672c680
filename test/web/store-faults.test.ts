/**
 * What a person is told about a database error, from errors the real store raises: a write that
 * refers to a row removed a moment before is a 409 (retrying cannot help), faults that pass are a
 * 503, anything else is not a store fault (a logged 500).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setVote } from '../../src/store/votes.ts';
import { storeFault } from '../../src/web/store-faults.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';

test('a vote from an account deleted a moment before fails on its foreign key: a 409 that says what happened', async () => {
  const store = await tempStore();
  await store.upsertPapers([paperRecord({ id: '2505.00301' })], FIXED_NOW);
  const err = await store.transaction((trx) => setVote(trx, 987_654, '2505.00301', true, FIXED_NOW)).then(() => null, (e: unknown) => e);
  assert.ok(err, 'the store refuses a vote from an account that does not exist');
  assert.deepEqual(storeFault(err), {
    status: 409,
    message: 'Something this request refers to was removed a moment ago, so nothing was saved. Reload the page to see what is there now.',
  });
  assert.equal((await store.db.selectFrom('votes').selectAll().execute()).length, 0, 'nothing was written');
});

test('store faults by their codes, on both stores and from the connection itself', () => {
  const cases: [string, { code?: string; message?: string }, 409 | 503 | null, RegExp | null][] = [
    ['SQLite: disk full (extended code)', { code: 'SQLITE_FULL' }, 503, /disk space/],
    ['SQLite: busy past the timeout', { code: 'SQLITE_BUSY_SNAPSHOT' }, 503, /busy/],
    ['SQLite: a foreign key', { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }, 409, /removed a moment ago/],
    ['SQLite: a unique key is not a fault', { code: 'SQLITE_CONSTRAINT_UNIQUE' }, null, null],
    ['PostgreSQL: disk full', { code: '53100' }, 503, /disk space/],
    ['PostgreSQL: too many connections', { code: '53300' }, 503, /busy/],
    ['PostgreSQL: a deadlock', { code: '40P01' }, 503, /busy/],
    ['PostgreSQL: a standby (read only)', { code: '25006' }, 503, /cannot be written/],
    ['PostgreSQL: shut down by an administrator', { code: '57P01' }, 503, /cannot be reached/],
    ['PostgreSQL: the connection broke', { code: '08006' }, 503, /cannot be reached/],
    ['PostgreSQL: a database not accepting connections (55000)', { code: '55000', message: 'database "paperboy" is not currently accepting connections' }, 503, /cannot be reached/],
    ['PostgreSQL: 55000 for anything else is ours', { code: '55000', message: 'cannot drop a table in use' }, null, null],
    ['PostgreSQL: a foreign key', { code: '23503' }, 409, /removed a moment ago/],
    ['PostgreSQL: a syntax error is ours, not a fault', { code: '42601' }, null, null],
    ['PostgreSQL: a unique key is not a fault', { code: '23505' }, null, null],
    ['no server listening', { code: 'ECONNREFUSED' }, 503, /cannot be reached/],
    ['the pool timing out', { message: 'timeout exceeded when trying to connect' }, 503, /cannot be reached/],
    ['the connection dropped', { message: 'Connection terminated unexpectedly' }, 503, /cannot be reached/],
    ['a pooled connection the server closed, used again', { message: 'Client has encountered a connection error and is not queryable' }, 503, /cannot be reached/],
    ['any other error', { message: 'undefined is not a function' }, null, null],
  ];
  for (const [name, err, status, message] of cases) {
    const fault = storeFault(Object.assign(new Error(err.message ?? 'database error'), err.code ? { code: err.code } : {}));
    assert.equal(fault?.status ?? null, status, name);
    if (message) assert.match(fault!.message, message, name);
  }
  const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  assert.equal(storeFault(down)!.message, 'The database cannot be reached just now, so nothing was saved. Please try again in a moment.');
  assert.equal(storeFault(down, { reading: true })!.message, 'The database cannot be reached just now. Please try again in a moment.', 'a read saves nothing anyway');
  assert.equal(storeFault(null), null);
  assert.equal(storeFault('a string'), null);
});
