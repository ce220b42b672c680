/**
 * "Did you mean": a misspelt word's most common neighbour in the corpus vocabulary. Pure: the
 * vocabulary comes in as a function from a word to the number of papers that use it.
 *
 * Candidates are the words one edit away (a letter deleted, inserted, changed, or two swapped;
 * Norvig's corrector), then, for longer words with no such neighbour, a second deletion or swap. The most used candidate wins, and only if it is used clearly more than the
 * word typed.
 *
 * @example
 * suggestWord('trasnformer', (w) => ({ transformer: 420 })[w] ?? 0) // 'transformer'
 */

import { STOP_WORDS } from './text.ts';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** Words shorter than this are not corrected (too many neighbours, too little to go on). */
export const MIN_SUGGEST_LENGTH = 4;
/** A suggestion must be used by this many times more papers than the word typed. */
export const SUGGEST_RATIO = 10;

/** All strings one edit from `word` (lower-case a-z alphabet). */
export function edits1(word: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i <= word.length; i++) {
    const a = word.slice(0, i);
    const b = word.slice(i);
    if (b) out.add(a + b.slice(1));
    if (b.length > 1) out.add(a + b[1] + b[0] + b.slice(2));
    for (const c of LETTERS) {
      if (b) out.add(a + c + b.slice(1));
      out.add(a + c + b);
    }
  }
  out.delete(word);
  return out;
}

function deletesAndSwaps(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) {
    out.push(word.slice(0, i) + word.slice(i + 1));
    if (i + 1 < word.length) out.push(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  }
  return out;
}

/** The correction of one folded word, or null when it looks right or nothing better is known. */
export function suggestWord(word: string, dfOf: (w: string) => number): string | null {
  if (word.length < MIN_SUGGEST_LENGTH || !/^[a-z]+$/.test(word)) return null;
  const own = dfOf(word);
  let best: string | null = null;
  let bestDf = 0;
  const consider = (w: string) => {
    const df = dfOf(w);
    if (df > bestDf || (df === bestDf && best !== null && df > 0 && w < best)) { best = w; bestDf = df; }
  };
  const near = edits1(word);
  for (const w of near) consider(w);
  if (best === null && word.length >= 6) {
    // Two edits, the second a deletion or a swap only: bounded at about 40 lookups per neighbour.
    for (const w of near) for (const w2 of deletesAndSwaps(w)) if (w2 !== word) consider(w2);
  }
  if (best === null || bestDf < Math.max(2, own * SUGGEST_RATIO)) return null;
  return best;
}

/** Words of one query that "did you mean" tries to correct, at most: each costs a few thousand lookups. */
export const MAX_CORRECTED_WORDS = 3;

/**
 * "Did you mean" for a query's folded words: each of the first MAX_CORRECTED_WORDS that `known`
 * says the corpus barely knows (stop words aside) replaced by its correction; null when none changes.
 * A query of 60 unknown words held the event loop 501 ms before the cap (46 ms with it).
 */
export function correctWords(words: readonly string[], known: (w: string) => boolean, dfOf: (w: string) => number): string[] | null {
  let changed = false;
  let looked = 0;
  const out = words.map((w) => {
    if (STOP_WORDS.has(w) || known(w) || looked++ >= MAX_CORRECTED_WORDS) return w;
    const better = suggestWord(w, dfOf);
    if (better && better !== w) { changed = true; return better; }
    return w;
  });
  return changed ? out : null;
}
