import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detexAccents, detexText, isWithdrawn, isoToUtc, parseRfc822, splitAuthors } from '../../src/arxiv/normalize.ts';

describe('splitAuthors', () => {
  const cases: [string, string[]][] = [
    ['D.V. Shetty, S.J. Yennello, and G.A. Souliotis', ['D.V. Shetty', 'S.J. Yennello', 'G.A. Souliotis']],
    ['Valeria M. Rosa and Patricio S. letelier', ['Valeria M. Rosa', 'Patricio S. letelier']],
    [
      'Robert H. Brandenberger (McGill), Keshav Dasgupta (McGill) and\n  Anne-Christine Davis (DAMTP, Cambridge)',
      ['Robert H. Brandenberger', 'Keshav Dasgupta', 'Anne-Christine Davis'],
    ],
    [
      'Peter Anders (1), Uta Fritze (2), Richard de Grijs (3) ((1) University Utrecht, The Netherlands, (2) University of Hertfordshire, UK)',
      ['Peter Anders', 'Uta Fritze', 'Richard de Grijs'],
    ],
    ['Isaac Chappell II and S. James Gates Jr', ['Isaac Chappell II', 'S. James Gates Jr']],
    ['John Smith, Jr., Jane Doe', ['John Smith Jr.', 'Jane Doe']],
    ['A. Alpha; B. Beta', ['A. Alpha', 'B. Beta']],
    ['A. Alpha, B. Beta, et al.', ['A. Alpha', 'B. Beta']],
    ['Sandra Anderson, Andrew Andersen', ['Sandra Anderson', 'Andrew Andersen']],
    ["Jean-Claude L\\'eon (LGS), M. R{\\\"u}bhausen", ['Jean-Claude Léon', 'M. Rübhausen']],
    ['  ', []],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input.slice(0, 50)), () => assert.deepEqual(splitAuthors(input), expected));
  }
});

describe('detexAccents', () => {
  const cases: [string, string][] = [
    ["Val\\'erie", 'Valérie'],
    ['Lundstr\\"om', 'Lundström'],
    ['Dijana \\v{Z}ili\\\'c', 'Dijana Žilić'],
    ['Przemys{\\l}aw', 'Przemysław'],
    ['Kad{\\i}o\\u{g}lu', 'Kadıoğlu'],
    ['Vi\\~nas', 'Viñas'],
    ['Holb{\\ae}k', 'Holbæk'],
    ['Gu{\\dh}mundur', 'Guðmundur'],
    ['\\c{C}elik', 'Çelik'],
    ["\\'{\\i}", 'í'],
    ["C. Bal\\'azs", 'C. Balázs'],
    ['Bj{\\o}rn', 'Bjørn'],
    ['\\L{}ukasz', 'Łukasz'],
    ['Stra\\ss e', 'Straße'], // TeX swallows the space after a control word
    ['$\\alpha$-decay', '$\\alpha$-decay'], // maths is left alone
    ['Plain Name', 'Plain Name'],
  ];
  for (const [input, expected] of cases) {
    test(`${input} -> ${expected}`, () => assert.equal(detexAccents(input), expected));
  }
});

describe('detexText (titles and abstracts)', () => {
  test('accents and escaped characters outside math are decoded', () => {
    assert.equal(detexText(String.raw`A Gr\"obner basis proof`), 'A Gröbner basis proof');
    assert.equal(detexText(String.raw`Attributes \& Preferences at 5\% and \#1 for \$10 of snake\_case`), String.raw`Attributes & Preferences at 5% and #1 for \$10 of snake_case`);
    assert.equal(detexText(String.raw`{\"O}ffentliche G{\"u}ter`), 'Öffentliche Güter');
    assert.equal(detexText(String.raw`Ren\'e and Stra\ss e`), 'René and Straße');
  });

  test('math is kept exactly as written', () => {
    for (const math of [String.raw`$\"o_{1} \& x$`, String.raw`$$a \% b$$`, String.raw`\(\'e\)`, String.raw`\[x_{i}\]`, String.raw`$a\$b$`]) {
      assert.equal(detexText(`Gr\\"obner ${math} done`), `Gröbner ${math} done`);
    }
  });

  test('other commands and their arguments are left alone; text without a backslash is unchanged', () => {
    assert.equal(detexText(String.raw`\emph{Gr\"obner} bases`), String.raw`\emph{Gröbner} bases`);
    assert.equal(detexText('{B}ayesian $x$ 100%'), '{B}ayesian $x$ 100%');
    // Braces other than around one decoded letter stay, whatever else the text holds.
    assert.equal(detexText(String.raw`A \emph {spaced} claim by Ren\'e`), String.raw`A \emph {spaced} claim by René`);
    assert.equal(detexText(String.raw`The set {0,1}^n of Erd\H{o}s`), 'The set {0,1}^n of Erdős');
    // A price keeps its escape: without it, "costs $5 and $10" reads as inline math where $...$ is rendered.
    assert.equal(detexText(String.raw`costs \$5 and \$10 for G\"odel`), String.raw`costs \$5 and \$10 for Gödel`);
    assert.equal(detexText(String.raw`an unclosed $ then \'e`), 'an unclosed $ then é');
  });
});

describe('isoToUtc', () => {
  const cases: [string, string | null][] = [
    ['2017-07-27T08:18:33Z', '2017-07-27T08:18:33Z'],
    ['2016-10-09T00:00:00-04:00', '2016-10-09T04:00:00Z'],
    ['2014-01-09', '2014-01-09T00:00:00Z'],
    ['2024-02-29T12:00:00.123Z', '2024-02-29T12:00:00Z'],
    ['2023-02-29', null],
    ['2022-13-01', null],
    ['0001-01-01', null],
    ['yesterday', null],
    ['2022-02-24T25:05:19Z', null],
  ];
  for (const [input, expected] of cases) {
    test(`${input} -> ${expected}`, () => assert.equal(isoToUtc(input), expected));
  }
});

describe('parseRfc822', () => {
  const cases: [string, { iso: string; day: string } | null][] = [
    ['Tue, 3 Apr 2007 22:04:11 GMT', { iso: '2007-04-03T22:04:11Z', day: '2007-04-03' }],
    ['Thu, 28 Nov 2024 00:00:00 -0500', { iso: '2024-11-28T05:00:00Z', day: '2024-11-28' }],
    // The listing day is the day as arXiv writes it, even when UTC has moved on.
    ['Mon, 02 Dec 2024 20:00:00 -0500', { iso: '2024-12-03T01:00:00Z', day: '2024-12-02' }],
    ['Thu, 31 Nov 2024 00:00:00 -0500', null],
    ['28 Nov 2024', null],
  ];
  for (const [input, expected] of cases) {
    test(`${input}`, () => assert.deepEqual(parseRfc822(input), expected));
  }
});

describe('isWithdrawn', () => {
  const cases: [Parameters<typeof isWithdrawn>[0], boolean][] = [
    [{ latestSize: '0kb' }, true],
    [{ latestSize: '10kb' }, false],
    [{ comment: 'This paper has been withdrawn' }, true],
    [{ comment: 'This paper has been withdrawn by the authors. 6 pages, 7 figures' }, true],
    [{ comment: 'Withdrawn due to an error in Lemma 2' }, true],
    [{ comment: '5 pages', abstract: 'This paper has been withdrawn by the author since U in Lemma 2 is not a subspace.' }, true],
    [{ abstract: 'Patients withdrawn from treatment were followed for two years.' }, false],
    [{ comment: '12 pages; results on withdrawn drugs' }, false],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input).slice(0, 70)} -> ${expected}`, () => assert.equal(isWithdrawn(input), expected));
  }
});
