/**
 * Best-sentence matching (pure). A claim or a remembered finding is usually stated in one sentence
 * of the paper that makes it: a paper whose single sentence holds most of the query's weight is a
 * better answer than one that scatters the same words over its abstract. The hybrid ranking adds
 * this share to the score of its top candidates (SENTENCE_WEIGHT in search-index.ts).
 */
import { rescoreHead } from './fusion.ts';
import { analyze } from './text.ts';

/** Sentence ends: a full stop, question or exclamation mark, then a capital, digit or bracket. */
const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z(\d])/;

/** A paper's sentences as index terms: the title is one, then each sentence of the abstract. */
export function sentenceTerms(title: string, abstract: string): string[][] {
  const out: string[][] = [];
  for (const s of [title, ...abstract.split(SENTENCE_END)]) {
    const terms = analyze(s);
    if (terms.length > 0) out.push(terms);
  }
  return out;
}

/**
 * The largest share of the query's total weight that one sentence holds (0 to 1). Each distinct
 * query term counts once per sentence, with its weight (idf x burstiness x identifier boost, as in
 * ranking); a sentence holding every query term scores 1.
 *
 * @example
 * bestSentenceShare([['tau', 'phosphoryl'], ['apoe4', 'neuron']], new Map([['apoe4', 3], ['neuron', 1], ['tau', 2]]))
 * // 4 / 6: the second sentence holds apoe4 and neuron
 */
export function bestSentenceShare(sentences: readonly (readonly string[])[], weights: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const w of weights.values()) if (w > 0) total += w;
  if (total === 0) return 0;
  let best = 0;
  for (const sentence of sentences) {
    let held = 0;
    for (const t of new Set(sentence)) {
      const w = weights.get(t);
      if (w !== undefined && w > 0) held += w;
    }
    if (held > best) best = held;
  }
  return best / total;
}

/**
 * Adds `weight` x the best-sentence share to the scores of the first `depth` items of a ranking
 * (sorted by score, best first) and re-sorts them; the rest follow unchanged. `sentences` holds
 * each paper's `sentenceTerms`; items without get no share. Ties break by id, so the order is
 * deterministic.
 */
export function addSentenceShare<T extends { id: string; score: number }>(
  ranked: readonly T[], sentences: ReadonlyMap<string, readonly (readonly string[])[]>,
  weights: ReadonlyMap<string, number>, opts: { depth: number; weight: number },
): T[] {
  if (opts.weight === 0 || opts.depth <= 0 || weights.size === 0) return [...ranked];
  return rescoreHead(ranked, opts.depth, (i) => {
    const s = sentences.get(ranked[i]!.id);
    return s ? opts.weight * bestSentenceShare(s, weights) : 0;
  });
}
