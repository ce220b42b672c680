/**
 * The search box's language, parsed into a plain object. Pure: no I/O, no clock.
 *
 * - words: `sparse attention` (any of them; more matched ranks higher)
 * - phrases: `"exact phrase"` (must appear, words in this order)
 * - exclusion: `-word`, `-"a phrase"`, `-author:Name`, `-cat:cs.CV`
 * - filters: `author:Name` or `author:"First Last"`, `cat:cs.CL` (or a whole archive: `cat:cs`),
 *   `year:2024` or `year:2020-2024`, `after:2024-01-01` (on or after; `2024` and `2024-05` work
 *   too), `before:2024-06-01` (strictly before), `has:code`
 *
 * Nothing is an error: unbalanced quotes, stray operators, FTS or SQL syntax (`NEAR`, `*`, `(`,
 * `AND`), control characters and other scripts are read as text, and a filter with a value it
 * cannot use becomes text with a note saying so. Very long queries are cut, with a note.
 *
 * @example
 * parseQuery('"graph neural" -survey author:Kipf year:2017')
 * // { words: [], phrases: [['graph', 'neural']], excludedWords: ['survey'], authors: ['Kipf'],
 * //   from: '2017-01-01', to: '2018-01-01', ... }
 */
import { surfaceWords } from './text.ts';

/** Characters of a query that are read; the rest is cut (a search box never needs more). */
export const MAX_QUERY_CHARS = 1_000;
/** Words and phrases taken from one query; more are dropped with a note. */
export const MAX_QUERY_PARTS = 32;

export interface ParsedQuery {
  /** Free words, folded (lower case, no accents), in the order typed; stop words kept. */
  words: string[];
  /** Phrases that must appear, each as its folded words. */
  phrases: string[][];
  excludedWords: string[];
  excludedPhrases: string[][];
  /** Author names as typed (matched on their words, case and accents ignored). */
  authors: string[];
  excludedAuthors: string[];
  /** Categories (`cs.CL`) or archives (`cs`), as arXiv writes them. */
  categories: string[];
  excludedCategories: string[];
  /** Published on or after this day (YYYY-MM-DD), or null. */
  from: string | null;
  /** Published before this day (YYYY-MM-DD, exclusive), or null. */
  to: string | null;
  hasCode: boolean;
  /** What the parser did that the reader should know ("year:20x4 is not a year: searched as words"). */
  notes: string[];
}

/** A query with nothing in it. */
export function emptyQuery(): ParsedQuery {
  return {
    words: [], phrases: [], excludedWords: [], excludedPhrases: [], authors: [], excludedAuthors: [],
    categories: [], excludedCategories: [], from: null, to: null, hasCode: false, notes: [],
  };
}

const CONTROL_RE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const FIELD_RE = /^([A-Za-z]+):(.*)$/s;
const CATEGORY_RE = /^([a-z][a-z-]{0,19})(?:\.([A-Za-z][A-Za-z-]{0,9}))?$/i;
const FIELDS = new Set(['author', 'au', 'cat', 'category', 'year', 'after', 'before', 'has']);

/** Cleans raw input: control and format characters become spaces, and it is cut to MAX_QUERY_CHARS. */
export function cleanQueryText(raw: string): { text: string; cut: boolean } {
  let text = String(raw ?? '').replace(CONTROL_RE, ' ');
  const cut = text.length > MAX_QUERY_CHARS;
  if (cut) {
    text = text.slice(0, MAX_QUERY_CHARS);
    // Do not leave half a surrogate pair at the end.
    if (/[\ud800-\udbff]$/.test(text)) text = text.slice(0, -1);
  }
  return { text: text.trim(), cut };
}

/** arXiv's spelling of a category: archive in lower case, subject class as arXiv writes it. */
export function normalizeCategory(value: string): string | null {
  const m = CATEGORY_RE.exec(value.trim());
  if (!m) return null;
  const archive = m[1]!.toLowerCase();
  if (m[2] === undefined) return archive;
  // arXiv writes two-letter subject classes in upper case (cs.CL, astro-ph.CO, nlin.AO) and longer
  // ones in lower case (physics.optics, cond-mat.mes-hall).
  const subject = m[2].length === 2 ? m[2].toUpperCase() : m[2].toLowerCase();
  return `${archive}.${subject}`;
}

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The day after the last a date may name: `before:` must be able to end there (`year:2999` is `before:3000-01-01`). */
const END_OF_DATES = '3000-01-01';

/** The first day of a YYYY, YYYY-MM or YYYY-MM-DD value, and the first day after it; null when invalid. */
export function parseDateValue(value: string): { start: string; end: string } | null {
  if (value.trim() === END_OF_DATES) return { start: END_OF_DATES, end: '3000-01-02' };
  const m = /^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$/.exec(value.trim());
  if (!m) return null;
  const y = Number(m[1]);
  if (y < 1800 || y > 2999) return null;
  if (m[2] === undefined) return { start: `${y}-01-01`, end: `${y + 1}-01-01` };
  const mo = Number(m[2]);
  if (m[3] === undefined) {
    if (mo < 1 || mo > 12) return null;
    return { start: `${y}-${pad(mo)}-01`, end: mo === 12 ? `${y + 1}-01-01` : `${y}-${pad(mo + 1)}-01` };
  }
  const d = Number(m[3]);
  if (!validDay(y, mo, d)) return null;
  const next = new Date(Date.UTC(y, mo - 1, d + 1));
  return { start: `${y}-${pad(mo)}-${pad(d)}`, end: next.toISOString().slice(0, 10) };
}

/** `year:` values: 2024, 2020-2024, 2020..2024. */
function parseYearValue(value: string): { start: string; end: string } | null {
  const m = /^(\d{4})(?:(?:-|\.\.)(\d{4}))?$/.exec(value.trim());
  if (!m) return null;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 1800 || b > 2999 || b < a) return null;
  return { start: `${a}-01-01`, end: `${b + 1}-01-01` };
}

interface Chunk {
  negated: boolean;
  /** A quoted phrase (the text between the quotes). */
  quoted: boolean;
  text: string;
}

/** Splits cleaned text into chunks: words (possibly field:value, with a quoted value) and quoted phrases. */
function chunks(text: string): Chunk[] {
  const out: Chunk[] = [];
  let i = 0;
  const n = text.length;
  const isSpace = (c: string) => /\s/u.test(c);
  while (i < n) {
    while (i < n && isSpace(text[i]!)) i++;
    if (i >= n) break;
    let negated = false;
    if (text[i] === '-' && i + 1 < n && !isSpace(text[i + 1]!) && text[i + 1] !== '-' && !/\d/.test(text[i + 1]!)) {
      negated = true;
      i++;
    }
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close > i) {
        out.push({ negated, quoted: true, text: text.slice(i + 1, close) });
        i = close + 1;
        continue;
      }
      i++; // an unbalanced quote: dropped, the rest is read as words
      if (negated) negated = false;
      continue;
    }
    let j = i;
    while (j < n && !isSpace(text[j]!) && text[j] !== '"') j++;
    let word = text.slice(i, j);
    // field:"quoted value"
    if (j < n && text[j] === '"' && /^[A-Za-z]+:$/.test(word)) {
      const close = text.indexOf('"', j + 1);
      if (close > j) {
        word += text.slice(j + 1, close);
        out.push({ negated, quoted: false, text: word });
        i = close + 1;
        continue;
      }
      // Unbalanced: drop the quote, the value is the word after it.
      let k = j + 1;
      while (k < n && !isSpace(text[k]!) && text[k] !== '"') k++;
      word += text.slice(j + 1, k);
      j = k;
    }
    if (word) out.push({ negated, quoted: false, text: word });
    i = j;
  }
  return out;
}

/** Parses a search query; never throws. */
export function parseQuery(raw: string): ParsedQuery {
  const q = emptyQuery();
  const { text, cut } = cleanQueryText(raw);
  if (cut) q.notes.push(`The query was cut to its first ${MAX_QUERY_CHARS} characters.`);
  let parts = 0;
  let dropped = false;
  const take = () => {
    if (parts >= MAX_QUERY_PARTS) { dropped = true; return false; }
    parts++;
    return true;
  };
  const addWords = (s: string, negated: boolean) => {
    for (const w of surfaceWords(s)) {
      if (!take()) return;
      (negated ? q.excludedWords : q.words).push(w);
    }
  };
  const narrow = (range: { start: string; end: string }) => {
    if (q.from === null || range.start > q.from) q.from = range.start;
    if (q.to === null || range.end < q.to) q.to = range.end;
  };

  for (const c of chunks(text)) {
    if (c.quoted) {
      const words = surfaceWords(c.text);
      if (words.length === 0) continue;
      if (words.length === 1) { addWords(c.text, c.negated); continue; }
      if (!take()) continue;
      (c.negated ? q.excludedPhrases : q.phrases).push(words);
      continue;
    }
    const f = FIELD_RE.exec(c.text);
    const field = f?.[1]?.toLowerCase();
    if (!f || !field || !FIELDS.has(field)) { addWords(c.text, c.negated); continue; }
    const value = f[2]!.trim();
    const asText = (why: string) => {
      q.notes.push(`${c.text.slice(0, 60)}: ${why}; searched as words.`);
      addWords(value ? `${field} ${value}` : field, c.negated);
    };
    switch (field) {
      case 'author':
      case 'au': {
        if (surfaceWords(value).length === 0) { asText('no author name given'); break; }
        (c.negated ? q.excludedAuthors : q.authors).push(value.slice(0, 100));
        break;
      }
      case 'cat':
      case 'category': {
        const cat = normalizeCategory(value);
        if (!cat) { asText('not an arXiv category (like cs.CL)'); break; }
        (c.negated ? q.excludedCategories : q.categories).push(cat);
        break;
      }
      case 'year': {
        const range = parseYearValue(value);
        if (!range || c.negated) { asText('not a year (like 2024 or 2020-2024)'); break; }
        narrow(range);
        break;
      }
      case 'after':
      case 'before': {
        const d = parseDateValue(value);
        if (!d || c.negated) { asText('not a date (like 2024-01-31, 2024-01 or 2024)'); break; }
        if (field === 'after') narrow({ start: d.start, end: '9999-12-31' });
        else narrow({ start: '0000-01-01', end: d.start });
        break;
      }
      case 'has': {
        if (value.toLowerCase() !== 'code' || c.negated) { asText('only has:code is understood'); break; }
        q.hasCode = true;
        break;
      }
    }
  }
  if (q.from === '0000-01-01') q.from = null;
  if (q.to === '9999-12-31') q.to = null;
  if (dropped) q.notes.push(`Only the first ${MAX_QUERY_PARTS} words and phrases were used.`);
  q.categories = [...new Set(q.categories)];
  q.excludedCategories = [...new Set(q.excludedCategories)];
  return q;
}

/** True when the query asks for nothing: no words, phrases or filters. */
export function isEmptyQuery(q: ParsedQuery): boolean {
  return q.words.length === 0 && q.phrases.length === 0 && !hasFilters(q) && q.excludedWords.length === 0 && q.excludedPhrases.length === 0;
}

/** True when the query restricts by author, category, date or code. */
export function hasFilters(q: ParsedQuery): boolean {
  return q.authors.length > 0 || q.excludedAuthors.length > 0 || q.categories.length > 0 || q.excludedCategories.length > 0
    || q.from !== null || q.to !== null || q.hasCode;
}

const quoteIfNeeded = (s: string) => (/[\s"]/.test(s) ? `"${s.replace(/"/g, '')}"` : s);

/**
 * The query as it was understood, in the search box's own syntax: what the page says was searched.
 *
 * @example
 * describeQuery(parseQuery('Graph  NEAR(x) "neural net" -old')) // 'graph near x "neural net" -old'
 */
export function describeQuery(q: ParsedQuery): string {
  const parts: string[] = [
    ...q.words,
    ...q.phrases.map((p) => `"${p.join(' ')}"`),
    ...q.excludedWords.map((w) => `-${w}`),
    ...q.excludedPhrases.map((p) => `-"${p.join(' ')}"`),
    ...q.authors.map((a) => `author:${quoteIfNeeded(a)}`),
    ...q.excludedAuthors.map((a) => `-author:${quoteIfNeeded(a)}`),
    ...q.categories.map((c) => `cat:${c}`),
    ...q.excludedCategories.map((c) => `-cat:${c}`),
  ];
  if (q.from) parts.push(`after:${q.from}`);
  if (q.to) parts.push(`before:${q.to}`);
  if (q.hasCode) parts.push('has:code');
  return parts.join(' ');
}
