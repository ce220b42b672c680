/**
 * Near-synonym matching (pure). A paper that lacks a query word may still say the same thing in
 * other words ("tumour" for "tumor", "decreases" for "reduces"): BM25 gives it nothing for that
 * word. The hybrid ranking credits each of its top candidates with the share of the query's weight
 * held by such words, through pretrained word vectors (word-vectors.ts): a query word the paper
 * lacks counts by how far its nearest word in the paper is above SYNONYM_THRESHOLD in cosine.
 * Words the paper has are BM25's business and count nothing here.
 */
import { rescoreHead } from './fusion.ts';
import type { ParsedQuery } from './query.ts';
import { STOP_WORDS, stemWord, surfaceWords } from './text.ts';

/**
 * At most this many query words (the heaviest) are looked up in a paper: each costs a vector
 * product per word of each of the 30 papers, and a query may hold a few hundred words (phrases).
 */
export const SYNONYM_MAX_WORDS = 32;

/** One distinct query word: its folded form, index term and ranking weight. */
export interface QueryWord {
  word: string;
  term: string;
  weight: number;
}

/** A paper's words as the matching needs them: its index terms, and the rows of its words that have vectors. */
export interface PaperWords {
  terms: ReadonlySet<string>;
  rows: Int32Array;
}

/** The query's distinct words (words and phrase words, stop words aside), one per index term, with the ranking's weight of that term. */
export function distinctQueryWords(q: Pick<ParsedQuery, 'words' | 'phrases'>, weightOf: (term: string) => number): QueryWord[] {
  const out = new Map<string, QueryWord>();
  for (const raw of [...q.words, ...q.phrases.flat()]) {
    for (const word of surfaceWords(raw)) {
      if (STOP_WORDS.has(word)) continue;
      const term = stemWord(word);
      if (!out.has(term)) out.set(term, { word, term, weight: weightOf(term) });
    }
  }
  return [...out.values()];
}

/** A paper's index terms (from its sentences, passage.ts) and the rows of its words (stop words aside) that have vectors. */
export function paperWords(sentences: readonly (readonly string[])[], text: string, vectors: Pick<WordSimilarity, 'row'>): PaperWords {
  const rows = new Set<number>();
  for (const w of surfaceWords(text)) {
    if (STOP_WORDS.has(w)) continue;
    const r = vectors.row(w);
    if (r >= 0) rows.add(r);
  }
  return { terms: new Set(sentences.flat()), rows: Int32Array.from(rows) };
}

/** What the matching needs of word vectors (WordVectors). */
export interface WordSimilarity {
  row(word: string): number;
  similarity(a: number, b: number): number;
}

/**
 * The share of the query's weight (0 to 1) that the paper holds through near-synonyms only: each
 * query word whose term the paper lacks adds weight x (best cosine - threshold) / (1 - threshold)
 * when its nearest word in the paper is above the threshold. Only the first `maxWords` words the
 * paper lacks are looked up (give the query heaviest first); all count in the total.
 *
 * @example
 * // "tumour" is missing but the paper says "tumor" (cosine 0.87): with threshold 0.6,
 * // (0.87 - 0.6) / 0.4 = 0.675 of its weight; "growth" is present and adds nothing.
 * synonymShare([{ word: 'tumour', term: 'tumour', weight: 2 }, { word: 'growth', term: 'growth', weight: 1 }], paper, vectors, 0.6)
 * // 0.675 x 2 / 3 = 0.45
 */
export function synonymShare(query: readonly QueryWord[], paper: PaperWords, vectors: WordSimilarity, threshold: number, maxWords = SYNONYM_MAX_WORDS): number {
  let total = 0;
  let held = 0;
  let looked = 0;
  for (const q of query) {
    if (q.weight <= 0) continue;
    total += q.weight;
    if (paper.terms.has(q.term) || looked++ >= maxWords) continue;
    const row = vectors.row(q.word);
    if (row < 0) continue;
    let best = -1;
    for (const r of paper.rows) {
      const c = vectors.similarity(row, r);
      if (c > best) best = c;
    }
    if (best > threshold) held += q.weight * Math.min(1, (best - threshold) / (1 - threshold));
  }
  return total > 0 ? held / total : 0;
}

/**
 * Adds `weight` x the synonym share, scaled to 0-1 over the first `depth` items (the highest share
 * among them gets the whole weight), to their scores and re-sorts them; the rest follow unchanged.
 * Items without words in `papers` get no share. Ties break by id.
 */
export function addSynonymShare<T extends { id: string; score: number }>(
  ranked: readonly T[], papers: ReadonlyMap<string, PaperWords>, query: readonly QueryWord[], vectors: WordSimilarity,
  opts: { depth: number; weight: number; threshold: number },
): T[] {
  if (opts.weight === 0 || opts.depth <= 0 || query.length === 0) return [...ranked];
  const heaviest = [...query].sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1));
  const head = ranked.slice(0, opts.depth);
  const shares = head.map((h) => {
    const p = papers.get(h.id);
    return p ? synonymShare(heaviest, p, vectors, opts.threshold) : 0;
  });
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of shares) { if (s < lo) lo = s; if (s > hi) hi = s; }
  if (!(hi > lo)) return [...ranked];
  return rescoreHead(ranked, opts.depth, (i) => opts.weight * ((shares[i]! - lo) / (hi - lo)));
}
