/**
 * Tf-idf term vectors of papers, and the terms two texts (or a paper and a reader's profile) have
 * in common: the "shares: diffusion, distillation" part of a recommendation's reason. Pure: the
 * document frequencies come in as a function (the search index's, in the product).
 *
 * @example
 * const a = termVector('Diffusion distillation', '...', df, n);
 * sharedTerms(a, b, 3) // ['diffusion', 'distillation']
 */
import { isFunctionWord } from '../domain/keywords.ts';
import { tokenize } from '../search/text.ts';

/** A paper's title counts this many times against its abstract: titles name the topic. */
export const TITLE_WEIGHT = 2;
/** Latin-script terms shorter than this (in characters of the stem) say little on their own ("lm", "x"); ideographs are words alone. */
const MIN_TERM_LENGTH = 3;
const SHORT_LATIN_RE = /^[a-z0-9]{1,2}$/;
/** A term in fewer papers than this is unknown to the corpus or a typo: it cannot be "shared". */
const MIN_DF = 2;
/** Terms kept per paper: the strongest ones carry the meaning, the tail only costs time. */
export const MAX_TERMS = 60;

/** Sparse unit-length tf-idf vector: term -> weight, plus the word as written for each term. */
export interface TermVector {
  weights: Map<string, number>;
  /** The folded word most used for each term ("diffusion" for "diffus"). */
  words: Map<string, string>;
}

export const EMPTY_TERMS: TermVector = { weights: new Map(), words: new Map() };

const NUMERIC_RE = /^\d+$/;

/**
 * A text's terms before weighting: each term's count (the title counted TITLE_WEIGHT times) and the
 * folded word most used for it. Depends on the text alone (no corpus statistics), so it can be kept
 * per paper for as long as the paper's text does not change.
 */
export interface TermCounts {
  /** Terms in first-seen order, with their weighted counts. */
  tf: Map<string, number>;
  /** The folded word most used for each term (ties: the smallest). */
  words: Map<string, string>;
}

/**
 * Counts the terms of a title and abstract (the costly part of termVector: tokenizing and stemming).
 * Function words are left out with the keyword extractor's full list: the search engine's list is
 * short on purpose (for ranking), and a reason should never say "shares terms: than".
 */
export function termCounts(title: string, abstract: string): TermCounts {
  const tf = new Map<string, number>();
  const wordCounts = new Map<string, Map<string, number>>();
  const count = (text: string, weight: number) => {
    for (const t of tokenize(text)) {
      if (!t.term || (t.term.length < MIN_TERM_LENGTH && SHORT_LATIN_RE.test(t.term)) || NUMERIC_RE.test(t.term) || isFunctionWord(t.word)) continue;
      tf.set(t.term, (tf.get(t.term) ?? 0) + weight);
      let words = wordCounts.get(t.term);
      if (!words) wordCounts.set(t.term, (words = new Map()));
      words.set(t.word, (words.get(t.word) ?? 0) + 1);
    }
  };
  count(title, TITLE_WEIGHT);
  count(abstract, 1);
  const words = new Map<string, string>();
  for (const [term, counts] of wordCounts) {
    let best = '';
    let bestN = -1;
    for (const [word, n] of counts) if (n > bestN || (n === bestN && word < best)) { best = word; bestN = n; }
    words.set(term, best);
  }
  return { tf, words };
}

/**
 * The tf-idf vector of counted terms: (1 + ln tf) * ln(1 + n / df), the MAX_TERMS strongest terms
 * kept, scaled to unit length.
 */
export function weighTerms(counts: TermCounts, df: (term: string) => number, papers: number): TermVector {
  const scored: [string, number][] = [];
  for (const [term, n] of counts.tf) {
    const d = df(term);
    if (d < MIN_DF) continue;
    scored.push([term, (1 + Math.log(n)) * Math.log(1 + papers / d)]);
  }
  scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = scored.slice(0, MAX_TERMS);
  let norm = 0;
  for (const [, w] of kept) norm += w * w;
  norm = Math.sqrt(norm) || 1;
  const weights = new Map<string, number>();
  const words = new Map<string, string>();
  for (const [term, w] of kept) {
    weights.set(term, w / norm);
    words.set(term, counts.words.get(term)!);
  }
  return { weights, words };
}

/**
 * The tf-idf vector of a title and abstract: (1 + ln tf) * ln(1 + n / df), the title counted
 * TITLE_WEIGHT times, the MAX_TERMS strongest terms kept, scaled to unit length.
 */
export function termVector(title: string, abstract: string, df: (term: string) => number, papers: number): TermVector {
  return weighTerms(termCounts(title, abstract), df, papers);
}

/** Cosine of two term vectors (both unit length, or the profile's sum: then a dot product). */
export function termDot(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [t, w] of small) { const v = large.get(t); if (v !== undefined) s += w * v; }
  return s;
}

/**
 * The `limit` terms that contribute most to the dot product of `a` and `b`, as `a` writes them
 * (strongest first).
 */
export function sharedTerms(a: TermVector, b: ReadonlyMap<string, number>, limit: number): string[] {
  const both: [string, number][] = [];
  for (const [t, w] of a.weights) { const v = b.get(t); if (v !== undefined && v > 0) both.push([t, w * v]); }
  both.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  const out: string[] = [];
  for (const [t] of both) {
    const word = a.words.get(t) ?? t;
    if (!out.includes(word)) out.push(word);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * A term vector's weights as two arrays (no words): `weights[i]` is the weight of `terms[i]`, in the
 * vector's order. About 1.2 KB for 60 terms against about 6 KB for a TermVector's two Maps: the
 * form in which term vectors are kept by the thousand (similar papers' candidates, members' histories).
 */
export interface PackedTerms {
  terms: string[];
  weights: Float64Array;
}

/** The weights of a term vector, packed (same order, same values). */
export function packTerms(tv: TermVector): PackedTerms {
  return { terms: [...tv.weights.keys()], weights: Float64Array.from(tv.weights.values()) };
}

/** Adds `weight` times `v` into a running sum (a reader's term profile). */
export function addInto(sum: Map<string, number>, v: ReadonlyMap<string, number>, weight: number): void {
  for (const [t, w] of v) sum.set(t, (sum.get(t) ?? 0) + w * weight);
}

/** Scales a sparse vector to unit length, in place; returns it. */
export function normalizeTerms(v: Map<string, number>): Map<string, number> {
  let norm = 0;
  for (const w of v.values()) norm += w * w;
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [t, w] of v) v.set(t, w / norm);
  return v;
}
