import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inCategories, isArxivCategory, suggestCategory } from './categories.ts';

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

test('isArxivCategory: archives and their categories as arXiv spells them, old archives too', () => {
  for (const name of ['cs', 'cs.CL', 'stat.ML', 'hep-th', 'math-ph', 'cond-mat.mes-hall', 'physics.flu-dyn', 'astro-ph.GA', 'eess.SY', 'econ.EM', 'q-bio.NC', 'q-fin.ST', 'nlin.CD', 'astro-ph', 'cond-mat', 'alg-geom', 'cmp-lg']) {
    assert.equal(isArxivCategory(name), true, name);
  }
  for (const name of ['cs.XX', 'cs.cl', 'CS.CL', 'hep-th.XX', 'cs.', 'physics.FLU-DYN', 'computer-science', 'stat.ml', '']) {
    assert.equal(isArxivCategory(name), false, name);
  }
  assert.equal(suggestCategory('cs.cl'), 'cs.CL');
  assert.equal(suggestCategory('COND-MAT.MES-HALL'), 'cond-mat.mes-hall');
  assert.equal(suggestCategory('cs.XX'), null);
});
