/**
 * Usernames and addresses are the same whatever their case, on both stores (SQLite's NOCASE,
 * PostgreSQL's case-insensitive collation).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, findLogin, isEmailTaken, isUsernameTaken } from '../../src/store/users.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';

test('usernames and e-mail addresses match and stay unique regardless of case', async () => {
  const store = await tempStore();
  await createUser(store.db, { username: 'Ada', email: 'Ada@Example.org', passwordHash: null, role: 'member', verified: true }, FIXED_NOW);
  assert.equal((await findLogin(store.db, 'ada'))?.user.username, 'Ada');
  assert.equal((await findLogin(store.db, 'ADA@example.ORG'))?.user.username, 'Ada');
  assert.equal(await isUsernameTaken(store.db, 'aDA'), true);
  assert.equal(await isEmailTaken(store.db, 'ada@example.org'), true);
  await assert.rejects(createUser(store.db, { username: 'ADA', email: null, passwordHash: null, role: 'member', verified: true }, FIXED_NOW));
  await assert.rejects(createUser(store.db, { username: 'other', email: 'ADA@EXAMPLE.ORG', passwordHash: null, role: 'member', verified: true }, FIXED_NOW));
});
