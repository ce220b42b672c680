/**
 * Digests, pure: which digests are due on a delivery date and what list days they cover, local
 * time in the instance's time zone, saved-search queries (parse and match), the selection of
 * papers for one subscriber, and the retry schedule. No I/O, no clock: time is an argument.
 */
import { addDays, dayToMs, isoWeekOf } from './dates.ts';

export type DigestPeriod = 'daily' | 'weekdays' | 'weekly';
export type DigestKind = 'trending' | 'search' | 'for-you';
export const DIGEST_PERIODS: readonly DigestPeriod[] = ['daily', 'weekdays', 'weekly'];

/** Papers a digest lists at most: a daily one is read in a minute, a weekly one in five. */
export const DIGEST_LIMITS: Record<DigestKind, Record<DigestPeriod, number>> = {
  trending: { daily: 10, weekdays: 10, weekly: 20 },
  search: { daily: 25, weekdays: 25, weekly: 40 },
  'for-you': { daily: 10, weekdays: 10, weekly: 20 },
};
/**
 * A digest that temporary errors kept from going out is given up this many days after its
 * delivery day (or after it was enqueued, when that is later: a back-dated run).
 */
export const EXPIRY_DAYS: Record<DigestPeriod, number> = { daily: 2, weekdays: 2, weekly: 4 };
/** Papers sent to a subscriber in this many past days are not sent to them again. */
export const SENT_LOOKBACK_DAYS = 60;

/** One digest to send on a delivery date: its key (unique per subscription) and the list days it covers. */
export interface DueDigest {
  period: DigestPeriod;
  /** `2025-06-03` for daily and weekdays digests (the delivery day), `2025-W23` for weekly ones. */
  key: string;
  from: string;
  to: string;
  /** ISO time after which a digest still unsent is given up. */
  expiresAt: string;
}

/** ISO weekday of a YYYY-MM-DD day: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(day: string): number {
  const dow = new Date(dayToMs(day)).getUTCDay();
  return dow === 0 ? 7 : dow;
}

/**
 * The digests due on delivery date `date` (a day in the instance's time zone). A digest covers the
 * complete list days before it: daily, the day before; weekdays (Monday to Friday), the day
 * before, and on Mondays the weekend too (Friday to Sunday); weekly, the seven days before, sent
 * on `weeklyDay` (1 = Monday) unless `only` is 'weekly', which sends it whatever the weekday.
 *
 * @example
 * dueDigests('2025-06-02', { weeklyDay: 1 }) // Monday: daily (06-01), weekdays (05-30..06-01), weekly 2025-W23 (05-26..06-01)
 */
export function dueDigests(date: string, opts: { only?: 'daily' | 'weekly' | undefined; weeklyDay: number }): DueDigest[] {
  const out: DueDigest[] = [];
  const expires = (p: DigestPeriod) => `${addDays(date, EXPIRY_DAYS[p])}T00:00:00.000Z`;
  const yesterday = addDays(date, -1);
  const wd = isoWeekday(date);
  if (opts.only !== 'weekly') {
    out.push({ period: 'daily', key: date, from: yesterday, to: yesterday, expiresAt: expires('daily') });
    if (wd <= 5) out.push({ period: 'weekdays', key: date, from: wd === 1 ? addDays(date, -3) : yesterday, to: yesterday, expiresAt: expires('weekdays') });
  }
  if (opts.only === 'weekly' || (opts.only === undefined && wd === opts.weeklyDay)) {
    out.push({ period: 'weekly', key: isoWeekOf(date), from: addDays(date, -7), to: yesterday, expiresAt: expires('weekly') });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Local time in a time zone

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when `tz` is an IANA time zone this Node knows (`UTC`, `Europe/Berlin`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day and minute of the day at `ms` in time zone `tz`. */
export function localTime(ms: number, tz: string): { date: string; minutes: number } {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/**
 * The delivery date the scheduler should send now, or null: it is past `at` (HH:MM) in `tz` and
 * that day was not sent yet (`lastDate`).
 */
export function scheduledDate(nowMs: number, at: string, tz: string, lastDate: string | null): string | null {
  const { date, minutes } = localTime(nowMs, tz);
  if (lastDate !== null && lastDate >= date) return null;
  const [h, m] = at.split(':').map(Number) as [number, number];
  return minutes >= h * 60 + m ? date : null;
}

// ---------------------------------------------------------------------------------------------
// Retries

/** Sends of one digest at most (the first and the retries after temporary errors). */
export const MAX_ATTEMPTS = 6;

/** Wait before retry `attempt` (1 = after the first failure): base, x4 each time, at most 6 h. */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 4 ** Math.max(0, attempt - 1), 6 * 3_600_000);
}

// ---------------------------------------------------------------------------------------------
// Saved searches

/** Longest saved query, in characters: a search box's worth, not a document. */
export const MAX_QUERY_CHARS = 300;
/** Most terms in a saved query (words, phrases, filters). */
export const MAX_QUERY_TERMS = 12;
/** Terms shorter than this match whole words only; longer ones match word beginnings too. */
const PREFIX_MIN = 4;

export interface SavedQuery {
  /** Each entry is one word, or the words of a quoted phrase; all must match. */
  must: string[][];
  /** Words or phrases that must not appear. */
  not: string[][];
  /** `cat:cs.CL`: any of them (lower case). */
  categories: string[];
  /** `author:"Name"`: each must match an author (normalised words). */
  authors: string[][];
}

/** Lower case, accents off, split on anything that is not a letter or digit. */
export function words(text: string): string[] {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

const TOKEN_RE = /(-?)(?:(cat|category|author|au):)?(?:"([^"]*)"?|(\S+))/giu;
const CATEGORY_RE = /^[a-z-]{2,20}(\.[a-z-]{1,10})?$/i;

/**
 * Parses a saved search: words (all must appear in title or abstract; from 4 letters on they match
 * word beginnings, so `network` finds "networks"), "quoted phrases", `-word` to exclude,
 * `cat:cs.CL` (any of several), `author:"Ada Lovelace"`.
 *
 * @example
 * parseSavedQuery('"diffusion model" video -survey cat:cs.CV')
 * // { ok: true, query: { must: [['diffusion','model'],['video']], not: [['survey']], categories: ['cs.cv'], authors: [] } }
 */
export function parseSavedQuery(input: string): { ok: true; query: SavedQuery; text: string } | { ok: false; error: string } {
  const text = input.trim().replace(/\s+/g, ' ');
  if (!text) return { ok: false, error: 'Search: type what the alert should look for.' };
  if (text.length > MAX_QUERY_CHARS) return { ok: false, error: `Search: at most ${MAX_QUERY_CHARS} characters.` };
  if (/[\u0000-\u001f\u007f]/.test(input.replace(/[\t\r\n ]/g, ' '))) return { ok: false, error: 'Search: control characters are not allowed.' };
  const q: SavedQuery = { must: [], not: [], categories: [], authors: [] };
  let terms = 0;
  for (const m of text.matchAll(TOKEN_RE)) {
    const negate = m[1] === '-';
    const field = m[2]?.toLowerCase();
    const raw = m[3] ?? m[4] ?? '';
    if (++terms > MAX_QUERY_TERMS) return { ok: false, error: `Search: at most ${MAX_QUERY_TERMS} terms.` };
    if (field === 'cat' || field === 'category') {
      if (!CATEGORY_RE.test(raw)) return { ok: false, error: `Search: "${raw.slice(0, 30)}" is not an arXiv category (like cs.CL).` };
      if (!negate) q.categories.push(raw.toLowerCase());
      continue;
    }
    const w = words(raw);
    if (w.length === 0) continue;
    if (w.length > 8) return { ok: false, error: 'Search: a phrase has at most 8 words.' };
    if (field === 'author' || field === 'au') q.authors.push(w);
    else (negate ? q.not : q.must).push(w);
  }
  if (q.must.length === 0 && q.categories.length === 0 && q.authors.length === 0) {
    return { ok: false, error: 'Search: type at least one word, category or author to look for.' };
  }
  return { ok: true, query: q, text };
}

// ---------------------------------------------------------------------------------------------
// Candidates and selection

/** A paper a digest may list. */
export interface DigestCandidate {
  id: string;
  title: string;
  abstract: string;
  /** The first authors, in order. */
  authors: string[];
  authorCount: number;
  categories: string[];
  upvotes: number;
  hotness: number;
  publishedAt: string | null;
  /** The day it entered the Daily papers list, if it is on one (and not hidden). */
  listedOn: string | null;
  /** The last day arXiv announced it, if it did. */
  announcedOn: string | null;
}

/** An inverted index of candidates' titles and abstracts, built once per window and run. */
export interface MatchIndex {
  /** Every word, sorted, for prefix ranges. */
  vocabulary: string[];
  postings: Map<string, number[]>;
  docs: string[][];
  authors: string[][];
  categories: Set<string>[];
  size: number;
}

export function buildMatchIndex(candidates: readonly DigestCandidate[]): MatchIndex {
  const postings = new Map<string, number[]>();
  const docs = candidates.map((c, i) => {
    const w = words(`${c.title} ${c.abstract}`);
    for (const word of new Set(w)) {
      const list = postings.get(word);
      if (list) list.push(i);
      else postings.set(word, [i]);
    }
    return w;
  });
  return {
    vocabulary: [...postings.keys()].sort(),
    postings,
    docs,
    authors: candidates.map((c) => c.authors.map((a) => words(a).join(' '))),
    categories: candidates.map((c) => new Set(c.categories.map((x) => x.toLowerCase()))),
    size: candidates.length,
  };
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Candidates containing `word` (or, from PREFIX_MIN letters, a word starting with it). */
function docsWithWord(index: MatchIndex, word: string): Set<number> {
  if (word.length < PREFIX_MIN) return new Set(index.postings.get(word) ?? []);
  const out = new Set<number>();
  for (let i = lowerBound(index.vocabulary, word); i < index.vocabulary.length && index.vocabulary[i]!.startsWith(word); i++) {
    for (const d of index.postings.get(index.vocabulary[i]!)!) out.add(d);
  }
  return out;
}

const wordMatches = (word: string, term: string) => word === term || (term.length >= PREFIX_MIN && word.startsWith(term));

function hasPhrase(doc: string[], phrase: string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= doc.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (!wordMatches(doc[i + j]!, phrase[j]!)) continue outer;
    return true;
  }
  return false;
}

function intersect(a: Set<number> | null, b: Set<number>): Set<number> {
  if (a === null) return b;
  const out = new Set<number>();
  for (const d of a) if (b.has(d)) out.add(d);
  return out;
}

function docsWithTerm(index: MatchIndex, term: string[]): Set<number> {
  let set: Set<number> | null = null;
  for (const w of term) {
    set = intersect(set, docsWithWord(index, w));
    if (set.size === 0) return set;
  }
  if (set === null) return new Set();
  if (term.length === 1) return set;
  const found = set;
  return new Set([...found].filter((d) => hasPhrase(index.docs[d]!, term)));
}

/** Indices of the candidates a saved query matches. */
export function matchQuery(index: MatchIndex, q: SavedQuery): Set<number> {
  let set: Set<number> | null = null;
  for (const term of q.must) {
    set = intersect(set, docsWithTerm(index, term));
    if (set.size === 0) return set;
  }
  let result = set ?? new Set(Array.from({ length: index.size }, (_, i) => i));
  if (q.categories.length > 0) result = new Set([...result].filter((d) => q.categories.some((c) => index.categories[d]!.has(c))));
  for (const author of q.authors) {
    result = new Set([...result].filter((d) => index.authors[d]!.some((name) => hasPhrase(name.split(' '), author))));
  }
  for (const term of q.not) {
    const docs = docsWithTerm(index, term);
    result = new Set([...result].filter((d) => !docs.has(d)));
  }
  return result;
}

export interface SelectionInput {
  kind: DigestKind;
  /** The list days covered, inclusive. */
  window: { from: string; to: string };
  candidates: readonly DigestCandidate[];
  /** For search alerts: the parsed query, matched with `index` (built from `candidates`) ... */
  query?: SavedQuery | null | undefined;
  index?: MatchIndex | undefined;
  /** ... or the search engine's hits, best first, which replace the built-in matcher. */
  searchHits?: readonly string[] | null | undefined;
  /** Papers this subscriber was sent before: never sent again. */
  sentBefore: ReadonlySet<string>;
  limit: number;
}

export interface Selection {
  papers: DigestCandidate[];
  /** How many papers qualified before the limit. */
  total: number;
}

const inWindow = (day: string | null, w: { from: string; to: string }) => day !== null && day >= w.from && day <= w.to;

/** Trending: hotness, then id. Alerts: upvotes, hotness, newest, id. */
function byTrending(a: DigestCandidate, b: DigestCandidate): number {
  return b.hotness - a.hotness || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
function byAlert(a: DigestCandidate, b: DigestCandidate): number {
  return b.upvotes - a.upvotes || b.hotness - a.hotness || (b.publishedAt ?? '').localeCompare(a.publishedAt ?? '') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The papers of one subscriber's digest. Trending: the window's Daily papers by the trending key.
 * Search alerts: papers that entered a daily list or were announced by arXiv in the window and
 * match the query, most upvoted first (or in the search engine's order when it ranked them).
 * For you: the same papers in the order of the member's model (given as `searchHits`).
 * Papers sent to the subscriber before are left out; at most `limit` are kept.
 */
export function selectDigest(input: SelectionInput): Selection {
  const { window, sentBefore } = input;
  let picked: DigestCandidate[];
  if (input.kind === 'trending') {
    picked = input.candidates.filter((c) => inWindow(c.listedOn, window) && !sentBefore.has(c.id)).sort(byTrending);
  } else {
    const eligible = (c: DigestCandidate) => (inWindow(c.listedOn, window) || inWindow(c.announcedOn, window)) && !sentBefore.has(c.id);
    if (input.searchHits) {
      const byId = new Map(input.candidates.map((c) => [c.id, c]));
      const seen = new Set<string>();
      picked = [];
      for (const id of input.searchHits) {
        const c = byId.get(id);
        if (c && !seen.has(id) && eligible(c)) { picked.push(c); seen.add(id); }
      }
    } else if (input.query) {
      const index = input.index ?? buildMatchIndex(input.candidates);
      const hits = matchQuery(index, input.query);
      picked = [...hits].map((i) => input.candidates[i]!).filter(eligible).sort(byAlert);
    } else {
      picked = [];
    }
  }
  return { papers: picked.slice(0, input.limit), total: picked.length };
}
