import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toBibtex } from './bibtex.ts';

test('toBibtex writes an arXiv @misc entry with escaped fields', () => {
  const bib = toBibtex({
    id: '2505.01234', title: 'Scaling {Laws} for 100% of Models', authors: ['Enes Özeren', 'Hinrich Schütze'],
    publishedAt: '2025-05-06T00:00:00.000Z', primaryCategory: 'cs.CL', doi: '10.1000/x_y',
  });
  assert.equal(bib, [
    '@misc{ozeren2025scaling,',
    '  title={Scaling \\{Laws\\} for 100\\% of Models},',
    '  author={Enes Özeren and Hinrich Schütze},',
    '  year={2025},',
    '  eprint={2505.01234},',
    '  archivePrefix={arXiv},',
    '  primaryClass={cs.CL},',
    '  doi={10.1000/x\\_y},',
    '  url={https://arxiv.org/abs/2505.01234}',
    '}',
  ].join('\n'));
});

test('toBibtex copes with no authors and no date', () => {
  const bib = toBibtex({ id: 'hep-th/9901001', title: 'On it', authors: [], publishedAt: null, primaryCategory: null });
  assert.match(bib, /^@misc\{anon/);
  assert.match(bib, /eprint=\{hep-th\/9901001\}/);
  assert.doesNotMatch(bib, /primaryClass/);
});
