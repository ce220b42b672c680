/**
 * Co-authors and groups of a name's papers: pure functions, table-driven.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coauthorGroups, rankCoauthors } from './authors.ts';

test('groups: papers linked by a shared co-author, directly or through other papers; solo papers left out', () => {
  const cases: { name: string; byPaper: [string, string[]][]; groups: string[][] }[] = [
    { name: 'no papers', byPaper: [], groups: [] },
    { name: 'one paper', byPaper: [['p1', ['A']]], groups: [['p1']] },
    { name: 'solo papers only', byPaper: [['p1', []], ['p2', []]], groups: [] },
    { name: 'two communities', byPaper: [['p1', ['A']], ['p2', ['A', 'B']], ['p3', ['C']]], groups: [['p1', 'p2'], ['p3']] },
    { name: 'a chain joins', byPaper: [['p1', ['A']], ['p2', ['B']], ['p3', ['A', 'B']]], groups: [['p1', 'p2', 'p3']] },
    { name: 'three apart, ties by first paper', byPaper: [['p3', ['Z']], ['p1', ['X']], ['p2', ['Y']]], groups: [['p1'], ['p2'], ['p3']] },
    { name: 'a co-author twice on one paper', byPaper: [['p1', ['A', 'A']], ['p2', ['B']]], groups: [['p1'], ['p2']] },
  ];
  for (const c of cases) assert.deepEqual(coauthorGroups(new Map(c.byPaper)), c.groups, c.name);
});

test('co-authors: most shared papers first, then by name; a name twice on a paper counts once', () => {
  const ranked = rankCoauthors(new Map([['p1', ['Bea', 'Al']], ['p2', ['Al', 'Al']], ['p3', ['Cy', 'Bea', 'Al']]]));
  assert.deepEqual(ranked, [{ name: 'Al', papers: 3 }, { name: 'Bea', papers: 2 }, { name: 'Cy', papers: 1 }]);
  assert.deepEqual(rankCoauthors(new Map()), []);
});
