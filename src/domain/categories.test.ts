import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inCategories } from './categories.ts';

test('inCategories: exact categories, whole archives, cross-lists', () => {
  const cases: [string[], string[], boolean][] = [
    [['cs.CL'], ['cs.CL', 'cs.LG'], true],
    [['math.AG', 'cs.LG'], ['cs.CL', 'cs.LG'], true], // cross-listed into a followed category
    [['cs.CV'], ['cs.CL'], false],
    [['cs.CV'], ['cs'], true],
    [['hep-th'], ['hep-th'], true],
    [['hep-ph'], ['hep-th'], false],
    [['csx.CL'], ['cs'], false],
    [['cs.CL'], [], true],
    [[], ['cs.CL'], false],
  ];
  for (const [paper, followed, expected] of cases) assert.equal(inCategories(paper, followed), expected, `${paper} in ${followed}`);
});
