import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeptMap } from './kept.ts';

test('KeptMap keeps at most max entries, dropping the oldest first', () => {
  const m = new KeptMap<string, number>(2);
  m.set('a', 1);
  m.set('b', 2);
  m.set('a', 10); // replacing a kept key drops nothing (and keeps its place)
  assert.equal(m.size, 2);
  m.set('c', 3);
  assert.deepEqual([m.get('a'), m.get('b'), m.get('c')], [undefined, 2, 3]);
  assert.deepEqual([...m.values()], [2, 3]);
});

test('KeptMap empties itself when the version moves, not when it stays', () => {
  const m = new KeptMap<string, number>(10);
  m.at(1).set('a', 1);
  assert.equal(m.at(1).get('a'), 1);
  assert.equal(m.at(2).get('a'), undefined);
  m.at('2').set('b', 2); // '2' is not 2
  assert.equal(m.at('2').get('b'), 2);
  assert.equal(m.at(2).size, 0);
});
