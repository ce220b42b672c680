import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counted } from './words.ts';

test('counted: singular for exactly one, plural otherwise', () => {
  assert.equal(counted(1, 'paper'), '1 paper');
  assert.equal(counted(0, 'paper'), '0 papers');
  assert.equal(counted(2, 'paper'), '2 papers');
  assert.equal(counted(1, 'reply', 'replies'), '1 reply');
  assert.equal(counted(3, 'reply', 'replies'), '3 replies');
});
