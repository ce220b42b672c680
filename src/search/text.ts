/**
 * Text analysis shared by indexing, querying and highlighting: split text into words, fold case and
 * accents, drop stop words, stem English words (Porter). Pure and deterministic.
 *
 * Words are runs of letters, digits and combining marks; everything else separates them, so
 * "state-of-the-art" is four words and "GPT-4" two. Han, Hiragana and Katakana characters are
 * one word each (those scripts do not put spaces between words).
 *
 * @example
 * analyze('Networks of Neurons, networking!') // ['network', 'neuron', 'network']
 */
import { porterStem } from './porter.ts';

/** Words longer than this (in UTF-16 units) are cut: no real word is, and it bounds the dictionary. */
export const MAX_WORD_LENGTH = 48;

/**
 * English stop words: frequent function words that carry no topic. A short list: in scientific
 * text words like "effect", "not" or "between" carry meaning (measured on SciFact: a longer list
 * lost nDCG).
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'for', 'from', 'has', 'have', 'in',
  'into', 'is', 'it', 'its', 'of', 'on', 'or', 's', 'such', 't', 'that', 'the', 'their', 'then', 'there',
  'these', 'they', 'this', 'to', 'was', 'were', 'which', 'will', 'with',
]);

const WORD_RE = /[\p{L}\p{N}\p{M}]+/gu;
const IDEOGRAPHIC_RE = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const ASCII_RE = /^[\x00-\x7f]*$/;
const MARKS_RE = /\p{M}+/gu;

/** Lower case with accents removed: "Schrödinger" -> "schrodinger". */
export function foldWord(word: string): string {
  if (ASCII_RE.test(word)) return word.toLowerCase();
  return word.normalize('NFKD').replace(MARKS_RE, '').toLowerCase();
}

/** Stems are cached: a corpus uses far fewer distinct words than it has. */
const stemCache = new Map<string, string>();
const STEM_CACHE_MAX = 200_000;

/** The index term of a folded word: its Porter stem (English letters) or the word itself. */
export function stemWord(folded: string): string {
  let s = stemCache.get(folded);
  if (s === undefined) {
    s = porterStem(folded);
    if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
    stemCache.set(folded, s);
  }
  return s;
}

/** One word of a text with where it is, for highlighting. */
export interface Token {
  /** The folded surface word ("networks"). */
  word: string;
  /** The index term ("network"), or '' for a stop word. */
  term: string;
  /** UTF-16 offsets in the original text: text.slice(start, end) is the word as written. */
  start: number;
  end: number;
}

const ASCII_WORD_RE = /[A-Za-z0-9]+/g;

/** Calls `fn(word, start, end)` for each word of `text`, with offsets into it. */
function eachWord(text: string, fn: (raw: string, start: number, end: number) => void): void {
  if (ASCII_RE.test(text)) {
    // Most abstracts are ASCII: a plain character class is several times faster than \p{...}.
    ASCII_WORD_RE.lastIndex = 0;
    let a: RegExpExecArray | null;
    while ((a = ASCII_WORD_RE.exec(text)) !== null) fn(a[0], a.index, a.index + a[0].length);
    return;
  }
  WORD_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = WORD_RE.exec(text)) !== null) {
    const raw = m[0];
    const start = m.index;
    if (IDEOGRAPHIC_RE.test(raw)) {
      // Ideographs one by one; runs of other letters inside stay together.
      let runStart = -1;
      for (let i = 0; i < raw.length; i++) {
        const ch = raw[i]!;
        if (IDEOGRAPHIC_RE.test(ch)) {
          if (runStart >= 0) { fn(raw.slice(runStart, i), start + runStart, start + i); runStart = -1; }
          fn(ch, start + i, start + i + 1);
        } else if (runStart < 0) runStart = i;
      }
      if (runStart >= 0) fn(raw.slice(runStart), start + runStart, start + raw.length);
    } else {
      fn(raw, start, start + raw.length);
    }
  }
}

/** The words of a text, with offsets, folded and stemmed; stop words have term ''. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  eachWord(text, (raw, start, end) => {
    const word = foldWord(raw.length > MAX_WORD_LENGTH ? raw.slice(0, MAX_WORD_LENGTH) : raw);
    const term = STOP_WORDS.has(word) ? '' : stemWord(word);
    out.push({ word, term, start, end });
  });
  return out;
}

/** The index terms of a text, in order, stop words left out. */
export function analyze(text: string): string[] {
  const out: string[] = [];
  eachWord(text, (raw) => {
    const word = foldWord(raw.length > MAX_WORD_LENGTH ? raw.slice(0, MAX_WORD_LENGTH) : raw);
    if (!STOP_WORDS.has(word)) out.push(stemWord(word));
  });
  return out;
}

/** The folded surface words of a text (no stemming, stop words kept): for "did you mean". */
export function surfaceWords(text: string): string[] {
  const out: string[] = [];
  eachWord(text, (raw) => { out.push(foldWord(raw.length > MAX_WORD_LENGTH ? raw.slice(0, MAX_WORD_LENGTH) : raw)); });
  return out;
}

/**
 * The stems of a text's words (as `surfaceWords` then `stemWord` give them), but '' for every word
 * whose first letter is not in `firsts`: for checking phrases, whose words can only be met by words
 * with their first letter (a stem keeps its word's first letter). Skips the work on the other words.
 */
export function stemsStartingWith(text: string, firsts: ReadonlySet<string>): string[] {
  const out: string[] = [];
  if (!ASCII_RE.test(text)) {
    for (const w of surfaceWords(text)) out.push(firsts.has(w[0]!) ? stemWord(w) : '');
    return out;
  }
  // ASCII (most abstracts): folding is lower-casing, words are runs of [a-z0-9], as in eachWord.
  const lower = text.toLowerCase();
  const n = lower.length;
  let i = 0;
  while (i < n) {
    if (!isAsciiWordChar(lower.charCodeAt(i))) { i++; continue; }
    let j = i + 1;
    while (j < n && isAsciiWordChar(lower.charCodeAt(j))) j++;
    out.push(firsts.has(lower[i]!) ? stemWord(lower.slice(i, Math.min(j, i + MAX_WORD_LENGTH))) : '');
    i = j;
  }
  return out;
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

/** Folded tokens of an author name, for `author:` filters: "Yann LeCun" -> ['yann', 'lecun']. */
export function nameTokens(name: string): string[] {
  return surfaceWords(name);
}

/**
 * Whether an index term mixes letters and digits, as the names of genes, proteins, models and
 * chips do ("nlrp3", "p62", "h100", "llama2"): such a term names one thing (see IDENTIFIER_BOOST).
 */
export function isIdentifier(term: string): boolean {
  return /\p{N}/u.test(term) && /\p{L}/u.test(term);
}
