/**
 * Open data: the reads behind the JSON APIs (Hugging Face-compatible and /api/v1), the RSS/Atom
 * feeds, the MCP tools and /stats. One call per resource; the web layer presents the result.
 * Search and similar papers come from the search engine through the `PaperSearch` interface.
 */
import { addDays, dayWindow, labelProblem, msToDay, parseDay, parseMonth, parseWeek, type DayWindow } from '../domain/dates.ts';
import { parseArxivId } from '../domain/arxiv-id.ts';
import { attachCardDetails } from '../store/cards.ts';
import type { Store } from '../store/index.ts';
import { listCardsByIds } from '../store/listings.ts';
import {
  countAnnouncementsByDay, countDailyEntriesByDay, countVotesByDay, latestVoteDay, paperVotesByDay, topAnnouncedCategories, type DayCount,
} from '../store/stats.ts';
import type { ListSort, Page, PaperCard, PaperDetail } from '../store/types.ts';
import { UserError } from './errors.ts';
import { listPapersByPublication, type PublicationKey } from './open-data-queries.ts';

/**
 * What open data needs from the search engine. Ids come back best first; the engine reads the
 * search box's language (`cat:cs.CL`, `after:2025-01-01`, `before:2025-02-01`, quotes, `-word`).
 */
export interface PaperSearch {
  /** Paper ids matching `query`, best first, at most `limit`. */
  search(query: string, options: { limit: number }): Promise<string[]>;
  /** Papers most like `paperId` (not itself), best first, at most `limit`; absent until the engine offers it. */
  similar?(paperId: string, limit: number): Promise<string[]>;
  /** The same with each paper's reason ("close in meaning; shares: diffusion"), when the engine explains itself. */
  similarExplained?(paperId: string, limit: number): Promise<{ id: string; reason: string }[]>;
}

/** A similar paper: its card and why it is similar (when the engine says). */
export type SimilarPaper = PaperCard & { reason?: string };

export interface OpenDataDeps {
  store: Store;
  /** Null until the instance has a search engine: search and similar papers answer 503. */
  search: PaperSearch | null;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Every day a list can have: the window of "all Daily papers". */
export const ALL_DAYS: DayWindow = { period: 'day', label: 'all', from: '0000-01-01', to: '9999-12-31' };

/** Longest search query accepted, in characters (Hugging Face's limit). */
export const MAX_SEARCH_CHARS = 250;

/**
 * The window a request names with one of `date`, `week` or `month` (null when none is given).
 * Throws a 400 UserError for a malformed label or for more than one of them.
 */
export function parseListWindow(input: { date?: string | undefined; week?: string | undefined; month?: string | undefined }): DayWindow | null {
  const given = (['date', 'week', 'month'] as const).filter((k) => input[k] !== undefined);
  if (given.length > 1) throw new UserError(400, `Give one of date, week and month, not ${given.join(' and ')}.`);
  const shown = (s: string) => JSON.stringify(s.slice(0, 40));
  if (input.date !== undefined) {
    const day = parseDay(input.date);
    if (!day) throw new UserError(400, `date ${shown(input.date)} ${labelProblem('day', input.date)}.`);
    return dayWindow(day);
  }
  if (input.week !== undefined) {
    const w = parseWeek(input.week);
    if (!w) throw new UserError(400, `week ${shown(input.week)} ${labelProblem('week', input.week)}.`);
    return w;
  }
  if (input.month !== undefined) {
    const m = parseMonth(input.month);
    if (!m) throw new UserError(400, `month ${shown(input.month)} ${labelProblem('month', input.month)}.`);
    return m;
  }
  return null;
}

/** Parses an id in any form users paste; a 400 UserError when it is not an arXiv id. */
export function requireArxivId(raw: string): string {
  const parsed = parseArxivId(raw);
  if (!parsed) throw new UserError(400, `${JSON.stringify(raw.slice(0, 60))} is not an arXiv id (like 2407.13168 or hep-th/9901001).`);
  return parsed.id;
}

/** Re-reads cards' authors in full where they were cut: list cards carry only the first few, APIs return them all. */
export async function withAllAuthors(store: Store, cards: PaperCard[]): Promise<PaperCard[]> {
  const cut = cards.filter((c) => c.authorCount > c.authors.length);
  if (cut.length === 0) return cards;
  const full = await attachCardDetails(store.db, cut.map((c) => ({ ...c, authors: [], authorCount: 0, categories: [] })), Number.MAX_SAFE_INTEGER);
  const byId = new Map(full.map((c) => [c.id, c]));
  return cards.map((c) => byId.get(c.id) ?? c);
}

export interface DailyListRequest {
  /** Null: every day, as one list. */
  window: DayWindow | null;
  sort: ListSort;
  /** Only papers this member submitted. */
  submitter?: string | undefined;
  limit: number;
  offset: number;
}

/** A page of Daily papers in a window (or on every day), with every author. */
export async function listDaily(deps: OpenDataDeps, req: DailyListRequest): Promise<Page<PaperCard>> {
  const w = req.window ?? ALL_DAYS;
  const page = await deps.store.listDailyPapers({ submitter: req.submitter, from: w.from, to: w.to, sort: req.sort, limit: req.limit, offset: req.offset });
  return { items: await withAllAuthors(deps.store, page.items), total: page.total };
}

/** One paper with everything known about it; a 404 UserError when the store does not have it. */
export async function getPaper(deps: OpenDataDeps, id: string): Promise<PaperDetail> {
  const paper = await deps.store.findPaperById(id);
  if (!paper) throw new UserError(404, `arXiv:${id} is not on this site.`);
  return paper;
}

/** Opaque cursor of `/api/papers`: the last paper of a page. */
export function encodeCursor(key: PublicationKey): string {
  return Buffer.from(JSON.stringify([key.publishedAt, key.id]), 'utf8').toString('base64url');
}

/** Reads a cursor made by `encodeCursor`; a 400 UserError for anything else. */
export function decodeCursor(cursor: string): PublicationKey {
  const bad = () => new UserError(400, 'cursor is not one this API returned (take it from the Link header of the previous page).');
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(value) || value.length !== 2) throw bad();
  const [publishedAt, id] = value as unknown[];
  if (typeof id !== 'string' || !parseArxivId(id) || parseArxivId(id)!.id !== id) throw bad();
  if (publishedAt !== null && (typeof publishedAt !== 'string' || Number.isNaN(Date.parse(publishedAt)) || publishedAt.length > 40)) throw bad();
  return { publishedAt: publishedAt as string | null, id };
}

/** Every paper, newest publication first, `limit` at a time; `next` is null on the last page. */
export async function listPapers(deps: OpenDataDeps, req: { cursor?: string | undefined; limit: number }): Promise<{ items: PaperCard[]; next: string | null }> {
  const after = req.cursor !== undefined ? decodeCursor(req.cursor) : null;
  const rows = await listPapersByPublication(deps.store.db, after, req.limit + 1);
  const items = rows.slice(0, req.limit);
  const last = items[items.length - 1];
  const next = rows.length > req.limit && last ? encodeCursor({ publishedAt: last.publishedAt, id: last.id }) : null;
  return { items: await withAllAuthors(deps.store, items), next };
}

function requireSearch(deps: OpenDataDeps): PaperSearch {
  if (!deps.search) throw new UserError(503, 'Search is not available on this instance yet.');
  return deps.search;
}

export interface SearchRequest {
  q: string;
  limit: number;
  /** An arXiv category (cs.CL) or archive (cs). */
  category?: string | undefined;
  /** Published on or after this day. */
  from?: string | undefined;
  /** Published on or before this day. */
  to?: string | undefined;
}

/** The search engine's query for a request: the text plus its filters in the search language. */
export function searchQueryOf(req: SearchRequest): string {
  const parts = [req.q.trim()];
  if (req.category) parts.push(`cat:${req.category}`);
  if (req.from) parts.push(`after:${req.from}`);
  if (req.to) parts.push(`before:${addDays(req.to, 1)}`);
  return parts.filter(Boolean).join(' ');
}

/** Papers matching a query, best first, with every author. */
export async function searchPapers(deps: OpenDataDeps, req: SearchRequest): Promise<PaperCard[]> {
  const search = requireSearch(deps);
  if (req.q.length > MAX_SEARCH_CHARS) throw new UserError(400, `q is longer than ${MAX_SEARCH_CHARS} characters.`);
  const ids = await search.search(searchQueryOf(req), { limit: req.limit });
  return withAllAuthors(deps.store, await listCardsByIds(deps.store.db, ids.slice(0, req.limit)));
}

/** Papers most like one paper, best first. */
export async function similarPapers(deps: OpenDataDeps, id: string, limit: number): Promise<SimilarPaper[]> {
  const search = requireSearch(deps);
  if (!search.similar && !search.similarExplained) throw new UserError(503, 'Similar papers are not available on this instance yet.');
  await getPaper(deps, id);
  const hits = search.similarExplained
    ? await search.similarExplained(id, limit)
    : (await search.similar!(id, limit)).map((x) => ({ id: x, reason: undefined }));
  const kept = hits.filter((h) => h.id !== id).slice(0, limit);
  const reasons = new Map(kept.map((h) => [h.id, h.reason]));
  const cards = await withAllAuthors(deps.store, await listCardsByIds(deps.store.db, kept.map((h) => h.id)));
  return cards.map((c) => { const reason = reasons.get(c.id); return reason ? { ...c, reason } : c; });
}

export interface VoteHistory {
  paperId: string;
  from: string;
  to: string;
  /** Every upvote the paper has now. */
  total: number;
  /** One point a day, oldest first: votes cast that day and the running total at its end. */
  days: { day: string; votes: number; total: number }[];
}

/** Days the sparkline and the votes API show by default: a month. */
export const VOTE_HISTORY_DAYS = 30;

/** A paper's upvotes per day over the `days` days ending today. */
export async function voteHistory(deps: OpenDataDeps, id: string, days = VOTE_HISTORY_DAYS): Promise<VoteHistory> {
  const paper = await getPaper(deps, id);
  const to = msToDay(deps.now());
  const from = addDays(to, -(days - 1));
  const { before, days: counts } = await paperVotesByDay(deps.store.db, id, from);
  const byDay = new Map(counts.map((c) => [c.day, c.n]));
  let running = before;
  const points = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const votes = byDay.get(d) ?? 0;
    running += votes;
    points.push({ day: d, votes, total: running });
  }
  // Votes with a clock ahead of ours (another process) still count in the total.
  return { paperId: paper.id, from, to, total: Math.max(paper.upvotes, running), days: points };
}

export interface SiteStats {
  /** The days the per-day charts cover (ending on the latest day with data). */
  papersPerDay: { from: string; to: string; days: DayCount[] } | null;
  listedPerDay: { from: string; to: string; days: DayCount[] } | null;
  votesPerDay: { from: string; to: string; days: DayCount[] } | null;
  /** Categories of the papers announced in the papers-per-day window. */
  topCategories: { category: string; n: number }[];
  /** The month of the latest list, and its most-upvoted papers. */
  topOfMonth: { month: string; papers: PaperCard[] } | null;
}

/** Days each per-day chart covers. */
export const STATS_DAYS = 60;
const TOP_CATEGORIES = 12;
const TOP_OF_MONTH = 10;

/** Fills the days of [from, to] that have no row with zeros. */
function everyDay(from: string, to: string, rows: DayCount[]): DayCount[] {
  const byDay = new Map(rows.map((r) => [r.day, r.n]));
  const out: DayCount[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push({ day: d, n: byDay.get(d) ?? 0 });
  return out;
}

/**
 * The numbers behind /stats: each per-day chart covers the STATS_DAYS days ending on the latest
 * day that has data of its kind (so an archive instance shows its data, not empty recent days).
 */
export async function siteStats(deps: OpenDataDeps, month?: DayWindow): Promise<SiteStats> {
  const db = deps.store.db;
  const [lastAnnounced, lastListed, lastVote] = await Promise.all([
    deps.store.latestAnnouncedDay(), deps.store.latestDailyDay(), latestVoteDay(db),
  ]);
  const span = (last: string) => ({ from: addDays(last, -(STATS_DAYS - 1)), to: last });
  const series = async (last: string | null, count: (from: string, to: string) => Promise<DayCount[]>) => {
    if (!last) return null;
    const { from, to } = span(last);
    return { from, to, days: everyDay(from, to, await count(from, to)) };
  };
  const monthWindow = month ?? (lastListed ? parseMonth(lastListed.slice(0, 7)) : null);
  const [papersPerDay, listedPerDay, votesPerDay, topCategories, top] = await Promise.all([
    series(lastAnnounced, (f, t) => countAnnouncementsByDay(db, f, t)),
    series(lastListed, (f, t) => countDailyEntriesByDay(db, f, t)),
    series(lastVote, (f, t) => countVotesByDay(db, f, t)),
    lastAnnounced ? topAnnouncedCategories(db, span(lastAnnounced).from, lastAnnounced, TOP_CATEGORIES) : Promise.resolve([]),
    monthWindow ? deps.store.listDailyPapers({ from: monthWindow.from, to: monthWindow.to, sort: 'upvotes', limit: TOP_OF_MONTH, offset: 0 }) : Promise.resolve(null),
  ]);
  return {
    papersPerDay, listedPerDay, votesPerDay, topCategories,
    topOfMonth: monthWindow && top ? { month: monthWindow.label, papers: top.items } : null,
  };
}

/** How long the numbers of siteStats are reused while the data has not changed, in ms. */
export const SITE_STATS_KEPT_MS = 60_000;

/**
 * siteStats, reused for SITE_STATS_KEPT_MS while the store's data stands (the last month asked):
 * /stats and /api/v1/stats share it. Counting the votes of 60 days took 150 ms at 280,000 votes.
 */
export function keptSiteStats(deps: OpenDataDeps): (month?: DayWindow) => Promise<SiteStats> {
  let kept: { key: string; at: number; stats: SiteStats } | null = null;
  return async (month) => {
    const key = `${deps.store.changeToken()}|${month?.label ?? ''}`;
    const now = deps.now();
    if (!kept || kept.key !== key || now - kept.at > SITE_STATS_KEPT_MS) kept = { key, at: now, stats: await siteStats(deps, month) };
    return kept.stats;
  };
}
