import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArxivId } from './arxiv-id.ts';

test('parseArxivId accepts every form users paste', () => {
  const cases: [string, string | null, number | null][] = [
    ['2407.13168', '2407.13168', null],
    ['2407.13168v2', '2407.13168', 2],
    ['arXiv:2407.13168', '2407.13168', null],
    ['arxiv: 2407.13168v10', '2407.13168', 10],
    ['  2407.13168  ', '2407.13168', null],
    ['https://arxiv.org/abs/2407.13168', '2407.13168', null],
    ['https://arxiv.org/abs/2407.13168v3?context=cs', '2407.13168', 3],
    ['http://arxiv.org/pdf/2407.13168v1.pdf', '2407.13168', 1],
    ['https://arxiv.org/pdf/2407.13168', '2407.13168', null],
    ['arxiv.org/html/2407.13168v2/', '2407.13168', 2],
    ['https://www.arxiv.org/abs/2407.13168#section', '2407.13168', null],
    ['https://export.arxiv.org/abs/hep-th/9901001v2', 'hep-th/9901001', 2],
    ['0704.0001', '0704.0001', null],
    ['1412.9999', '1412.9999', null],
    ['hep-th/9901001', 'hep-th/9901001', null],
    ['math.GT/0309136', 'math/0309136', null],
    ['arXiv:math.GT/0309136v2', 'math/0309136', 2],
    ['arXiv:cond-mat/0011123v1', 'cond-mat/0011123', 1],
    // arXiv's citation form, its DOI, and the pages of Hugging Face Papers and ar5iv
    ['arXiv:2407.13168 [cs.CL]', '2407.13168', null],
    ['arXiv:2407.13168v2 [cond-mat.mes-hall]', '2407.13168', 2],
    ['arXiv:hep-th/9901001 [hep-th]', 'hep-th/9901001', null],
    ['10.48550/arXiv.2407.13168', '2407.13168', null],
    ['doi:10.48550/arXiv.2407.13168', '2407.13168', null],
    ['https://doi.org/10.48550/arXiv.2407.13168', '2407.13168', null],
    ['https://huggingface.co/papers/2407.13168', '2407.13168', null],
    ['huggingface.co/papers/2407.13168#community', '2407.13168', null],
    ['https://ar5iv.labs.arxiv.org/html/2407.13168', '2407.13168', null],
    ['https://ar5iv.org/abs/hep-th/9901001', 'hep-th/9901001', null],
    ['2407.13168 [cs.CL]', '2407.13168', null],
    // not ids
    ['10.1234/arXiv.2407.13168', null, null], // another registrant's DOI
    ['https://huggingface.co/models/2407.13168', null, null],
    ['arXiv:2407.13168 [<script>]', null, null],
    ['1501.1234', null, null], // four digits after 2014
    ['1412.12345', null, null], // five digits before 2015
    ['0703.0001', null, null], // before new-style ids existed
    ['2413.00001', null, null], // month 13
    ['2407.13168v', null, null],
    ['2407.13168v0', null, null], // versions count from 1
    ['2407.13168v01', null, null],
    ['hep-th/9901001v0', null, null],
    ['2407.13168v10', '2407.13168', 10],
    ['https://example.com/abs/2407.13168', null, null],
    ['hep-th/990100', null, null],
    ['<script>alert(1)</script>', null, null],
    ['', null, null],
    ['2407.13168'.repeat(30), null, null],
  ];
  for (const [input, id, version] of cases) {
    const got = parseArxivId(input);
    assert.equal(got?.id ?? null, id, `id of ${input}`);
    if (id) assert.equal(got?.version, version, `version of ${input}`);
  }
});
