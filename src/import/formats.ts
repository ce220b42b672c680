/**
 * Import file formats, one JSON object a line, each adapted to PaperRecord (and, where the format
 * says a paper was on a daily list, a DailyEntryRecord):
 *
 * - `listing`: arXiv daily listings (id, title, authors[], categories[] primary first, abstract,
 *   listing_dates[], optional hf_daily_published_at): the bundled demo corpus is in this format.
 * - `snapshot`: the arXiv bulk metadata snapshot (id, authors, authors_parsed, versions[], update_date, ...).
 * - `hf-daily`: Hugging Face daily-papers rows (date, arxiv_id, title, authors[], abstract, upvotes).
 *
 * The format is recognised per line, so files may mix them.
 */
import { z } from 'zod';
import { parseArxivId } from '../domain/arxiv-id.ts';
import { msToDay, parseDay } from '../domain/dates.ts';
import type { DailyEntryRecord, PaperRecord } from '../domain/paper.ts';
import { plainIssue } from '../issue-wording.ts';
import {
  collapseWhitespace as foldWhitespace, detexAccents as decodeLatexAccents, detexText, isoToUtc, isWithdrawn, parseRfc822,
} from '../arxiv/normalize.ts';

export type ImportFormat = 'listing' | 'snapshot' | 'hf-daily';

export interface ImportedLine {
  format: ImportFormat;
  record: PaperRecord;
  entry: DailyEntryRecord | null;
  /** Upvotes the source reports (Hugging Face rows); only used as demo data when asked. */
  upvotes: number | null;
}

/** Field size limits: larger values are not metadata a person wrote, the line is rejected. */
export const LIMITS = { title: 1_000, abstract: 10_000, authors: 3_000, authorName: 300, categories: 20, comment: 2_000 } as const;

const text = (max: number) => z.string().max(max, `longer than ${max} characters`);
const arxivIdField = z.string().transform((s, ctx) => {
  const parsed = parseArxivId(s);
  if (!parsed) { ctx.addIssue({ code: 'custom', message: `not an arXiv id: ${JSON.stringify(s.slice(0, 40))}` }); return z.NEVER; }
  return parsed.id;
});
const ARXIV_CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;
/**
 * arXiv categories, primary first. Listings sometimes carry ACM or MSC classes (`I.2.7`, `68T50`)
 * among them: those are dropped, not a reason to reject the paper.
 */
const categoryList = z.array(z.string().max(2_000)).max(LIMITS.categories * 3)
  .transform((cs) => [...new Set(cs.filter((c) => ARXIV_CATEGORY.test(c)))].slice(0, LIMITS.categories))
  .refine((cs) => cs.length > 0, 'no arXiv category');

/** arXiv announced its first papers in August 1991: no arXiv date (an announcement day, a version's time) is earlier. */
export const EARLIEST_ARXIV_DAY = '1991-08-01';
/** Hugging Face's Daily Papers list began in 2023: no day of it is earlier (the first of January leaves room). */
export const EARLIEST_DAILY_DAY = '2023-01-01';
/**
 * How far past the import's clock a day or a time may lie, in days: a list day can be a day ahead of
 * UTC where it was made, and a clock may run a little slow. Later than that, a date is a typo (2205
 * for 2025) or a placeholder, and its list would stand in for today's on the front page.
 */
export const FUTURE_SLACK_DAYS = 2;
const DAY_MS = 86_400_000;

/** The latest day and time an import accepts, from its clock. */
interface DateBounds { latestMs: number; latestDay: string }

function dateBounds(now: string): DateBounds {
  const nowMs = Date.parse(now);
  if (!Number.isFinite(nowMs)) throw new Error(`import: the clock's time is not a date: ${JSON.stringify(now)}`);
  const latestMs = nowMs + FUTURE_SLACK_DAYS * DAY_MS;
  return { latestMs, latestDay: msToDay(latestMs) };
}

const quote = (s: string) => JSON.stringify(s.slice(0, 40));
const ISO_ZONE = /[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*[+-](\d{2}):?(\d{2})$/i;
const ISO_FRACTION = /[T ]\d{2}:\d{2}:\d{2}\.(\d+)/i;

/**
 * Milliseconds since the epoch of an ISO 8601 date or date-time (`2025-05-08`, `2025-05-08T09:59:07`,
 * `2025-05-08T09:59:07.25Z`, `2025-05-08T11:59:07+02:00`); a time without a zone is UTC, whatever
 * the machine's zone. Null for anything else, including days the calendar does not have
 * (`2025-02-30`), years outside 1990-2999, and zones more than 14 hours from UTC.
 *
 * @example
 * parseIsoInstant('2025-05-08T09:59:07') // Date.UTC(2025, 4, 8, 9, 59, 7)
 * parseIsoInstant('June 3') // null
 */
export function parseIsoInstant(s: string): number | null {
  const iso = isoToUtc(s);
  if (iso === null) return null;
  const zone = ISO_ZONE.exec(s.trim());
  if (zone && (Number(zone[1]) > 14 || Number(zone[2]) > 59)) return null;
  const fraction = ISO_FRACTION.exec(s)?.[1];
  return Date.parse(iso) + (fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0);
}

/**
 * Milliseconds since the epoch of an RFC 2822 date, as the arXiv snapshot writes a version's time
 * (`Mon, 2 Apr 2007 19:18:42 GMT`); without a zone it is UTC, whatever the machine's zone. Null
 * for anything else, including days the calendar does not have.
 */
export function parseMailInstant(s: string): number | null {
  const parsed = parseRfc822(s) ?? parseRfc822(`${s} GMT`);
  return parsed ? Date.parse(parsed.iso) : null;
}

/** What is wrong with a day as a list or announcement day no earlier than `earliest` (`since` says why), or null. */
function dayProblem(day: string, earliest: string, since: string, b: DateBounds): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return `not a date (expected YYYY-MM-DD): ${quote(day)}`;
  if (day < earliest) return `${quote(day)} is before ${earliest} (${since})`;
  if (day > b.latestDay) return `${quote(day)} is in the future: after ${b.latestDay}, ${FUTURE_SLACK_DAYS} days past the import's clock`;
  if (!parseDay(day)) return `not a date: ${quote(day)} is not a day of the calendar`;
  return null;
}

/** What is wrong with a time (`raw` as written, `ms` as read) no earlier than `earliest`, or null. */
function instantProblem(raw: string, ms: number, earliest: string, since: string, b: DateBounds): string | null {
  if (ms < Date.parse(`${earliest}T00:00:00Z`)) return `${quote(raw)} is before ${earliest} (${since})`;
  if (ms > b.latestMs) return `${quote(raw)} is in the future: after ${new Date(b.latestMs).toISOString()}, ${FUTURE_SLACK_DAYS} days past the import's clock`;
  // The day it falls on (UTC) is a list day: checked as one.
  const day = msToDay(ms);
  return dayProblem(day, earliest, since, b) && `${quote(raw)} falls on ${quote(day)}, not a day a list can have`;
}

const ARXIV_SINCE = 'arXiv began in August 1991';
const DAILY_SINCE = "Hugging Face's Daily Papers list began in 2023";
const ISO_EXPECTED = 'expected ISO 8601, like 2025-05-08T09:59:07Z; no zone means UTC';
const SNAPSHOT_EXPECTED = 'expected a date like Mon, 2 Apr 2007 19:18:42 GMT or ISO 8601; no zone means UTC';

/** The line formats' schemas, with their dates checked against the import's clock. */
function lineSchemas(b: DateBounds) {
  const day = (earliest: string, since: string) => z.string().transform((s, ctx) => {
    const problem = dayProblem(s, earliest, since, b);
    if (problem) { ctx.addIssue({ code: 'custom', message: problem }); return z.NEVER; }
    return s;
  });
  const instant = (parse: (s: string) => number | null, expected: string, earliest: string, since: string) =>
    z.string().transform((s, ctx) => {
      const ms = parse(s);
      const problem = ms === null ? `not a date and time (${expected}): ${quote(s)}` : instantProblem(s, ms, earliest, since, b);
      if (problem) { ctx.addIssue({ code: 'custom', message: problem }); return z.NEVER; }
      return new Date(ms!).toISOString();
    });

  const listing = z.object({
    id: arxivIdField,
    title: text(LIMITS.title).min(1),
    authors: z.array(text(LIMITS.authorName)).max(LIMITS.authors),
    categories: categoryList,
    abstract: text(LIMITS.abstract),
    comment: text(LIMITS.comment).nullish(),
    listing_dates: z.array(day(EARLIEST_ARXIV_DAY, ARXIV_SINCE)).min(1),
    // An empty value is no value, as null is.
    hf_daily_published_at: z.preprocess((v) => (v === '' ? null : v), instant(parseIsoInstant, ISO_EXPECTED, EARLIEST_DAILY_DAY, DAILY_SINCE).nullish()),
  });

  const snapshot = z.object({
    id: arxivIdField,
    title: text(LIMITS.title).min(1),
    authors: z.string().max(LIMITS.authors * LIMITS.authorName),
    authors_parsed: z.array(z.array(z.string())).max(LIMITS.authors).optional(),
    categories: z.string().max(400).transform((s) => s.split(/\s+/).filter(Boolean)).pipe(categoryList),
    abstract: text(LIMITS.abstract),
    comments: text(LIMITS.comment).nullish(),
    'journal-ref': text(1_000).nullish(),
    doi: text(500).nullish(),
    license: text(500).nullish(),
    versions: z.array(z.object({
      version: z.string().regex(/^v\d+$/),
      created: instant((s) => parseMailInstant(s) ?? parseIsoInstant(s), SNAPSHOT_EXPECTED, EARLIEST_ARXIV_DAY, ARXIV_SINCE),
    })).min(1),
  });

  const hfDaily = z.object({
    date: day(EARLIEST_DAILY_DAY, DAILY_SINCE),
    arxiv_id: arxivIdField,
    title: text(LIMITS.title).min(1),
    authors: z.array(text(LIMITS.authorName)).max(LIMITS.authors),
    abstract: text(LIMITS.abstract),
    upvotes: z.number().int().min(0).nullish(),
    same_list_as_previous_date: z.boolean().optional(),
  });
  return { listing, snapshot, hfDaily };
}
type Schemas = ReturnType<typeof lineSchemas>;

/**
 * The month an arXiv id was issued in, `YYYY-MM`: new-style ids begin with it (`2109.05721`,
 * 2007 on), old-style ones carry it after the archive (`hep-th/9901001`, 1991-2007).
 */
export function monthOfArxivId(id: string): string | null {
  const m = /^(\d{2})(\d{2})\.\d{4,5}$/.exec(id) ?? /^[a-z][a-z.-]*\/(\d{2})(\d{2})\d{3}$/i.exec(id);
  if (!m) return null;
  const yy = Number(m[1]);
  const century = id.includes('/') && yy >= 91 ? 1900 : 2000;
  return `${century + yy}-${m[2]}`;
}

/**
 * A paper's publication date from the first day a list shows it (arXiv's announcement, or a Hugging
 * Face Daily list): that day, unless the id says the paper was issued in an earlier month (arXiv
 * re-lists old papers when they are replaced or cross-listed; a Daily list may pick up an older
 * paper); then the last day of that month. The id's month holds the first version, so that is never
 * before the truth, and arXiv's exact date, which can only be earlier, replaces it when it arrives
 * (a stored publication date only moves earlier: src/store/papers.ts).
 */
function publishedFromFirstListDay(id: string, firstDay: string): string {
  const month = monthOfArxivId(id);
  if (!month || month >= firstDay.slice(0, 7)) return `${firstDay}T00:00:00.000Z`;
  const [y, m] = month.split('-').map(Number);
  return `${new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10)}T00:00:00.000Z`;
}

/** A title or abstract as arXiv's own interfaces store it: whitespace folded, TeX accents and escapes decoded outside math. */
const readerText = (s: string) => detexText(foldWhitespace(s));

function fromListing(v: z.infer<Schemas['listing']>): ImportedLine {
  const days = [...new Set(v.listing_dates)].sort();
  const published = publishedFromFirstListDay(v.id, days[0]!);
  const hfAt = v.hf_daily_published_at ?? null;
  return {
    format: 'listing',
    record: {
      id: v.id,
      title: readerText(v.title),
      abstract: readerText(v.abstract),
      authors: v.authors.map((a) => foldWhitespace(a)).filter(Boolean),
      categories: v.categories,
      publishedAt: published,
      updatedAt: published,
      versions: [],
      comment: v.comment ? foldWhitespace(v.comment) : null,
      announcedOn: days,
      announceType: 'new',
    },
    entry: hfAt ? { paperId: v.id, day: hfAt.slice(0, 10), submittedAt: hfAt } : null,
    upvotes: null,
  };
}

function snapshotAuthors(v: z.infer<Schemas['snapshot']>): string[] {
  if (v.authors_parsed && v.authors_parsed.length > 0) {
    return v.authors_parsed
      .map(([last = '', first = '', suffix = '']) => foldWhitespace(decodeLatexAccents([first, last, suffix].join(' '))))
      .filter(Boolean);
  }
  return v.authors.split(/,\s*|\s+and\s+/).map((a) => foldWhitespace(decodeLatexAccents(a))).filter(Boolean);
}

function fromSnapshot(v: z.infer<Schemas['snapshot']>): ImportedLine {
  const versions = v.versions.map((x) => ({ version: Number(x.version.slice(1)), submittedAt: x.created }));
  const last = versions[versions.length - 1]!;
  const comment = v.comments ? foldWhitespace(v.comments) : null;
  return {
    format: 'snapshot',
    record: {
      id: v.id,
      title: readerText(v.title),
      abstract: readerText(v.abstract),
      authors: snapshotAuthors(v),
      categories: v.categories,
      publishedAt: versions[0]!.submittedAt,
      updatedAt: last.submittedAt,
      versions,
      comment,
      journalRef: v['journal-ref'] ? foldWhitespace(v['journal-ref']) : null,
      doi: v.doi?.trim() || null,
      license: v.license ?? null,
      withdrawn: isWithdrawn({ comment, abstract: v.abstract }),
    },
    entry: null,
    upvotes: null,
  };
}

function fromHfDaily(v: z.infer<Schemas['hfDaily']>): ImportedLine {
  const at = `${v.date}T00:00:00.000Z`;
  // The rows carry no publication time: the list day, or the first day of the id's month when the
  // paper is older (as a listing line's), never none (Hugging Face's own API always has one).
  const published = publishedFromFirstListDay(v.arxiv_id, v.date);
  return {
    format: 'hf-daily',
    record: {
      id: v.arxiv_id,
      title: readerText(v.title),
      abstract: readerText(v.abstract),
      authors: v.authors.map(foldWhitespace).filter(Boolean),
      categories: [],
      publishedAt: published,
      updatedAt: null,
      versions: [],
    },
    // Weekend pages repeat Friday's list: those rows are not a list of their own.
    entry: v.same_list_as_previous_date ? null : { paperId: v.arxiv_id, day: v.date, submittedAt: at },
    upvotes: v.upvotes ?? null,
  };
}

export class ImportLineError extends Error {}

/** A line's first three problems, each after its field, in the words the settings and the API use. */
function describe(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'line'}: ${plainIssue(i).text}`).join('; ');
}

/**
 * The adapter of one import's lines: recognises and adapts one parsed JSON line, and throws
 * ImportLineError saying what is wrong. `now` is the import's clock (ISO 8601): days and times
 * more than FUTURE_SLACK_DAYS after it are refused.
 */
export function importLineAdapter(now: string): (value: unknown) => ImportedLine {
  const schemas = lineSchemas(dateBounds(now));
  return (value) => adaptImportLine(schemas, value);
}

function adaptImportLine(schemas: Schemas, value: unknown): ImportedLine {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ImportLineError('not a JSON object');
  const o = value as Record<string, unknown>;
  if ('arxiv_id' in o && 'date' in o) {
    const r = schemas.hfDaily.safeParse(o);
    if (!r.success) throw new ImportLineError(`hf-daily: ${describe(r.error)}`);
    return fromHfDaily(r.data);
  }
  if ('versions' in o && typeof o.categories === 'string') {
    const r = schemas.snapshot.safeParse(o);
    if (!r.success) throw new ImportLineError(`snapshot: ${describe(r.error)}`);
    return fromSnapshot(r.data);
  }
  if ('listing_dates' in o) {
    const r = schemas.listing.safeParse(o);
    if (!r.success) throw new ImportLineError(`listing: ${describe(r.error)}`);
    return fromListing(r.data);
  }
  throw new ImportLineError('unknown format: expected an arXiv listing row, a bulk snapshot row or a Hugging Face daily row');
}
