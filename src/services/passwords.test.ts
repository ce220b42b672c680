import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { fastTestPasswords } from '../config.ts';
import { hashPassword, passwordCost, verifyPassword } from './passwords.ts';

test('the work factor is scrypt N=2^15, r=8 unless the test suite asks for its fast one', () => {
  assert.deepEqual(passwordCost(fastTestPasswords({})), { N: 32768, r: 8, p: 1 });
  assert.deepEqual(passwordCost(fastTestPasswords({ PAPERBOY_TEST_FAST_PASSWORDS: '0' })), { N: 32768, r: 8, p: 1 });
  assert.deepEqual(passwordCost(fastTestPasswords({ PAPERBOY_TEST_FAST_PASSWORDS: '1' })), { N: 1024, r: 8, p: 1 });
});

test('a hash records its cost, and verifies by it whatever the current setting', async () => {
  const current = passwordCost(fastTestPasswords());
  const made = await hashPassword('correct horse battery staple');
  assert.match(made, new RegExp(`^scrypt\\$${current.N}\\$8\\$1\\$[\\w-]{22}\\$[\\w-]{43}$`));
  assert.equal(await verifyPassword('correct horse battery staple', made), true);
  assert.equal(await verifyPassword('correct horse battery stapler', made), false);
  // The same password and salt at the other cost: a different hash, which verifies by the cost it names.
  const other = current.N === 32768 ? 1024 : 32768;
  const salt = Buffer.from('sixteen byte slt');
  const key = scryptSync('correct horse battery staple', salt, 32, { N: other, r: 8, p: 1, maxmem: 128 * 1024 * 1024 });
  const stored = `scrypt$${other}$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
  assert.equal(await verifyPassword('correct horse battery staple', stored), true);
  assert.equal(await verifyPassword('Correct horse battery staple', stored), false);
});
