import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArxivParseError, OaiError } from '../../src/arxiv/errors.ts';
import { parseOaiResponse } from '../../src/arxiv/oai.ts';
import { fixture, mutate, sharedFile } from './support.ts';

describe('parseOaiResponse: every recorded shape', () => {
  const cases: { file: string; records: number; deleted: number; token: string | null; cursor?: number; size?: number }[] = [
    { file: 'oai/arXivRaw-ListRecords-from-2014-10-01.xml', records: 6, deleted: 0, token: '726959|1001', cursor: 0, size: 58011 },
    { file: 'oai/arXivRaw-ListRecords-resumption-47001.excerpt.xml', records: 10, deleted: 0, token: '496549|47001', cursor: 46000, size: 907096 },
    { file: 'oai/arXivRaw-ListRecords-last-page.constructed.xml', records: 1, deleted: 1, token: null, cursor: 47000, size: 47002 },
    { file: 'oai/arXivRaw-GetRecord-1302.2146.xml', records: 1, deleted: 0, token: null },
    { file: 'oai/arXiv-ListRecords-physics-hep-ex.xml', records: 3, deleted: 0, token: null },
    { file: 'oai/arXiv-ListRecords-physics-hep-th.xml', records: 3, deleted: 0, token: null },
    { file: 'oai/arXiv-GetRecord-1401.2122.xml', records: 1, deleted: 0, token: null },
    { file: 'oai/error-noRecordsMatch.xml', records: 0, deleted: 0, token: null },
  ];
  for (const c of cases) {
    test(`${c.file}: ${c.records} records, ${c.deleted} deleted, token ${c.token}`, () => {
      const page = parseOaiResponse(fixture(c.file));
      assert.equal(page.records.length, c.records);
      assert.equal(page.deleted.length, c.deleted);
      assert.deepEqual(page.errors, []);
      assert.equal(page.resumptionToken?.value ?? null, c.token);
      if (c.cursor !== undefined) assert.equal(page.resumptionToken?.cursor, c.cursor);
      if (c.size !== undefined) assert.equal(page.resumptionToken?.completeListSize, c.size);
      for (const r of page.records) {
        assert.doesNotMatch(r.title, /\s{2}|\n/, r.id);
        assert.doesNotMatch(r.abstract, /\s{2}|\n/, r.id);
      }
    });
  }
});

describe('parseOaiResponse: arXivRaw fields', () => {
  test('version history with dates and sizes, oldest first; categories primary first; license', () => {
    const r = parseOaiResponse(fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml')).records.find((x) => x.id === '0704.0716')!;
    assert.deepEqual(r.versions, [
      { version: 1, submittedAt: '2007-04-05T12:45:03Z', size: '43kb' },
      { version: 2, submittedAt: '2007-09-28T15:13:43Z', size: '48kb' },
      { version: 3, submittedAt: '2008-02-29T16:05:39Z', size: '48kb' },
      { version: 4, submittedAt: '2008-11-14T09:07:25Z', size: '49kb' },
    ]);
    assert.equal(r.publishedAt, '2007-04-05T12:45:03Z');
    assert.equal(r.updatedAt, '2008-11-14T09:07:25Z');
    assert.deepEqual(r.categories, ['math-ph', 'math.MP']);
    assert.equal(r.license, 'http://arxiv.org/licenses/nonexclusive-distrib/1.0/');
    assert.equal(r.comment, '54 pages, 2 figures; v2 updated and slightly expanded; v3 changes in some proofs; v4 slightly expanded');
    assert.equal(r.journalRef, 'Polygons, polyominoes and polycubes, 247-299, Lecture Notes in Phys., 775, Springer, Dordrecht, 2009');
    assert.equal(r.withdrawn, false);
  });

  test('"A, B, and C" authors; the first of two DOIs; no license element means null', () => {
    const r = parseOaiResponse(fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml')).records.find((x) => x.id === '0704.0471')!;
    assert.deepEqual(r.authors, ['D.V. Shetty', 'S.J. Yennello', 'G.A. Souliotis']);
    assert.equal(r.doi, '10.1103/PhysRevC.76.024606');
    assert.equal(r.license, null);
    assert.equal(r.title, 'Density dependence of the symmetry energy and the nuclear equation of state: A Dynamical and Statistical model perspective');
  });

  test('GetRecord: one record with "A, B and C" authors', () => {
    const [r] = parseOaiResponse(fixture('oai/arXivRaw-GetRecord-1302.2146.xml')).records;
    assert.equal(r!.id, '1302.2146');
    assert.deepEqual(r!.authors, ['Joshua Berger', 'Maxim Perelstein', 'Michael Saelim', 'Philip Tanedo']);
    assert.deepEqual(r!.categories, ['hep-ph', 'hep-ex']);
    assert.deepEqual(r!.versions.map((v) => v.size), ['853kb', '849kb']);
  });

  test('affiliations in parentheses are not names', () => {
    const r = parseOaiResponse(fixture('oai/arXivRaw-ListRecords-resumption-47001.excerpt.xml')).records.find((x) => x.id === '0801.3674')!;
    assert.deepEqual(r.authors, ['Robert H. Brandenberger', 'Keshav Dasgupta', 'Anne-Christine Davis']);
    assert.deepEqual(r.categories, ['hep-th', 'astro-ph', 'gr-qc', 'hep-ph']);
  });

  test('withdrawn: 0kb latest version or a withdrawal notice; a 0kb version later replaced is not', () => {
    const page = parseOaiResponse(fixture('oai/arXivRaw-ListRecords-resumption-47001.excerpt.xml'));
    const withdrawn = page.records.filter((r) => r.withdrawn).map((r) => r.id);
    assert.deepEqual(withdrawn, ['0801.4122', '0801.4138', '0801.4243', '0801.4311', '0801.4644']);
    const replaced = page.records.find((r) => r.id === '0801.4093')!;
    assert.equal(replaced.withdrawn, false);
    assert.equal(replaced.versions[2]!.size, '0kb');
    assert.equal(replaced.versions[3]!.size, '698kb');
  });

  test('deleted records are reported, not returned as records', () => {
    const page = parseOaiResponse(fixture('oai/arXivRaw-ListRecords-last-page.constructed.xml'));
    assert.deepEqual(page.deleted, [{ id: '0801.9999', identifier: 'oai:arXiv.org:0801.9999', datestamp: '2014-12-02' }]);
    assert.deepEqual(page.records.map((r) => r.id), ['1302.2146']);
    assert.deepEqual(page.resumptionToken, { value: null, completeListSize: 47002, cursor: 47000, expirationDate: null });
  });

  test('single-quoted attributes and the trailing token of a real page', () => {
    const page = parseOaiResponse(fixture('oai/arXivRaw-ListRecords-resumption-47001.excerpt.xml'));
    assert.deepEqual(page.resumptionToken, { value: '496549|47001', completeListSize: 907096, cursor: 46000, expirationDate: null });
    assert.equal(page.responseDate, '2014-01-16T10:33:29Z');
  });
});

describe('parseOaiResponse: arXiv format fields', () => {
  test('authors from keyname/forenames, created/updated dates, no version list', () => {
    const [r] = parseOaiResponse(fixture('oai/arXiv-GetRecord-1401.2122.xml')).records;
    assert.equal(r!.id, '1401.2122');
    assert.deepEqual(r!.authors, ['A. Sergyeyev']);
    assert.deepEqual(r!.categories, ['math.AP', 'hep-th', 'math-ph', 'math.DG', 'math.MP', 'nlin.SI']);
    assert.equal(r!.publishedAt, '2014-01-09T00:00:00Z');
    assert.equal(r!.updatedAt, '2017-10-23T00:00:00Z');
    assert.deepEqual(r!.versions, []);
    assert.equal(r!.doi, '10.1007/s11005-017-1013-4');
    assert.equal(r!.journalRef, 'Lett. Math. Phys. 108 (2018), no. 2, 359-376');
  });

  test('several authors in order', () => {
    const r = parseOaiResponse(fixture('oai/arXiv-ListRecords-physics-hep-th.xml')).records.find((x) => x.id === '1607.01710')!;
    assert.deepEqual(r.authors, ['R. A. C. Correa', 'D. M. Dantas', 'P. H. R. S. Moraes', 'A. de Souza Dutra', 'C. A. S. Almeida']);
    assert.equal(r.comment, null);
  });
});

describe('parseOaiResponse: error envelopes', () => {
  const cases: { file: string; code: string; message: RegExp }[] = [
    { file: 'oai/error-badArgument.xml', code: 'badArgument', message: /^arxiv\/oai: badArgument: Verb 'ListRecords', illegal argument 'identifier'\.$/ },
    { file: 'oai/error-badResumptionToken.xml', code: 'badResumptionToken', message: /^arxiv\/oai: ListRecords: badResumptionToken: The resumptionToken supplied is illegal/ },
    { file: 'oai/error-badVerb.xml', code: 'badVerb', message: /Verb 'wah' not implemented/ },
    { file: 'oai/error-idDoesNotExist.xml', code: 'idDoesNotExist', message: /^arxiv\/oai: GetRecord: idDoesNotExist: Identifier 'oai:arXiv.org:0813.2274'/ },
  ];
  for (const c of cases) {
    test(`${c.code} throws OaiError`, () => {
      assert.throws(
        () => parseOaiResponse(fixture(c.file)),
        (e: unknown) => e instanceof OaiError && e.code === c.code && c.message.test(e.message),
      );
    });
  }

  test('cannotDisseminateFormat throws with the context given', () => {
    const xml = mutate(fixture('oai/error-badVerb.xml'), /<error code="badVerb">[^<]*<\/error>/, '<error code="cannotDisseminateFormat">oai_marc is not supported</error>');
    assert.throws(() => parseOaiResponse(xml, 'page 3'), {
      name: 'OaiError',
      code: 'cannotDisseminateFormat',
      message: 'arxiv/oai: page 3: cannotDisseminateFormat: oai_marc is not supported',
    });
  });

  test('noRecordsMatch is an empty result, not an error', () => {
    const page = parseOaiResponse(fixture('oai/error-noRecordsMatch.xml'));
    assert.deepEqual(page.records, []);
    assert.equal(page.resumptionToken, null);
  });
});

describe('parseOaiResponse: bad records are skipped with a reason, the rest parsed', () => {
  const base = fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml');
  const cases: { name: string; xml: string; entry: string; reason: RegExp }[] = [
    {
      name: 'invalid id',
      xml: mutate(base, '<id>0704.0471</id>', '<id>0704.0471.extra</id>'),
      entry: 'oai:arXiv.org:0704.0471',
      reason: /invalid arXiv id in id: "0704.0471.extra"/,
    },
    {
      name: 'invalid version date',
      xml: mutate(base, 'Tue, 3 Apr 2007 22:04:11 GMT', 'Tue, 3 Apr 2007 25:04:11 GMT'),
      entry: 'oai:arXiv.org:0704.0471',
      reason: /invalid v1 date/,
    },
    {
      name: 'invalid version number',
      xml: mutate(base, `<version version="v1"><date>Tue, 3 Apr`, `<version version="one"><date>Tue, 3 Apr`),
      entry: 'oai:arXiv.org:0704.0471',
      reason: /invalid version number "one"/,
    },
    {
      name: 'header identifier disagrees with metadata id',
      xml: mutate(base, '<identifier>oai:arXiv.org:0704.0471</identifier>', '<identifier>oai:arXiv.org:0704.0472</identifier>'),
      entry: 'oai:arXiv.org:0704.0472',
      reason: /does not match metadata id 0704.0471/,
    },
    {
      name: 'unsupported metadata format',
      xml: mutate(base, /<arXivRaw xmlns="http:\/\/arxiv.org\/OAI\/arXivRaw\/"[^>]*>\s*<id>0704.0471<\/id>[\s\S]*?<\/arXivRaw>/, '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><title>x</title></oai_dc:dc>'),
      entry: 'oai:arXiv.org:0704.0471',
      reason: /unsupported metadata format <dc>/,
    },
    {
      name: 'markup in a text field',
      xml: mutate(base, '<authors>D.V. Shetty', '<authors><i>D.V.</i> Shetty'),
      entry: 'oai:arXiv.org:0704.0471',
      reason: /authors contains markup/,
    },
    {
      name: 'invalid category',
      xml: mutate(base, '<categories>nucl-ex nucl-th</categories>', '<categories>nucl-ex &lt;script&gt;</categories>'),
      entry: 'oai:arXiv.org:0704.0471',
      reason: /invalid category "<script>"/,
    },
    {
      name: 'absurd title',
      xml: mutate(base, '<title>Density dependence', `<title>${'Density '.repeat(200)}`),
      entry: 'oai:arXiv.org:0704.0471',
      reason: /title too long/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const page = parseOaiResponse(c.xml);
      assert.equal(page.records.length, 5);
      assert.deepEqual(page.errors.length, 1, JSON.stringify(page.errors));
      assert.equal(page.errors[0]!.entry, c.entry);
      assert.match(page.errors[0]!.reason, c.reason);
      assert.equal(page.resumptionToken?.value, '726959|1001', 'the page token survives a bad record');
    });
  }

  test('a truncated page is an error, never a shorter page without its token', () => {
    assert.throws(
      () => parseOaiResponse(base.slice(0, base.indexOf('<resumptionToken')), 'page 2'),
      (e: unknown) => e instanceof ArxivParseError && e.kind === 'truncated' && e.message.startsWith('arxiv/oai: page 2: truncated: '),
    );
  });

  test('an HTML page is an error', () => {
    assert.throws(() => parseOaiResponse('<!DOCTYPE html><html><head><title>Service Unavailable</title></head></html>'), {
      name: 'ArxivParseError',
      kind: 'html',
    });
  });
});

describe('parseOaiResponse: shared data', () => {
  const big = sharedFile('arxiv-oai-pmh/arxivraw-listrecords-1000/ListRecords_arXivRaw_resumption_47001.xml');
  test('1,000-record arXivRaw page', { skip: big.skip }, () => {
    const page = parseOaiResponse(big.text!);
    assert.equal(page.records.length, 1000);
    assert.deepEqual(page.errors, []);
    assert.equal(new Set(page.records.map((r) => r.id)).size, 1000);
    assert.deepEqual(page.resumptionToken, { value: '496549|47001', completeListSize: 907096, cursor: 46000, expirationDate: null });
    assert.equal(page.records.filter((r) => r.withdrawn).length, 5);
    const versions = page.records.reduce((n, r) => n + r.versions.length, 0);
    assert.equal(versions, (big.text!.match(/<version version=/g) ?? []).length);
    for (const r of page.records) {
      assert.equal(r.publishedAt, r.versions[0]!.submittedAt);
      assert.equal(r.updatedAt, r.versions.at(-1)!.submittedAt);
      assert.ok(r.authors.length > 0 && r.authors.every((a) => a.length > 1 && !a.includes('(')), `${r.id}: ${r.authors.join('|')}`);
    }
  });
});
