import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLatexAccents } from './latex.ts';

test('decodeLatexAccents: accents and special letters seen in arXiv metadata', () => {
  const cases: [string, string][] = [
    ["C. Bal\\'azs", 'C. Balázs'],
    ['G\\"odel', 'Gödel'],
    ["Andr\\'{e}", 'André'],
    ["{\\'E}cole", 'École'],
    ['Fran\\c{c}ois', 'François'],
    ['\\v{S}koda', 'Škoda'],
    ['Bj{\\o}rn', 'Bjørn'],
    ['\\L{}ukasz', 'Łukasz'],
    ['Stra\\ss e', 'Straße'],
    ['no escapes here', 'no escapes here'],
    ['$\\alpha$-decay', '$\\alpha$-decay'], // maths is left alone
  ];
  for (const [input, expected] of cases) assert.equal(decodeLatexAccents(input), expected, input);
});
