/**
 * The For-you model and the reasons it gives, on hand-made vectors and texts: pure functions,
 * no store.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProfile, describeForYouReason, hasTaste, rankForYou, type CandidatePaper, type HistoryItem, type Signal } from '../../src/discovery/model.ts';
import { sharedTerms, termDot, termVector, EMPTY_TERMS } from '../../src/discovery/terms.ts';

const DIMS = 16;
/** A unit vector mostly along axis `a`, a little along `b`. */
function vec(a: number, b = (a + 1) % DIMS, mix = 0.2): Float32Array {
  const v = new Float32Array(DIMS);
  v[a] = 1;
  v[b] = (v[b] ?? 0) + mix;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const df = (term: string) => (term === 'model' ? 50 : 3);
const tv = (title: string, abstract = '') => termVector(title, abstract, df, 100);
const item = (id: string, signal: Signal, v: Float32Array | null, title = `Paper ${id}`): HistoryItem => ({ id, title, signal, vector: v, terms: tv(title) });
const cand = (id: string, v: Float32Array | null, upvotes = 0, title = `Candidate ${id}`, authors: string[] = []): CandidatePaper => ({ id, vector: v, terms: tv(title), upvotes, authors });

describe('term vectors and shared terms', () => {
  test('tf-idf weights rare words above common ones, unit length, words as written', () => {
    const a = tv('Diffusion distillation for models', 'We distil diffusion models into one step models.');
    const norm = Math.hypot(...a.weights.values());
    assert.ok(Math.abs(norm - 1) < 1e-9);
    assert.ok(a.weights.get('diffus')! > a.weights.get('model')!, 'rare "diffusion" outweighs common "model"');
    assert.equal(a.words.get('diffus'), 'diffusion');
  });

  test('shared terms name what two papers have in common, strongest first', () => {
    const a = tv('Diffusion distillation', 'Distillation of diffusion samplers.');
    const b = tv('Fast diffusion sampling by distillation');
    const c = tv('Protein folding');
    assert.deepEqual(sharedTerms(a, b.weights, 3).sort(), ['diffusion', 'distillation']);
    assert.deepEqual(sharedTerms(a, c.weights, 3), []);
    assert.ok(termDot(a.weights, b.weights) > termDot(a.weights, c.weights));
    // Words that order an argument are no topic two papers share.
    const d = tv('Diffusion samplers', 'Firstly, diffusion. Secondly, samplers. Finally, additionally, lastly.');
    const e = tv('Samplers for diffusion', 'Firstly, samplers. Secondly, diffusion. Finally, additionally, lastly.');
    assert.deepEqual(sharedTerms(d, e.weights, 10).sort(), ['diffusion', 'samplers']);
  });

  test('function words are no terms: "than", "more", "which" are never named as shared', () => {
    // Every word here is in 3 of 100 papers (df), so only the stop list can keep the function words out.
    const a = tv('Massive tokens rather than frames', 'Scaling to more tokens than frames, which is massive, though costly.');
    const b = tv('Tokens than frames, massive', 'More tokens, which cost more than frames, though.');
    for (const stop of ['than', 'more', 'which', 'though', 'rather']) {
      assert.equal(a.weights.has(stop), false, `${stop} is not a term`);
      assert.equal([...a.words.values()].includes(stop), false, stop);
    }
    const shared = sharedTerms(a, b.weights, 10);
    assert.deepEqual(shared.slice().sort(), ['frames', 'massive', 'tokens']);
    assert.match(describeForYouReason({ like: null, shares: sharedTerms(a, b.weights, 3), followed: [] }), /^shares terms: (frames|massive|tokens), (frames|massive|tokens), (frames|massive|tokens)$/);
    // Words are compared folded (accents off), as the analysis writes them: "für", "são" are function words too.
    const de = tv('Modelle für Sprache', 'Modelle für Sprache und são Paulo');
    assert.equal([...de.words.values()].some((w) => w === 'fur' || w === 'für'), false);
    assert.equal([...de.words.values()].some((w) => w === 'sao' || w === 'são'), false);
    assert.ok([...de.words.values()].includes('sprache'));
  });

  test('empty and non-English text give vectors without errors', () => {
    assert.equal(tv('', '').weights.size, 0);
    const zh = termVector('扩散模型', '我们研究扩散模型', () => 2, 10);
    assert.ok(zh.weights.size > 0);
  });
});

describe('the For-you model', () => {
  test('no history: no taste; followed authors alone are taste', () => {
    assert.equal(hasTaste(buildProfile([])), false);
    assert.equal(hasTaste(buildProfile([], ['Ada Lovelace'])), true);
    assert.deepEqual(rankForYou(buildProfile([]), []), []);
  });

  test('a reader of two topics gets both topics above a third, unrelated one', () => {
    const history = [item('a1', 'upvote', vec(0)), item('a2', 'upvote', vec(0, 2)), item('b1', 'saved', vec(5)), item('b2', 'upvote', vec(5, 6))];
    const ranked = rankForYou(buildProfile(history), [cand('x0', vec(0, 3)), cand('x5', vec(5, 7)), cand('x9', vec(9)), cand('x10', vec(10))]);
    assert.deepEqual(ranked.slice(0, 2).map((r) => r.id).sort(), ['x0', 'x5']);
    assert.ok(ranked[1]!.score > ranked[2]!.score);
  });

  test('papers already upvoted, saved or dismissed are not recommended again', () => {
    const history = [item('a1', 'upvote', vec(0)), item('s1', 'saved', vec(1)), item('n1', 'not-interested', vec(2))];
    const ranked = rankForYou(buildProfile(history), [cand('a1', vec(0)), cand('s1', vec(1)), cand('n1', vec(2)), cand('new', vec(0))]);
    assert.deepEqual(ranked.map((r) => r.id), ['new']);
  });

  test('"not interested" pushes similar papers down, and wins over an older upvote of the same paper, not a newer one', () => {
    const base = [item('a1', 'upvote', vec(0, 1, 0.3)), item('a2', 'upvote', vec(8, 9, 0.3))];
    const cands = [cand('near0', vec(0, 2, 0.3)), cand('near8', vec(8, 10, 0.3))];
    const before = rankForYou(buildProfile(base), cands);
    const after = rankForYou(buildProfile([item('n', 'not-interested', vec(0)), ...base]), cands);
    const score = (r: typeof before, id: string) => r.find((x) => x.id === id)!.score;
    assert.ok(score(after, 'near0') < score(before, 'near0'), 'near the dismissed paper: lower');
    assert.ok(Math.abs(score(after, 'near8') - score(before, 'near8')) < 1e-9, 'far from it: unchanged');
    const p = buildProfile([item('a1', 'not-interested', vec(0)), item('a1', 'upvote', vec(0))]);
    assert.equal(p.positives.length, 0);
    assert.equal(p.negatives.length, 1);
    // The latest word decides: an upvote (or save) after the mark counts as liked.
    const changed = buildProfile([item('a1', 'upvote', vec(0)), item('a1', 'not-interested', vec(0))]);
    assert.deepEqual([changed.positives.map((h) => h.id), changed.negatives.length], [['a1'], 0]);
    const saved = buildProfile([item('a1', 'saved', vec(0)), item('a1', 'not-interested', vec(0))]);
    assert.deepEqual([saved.positives.map((h) => h.signal), saved.negatives.length], [['saved'], 0]);
  });

  test('each paper says why: the close papers by title, shared terms, followed authors', () => {
    const history = [
      item('a1', 'upvote', vec(0), 'Diffusion distillation in one step'),
      item('a2', 'upvote', vec(0, 1, 0.25), 'Consistency distillation for diffusion'),
      item('a3', 'saved', vec(8), 'Quantum error correction'),
    ];
    const ranked = rankForYou(buildProfile(history, ['Grace Hopper']), [
      cand('c1', vec(0, 1, 0.22), 3, 'Progressive distillation of diffusion samplers', ['Alan Turing']),
      cand('c2', vec(12), 1, 'Robot grasping', ['grace hopper']),
    ]);
    const c1 = ranked.find((r) => r.id === 'c1')!;
    assert.equal(c1.reason.like!.count, 2);
    assert.equal(c1.reason.like!.upvoted, true);
    assert.deepEqual(c1.reason.like!.titles.map((t) => t.id).sort(), ['a1', 'a2']);
    assert.deepEqual(c1.reason.shares.sort(), ['diffusion', 'distillation']);
    const text = describeForYouReason(c1.reason);
    assert.match(text, /^like 2 papers you upvoted: /);
    assert.match(text, /shares terms: (diffusion, distillation|distillation, diffusion)/);
    const c2 = ranked.find((r) => r.id === 'c2')!;
    assert.deepEqual(c2.reason.followed, ['grace hopper']);
    assert.match(describeForYouReason(c2.reason), /by grace hopper, whom you follow/);
    assert.equal(describeForYouReason({ like: null, shares: [], followed: [] }), 'trending this period');
  });

  test('among equally close papers, the more upvoted comes first', () => {
    const ranked = rankForYou(buildProfile([item('a', 'upvote', vec(3))]), [cand('low', vec(3, 4), 1), cand('high', vec(3, 4), 90)]);
    assert.deepEqual(ranked.map((r) => r.id), ['high', 'low']);
  });

  test('papers without vectors (index building, empty abstracts) still rank, by terms and votes', () => {
    const history = [item('a', 'upvote', null, 'Graph neural networks for molecules')];
    const ranked = rankForYou(buildProfile(history), [
      { ...cand('g', null, 0, 'Molecules with graph networks') },
      { ...cand('e', null, 5, ''), terms: EMPTY_TERMS },
    ]);
    assert.equal(ranked.length, 2);
    assert.equal(ranked[0]!.id, 'g');
    assert.ok(ranked.every((r) => Number.isFinite(r.score)));
  });

  test('thousands of votes and a thousand candidates: ranked quickly, without errors', () => {
    const history = Array.from({ length: 3000 }, (_, i) => item(`h${i}`, i % 7 === 0 ? 'saved' : 'upvote', vec(i % DIMS, (i * 7) % DIMS, 0.3)));
    const cands = Array.from({ length: 1000 }, (_, i) => cand(`c${i}`, vec((i * 3) % DIMS, (i * 5) % DIMS, 0.4), i % 50));
    const t = performance.now();
    const ranked = rankForYou(buildProfile(history), cands);
    const ms = performance.now() - t;
    assert.equal(ranked.length, 1000);
    assert.ok(ms < 5000, `took ${ms} ms`); // a bound against runaway cost, loose for busy machines
  });
});
