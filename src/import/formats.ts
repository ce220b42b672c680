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
import { parseDay } from '../domain/dates.ts';
import type { DailyEntryRecord, PaperRecord } from '../domain/paper.ts';
import { collapseWhitespace as foldWhitespace, detexAccents as decodeLatexAccents, detexText, isWithdrawn } from '../arxiv/normalize.ts';

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
const dayField = z.string().transform((s, ctx) => {
  const day = parseDay(s.slice(0, 10));
  if (!day) { ctx.addIssue({ code: 'custom', message: `not a date: ${JSON.stringify(s.slice(0, 40))}` }); return z.NEVER; }
  return day;
});
const ARXIV_CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;
/**
 * arXiv categories, primary first. Listings sometimes carry ACM or MSC classes (`I.2.7`, `68T50`)
 * among them: those are dropped, not a reason to reject the paper.
 */
const categoryList = z.array(z.string().max(2_000)).max(LIMITS.categories * 3)
  .transform((cs) => [...new Set(cs.filter((c) => ARXIV_CATEGORY.test(c)))].slice(0, LIMITS.categories))
  .refine((cs) => cs.length > 0, 'no arXiv category');

const listingSchema = z.object({
  id: arxivIdField,
  title: text(LIMITS.title).min(1),
  authors: z.array(text(LIMITS.authorName)).max(LIMITS.authors),
  categories: categoryList,
  abstract: text(LIMITS.abstract),
  comment: text(LIMITS.comment).nullish(),
  listing_dates: z.array(dayField).min(1),
  hf_daily_published_at: z.string().nullish(),
});

const snapshotSchema = z.object({
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
  versions: z.array(z.object({ version: z.string().regex(/^v\d+$/), created: z.string() })).min(1),
  update_date: z.string().nullish(),
});

const hfDailySchema = z.object({
  date: dayField,
  arxiv_id: arxivIdField,
  title: text(LIMITS.title).min(1),
  authors: z.array(text(LIMITS.authorName)).max(LIMITS.authors),
  abstract: text(LIMITS.abstract),
  upvotes: z.number().int().min(0).nullish(),
  same_list_as_previous_date: z.boolean().optional(),
});

function isoFromHttpDate(s: string): string | null {
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function isoFromNaive(s: string | null | undefined): string | null {
  if (!s) return null;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

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
 * A listing line's publication date: its first listing day, unless the id says the paper was
 * issued in an earlier month (arXiv re-lists old papers when they are replaced or cross-listed);
 * then the first day of that month, the closest the line tells.
 */
function listingPublished(id: string, firstDay: string): string {
  const month = monthOfArxivId(id);
  const day = month && month < firstDay.slice(0, 7) ? `${month}-01` : firstDay;
  return `${day}T00:00:00.000Z`;
}

/** A title or abstract as arXiv's own interfaces store it: whitespace folded, TeX accents and escapes decoded outside math. */
const readerText = (s: string) => detexText(foldWhitespace(s));

function fromListing(v: z.infer<typeof listingSchema>): ImportedLine {
  const days = [...new Set(v.listing_dates)].sort();
  const published = listingPublished(v.id, days[0]!);
  const hfAt = isoFromNaive(v.hf_daily_published_at);
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

function snapshotAuthors(v: z.infer<typeof snapshotSchema>): string[] {
  if (v.authors_parsed && v.authors_parsed.length > 0) {
    return v.authors_parsed
      .map(([last = '', first = '', suffix = '']) => foldWhitespace(decodeLatexAccents([first, last, suffix].join(' '))))
      .filter(Boolean);
  }
  return v.authors.split(/,\s*|\s+and\s+/).map((a) => foldWhitespace(decodeLatexAccents(a))).filter(Boolean);
}

function fromSnapshot(v: z.infer<typeof snapshotSchema>): ImportedLine {
  const versions = v.versions.map((x) => ({ version: Number(x.version.slice(1)), submittedAt: isoFromHttpDate(x.created) }));
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
      updatedAt: last.submittedAt ?? isoFromNaive(v.update_date),
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

function fromHfDaily(v: z.infer<typeof hfDailySchema>): ImportedLine {
  const at = `${v.date}T00:00:00.000Z`;
  return {
    format: 'hf-daily',
    record: {
      id: v.arxiv_id,
      title: readerText(v.title),
      abstract: readerText(v.abstract),
      authors: v.authors.map(foldWhitespace).filter(Boolean),
      categories: [],
      publishedAt: null,
      updatedAt: null,
      versions: [],
    },
    // Weekend pages repeat Friday's list: those rows are not a list of their own.
    entry: v.same_list_as_previous_date ? null : { paperId: v.arxiv_id, day: v.date, submittedAt: at },
    upvotes: v.upvotes ?? null,
  };
}

export class ImportLineError extends Error {}

function describe(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'line'}: ${i.message}`).join('; ');
}

/** Recognises and adapts one parsed JSON line; throws ImportLineError saying what is wrong. */
export function adaptImportLine(value: unknown): ImportedLine {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ImportLineError('not a JSON object');
  const o = value as Record<string, unknown>;
  if ('arxiv_id' in o && 'date' in o) {
    const r = hfDailySchema.safeParse(o);
    if (!r.success) throw new ImportLineError(`hf-daily: ${describe(r.error)}`);
    return fromHfDaily(r.data);
  }
  if ('versions' in o && typeof o.categories === 'string') {
    const r = snapshotSchema.safeParse(o);
    if (!r.success) throw new ImportLineError(`snapshot: ${describe(r.error)}`);
    return fromSnapshot(r.data);
  }
  if ('listing_dates' in o) {
    const r = listingSchema.safeParse(o);
    if (!r.success) throw new ImportLineError(`listing: ${describe(r.error)}`);
    return fromListing(r.data);
  }
  throw new ImportLineError('unknown format: expected an arXiv listing row, a bulk snapshot row or a Hugging Face daily row');
}
