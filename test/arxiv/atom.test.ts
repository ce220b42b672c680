import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseAtomFeed } from '../../src/arxiv/atom.ts';
import { ArxivApiError, ArxivParseError, type ParseFailureKind } from '../../src/arxiv/errors.ts';
import { MAX_ABSTRACT_CHARS, MAX_AUTHORS, MAX_TITLE_CHARS } from '../../src/arxiv/normalize.ts';
import { fixture, mutate, sharedDataDir, sharedFile, sharedSkip } from './support.ts';

describe('parseAtomFeed: every recorded shape', () => {
  const cases: { file: string; records: number; totalResults: number; startIndex: number; itemsPerPage: number }[] = [
    { file: 'atom-2016/id_1111.2011v2.xml', records: 1, totalResults: 1, startIndex: 0, itemsPerPage: 10 },
    { file: 'atom-2016/au_del_maestro.xml', records: 10, totalResults: 31, startIndex: 0, itemsPerPage: 10 },
    { file: 'atom-2016/au_del_maestro_ANDNOT_checkerboard_OR_pyrochlore.xml', records: 10, totalResults: 24, startIndex: 0, itemsPerPage: 10 },
    { file: 'atom-2016/au_del_maestro_AND_quantum_criticality.xml', records: 2, totalResults: 2, startIndex: 0, itemsPerPage: 10 },
    { file: 'atom-2016/au_del_maestro_AND_checkerboard.xml', records: 1, totalResults: 1, startIndex: 0, itemsPerPage: 10 },
    { file: 'atom-2026/id_0000.0000.xml', records: 0, totalResults: 0, startIndex: 0, itemsPerPage: 100 },
    { file: 'atom-2026/id_0808.05394.xml', records: 0, totalResults: 0, startIndex: 0, itemsPerPage: 100 },
    { file: 'atom-2026/id_0808.05394_1707.08567.xml', records: 1, totalResults: 1, startIndex: 0, itemsPerPage: 100 },
    { file: 'atom-2026/id_1605.08386.xml', records: 1, totalResults: 1, startIndex: 0, itemsPerPage: 100 },
    { file: 'atom-2026/id_1707.08567.xml', records: 1, totalResults: 1, startIndex: 0, itemsPerPage: 100 },
    { file: 'atom-2026/id_2104.12255v1.xml', records: 1, totalResults: 1, startIndex: 0, itemsPerPage: 100 },
    { file: 'atom-2026/id_astro-ph_0601001.xml', records: 1, totalResults: 1, startIndex: 0, itemsPerPage: 100 },
    { file: 'atom-2026/id_quant-ph_0201082v1.xml', records: 1, totalResults: 1, startIndex: 0, itemsPerPage: 100 },
    { file: 'atom-2026/q_testing_s0_m10.xml', records: 10, totalResults: 214881, startIndex: 0, itemsPerPage: 10 },
    { file: 'atom-2026/q_testing_s5_m10.xml', records: 10, totalResults: 214881, startIndex: 5, itemsPerPage: 10 },
    { file: 'atom-2026/q_testing_s10_m10.xml', records: 10, totalResults: 214881, startIndex: 10, itemsPerPage: 10 },
  ];
  for (const c of cases) {
    test(`${c.file}: ${c.records} records, totalResults ${c.totalResults}`, () => {
      const page = parseAtomFeed(fixture(c.file));
      assert.equal(page.records.length, c.records);
      assert.deepEqual(page.errors, []);
      assert.equal(page.totalResults, c.totalResults);
      assert.equal(page.startIndex, c.startIndex);
      assert.equal(page.itemsPerPage, c.itemsPerPage);
      for (const r of page.records) {
        assert.doesNotMatch(r.title, /\s{2}|\n|^\s|\s$/, `${r.id}: title whitespace not normalised`);
        assert.doesNotMatch(r.abstract, /\s{2}|\n|^\s|\s$/, `${r.id}: abstract whitespace not normalised`);
        assert.match(r.publishedAt ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        assert.ok(r.versions.length >= 1);
      }
    });
  }
});

describe('parseAtomFeed: exact fields', () => {
  test('classic 2016 format: versions from the id, doi, journal_ref, comment, primary first', () => {
    const [r] = parseAtomFeed(fixture('atom-2016/id_1111.2011v2.xml')).records;
    assert.deepEqual(r, {
      id: '1111.2011',
      title: 'Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit',
      abstract: r!.abstract,
      authors: ['James M. Murray', 'Adrian Del Maestro', 'Zlatko Tesanovic'],
      categories: ['cond-mat.str-el', 'cond-mat.stat-mech'],
      publishedAt: '2011-11-08T18:48:36Z',
      updatedAt: '2012-04-02T12:38:54Z',
      versions: [
        { version: 1, submittedAt: '2011-11-08T18:48:36Z' },
        { version: 2, submittedAt: '2012-04-02T12:38:54Z' },
      ],
      comment: '8 pages, 3 figures. Published version',
      journalRef: 'Phys. Rev. B 85, 115117 (2012)',
      doi: '10.1103/PhysRevB.85.115117',
      withdrawn: false,
    });
    assert.ok(r!.abstract.startsWith('Theoretical description of anisotropic systems, such as layered superconductors and coupled'));
    assert.ok(r!.abstract.endsWith('adding a single extra dimension to the theory describing a single node.'));
  });

  test('classic 2016 format: old-style ids keep their archive', () => {
    const ids = parseAtomFeed(fixture('atom-2016/au_del_maestro.xml')).records.map((r) => r.id);
    assert.ok(ids.includes('cond-mat/0412498'), ids.join(' '));
    assert.ok(ids.includes('1201.4869'));
  });

  test('2026 format: 34 authors in order, comment, no journal_ref or doi', () => {
    const [r] = parseAtomFeed(fixture('atom-2026/id_1707.08567.xml')).records;
    assert.equal(r!.id, '1707.08567');
    assert.equal(r!.authors.length, 34);
    assert.equal(r!.authors[0], 'Kees A. Schouhamer Immink');
    assert.equal(r!.authors[33], 'Hirosuke Yamamoto');
    assert.equal(r!.comment, '44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck');
    assert.equal(r!.journalRef, null);
    assert.equal(r!.doi, null);
    assert.deepEqual(r!.categories, ['cs.IT']);
    assert.deepEqual(r!.versions, [{ version: 1, submittedAt: '2017-07-27T08:18:33Z' }]);
  });

  test('2026 format: a title that is the string "0" stays a string', () => {
    const [r] = parseAtomFeed(fixture('atom-2026/id_2104.12255v1.xml')).records;
    assert.equal(r!.title, '0');
    assert.equal(r!.id, '2104.12255');
  });

  test('2026 format: old-style ids with journal_ref; cross-list keeps primary first', () => {
    const [astro] = parseAtomFeed(fixture('atom-2026/id_astro-ph_0601001.xml')).records;
    assert.equal(astro!.id, 'astro-ph/0601001');
    assert.equal(astro!.journalRef, 'ActaAstron.56:1-50,2006');
    assert.deepEqual(astro!.authors, ['Andrew Gould', 'Susan Dorsher', 'B. Scott Gaudi', 'Andrzej Udalski']);
    const [quant] = parseAtomFeed(fixture('atom-2026/id_quant-ph_0201082v1.xml')).records;
    assert.equal(quant!.id, 'quant-ph/0201082');
    assert.deepEqual(quant!.categories, ['quant-ph', 'cs.PL']);
    const [math] = parseAtomFeed(fixture('atom-2026/id_1605.08386.xml')).records;
    assert.deepEqual(math!.categories, ['math.CO', 'math.ST']);
  });

  test('character references are decoded once: &#233; is é, &amp;#233; stays literal', () => {
    const xml = mutate(fixture('atom-2026/id_1605.08386.xml'), 'Heat-bath random walks', 'Caf&#233; &amp;#233; &#x3b1; walks');
    assert.equal(parseAtomFeed(xml).records[0]!.title, 'Café &#233; α walks with Markov bases');
  });

  test('primary_category comes first even when the <category> list puts it later', () => {
    const xml = mutate(fixture('atom-2026/id_1605.08386.xml'), '<arxiv:primary_category term="math.CO"/>', '<arxiv:primary_category term="math.ST"/>');
    assert.deepEqual(parseAtomFeed(xml).records[0]!.categories, ['math.ST', 'math.CO']);
  });

  test('v3 entry: three versions, first and last dated, the middle one unknown', () => {
    const r = parseAtomFeed(fixture('atom-2026/q_testing_s0_m10.xml')).records.find((x) => x.id === '2204.08348');
    assert.deepEqual(r!.versions, [
      { version: 1, submittedAt: '2022-04-18T14:46:24Z' },
      { version: 2, submittedAt: null },
      { version: 3, submittedAt: '2022-07-06T05:12:56Z' },
    ]);
    assert.equal(r!.updatedAt, '2022-07-06T05:12:56Z');
  });

  test('overlapping pages (start 0 and start 5, 10 per page) share exactly five ids', () => {
    const a = parseAtomFeed(fixture('atom-2026/q_testing_s0_m10.xml')).records.map((r) => r.id);
    const b = parseAtomFeed(fixture('atom-2026/q_testing_s5_m10.xml')).records.map((r) => r.id);
    assert.deepEqual(a.slice(5), b.slice(0, 5));
    assert.equal(new Set([...a, ...b]).size, 15);
  });

  test('the API error entry (HTTP 400 body) throws ArxivApiError with its message', () => {
    assert.throws(
      () => parseAtomFeed(fixture('atom-2026/id_abc.http400.xml')),
      (e: unknown) =>
        e instanceof ArxivApiError &&
        e.apiMessage === 'incorrect id format for abc' &&
        e.errorId === 'https://arxiv.org/api/errors#incorrect_id_format_for_abc' &&
        e.message === 'arxiv/atom: api error: incorrect id format for abc',
    );
  });

  test('the classic error entry (http://arxiv.org/api/errors#...) throws too', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#max_results_must_be_an_integer</id>
<title>Error</title><summary>max_results must be an integer</summary></entry></feed>`;
    assert.throws(() => parseAtomFeed(xml), { name: 'ArxivApiError', apiMessage: 'max_results must be an integer' });
  });
});

describe('parseAtomFeed: bad records are skipped with a reason, the rest parsed', () => {
  const base = fixture('atom-2026/q_testing_s0_m10.xml');
  const cases: { name: string; xml: string; entry: string; reason: RegExp }[] = [
    {
      name: 'invalid id',
      xml: mutate(base, '<id>http://arxiv.org/abs/2202.12139v1</id>', '<id>http://arxiv.org/abs/not-an-id</id>'),
      entry: 'http://arxiv.org/abs/not-an-id',
      reason: /invalid arXiv id in entry id/,
    },
    {
      name: 'invalid date',
      xml: mutate(base, '<published>2022-02-24T15:05:19Z</published>', '<published>2022-02-30T15:05:19Z</published>'),
      entry: 'http://arxiv.org/abs/2202.12139v1',
      reason: /invalid published date/,
    },
    {
      name: 'absurd title',
      xml: mutate(base, /<title>Testing Deep Learning Models[^<]*<\/title>/, `<title>${'x'.repeat(MAX_TITLE_CHARS + 1)}</title>`),
      entry: 'http://arxiv.org/abs/2202.12139v1',
      reason: /title too long/,
    },
    {
      name: 'absurd abstract',
      xml: mutate(base, /<summary>Deep Learning \(DL\)[^<]*<\/summary>/, `<summary>${'word '.repeat(MAX_ABSTRACT_CHARS / 4)}</summary>`),
      entry: 'http://arxiv.org/abs/2202.12139v1',
      reason: /abstract too long/,
    },
    {
      name: 'absurd author list',
      xml: mutate(base, '<author>\n      <name>Mohit Kumar Ahuja</name>\n    </author>', '<author><name>A. B</name></author>'.repeat(MAX_AUTHORS + 1)),
      entry: 'http://arxiv.org/abs/2202.12139v1',
      reason: /too many authors/,
    },
    {
      name: 'markup inside a text field',
      xml: mutate(base, '<title>Testing Deep Learning Models:', '<title><b>bold</b>Testing Deep Learning Models:'),
      entry: 'http://arxiv.org/abs/2202.12139v1',
      reason: /title contains markup/,
    },
    {
      name: 'no categories',
      xml: mutate(
        mutate(base, /(<entry>\s*<id>http:\/\/arxiv.org\/abs\/2202.12139v1[\s\S]*?)<category term="cs.SE"[^>]*\/>\s*<category term="cs.LG"[^>]*\/>/, '$1'),
        '<arxiv:primary_category term="cs.SE"/>',
        '',
      ),
      entry: 'http://arxiv.org/abs/2202.12139v1',
      reason: /no categories/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const page = parseAtomFeed(c.xml);
      assert.equal(page.records.length, 9);
      assert.equal(page.errors.length, 1);
      assert.equal(page.errors[0]!.entry, c.entry);
      assert.match(page.errors[0]!.reason, c.reason);
      assert.ok(!page.records.some((r) => r.id === '2202.12139'));
    });
  }

  test('unexpected elements are ignored', () => {
    const xml = mutate(base, '<arxiv:comment>Artificial', '<foo:bar xmlns:foo="urn:x"><baz>1</baz></foo:bar><arxiv:comment>Artificial');
    const page = parseAtomFeed(xml);
    assert.equal(page.records.length, 10);
    assert.deepEqual(page.errors, []);
  });
});

describe('parseAtomFeed: documents that cannot be parsed throw ArxivParseError', () => {
  const whole = fixture('atom-2026/q_testing_s0_m10.xml');
  const cases: { name: string; body: string; kind: ParseFailureKind; message: RegExp }[] = [
    { name: 'empty body', body: '', kind: 'empty', message: /^arxiv\/atom: empty: / },
    { name: 'truncated mid-entry', body: whole.slice(0, 9000), kind: 'truncated', message: /document ends before <\/feed>/ },
    { name: 'truncated mid-tag', body: whole.slice(0, whole.lastIndexOf('</entry>') + 4), kind: 'truncated', message: /truncated/ },
    { name: 'malformed', body: whole.replace('</title>', '</titel>'), kind: 'malformed', message: /line \d+/ },
    {
      name: 'HTML error page',
      body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
      kind: 'html',
      message: /"502 Bad Gateway"/,
    },
    { name: 'HTML without doctype', body: '<html><body><p>Rate exceeded.<br></body></html>', kind: 'html', message: /HTML page/ },
    { name: 'JSON', body: '{"error":"rate limited"}', kind: 'not-xml', message: /rate limited/ },
    { name: 'an RSS feed', body: fixture('rss/empty.xml'), kind: 'unexpected-root', message: /expected <feed>, found <rss>/ },
    { name: 'non-numeric totalResults', body: whole.replace('<opensearch:totalResults>214881', '<opensearch:totalResults>many'), kind: 'malformed', message: /totalResults is not a count/ },
    {
      name: 'entity declarations',
      body: '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaa">]><feed>&a;</feed>',
      kind: 'malformed',
      message: /entity declarations/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => parseAtomFeed(c.body),
        (e: unknown) => e instanceof ArxivParseError && e.kind === c.kind && c.message.test(e.message),
      );
    });
  }
});

describe('parseAtomFeed: shared data', () => {
  const dir = path.join(sharedDataDir(), 'arxiv-api-atom');
  const skip = sharedSkip('arxiv-api-atom');

  test('every recorded response: one record per entry, 222 entries incl. one error', { skip }, () => {
    let entries = 0;
    let apiErrors = 0;
    for (const sub of ['classic-api-2016', 'new-api-2026']) {
      for (const f of fs.readdirSync(path.join(dir, sub)).filter((n) => n.endsWith('.xml'))) {
        const xml = fs.readFileSync(path.join(dir, sub, f), 'utf8');
        const n = (xml.match(/<entry>/g) ?? []).length;
        if (sub === 'new-api-2026') entries += n;
        try {
          const page = parseAtomFeed(xml);
          assert.equal(page.records.length, n, f);
          assert.deepEqual(page.errors, [], f);
        } catch (e) {
          assert.ok(e instanceof ArxivApiError, `${f}: ${String(e)}`);
          apiErrors++;
        }
      }
    }
    assert.equal(entries, 222);
    assert.equal(apiErrors, 1);
  });

  const big = sharedFile('arxiv-api-atom/new-api-2026/q_testing_s0_m100_cfe7536492ca.body.xml');
  test('100-entry page: ids unique, primary category first', { skip: big.skip }, () => {
    const page = parseAtomFeed(big.text!);
    assert.equal(page.records.length, 100);
    assert.equal(new Set(page.records.map((r) => r.id)).size, 100);
    const primaries = [...big.text!.matchAll(/<arxiv:primary_category term="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(page.records.map((r) => r.categories[0]), primaries);
  });
});
