/**
 * Helpers shared by the adapters that map parsed arXiv documents to {@link PaperRecord}:
 * whitespace, timestamps, author lists, withdrawal and size limits. Pure functions.
 */
import { parseArxivId, type ArxivId } from '../domain/arxiv-id.ts';
import type { PaperRecord } from '../domain/paper.ts';

/** Longest title accepted. arXiv's longest real titles are a few hundred characters. */
export const MAX_TITLE_CHARS = 1_000;
/** Longest abstract accepted. arXiv caps abstracts at 1,920 characters; TeX escapes add a little. */
export const MAX_ABSTRACT_CHARS = 10_000;
/**
 * Most authors accepted on one paper. Large collaborations (LIGO/Virgo/KAGRA, ATLAS, CMS) sign
 * with one to three thousand names, which must pass; beyond this the field is corrupt.
 */
export const MAX_AUTHORS = 5_000;
/** Longest single author name accepted, after affiliations are removed. */
export const MAX_AUTHOR_NAME_CHARS = 300;
/** Longest comment, journal reference or DOI field kept; longer ones reject the record. */
export const MAX_SHORT_FIELD_CHARS = 5_000;

/** Earliest and latest plausible years for an arXiv timestamp (arXiv began in August 1991). */
const MIN_YEAR = 1990;
const MAX_YEAR = 2999;

/** Thrown by adapters to skip one record; the parser turns it into a `{ reason, entry }` issue. */
export class RecordRejected extends Error {}

/** Collapses every run of whitespace (arXiv wraps lines at ~80 columns) to one space, trimmed. */
export function collapseWhitespace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Collapsed text, or null when absent or blank. */
export function optionalText(s: string | undefined): string | null {
  if (s === undefined) return null;
  const t = collapseWhitespace(s);
  return t === '' ? null : t;
}

/** Parses an arXiv id or rejects the record, naming the field it came from. */
export function requireArxivId(raw: string | undefined, field: string): ArxivId {
  if (raw === undefined || raw.trim() === '') throw new RecordRejected(`missing ${field}`);
  const parsed = parseArxivId(raw.trim());
  if (!parsed) throw new RecordRejected(`invalid arXiv id in ${field}: ${JSON.stringify(clip(raw))}`);
  return parsed;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Normalises an ISO 8601 date or timestamp to `YYYY-MM-DDTHH:MM:SSZ` (UTC). A date alone means
 * midnight UTC; a time without zone is taken as UTC. Returns null for anything invalid,
 * including impossible dates (2023-02-30) and implausible years.
 */
export function isoToUtc(s: string): string | null {
  const m = ISO_RE.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', zone] = m;
  return utcString(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), zoneOffsetMinutes(zone));
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};
const RFC822_RE = new RegExp(
  '^(?:[A-Za-z]{3},\\s*)?(\\d{1,2})\\s+([A-Za-z]{3})\\s+(\\d{4})\\s+(\\d{2}):(\\d{2})(?::(\\d{2}))?\\s*' +
    '(GMT|UTC?|Z|EST|EDT|CST|CDT|MST|MDT|PST|PDT|[+-]\\d{4})$',
  'i',
);
const NAMED_ZONES: Record<string, number> = {
  gmt: 0, ut: 0, utc: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
};

/**
 * Parses an RFC 822/2822 date (`Tue, 3 Apr 2007 22:04:11 GMT`, `Thu, 28 Nov 2024 00:00:00 -0500`).
 * Returns the instant in UTC and the calendar day as written (the day in the sender's zone,
 * which is the listing day for arXiv's Eastern-time announcements), or null when invalid.
 */
export function parseRfc822(s: string): { iso: string; day: string } | null {
  const m = RFC822_RE.exec(collapseWhitespace(s));
  if (!m) return null;
  const [, d, monName, y, h, mi, sec = '00', zone] = m;
  const mo = MONTHS[monName!.toLowerCase()];
  if (mo === undefined) return null;
  const offset = zoneOffsetMinutes(zone);
  const iso = utcString(Number(y), mo, Number(d), Number(h), Number(mi), Number(sec), offset);
  if (iso === null) return null;
  return { iso, day: `${y}-${pad(mo)}-${pad(Number(d))}` };
}

/** Rejects the record unless `raw` (when present) is a valid timestamp in the given format. */
export function requireTimestamp(raw: string | undefined, field: string, format: 'iso' | 'rfc822'): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  const iso = format === 'iso' ? isoToUtc(raw) : parseRfc822(raw)?.iso ?? null;
  if (iso === null) throw new RecordRejected(`invalid ${field} date: ${JSON.stringify(clip(raw))}`);
  return iso;
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone) return 0;
  const named = NAMED_ZONES[zone.toLowerCase()];
  if (named !== undefined) return named;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function utcString(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  offsetMin: number,
): string | null {
  if (y < MIN_YEAR || y > MAX_YEAR || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59));
  const check = new Date(local);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null; // 30 February
  return new Date(local - offsetMin * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

const NAME_SUFFIX = /^(?:jr|sr|ii|iii|iv)\.?$/i;
const ET_AL = /^et\.?\s+al\.?$/i;

/**
 * Splits an arXiv author string (`A. One, B. Two (MIT), and C. Three`) into display names.
 * Separators are commas, semicolons and the word "and" outside parentheses; affiliations in
 * parentheses are dropped; TeX accents become Unicode (`Schr\"odinger` -> `Schrödinger`).
 */
export function splitAuthors(raw: string): string[] {
  const s = collapseWhitespace(raw);
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  const cut = (end: number, next: number) => {
    parts.push(s.slice(start, end));
    start = next;
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      if (ch === ',' || ch === ';') cut(i, i + 1);
      else if (ch === ' ' && s.startsWith(' and ', i)) {
        cut(i, i + 5);
        i += 4;
      }
    }
  }
  cut(s.length, s.length);
  const names: string[] = [];
  for (const part of parts) {
    const name = cleanAuthorName(part);
    if (name === '' || ET_AL.test(name)) continue;
    if (NAME_SUFFIX.test(name) && names.length > 0) {
      names[names.length - 1] += ` ${name}`;
      continue;
    }
    names.push(name);
  }
  return names;
}

/** One display name: parenthesised affiliations removed, TeX accents decoded, whitespace collapsed. */
export function cleanAuthorName(raw: string): string {
  let s = raw;
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/\([^()]*\)/g, ' ');
  }
  return collapseWhitespace(detexAccents(s)).replace(/^and\s+/i, '');
}

const COMBINING: Record<string, string> = {
  "'": '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304', '.': '\u0307',
  u: '\u0306', v: '\u030C', H: '\u030B', c: '\u0327', k: '\u0328', r: '\u030A',
};
const LETTERS: Record<string, string> = {
  ss: 'ß', o: 'ø', O: 'Ø', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', aa: 'å', AA: 'Å',
  l: 'ł', L: 'Ł', i: 'ı', j: 'ȷ',
  dh: 'ð', DH: 'Ð', th: 'þ', TH: 'Þ', dj: 'đ', DJ: 'Đ', ng: 'ŋ', NG: 'Ŋ',
};

// An accent command, then its letter braced ({e}, {\i}) or bare (e, \i).
const ACCENTED_LETTER =
  /\\(['`^"~=.]|[uvHckr](?=[\s{]))\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))/g;
// TeX swallows one space after a control word: `Stra\ss e` is `Straße`.
const LETTER_COMMAND = /\\(ss|ae|AE|oe|OE|aa|AA|dh|DH|th|TH|dj|DJ|ng|NG|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}| )?/g;

/**
 * Decodes TeX accent commands common in arXiv author names (`\'e`, `\"{o}`, `{\v s}`, `\c{c}`,
 * `\ss`, `\o`, `\dh`) to Unicode (NFC). For titles and abstracts, which may hold mathematics,
 * use {@link detexText}.
 */
export function detexAccents(s: string): string {
  if (!s.includes('\\')) return s;
  // Braces that only grouped a decoded letter: {ö} -> ö (not the argument of a command: \emph{x})
  return decodeAccentCommands(s).replace(/(?<!\\[A-Za-z]+)\{([^{}\\]*)\}/g, '$1').normalize('NFC');
}

/** The accent and letter commands decoded, nothing else changed (NFD until the caller normalises). */
function decodeAccentCommands(s: string): string {
  return s
    // \'{e}, \'e, \' e, \v{s}, \c c: accent + letter (optionally braced), possibly \i or \j
    .replace(ACCENTED_LETTER, (_m, acc: string, braced?: string, bare?: string) => {
      const letter = braced ?? bare ?? '';
      const base = letter === '\\i' ? 'i' : letter === '\\j' ? 'j' : letter;
      return base + (COMBINING[acc] ?? '');
    })
    // \ss, \o, \ae ... as whole commands (followed by a non-letter, {} or end)
    .replace(LETTER_COMMAND, (_m, cmd: string) => LETTERS[cmd] ?? cmd);
}

/**
 * TeX escapes of characters that are special to TeX, as arXiv titles and abstracts write them. `\$`
 * stays: unescaped, a price would read as the start of inline math to whatever renders `$...$`.
 */
const ESCAPED_CHAR = /\\([&%_#])/g;
/** Braces around one decoded letter (`{\"o}` became `{ö}`): the only braces text loses. */
const BRACED_LETTER = /\{(\p{L}\p{M}*)\}/gu;

/**
 * Decodes a title or abstract as a reader sees it: TeX accents (`Gr\"obner` → `Gröbner`,
 * `{\"o}` → `ö`) and escaped characters (`\&` → `&`, `\%`, `\_`, `\#`), outside mathematics only.
 * Math (`$...$`, `$$...$$`, `\(...\)`, `\[...\]`) is kept exactly as written, for the page's math
 * rendering; so are `\$`, any other command and any other braces.
 */
export function detexText(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  let text = '';
  const flush = () => {
    out += text.includes('\\') ? decodeAccentCommands(text).normalize('NFC').replace(BRACED_LETTER, '$1').replace(ESCAPED_CHAR, '$1') : text;
    text = '';
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    let close: string | null = null;
    let open = 0;
    if (ch === '\\') {
      const next = s[i + 1];
      if (next === '(') { close = '\\)'; open = 2; }
      else if (next === '[') { close = '\\]'; open = 2; }
      else { text += s.slice(i, i + 2); i += 2; continue; } // an escape or a command: never a math delimiter
    } else if (ch === '$') {
      close = s[i + 1] === '$' ? '$$' : '$';
      open = close.length;
    }
    if (close !== null) {
      const end = findClose(s, i + open, close);
      if (end >= 0) {
        flush();
        out += s.slice(i, end + close.length);
        i = end + close.length;
        continue;
      }
    }
    text += ch;
    i++;
  }
  flush();
  return out;
}

/** Where `close` ends math opened before `from`, skipping escaped characters; -1 when it never does. */
function findClose(s: string, from: number, close: string): number {
  for (let j = from; j < s.length; j++) {
    if (s.startsWith(close, j)) return j;
    if (s[j] === '\\') j++; // an escaped character (\$ inside $...$) is not the end
  }
  return -1;
}

const WITHDRAWN_START = new RegExp(
  '^\\s*(?:v\\d+\\s*[:;,.-]?\\s*)?' + // an optional "v2:" prefix
    '(?:this\\s+(?:paper|article|manuscript|submission|preprint|work|version|note)\\s+(?:has\\s+been|is|was)\\s+)?' +
    'withdrawn\\b',
  'i',
);
const WITHDRAWN_ANYWHERE = /\b(?:paper|article|manuscript|submission|preprint)\s+has\s+been\s+withdrawn\b/i;
const ZERO_SIZE = /^\s*0\s*kb\s*$/i;

/**
 * Whether the latest version withdraws the paper. arXiv marks withdrawals by a 0kb latest
 * version and by comments or abstracts such as "This paper has been withdrawn by the author".
 * A 0kb version followed by a real one is a replaced withdrawal, not a withdrawn paper.
 */
export function isWithdrawn(input: {
  comment?: string | null;
  abstract?: string | null;
  latestSize?: string | null;
}): boolean {
  if (input.latestSize && ZERO_SIZE.test(input.latestSize)) return true;
  const c = input.comment ?? '';
  if (WITHDRAWN_START.test(c) || WITHDRAWN_ANYWHERE.test(c)) return true;
  return WITHDRAWN_START.test(input.abstract ?? '');
}

/** Rejects a record whose fields are too large to be real (see the MAX_* constants). */
export function checkSizes(r: PaperRecord): void {
  if (r.title.length > MAX_TITLE_CHARS) {
    throw new RecordRejected(`title too long (${r.title.length} > ${MAX_TITLE_CHARS} chars)`);
  }
  if (r.abstract.length > MAX_ABSTRACT_CHARS) {
    throw new RecordRejected(`abstract too long (${r.abstract.length} > ${MAX_ABSTRACT_CHARS} chars)`);
  }
  if (r.authors.length > MAX_AUTHORS) {
    throw new RecordRejected(`too many authors (${r.authors.length} > ${MAX_AUTHORS})`);
  }
  const longName = r.authors.find((a) => a.length > MAX_AUTHOR_NAME_CHARS);
  if (longName) throw new RecordRejected(`author name too long (${longName.length} > ${MAX_AUTHOR_NAME_CHARS} chars)`);
  for (const [field, v] of [['comment', r.comment], ['journal_ref', r.journalRef], ['doi', r.doi]] as const) {
    if (v && v.length > MAX_SHORT_FIELD_CHARS) {
      throw new RecordRejected(`${field} too long (${v.length} > ${MAX_SHORT_FIELD_CHARS} chars)`);
    }
  }
}

/** Rejects a record without a title, authors or categories: arXiv never publishes one. */
export function checkRequired(r: PaperRecord): void {
  if (r.title === '') throw new RecordRejected('empty title');
  if (r.authors.length === 0) throw new RecordRejected('no authors');
  if (r.categories.length === 0) throw new RecordRejected('no categories');
}

const CATEGORY_RE = /^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$/;

/** Primary first, then the others in order, without duplicates; rejects malformed names. */
export function orderCategories(primary: string | null | undefined, all: string[]): string[] {
  const out: string[] = [];
  for (const c of [primary, ...all]) {
    const t = c?.trim();
    if (!t) continue;
    if (!CATEGORY_RE.test(t)) throw new RecordRejected(`invalid category ${JSON.stringify(clip(t))}`);
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

/** The first DOI of a field that may list several (arXivRaw separates them with spaces). */
export function firstDoi(raw: string | undefined): string | null {
  const t = optionalText(raw);
  return t === null ? null : t.split(/[\s,;]+/)[0] ?? null;
}

/** A short form of a raw value for messages. */
export function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}
