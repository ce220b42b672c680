import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addSentenceShare, bestSentenceShare, sentenceTerms } from './passage.ts';
import { termWeights } from './pg-engine.ts';

describe('sentences of a paper', () => {
  const cases: [string, string, string[][]][] = [
    ['Tau and APOE4', 'Neurons were grown. APOE4 raised tau phosphorylation!', [['tau', 'apoe4'], ['neuron', 'grown'], ['apoe4', 'rais', 'tau', 'phosphoryl']]],
    ['A title', '', [['titl']]],
    ['', 'One sentence without an end', [['on', 'sentenc', 'without', 'end']]],
    // No split inside numbers or before lower case ("e.g. mice"); a split before a digit or a bracket.
    ['', 'Doses of 2.5 mg, e.g. in mice. 40% responded. (See below.)', [['dose', '2', '5', 'mg', 'e', 'g', 'mice'], ['40', 'respond'], ['see', 'below']]],
    ['', 'The. Of. A.', []],
  ];
  for (const [title, abstract, want] of cases) test(`${JSON.stringify(title)} / ${JSON.stringify(abstract)}`, () => assert.deepEqual(sentenceTerms(title, abstract), want));
});

describe('best-sentence share of the query', () => {
  const weights = new Map([['apoe4', 3], ['neuron', 1], ['tau', 2]]);
  const cases: [string, string[][], number][] = [
    ['the sentence holding the most weight wins', [['tau', 'phosphoryl'], ['apoe4', 'neuron']], 4 / 6],
    ['a sentence with every query term scores 1', [['apoe4', 'tau', 'neuron', 'cell']], 1],
    ['words spread over sentences do not add up', [['apoe4'], ['tau'], ['neuron']], 3 / 6],
    ['a repeated word counts once', [['tau', 'tau', 'tau']], 2 / 6],
    ['no sentence', [], 0],
    ['no query word', [['cell', 'growth']], 0],
  ];
  for (const [name, sentences, want] of cases) test(name, () => assert.ok(Math.abs(bestSentenceShare(sentences, weights) - want) < 1e-12));
  test('a query of no weight shares nothing', () => {
    assert.equal(bestSentenceShare([['tau']], new Map()), 0);
    assert.equal(bestSentenceShare([['tau']], new Map([['tau', 0]])), 0);
  });
});

describe('adding the best-sentence share to a ranking', () => {
  const weights = new Map([['apoe4', 2], ['tau', 1]]);
  const texts = new Map([
    ['scattered', sentenceTerms('A study of neurons', 'APOE4 carriers were enrolled. Tau was measured later.')],
    ['stated', sentenceTerms('Neurons in culture', 'We grew cells. APOE4 increases tau in neurons.')],
    ['deep', sentenceTerms('APOE4 and tau', 'APOE4 raises tau.')],
  ]);
  const ranked = [{ id: 'scattered', score: 1 }, { id: 'stated', score: 0.9 }, { id: 'none', score: 0.8 }, { id: 'deep', score: 0.1 }];
  test('a paper stating the query in one sentence passes one that scatters its words', () => {
    const out = addSentenceShare(ranked, texts, weights, { depth: 3, weight: 0.4 });
    assert.deepEqual(out.map((h) => h.id), ['stated', 'scattered', 'none', 'deep']);
    assert.ok(Math.abs(out[0]!.score - 1.3) < 1e-12); // 0.9 + 0.4 x 1
    assert.ok(Math.abs(out[1]!.score - (1 + 0.4 * (2 / 3))) < 1e-12);
    assert.equal(out[2]!.score, 0.8); // no text: no share
  });
  test('papers below the depth keep their place and score', () => {
    const out = addSentenceShare(ranked, texts, weights, { depth: 3, weight: 0.4 });
    assert.deepEqual(out[3], { id: 'deep', score: 0.1 });
  });
  test('weight 0 or no query terms leave the ranking as it was', () => {
    assert.deepEqual(addSentenceShare(ranked, texts, weights, { depth: 3, weight: 0 }), ranked);
    assert.deepEqual(addSentenceShare(ranked, texts, new Map(), { depth: 3, weight: 0.4 }), ranked);
  });
  test('ties break by id', () => {
    const tied = [{ id: 'b', score: 1 }, { id: 'a', score: 1 }];
    assert.deepEqual(addSentenceShare(tied, new Map(), weights, { depth: 2, weight: 0.4 }).map((h) => h.id), ['a', 'b']);
  });
});

describe('PostgreSQL engine: the share\'s weights', () => {
  test('each term once, whether the query repeats a word or says it in two forms', () => {
    const weightOf = new Map([['APOE4', 3], ['tau', 2], ['models', 1], ['model', 1.5]]);
    assert.deepEqual(termWeights(['APOE4', 'tau', 'APOE4', 'models', 'model', 'the'], weightOf, 'once'), new Map([['apoe4', 3], ['tau', 2], ['model', 1]]));
    // BM25F's weights count each time the query says a term.
    assert.deepEqual(termWeights(['APOE4', 'tau', 'APOE4', 'models', 'model', 'the'], weightOf), new Map([['apoe4', 6], ['tau', 2], ['model', 2.5]]));
  });
});
