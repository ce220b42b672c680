import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickCompletions } from './engine.ts';

test('pickCompletions: a word that is common in itself stands; an unfinished one gets its commonest completions', () => {
  const cases: [string, number, [string, number][], string[]][] = [
    ['a common word and a rare longer one', 2000, [['diffusiondrive', 5], ['diffusions', 40]], []],
    ['an unfinished word', 4, [['attention', 1717], ['attack', 90], ['attractive', 12]], ['attention', 'attack']],
    ['a word unknown in itself', 0, [['quantum', 30]], ['quantum']],
    ['no completions', 0, [], []],
    ['just under the ratio', 9, [['transformer', 100]], ['transformer']],
    ['at the ratio', 10, [['transformer', 100]], []],
    ['ties by word', 0, [['beta', 5], ['alpha', 5]], ['alpha', 'beta']],
  ];
  for (const [what, own, candidates, expected] of cases) {
    assert.deepEqual(pickCompletions(own, candidates.map(([word, papers]) => ({ word, papers })), 2), expected, what);
  }
});
