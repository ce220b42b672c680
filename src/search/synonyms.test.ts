import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addSynonymShare, synonymShare, type PaperWords, type QueryWord } from './synonyms.ts';
import { WordVectors } from './word-vectors.ts';

/** Unit vectors in two dimensions at the given angle (degrees), padded with zeros. */
const at = (degrees: number): number[] => {
  const v = new Array<number>(100).fill(0);
  v[0] = Math.cos((degrees * Math.PI) / 180);
  v[1] = Math.sin((degrees * Math.PI) / 180);
  return v;
};
// cos 0 = 1, cos 25 = 0.906, cos 45 = 0.707, cos 60 = 0.5, cos 90 = 0
const vectors = WordVectors.from([
  ['tumour', at(0)], ['tumor', at(25)], ['cancer', at(45)], ['growth', at(60)], ['keyboard', at(90)], ['mice', at(200)],
]);
/** A paper with these words (as terms and as vectors); it always has "growth", so that only "tumour" can be missing. */
const paper = (terms: string[], words: string[]): PaperWords => ({ terms: new Set([...terms, 'growth']), rows: Int32Array.from(words.map((w) => vectors.row(w))) });
const query: QueryWord[] = [{ word: 'tumour', term: 'tumour', weight: 2 }, { word: 'growth', term: 'growth', weight: 1 }];

describe('word vectors', () => {
  test('cosine through int8 rows stays within rounding of the true one', () => {
    const cases: [string, string, number][] = [['tumour', 'tumor', 0.9063], ['tumour', 'cancer', 0.7071], ['tumour', 'growth', 0.5], ['tumour', 'keyboard', 0], ['tumour', 'tumour', 1]];
    for (const [a, b, want] of cases) assert.ok(Math.abs(vectors.similarity(vectors.row(a), vectors.row(b)) - want) < 0.01, `${a} ~ ${b}`);
  });
  test('a word without a vector has row -1; subsets keep rows and order', () => {
    assert.equal(vectors.row('zebrafish'), -1);
    const some = vectors.subset((w) => w.startsWith('tum'));
    assert.deepEqual([some.wordAt(0), some.wordAt(1)], ['tumor', 'tumour']);
    assert.equal(some.size, 2);
    assert.ok(Math.abs(some.similarity(some.row('tumor'), some.row('tumour')) - 0.9063) < 0.01);
  });
});

describe('near-synonym share of the query', () => {
  const cases: [string, PaperWords, number, number][] = [
    // tumour missing, tumor at 0.906: (0.906 - 0.6) / 0.4 = 0.766 of weight 2; growth present adds nothing.
    ['a missing word with a near-synonym counts by how near', paper(['growth', 'tumor'], ['growth', 'tumor']), 0.6, (0.766 * 2) / 3],
    ['the nearest word in the paper counts, not the first', paper(['cancer', 'tumor'], ['cancer', 'tumor']), 0.6, (0.766 * 2 + 0) / 3],
    ['words the paper has count nothing (BM25 has them)', paper(['tumour', 'growth'], ['tumour', 'growth']), 0.6, 0],
    ['a near word below the threshold counts nothing', paper(['cancer'], ['cancer']), 0.75, 0],
    ['above it, a little', paper(['cancer'], ['cancer']), 0.6, ((0.7071 - 0.6) / 0.4 * 2) / 3],
    ['unrelated words count nothing', paper(['keyboard'], ['keyboard']), 0.6, 0],
    ['a paper without words with vectors', paper(['zebrafish'], []), 0.6, 0],
  ];
  for (const [name, p, threshold, want] of cases) {
    test(name, () => {
      const got = synonymShare(query, p, vectors, threshold);
      assert.ok(Math.abs(got - want) < 0.01, `${got} against ${want}`);
    });
  }
  test('a query word without a vector counts in the total but holds nothing', () => {
    const q: QueryWord[] = [{ word: 'tumour', term: 'tumour', weight: 1 }, { word: 'zebrafish', term: 'zebrafish', weight: 1 }];
    const got = synonymShare(q, paper(['tumor'], ['tumor']), vectors, 0.6);
    assert.ok(Math.abs(got - 0.766 / 2) < 0.01, String(got));
  });
  test('only the first maxWords missing words are looked up; the rest still count in the total', () => {
    const q: QueryWord[] = [{ word: 'mice', term: 'mice', weight: 1 }, { word: 'tumour', term: 'tumour', weight: 1 }];
    const p = paper(['tumor'], ['tumor']);
    assert.equal(synonymShare(q, p, vectors, 0.6, 1), 0, 'mice was looked up (nothing near), tumour was not');
    assert.ok(Math.abs(synonymShare(q, p, vectors, 0.6, 2) - 0.766 / 2) < 0.01);
    assert.ok(Math.abs(synonymShare([...q].reverse(), p, vectors, 0.6, 1) - 0.766 / 2) < 0.01);
  });
  test('a query of no weight shares nothing', () => {
    assert.equal(synonymShare([{ word: 'tumour', term: 'tumour', weight: 0 }], paper(['tumor'], ['tumor']), vectors, 0.6), 0);
    assert.equal(synonymShare([], paper(['tumor'], ['tumor']), vectors, 0.6), 0);
  });
});

describe('adding the near-synonym share to a ranking', () => {
  const papers = new Map([
    ['says-tumor', paper(['tumor', 'growth'], ['tumor', 'growth'])],
    ['says-keyboard', paper(['keyboard', 'growth'], ['keyboard', 'growth'])],
    ['says-cancer', paper(['cancer', 'growth'], ['cancer', 'growth'])],
  ]);
  const ranked = [
    { id: 'says-keyboard', score: 1.0 },
    { id: 'says-cancer', score: 0.99 },
    { id: 'says-tumor', score: 0.98 },
    { id: 'below-depth', score: 0.5 },
  ];
  const ids = (r: { id: string }[]) => r.map((x) => x.id);
  test('the paper with the nearest synonym gains the whole weight and passes the others', () => {
    const out = addSynonymShare(ranked, papers, query, vectors, { depth: 3, weight: 0.15, threshold: 0.6 });
    assert.deepEqual(ids(out), ['says-tumor', 'says-cancer', 'says-keyboard', 'below-depth']);
    assert.ok(Math.abs(out[0]!.score - 1.13) < 1e-9, 'the highest share gets the whole weight');
    assert.equal(out[3]!.score, 0.5, 'papers below the depth are unchanged');
  });
  test('nothing changes without weight, depth or query, or when every share is the same', () => {
    for (const opts of [{ depth: 3, weight: 0, threshold: 0.6 }, { depth: 0, weight: 0.15, threshold: 0.6 }]) assert.deepEqual(addSynonymShare(ranked, papers, query, vectors, opts), ranked);
    assert.deepEqual(addSynonymShare(ranked, papers, [], vectors, { depth: 3, weight: 0.15, threshold: 0.6 }), ranked);
    assert.deepEqual(addSynonymShare(ranked, papers, query, vectors, { depth: 3, weight: 0.15, threshold: 0.95 }), ranked);
  });
  test('papers without words get no share; ties break by id', () => {
    const tied = [{ id: 'b', score: 1 }, { id: 'a', score: 1 }, { id: 'says-tumor', score: 0.9 }];
    assert.deepEqual(ids(addSynonymShare(tied, papers, query, vectors, { depth: 3, weight: 0.15, threshold: 0.6 })), ['says-tumor', 'a', 'b']);
  });
});
