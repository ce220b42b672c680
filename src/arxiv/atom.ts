/**
 * The arXiv query API (export.arxiv.org/api/query) answers in Atom 1.0 with OpenSearch and arXiv
 * extensions. Two output generations exist: the classic one (namespaces declared on each
 * element, `<arxiv:primary_category scheme=...>`) and the 2026 one (prefixes declared on
 * `<feed>`, different element order). Both read the same here.
 *
 * Two layers: {@link readAtomFeed} reads the document into plain strings ({@link AtomEntry});
 * {@link adaptAtomEntry} maps one entry to a {@link PaperRecord}. {@link parseAtomFeed} runs both.
 *
 * @example
 * const page = parseAtomFeed(xml);
 * page.records[0]?.id       // '1707.08567'
 * page.totalResults         // 214881
 */
import type { PaperRecord, PaperVersion } from '../domain/paper.ts';
import { ArxivApiError, ArxivParseError, type ParseIssue } from './errors.ts';
import {
  RecordRejected,
  checkRequired,
  cleanAuthorName,
  detexText,
  checkSizes,
  collapseWhitespace,
  isWithdrawn,
  optionalText,
  orderCategories,
  requireArxivId,
  requireTimestamp,
} from './normalize.ts';
import { NotTextError, attr, child, childText, children, looseChildText, parseXmlDocument } from './xml.ts';

/** One `<entry>` as written, strings only (undefined = element absent). */
export interface AtomEntry {
  /** `http://arxiv.org/abs/2407.13168v2` */
  id: string | undefined;
  title: string | undefined;
  summary: string | undefined;
  published: string | undefined;
  updated: string | undefined;
  authors: string[];
  /** `<category term>` values in document order. */
  categories: string[];
  primaryCategory: string | undefined;
  comment: string | undefined;
  journalRef: string | undefined;
  doi: string | undefined;
}

/** The feed as written: OpenSearch counts and entries. */
export interface AtomFeed {
  totalResults: number | null;
  startIndex: number | null;
  itemsPerPage: number | null;
  entries: AtomEntry[];
  /** Entries that could not even be read as strings (markup inside a text field). */
  errors: ParseIssue[];
}

/** A page of query results mapped to records. */
export interface AtomResult {
  records: PaperRecord[];
  /** How many results the query has in all (OpenSearch totalResults). */
  totalResults: number | null;
  /** 0-based offset of this page. */
  startIndex: number | null;
  itemsPerPage: number | null;
  /** Entries skipped, with the reason. */
  errors: ParseIssue[];
}

const API_ERROR_ID = /arxiv\.org\/api\/errors/i;
const ABS_URL = /arxiv\.org\/abs\/(.+)$/i;

/**
 * Reads an Atom document; `context` prefixes error messages. Throws {@link ArxivParseError}
 * when it is not an Atom feed and {@link ArxivApiError} when arXiv answered with its error entry.
 */
export function readAtomFeed(xml: string, context?: string): AtomFeed {
  const feed = parseXmlDocument(xml, 'atom', 'feed', context);
  const errors: ParseIssue[] = [];
  const entries: AtomEntry[] = [];
  const rawEntries = children(feed, 'entry');
  for (const [i, e] of rawEntries.entries()) {
    const id = looseChildText(e, 'id');
    if (id !== undefined && API_ERROR_ID.test(id)) {
      const message =
        optionalText(looseChildText(e, 'summary')) ?? optionalText(looseChildText(e, 'title')) ?? 'unknown error';
      throw new ArxivApiError(message, id.trim());
    }
    try {
      entries.push(readEntry(e));
    } catch (err) {
      if (!(err instanceof NotTextError)) throw err;
      errors.push({ reason: err.message, entry: id?.trim() || `#${i + 1}` });
    }
  }
  return {
    totalResults: count(feed, 'totalResults', context),
    startIndex: count(feed, 'startIndex', context),
    itemsPerPage: count(feed, 'itemsPerPage', context),
    entries,
    errors,
  };
}

function readEntry(e: unknown): AtomEntry {
  return {
    id: childText(e, 'id'),
    title: childText(e, 'title'),
    summary: childText(e, 'summary'),
    published: childText(e, 'published'),
    updated: childText(e, 'updated'),
    authors: children(e, 'author').map((a) => childText(a, 'name') ?? ''),
    categories: children(e, 'category').map((c) => attr(c, 'term') ?? ''),
    primaryCategory: attr(child(e, 'primary_category'), 'term'),
    comment: childText(e, 'comment'),
    journalRef: childText(e, 'journal_ref'),
    doi: childText(e, 'doi'),
  };
}

/**
 * Maps one entry to a record. The id's version (`v2`) gives the version count; arXiv gives
 * the dates of the first (`published`) and the latest (`updated`) version only, so the ones
 * between have `submittedAt: null`. Throws {@link RecordRejected} with the reason to skip it.
 */
export function adaptAtomEntry(e: AtomEntry): PaperRecord {
  const absUrl = e.id?.trim() ?? '';
  const { id, version } = requireArxivId(ABS_URL.exec(absUrl)?.[1] ?? absUrl, 'entry id');
  const publishedAt = requireTimestamp(e.published, 'published', 'iso');
  const updatedAt = requireTimestamp(e.updated, 'updated', 'iso') ?? publishedAt;
  const versions: PaperVersion[] = [];
  if (version !== null) {
    for (let v = 1; v <= version; v++) {
      versions.push({ version: v, submittedAt: v === 1 ? publishedAt : v === version ? updatedAt : null });
    }
  }
  const abstract = detexText(collapseWhitespace(e.summary ?? ''));
  const comment = optionalText(e.comment);
  const record: PaperRecord = {
    id,
    title: detexText(collapseWhitespace(e.title ?? '')),
    abstract,
    authors: e.authors.map(cleanAuthorName).filter((a) => a !== ''),
    categories: orderCategories(e.primaryCategory, e.categories),
    publishedAt,
    updatedAt,
    versions,
    comment,
    journalRef: optionalText(e.journalRef),
    doi: optionalText(e.doi),
    withdrawn: isWithdrawn({ comment, abstract }),
  };
  checkRequired(record);
  checkSizes(record);
  return record;
}

/**
 * Parses a query API response into records. Entries that fail (invalid id or date, absurd
 * sizes, missing fields) are skipped and listed in `errors`; the rest are returned.
 * Throws {@link ArxivApiError} for arXiv's error response, {@link ArxivParseError} when the
 * body is not an Atom feed. `context` prefixes error messages (e.g. `page 3`).
 */
export function parseAtomFeed(xml: string, context?: string): AtomResult {
  const feed = readAtomFeed(xml, context);
  const records: PaperRecord[] = [];
  const errors = [...feed.errors];
  for (const [i, e] of feed.entries.entries()) {
    try {
      records.push(adaptAtomEntry(e));
    } catch (err) {
      if (!(err instanceof RecordRejected)) throw err;
      errors.push({ reason: err.message, entry: e.id?.trim() || `#${i + 1}` });
    }
  }
  return {
    records,
    totalResults: feed.totalResults,
    startIndex: feed.startIndex,
    itemsPerPage: feed.itemsPerPage,
    errors,
  };
}

function count(feed: unknown, name: string, context: string | undefined): number | null {
  const raw = looseChildText(feed, name);
  if (raw === undefined) return null;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 0) {
    const detail = `opensearch:${name} is not a count: ${JSON.stringify(raw.slice(0, 40))}`;
    throw new ArxivParseError('atom', 'malformed', detail, null, null, context ?? null);
  }
  return n;
}

