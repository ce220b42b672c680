/**
 * Marking matched words in titles and abstracts, and choosing the part of an abstract a card shows.
 * Pure: returns segments; the page renders them (escaped by JSX), so no HTML is built here.
 *
 * A word matches when its index term (folded, stemmed) is one of the query's: "networks" in the
 * text matches the query word "network". A quoted phrase matches only where its words stand in a
 * row: for `"graph networks"` a lone "networks" elsewhere is not marked.
 *
 * @example
 * highlight('Graph networks <b>', new Set(['network']))
 * // [{ text: 'Graph ', hit: false }, { text: 'networks', hit: true }, { text: ' <b>', hit: false }]
 */
import { stemWord, tokenize } from './text.ts';

export interface Segment {
  text: string;
  hit: boolean;
}

/** Where a match stands in a text; `key` tells matches apart (a term, or a phrase by its number). */
interface Span {
  start: number;
  end: number;
  key: string;
}

/**
 * The matches in `text`, in order: a query term wherever its words stand, a phrase (its folded
 * words, stop words included, as the search matches it) only where its words stand in a row, marked
 * from its first word to its last. A word of a phrase alone ("GPT" of "GPT-4") is no match.
 */
function matches(text: string, terms: ReadonlySet<string>, phrases: readonly (readonly string[])[]): Span[] {
  const tokens = tokenize(text);
  const spans: Span[] = [];
  const inPhrase = new Uint8Array(tokens.length);
  if (phrases.length > 0) {
    const stems = tokens.map((t) => stemWord(t.word));
    phrases.forEach((phrase, k) => {
      const want = phrase.map((w) => stemWord(w));
      if (want.length === 0) return;
      for (let i = 0; i + want.length <= stems.length; i++) {
        let j = 0;
        while (j < want.length && stems[i + j] === want[j]) j++;
        if (j < want.length) continue;
        spans.push({ start: tokens[i]!.start, end: tokens[i + want.length - 1]!.end, key: `"${k}` });
        inPhrase.fill(1, i, i + want.length);
      }
    });
  }
  tokens.forEach((t, i) => {
    if (!inPhrase[i] && t.term && terms.has(t.term)) spans.push({ start: t.start, end: t.end, key: t.term });
  });
  return spans.sort((a, b) => a.start - b.start);
}

/**
 * Splits `text` into runs, marking the words whose index term is in `terms`, and the places where
 * a phrase's words stand in a row (`phrases`: each as the folded words of the query).
 */
export function highlight(text: string, terms: ReadonlySet<string>, phrases: readonly (readonly string[])[] = []): Segment[] {
  if ((terms.size === 0 && phrases.length === 0) || text.length === 0) return text ? [{ text, hit: false }] : [];
  const out: Segment[] = [];
  let at = 0;
  for (const m of matches(text, terms, phrases)) {
    const start = Math.max(m.start, at); // phrases that overlap ("a b" in "a b b") join
    if (m.end <= start) continue;
    if (start > at) push(out, text.slice(at, start), false);
    push(out, text.slice(start, m.end), true);
    at = m.end;
  }
  if (at < text.length) push(out, text.slice(at), false);
  return out;
}

/** Adds a run, joining it to the previous one when both are hits separated by nothing. */
function push(out: Segment[], text: string, hit: boolean): void {
  const last = out[out.length - 1];
  if (last && last.hit === hit) last.text += text;
  else out.push({ text, hit });
}

/**
 * The part of `text` (at most about `maxChars`) with the most distinct matched terms, cut at word
 * boundaries, with "…" where it was cut, and highlighted. With no match it is the beginning.
 */
export function snippet(text: string, terms: ReadonlySet<string>, maxChars: number, phrases: readonly (readonly string[])[] = []): Segment[] {
  if (text.length <= maxChars) return highlight(text, terms, phrases);
  const hits = matches(text, terms, phrases);
  let bestStart = 0;
  if (hits.length > 0) {
    // Slide a window over the hits; score = distinct terms, then total hits; earliest wins ties.
    let best = -1;
    for (let i = 0; i < hits.length; i++) {
      const start = hits[i]!.start;
      const seen = new Set<string>();
      let count = 0;
      for (let j = i; j < hits.length && hits[j]!.end - start <= maxChars; j++) { seen.add(hits[j]!.key); count++; }
      const score = seen.size * 1000 + count;
      if (score > best) { best = score; bestStart = start; }
    }
    // Start a little before the first hit, at a sentence or word boundary, for context.
    const lead = Math.min(bestStart, Math.floor(maxChars / 4));
    const from = bestStart - lead;
    const sentence = text.lastIndexOf('. ', bestStart);
    if (sentence >= from && sentence + 2 <= bestStart) bestStart = sentence + 2;
    else {
      const space = text.indexOf(' ', from);
      bestStart = from === 0 ? 0 : space >= 0 && space < bestStart ? space + 1 : bestStart;
    }
    // Do not leave the window shorter than it could be at the end of the text.
    if (text.length - bestStart < maxChars) {
      const back = text.length - maxChars;
      const space = text.indexOf(' ', back);
      bestStart = Math.min(bestStart, space >= 0 ? space + 1 : back);
    }
  }
  let end = bestStart + maxChars;
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > bestStart + maxChars * 0.6) end = space;
  } else end = text.length;
  const body = text.slice(bestStart, end).replace(/[\s,;:]+$/, '');
  const segments = highlight(body, terms, phrases);
  if (bestStart > 0) segments.unshift({ text: '…', hit: false });
  if (end < text.length) segments.push({ text: '…', hit: false });
  return mergeAdjacent(segments);
}

function mergeAdjacent(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) push(out, s.text, s.hit);
  return out;
}

/** The plain text of segments (for tests and the JSON API's plain variant). */
export function segmentsText(segments: readonly Segment[]): string {
  return segments.map((s) => s.text).join('');
}

/** Segments as text with `<mark>`-like delimiters chosen by the caller (e.g. for the CLI). */
export function markSegments(segments: readonly Segment[], open: string, close: string): string {
  return segments.map((s) => (s.hit ? `${open}${s.text}${close}` : s.text)).join('');
}
