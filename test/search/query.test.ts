import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeQuery, isEmptyQuery, MAX_QUERY_CHARS, MAX_QUERY_PARTS, normalizeCategory, parseDateValue, parseQuery } from '../../src/search/query.ts';

describe('parseQuery', () => {
  const cases: [string, string, Partial<ReturnType<typeof parseQuery>>][] = [
    ['plain words, folded', 'Sparse  ATTENTION Schrödinger', { words: ['sparse', 'attention', 'schrodinger'] }],
    ['a phrase', '"graph neural networks" survey', { phrases: [['graph', 'neural', 'networks']], words: ['survey'] }],
    ['one-word phrase is a word', '"attention"', { words: ['attention'], phrases: [] }],
    ['exclusions', 'transformers -vision -"image classification"', { words: ['transformers'], excludedWords: ['vision'], excludedPhrases: [['image', 'classification']] }],
    ['author filters', 'author:Hinton au:"Yann LeCun" -author:Smith', { authors: ['Hinton', 'Yann LeCun'], excludedAuthors: ['Smith'], words: [] }],
    ['categories normalised', 'cat:CS.cl category:astro-ph.co cat:physics.Optics -cat:cs.CV cat:cs', { categories: ['cs.CL', 'astro-ph.CO', 'physics.optics', 'cs'], excludedCategories: ['cs.CV'] }],
    ['year', 'year:2024', { from: '2024-01-01', to: '2025-01-01' }],
    ['year range', 'year:2020-2022', { from: '2020-01-01', to: '2023-01-01' }],
    ['after and before', 'after:2024-02 before:2024-03-15', { from: '2024-02-01', to: '2024-03-15' }],
    ['narrowest range wins', 'year:2024 after:2024-06-01', { from: '2024-06-01', to: '2025-01-01' }],
    ['has:code', 'diffusion has:code', { words: ['diffusion'], hasCode: true }],
    ['unknown field is text', 'note: http://x.org/a', { words: ['note', 'http', 'x', 'org', 'a'] }],
    ['bad year is text with a note', 'year:20x4', { words: ['year', '20x4'] }],
    ['bad date is text', 'after:2024-13-01', { words: ['after', '2024', '13', '01'] }],
    ['has:pdf is text', 'has:pdf', { words: ['has', 'pdf'] }],
    ['unbalanced quote', '"graph neural', { words: ['graph', 'neural'], phrases: [] }],
    ['unbalanced quoted author', 'author:"Geoffrey Hinton', { authors: ['Geoffrey'], words: ['hinton'] }],
    ['FTS syntax is text', 'NEAR(attention transformer) AND bert* OR (x)', { words: ['near', 'attention', 'transformer', 'and', 'bert', 'or', 'x'] }],
    ['stray operators', '- -- ( ) * : " "', { words: [], phrases: [] }],
    ['minus before a number is text', 'temperature -5 degrees', { words: ['temperature', '5', 'degrees'], excludedWords: [] }],
    ['control characters are spaces', 'graph\u0000neural\u0007net\u200bwork', { words: ['graph', 'neural', 'net', 'work'] }],
    ['other scripts', 'трансформер 注意力 مرحبا', { words: ['трансформер', '注', '意', '力', 'مرحبا'] }],
    ['SQL', "'; DROP TABLE papers; --", { words: ['drop', 'table', 'papers'] }],
  ];
  for (const [name, input, want] of cases) {
    test(name, () => {
      const got = parseQuery(input);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, `${k} of ${JSON.stringify(input)}`);
    });
  }

  test('notes say what was read as text', () => {
    assert.match(parseQuery('year:20x4').notes[0]!, /not a year/);
    assert.match(parseQuery('cat:!!').notes[0]!, /not an arXiv category/);
  });

  test('10 KB of anything never throws, and is cut with a note', () => {
    const long = 'a"b -c author: (NEAR) ü 😀 '.repeat(400);
    assert.ok(long.length > 10_000);
    const q = parseQuery(long);
    assert.ok(q.notes.some((n) => n.includes(`${MAX_QUERY_CHARS} characters`)));
    assert.ok(q.words.length + q.phrases.length + q.excludedWords.length <= MAX_QUERY_PARTS);
  });

  test('random input never throws', () => {
    let seed = 1;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const alphabet = 'ab -":()*\u0000\u202e😀é中 author:cat:year:after:has:2024-01-01';
    for (let i = 0; i < 500; i++) {
      const s = Array.from({ length: Math.floor(rand() * 60) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const q = parseQuery(s);
      assert.equal(typeof describeQuery(q), 'string');
    }
  });

  test('describeQuery says what was searched, in query syntax', () => {
    assert.equal(describeQuery(parseQuery('Graph  NEAR(x) "neural net" -old author:"Yann LeCun" cat:cs.cl has:code year:2024')),
      'graph near x "neural net" -old author:"Yann LeCun" cat:cs.CL after:2024-01-01 before:2025-01-01 has:code');
  });

  test('isEmptyQuery', () => {
    assert.equal(isEmptyQuery(parseQuery('  " - ')), true);
    assert.equal(isEmptyQuery(parseQuery('cat:cs.CL')), false);
  });
});

describe('query values', () => {
  test('normalizeCategory', () => {
    assert.equal(normalizeCategory('cs.cl'), 'cs.CL');
    assert.equal(normalizeCategory('cond-mat.mes-hall'), 'cond-mat.mes-hall');
    assert.equal(normalizeCategory('hep-th'), 'hep-th');
    assert.equal(normalizeCategory('cs.CL; drop'), null);
  });
  test('parseDateValue', () => {
    assert.deepEqual(parseDateValue('2024'), { start: '2024-01-01', end: '2025-01-01' });
    assert.deepEqual(parseDateValue('2024-12'), { start: '2024-12-01', end: '2025-01-01' });
    assert.deepEqual(parseDateValue('2024-02-29'), { start: '2024-02-29', end: '2024-03-01' });
    assert.equal(parseDateValue('2023-02-29'), null);
    // year:2999 and an API search to 2999-12-31 end before 3000-01-01: that end parses, the year 3000 does not.
    assert.equal(parseQuery('x before:3000-01-01').to, '3000-01-01');
    assert.deepEqual(parseQuery('x before:3000-01-01').words, ['x']);
    assert.match(describeQuery(parseQuery('x year:2999')), /before:3000-01-01/);
    assert.equal(parseDateValue('3000'), null);
    assert.equal(parseDateValue('soon'), null);
  });
});
