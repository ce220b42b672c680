import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { porterStem } from './porter.ts';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { analyze, isIdentifier, stemWord, stemsStartingWith, surfaceWords, tokenize } from './text.ts';
import { highlight, markSegments, segmentsText, snippet } from './highlight.ts';
import { minMaxNormalize, neighbourSmoothing, reciprocalRankFusion, weightedScoreFusion } from './fusion.ts';
import { ndcgAt, recallAt } from './metrics.ts';
import { correctWords, edits1, suggestWord } from './suggest.ts';

describe('Porter stemmer (reference vocabulary)', () => {
  const cases: [string, string][] = [
    ['caresses', 'caress'], ['ponies', 'poni'], ['cats', 'cat'], ['feed', 'feed'], ['agreed', 'agre'], ['plastered', 'plaster'],
    ['motoring', 'motor'], ['sing', 'sing'], ['conflated', 'conflat'], ['troubled', 'troubl'], ['sized', 'size'], ['hopping', 'hop'],
    ['falling', 'fall'], ['filing', 'file'], ['happy', 'happi'], ['relational', 'relat'], ['conditional', 'condit'], ['digitizer', 'digit'],
    ['vietnamization', 'vietnam'], ['predication', 'predic'], ['hopefulness', 'hope'], ['formality', 'formal'], ['triplicate', 'triplic'],
    ['electrical', 'electr'], ['revival', reviv()], ['adjustment', 'adjust'], ['adoption', 'adopt'], ['controll', 'control'], ['rate', 'rate'],
    ['networks', 'network'], ['networking', 'network'], ['generalization', 'gener'], ['yes', 'ye'], ['by', 'by'],
  ];
  function reviv() { return 'reviv'; }
  for (const [w, s] of cases) test(`${w} -> ${s}`, () => assert.equal(porterStem(w), s));
});

describe('analyze and tokenize', () => {
  test('folds case and accents, drops stop words, stems', () => {
    assert.deepEqual(analyze('The Networks of Schrödinger, networking!'), ['network', 'schroding', 'network']);
  });
  test('splits hyphens and keeps numbers', () => {
    assert.deepEqual(analyze('state-of-the-art GPT-4'), ['state', 'art', 'gpt', '4']);
  });
  test('ideographs are one word each; offsets point into the original', () => {
    const text = 'BERT 注意力 model';
    const toks = tokenize(text);
    assert.deepEqual(toks.map((t) => text.slice(t.start, t.end)), ['BERT', '注', '意', '力', 'model']);
  });
});

describe('stems for phrase checks', () => {
  // The demo corpus's titles and abstracts: every word a phrase could meet there.
  const demo = zlib.gunzipSync(fs.readFileSync(new URL('../../demo/arxiv-cs-2025-05-06.jsonl.gz', import.meta.url))).toString('utf8')
    .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { title?: string; abstract?: string }).map((p) => `${p.title ?? ''} ${p.abstract ?? ''}`);

  test('a stem keeps its word\'s first letter (phrase checks stem only words that start like a phrase word)', () => {
    const words = new Set(demo.flatMap((t) => surfaceWords(t)));
    assert.ok(words.size > 30_000);
    for (const w of [...words, 'ies', 'sses', 'yes', 'ying', 'y', 'eed', 'ing', 'é', '東京']) assert.equal(stemWord(w).charAt(0), w.charAt(0), w);
  });

  test('are the stems of the text\'s words, with \'\' for words starting otherwise', () => {
    const firsts = new Set(['n', 'g', 's', '東', '2']);
    const texts = [
      ...demo.slice(0, 300),
      'Graph NEURAL networks, state-of-the-art; Schrödinger’s Nets and 東京 graphs in 2024 (GPT-4).',
      `Soooo${'o'.repeat(60)}long words, naïve señor, SPACES\tand\nnew lines`,
      `ASCII only: N${'e'.repeat(70)}twork S${'o'.repeat(50)} graphs_and-nets 42 n2v`,
      '',
    ];
    for (const t of texts) {
      const want = surfaceWords(t).map((w) => (firsts.has(w.charAt(0)) ? stemWord(w) : ''));
      assert.deepEqual(stemsStartingWith(t, firsts), want, t.slice(0, 60));
    }
  });
});

describe('highlight and snippet', () => {
  const terms = new Set(['network', 'graph']);
  test('marks matched words by their stem, keeps the rest as text (markup stays text)', () => {
    const segs = highlight('Graph networks <b>beat</b> trees', terms);
    assert.deepEqual(segs, [
      { text: 'Graph', hit: true }, { text: ' ', hit: false }, { text: 'networks', hit: true }, { text: ' <b>beat</b> trees', hit: false },
    ]);
    assert.equal(segmentsText(segs), 'Graph networks <b>beat</b> trees');
  });
  test('no terms: one plain segment', () => assert.deepEqual(highlight('abc', new Set()), [{ text: 'abc', hit: false }]));
  test('a snippet centres on the matches and marks cuts', () => {
    const text = `${'Filler words come first here. '.repeat(20)}Then graph networks appear. ${'More filler after. '.repeat(20)}`;
    const s = snippet(text, terms, 120);
    const plain = segmentsText(s);
    assert.ok(plain.startsWith('…') && plain.endsWith('…'), plain);
    assert.ok(plain.length <= 125, String(plain.length));
    assert.match(markSegments(s, '[', ']'), /\[graph\] \[networks\]/i);
  });
  test('a short text is the snippet, no cut', () => assert.equal(segmentsText(snippet('Graph nets.', terms, 100)), 'Graph nets.'));
  test('a phrase is marked where its words stand in a row, from its first word to its last; its words alone are not', () => {
    const cases: [text: string, words: string[], phrases: string[][], marked: string][] = [
      ['We test GPT-4 against 4 baselines and GPT-3.', [], [['gpt', '4']], 'We test [GPT-4] against 4 baselines and GPT-3.'],
      ['Graph networks; a network of graphs.', [], [['graph', 'network']], '[Graph networks]; a network of graphs.'],
      ['The state of the art, and the art of state.', [], [['state', 'of', 'the', 'art']], 'The [state of the art], and the art of state.'],
      // A free word is marked anywhere, also inside the phrase; the phrase's other words only in it.
      ['Graph networks; a network of graphs.', ['graphs'], [['graph', 'network']], '[Graph networks]; a network of [graphs].'],
      ['a b a b', [], [['a', 'b', 'a']], '[a b a] b'],
      ['b b b', [], [['b', 'b']], '[b b b]'],
      ['No phrase here at all.', [], [['graph', 'network']], 'No phrase here at all.'],
    ];
    for (const [text, words, phrases, marked] of cases) {
      const free = new Set(words.flatMap((w) => analyze(w)));
      assert.equal(markSegments(highlight(text, free, phrases), '[', ']'), marked, text);
    }
  });
  test('a snippet centres on a phrase, not on its words elsewhere', () => {
    const text = `${'Graph methods come first here. '.repeat(10)}Then graph networks appear. ${'More networks after. '.repeat(10)}`;
    const marked = markSegments(snippet(text, new Set(), 80, [['graph', 'network']]), '[', ']');
    assert.match(marked, /\[graph networks\]/);
    assert.equal(marked.match(/\[/g)?.length, 1, marked);
  });
});

describe('fusion', () => {
  test('reciprocal-rank fusion', () => {
    const fused = reciprocalRankFusion([[{ id: 'a', score: 9 }, { id: 'b', score: 1 }], [{ id: 'b', score: 0.9 }]]);
    assert.deepEqual(fused.map((f) => f.id), ['b', 'a']);
    assert.ok(Math.abs(fused[0]!.score - (1 / 62 + 1 / 61)) < 1e-12);
  });
  test('min-max normalisation', () => {
    assert.deepEqual(minMaxNormalize([{ id: 1, score: 5 }, { id: 2, score: 3 }, { id: 3, score: 1 }]).map((s) => s.score), [1, 0.5, 0]);
    assert.deepEqual(minMaxNormalize([{ id: 1, score: 2 }]).map((s) => s.score), [1]);
  });
  test('weighted fusion: weights decide, missing counts as 0, ties by id', () => {
    const a = [{ id: 'x', score: 10 }, { id: 'y', score: 0 }];
    const b = [{ id: 'y', score: 1 }, { id: 'z', score: 0 }];
    assert.deepEqual(weightedScoreFusion([a, b], [1, 0.5]).map((s) => [s.id, s.score]), [['x', 1], ['y', 0.5], ['z', 0]]);
    assert.deepEqual(weightedScoreFusion([a, b], [0.2, 1]).map((s) => s.id), ['y', 'x', 'z']);
  });
  test('neighbour smoothing: a candidate like other good candidates rises, a loner keeps its score', () => {
    // 0 and 1 are alike and both good; 2 is a loner; 3 is like 0 and 1 but scored low.
    const sim = [
      [1, 0.9, 0, 0.8],
      [0.9, 1, 0, 0.8],
      [0, 0, 1, 0],
      [0.8, 0.8, 0, 1],
    ];
    const scores = [1, 0.9, 0.7, 0.6];
    const out = neighbourSmoothing(scores, (i, j) => sim[i]![j]!, { neighbours: 2, weight: 0.5 });
    assert.equal(out[2], 0.7); // no neighbour with positive similarity: unchanged
    assert.ok(out[3]! > 0.7 && out[3]! > scores[3]!, `${out[3]}`); // pulled up past the loner
    assert.ok(out[0]! < scores[0]!); // pulled towards its (lower-scored) neighbours
    assert.deepEqual(neighbourSmoothing(scores, (i, j) => sim[i]![j]!, { neighbours: 2, weight: 0 }), scores);
    const noVector = neighbourSmoothing(scores, (i, j) => sim[i]![j]!, { neighbours: 2, weight: 0.5, usable: (i) => i !== 0 });
    assert.equal(noVector[0], 1); // an item without a vector neither moves...
    assert.ok(Math.abs(noVector[1]! - (0.5 * 0.9 + 0.5 * 0.6)) < 1e-12); // ...nor counts as a neighbour
  });
});

describe('identifier terms', () => {
  const cases: [string, boolean][] = [
    ['nlrp3', true], ['p62', true], ['h100', true], ['3d', true], ['llama2', true],
    ['protein', false], ['2024', false], ['', false], ['α2', true], ['量子', false],
  ];
  for (const [term, want] of cases) test(`${term || '(empty)'} -> ${want}`, () => assert.equal(isIdentifier(term), want));
});

describe('metrics', () => {
  const j = new Map([['a', 1], ['b', 1]]);
  test('nDCG@10', () => {
    assert.equal(ndcgAt(['a', 'b'], j, 10), 1);
    assert.ok(Math.abs(ndcgAt(['a', 'x', 'b'], j, 10) - (1 + 1 / 2) / (1 + 1 / Math.log2(3))) < 1e-12);
    assert.equal(ndcgAt(['x'], j, 10), 0);
  });
  test('recall@k', () => assert.equal(recallAt(['a', 'x', 'b'], j, 2), 0.5));
});

describe('did you mean', () => {
  const vocab: Record<string, number> = { transformer: 420, attention: 300, retrieval: 90, retrieve: 40 };
  const df = (w: string) => vocab[w] ?? 0;
  test('one edit: swaps, deletions, insertions, changes', () => {
    assert.equal(suggestWord('trasnformer', df), 'transformer');
    assert.equal(suggestWord('atention', df), 'attention');
    assert.equal(suggestWord('attentionn', df), 'attention');
    assert.equal(suggestWord('retreival', df), 'retrieval');
  });
  test('two edits for longer words', () => assert.equal(suggestWord('trnasfromer', df), 'transformer'));
  test('known or short words are left alone', () => {
    assert.equal(suggestWord('attention', df), null);
    assert.equal(suggestWord('atn', df), null);
    assert.equal(suggestWord('zzzzzz', df), null);
  });
  test('edits1 of a short word', () => { const e = edits1('abc'); assert.ok(e.has('bac') && e.has('ab') && e.has('abcd') && !e.has('abc')); });
  test('a query: known words and stop words kept, the first three unknown words corrected, no more', () => {
    const known = (w: string) => df(w) > 2;
    assert.equal(correctWords(['the', 'atention', 'transformer'], known, df)?.join(' '), 'the attention transformer');
    assert.equal(correctWords(['attention', 'zzzzzz'], known, df), null, 'nothing better known: no suggestion');
    assert.deepEqual(correctWords(['zzzzzz', 'atention', 'retreival', 'trasnformer', 'atention'], known, df),
      ['zzzzzz', 'attention', 'retrieval', 'trasnformer', 'atention'], 'three looked at (the first found nothing), the rest left as typed');
  });
});
