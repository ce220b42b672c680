import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BM25, idf, stepWeight } from '../../src/search/bm25.ts';
import { seededRandom } from '../../src/search/linalg.ts';
import { AUTHOR_TERM, CATEGORY_TERM, SegmentBuilder, type IndexDoc, type Segment, type TermList } from '../../src/search/segment.ts';
import { segmentFrom, segmentParts } from '../../src/search/persist.ts';
import { VectorIndex, quantize } from '../../src/search/vector-index.ts';

const WORDS = ['graph', 'neural', 'network', 'attention', 'model', 'learning', 'sparse', 'retrieval', 'protein', 'quantum', 'vision', 'language'];

function corpus(n: number, seed = 3): IndexDoc[] {
  const r = seededRandom(seed);
  const pick = (k: number) => Array.from({ length: k }, () => WORDS[Math.floor(Math.pow(r(), 1.7) * WORDS.length)]!).join(' ');
  return Array.from({ length: n }, (_, i) => ({
    id: `2401.${String(i).padStart(5, '0')}`,
    title: pick(1 + Math.floor(r() * 6)),
    abstract: pick(5 + Math.floor(r() * 60)),
    authors: [i % 7 === 0 ? 'Ada Lovelace' : 'Alan Turing'],
    categories: i % 3 === 0 ? ['cs.CL'] : ['cs.CV', 'cs.LG'],
    publishedAt: `2024-01-${String(1 + (i % 28)).padStart(2, '0')}`,
    hasCode: i % 5 === 0,
    withdrawn: false,
    upvotes: i % 11,
  }));
}

function lists(seg: Segment, terms: string[]): TermList[] {
  return terms.map((t) => seg.termIndex(t)).filter((t) => t >= 0)
    .map((t) => seg.list(t, stepWeight(DEFAULT_BM25, idf(seg.docCount, seg.df(t)), 1)));
}

/** The reference: score every document by summing impacts, no pruning. */
function exhaustive(seg: Segment, ls: TermList[], k: number, allow: Uint8Array | null) {
  const acc = new Float64Array(seg.docCount);
  for (const l of ls) for (let p = l.start; p < l.end; p++) { const d = seg.data.docs[p]!; acc[d] = acc[d]! + l.weight * seg.data.impacts[p]!; }
  return [...acc.keys()].filter((d) => acc[d]! > 0 && seg.deleted[d] === 0 && (!allow || allow[d] === 1))
    .sort((a, b) => acc[b]! - acc[a]! || a - b).slice(0, k).map((d) => [d, acc[d]!] as const);
}

describe('segment', () => {
  const docs = corpus(3000);
  const b = new SegmentBuilder();
  for (const d of docs) b.add(d);
  const seg = b.build();

  test('term dictionary, ids and filter terms', () => {
    assert.equal(seg.docCount, 3000);
    assert.ok(seg.termIndex('network') >= 0);
    assert.equal(seg.termIndex('networks'), -1, 'stored stemmed');
    assert.equal(seg.docIndex('2401.00042'), 42);
    assert.equal(seg.docIndex('2401.99999'), -1);
    assert.equal(seg.idAt(7), '2401.00007');
    assert.equal(seg.df(seg.termIndex(`${CATEGORY_TERM}cs.cl`)), 1000);
    assert.equal(seg.df(seg.termIndex(`${CATEGORY_TERM}cs`)), 3000);
    assert.equal(seg.df(seg.termIndex(`${AUTHOR_TERM}lovelace`)), Math.ceil(3000 / 7));
  });

  for (const [name, terms, k] of [
    ['one common word', ['model'], 10], ['rare and common words', ['quantum', 'model', 'learning', 'graph'], 10],
    ['five words, deep k', ['graph', 'neural', 'network', 'attention', 'model'], 200], ['k=1', ['sparse', 'vision'], 1],
  ] as const) {
    test(`MaxScore top-k equals exhaustive scoring: ${name}`, () => {
      const ls = lists(seg, [...terms]);
      const got = seg.topK(ls, k, null);
      const want = exhaustive(seg, ls, k, null);
      assert.deepEqual(Array.from(got.docs), want.map((w) => w[0]));
      want.forEach(([, s], i) => assert.ok(Math.abs(got.scores[i]! - s) < 1e-9));
    });
  }

  test('filters and deletions are honoured', () => {
    const allow = new Uint8Array(seg.docCount);
    for (let d = 0; d < seg.docCount; d += 3) allow[d] = 1;
    seg.markDeleted(0);
    seg.markDeleted(3);
    const ls = lists(seg, ['graph', 'model']);
    assert.deepEqual(Array.from(seg.topK(ls, 20, allow).docs), exhaustive(seg, ls, 20, allow).map((w) => w[0]));
    assert.ok(!Array.from(seg.topK(ls, 3000, null).docs).includes(3));
  });

  test('conjunction and union counts', () => {
    const ls = lists(seg, ['quantum', 'protein']);
    const both = seg.conjunction(ls, [], null);
    const sets = ls.map((l) => new Set(Array.from(seg.data.docs.subarray(l.start, l.end))));
    const want = [...sets[0]!].filter((d) => sets[1]!.has(d) && seg.deleted[d] === 0).sort((a, b) => a - b);
    assert.deepEqual(Array.from(both.docs), want);
    const union = new Set([...sets[0]!, ...sets[1]!].filter((d) => seg.deleted[d] === 0));
    assert.equal(seg.countUnion(ls, null), union.size);
  });

  test('saved parts load back to the same answers', () => {
    const parts = new Map<string, Uint8Array>();
    const info = segmentParts(seg, 'kw', parts);
    const copy = segmentFrom('kw', new Map([...parts].map(([k, v]) => [k, Buffer.from(v)])), JSON.parse(JSON.stringify(info)));
    const ls = lists(seg, ['attention', 'vision']);
    const ls2 = lists(copy, ['attention', 'vision']);
    assert.deepEqual(Array.from(copy.topK(ls2, 15, null).docs).filter((d) => d !== 0 && d !== 3).slice(0, 10),
      Array.from(seg.topK(ls, 15, null).docs).slice(0, 10));
    assert.equal(copy.wordDf('attention'), seg.wordDf('attention'));
  });

  for (const [name, k] of [['k=10', 10], ['k=1', 1], ['k larger than the matches', 5000]] as const) {
    test(`newest first and most upvoted equal a full sort (ties by id): ${name}`, () => {
      const matches = seg.conjunction(lists(seg, ['model']), [], null).docs;
      for (const [key, key2] of [[seg.data.days, seg.data.days], [seg.data.upvotes, seg.data.days]] as const) {
        const want = Array.from(matches).sort((a, b) => key[b]! - key[a]! || key2[b]! - key2[a]! || a - b).slice(0, k);
        assert.deepEqual(Array.from(seg.topByKey(matches, key, key2, k)), want);
      }
    });
  }

  test('papers added out of id order still look up by id', () => {
    const b2 = new SegmentBuilder();
    for (const d of [...docs.slice(0, 50)].reverse()) b2.add(d);
    const s2 = b2.build();
    assert.equal(s2.idAt(s2.docIndex('2401.00010')), '2401.00010');
    // Ties on the key are broken by id, not by document number.
    const all = s2.allDocs(null);
    const flat = new Int32Array(s2.docCount);
    const want = Array.from(all).sort((a, b) => (s2.idAt(a) < s2.idAt(b) ? -1 : 1)).slice(0, 5);
    assert.deepEqual(Array.from(s2.topByKey(all, flat, flat, 5)), want);
  });
});

describe('vector index (int8, WebAssembly SIMD)', () => {
  test('the kernel agrees with a plain dot product and finds the nearest', () => {
    const r = seededRandom(9);
    const dims = 40; // padded to 48 inside
    const idx = new VectorIndex(dims, 8);
    const vecs = Array.from({ length: 500 }, () => {
      const v = Float32Array.from({ length: dims }, () => r() - 0.5);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
    for (const v of vecs) idx.add(v);
    assert.equal(idx.usesSimd, true, 'WebAssembly SIMD is available on Node 20');
    const q = vecs[123]!;
    const got = idx.search(q, 5);
    assert.equal(got.slots[0], 123);
    const exact = vecs.map((v, i) => [i, v.reduce((s, x, d) => s + x * q[d]!, 0)] as const).sort((a, b) => b[1] - a[1]);
    assert.deepEqual(Array.from(got.slots).slice(0, 3), exact.slice(0, 3).map((e) => e[0]));
    assert.ok(Math.abs(got.scores[0]! - 1) < 0.03);
    idx.remove(123);
    assert.notEqual(idx.search(q, 1).slots[0], 123);
    assert.deepEqual(Array.from(idx.search(q, 3, (s) => s % 2 === 0).slots).every((s) => s % 2 === 0), true);
  });
  test('quantize scales by the largest component', () => {
    const out = new Int8Array(4);
    assert.equal(quantize([0.5, -0.25, 0, 0], out), 0.5 / 127);
    assert.deepEqual(Array.from(out), [127, -63, 0, 0]);
  });
});
