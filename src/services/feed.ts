/**
 * The lists readers open: a day's, week's or month's Daily papers, and New on arXiv.
 * One call per page; pages, the JSON API and feeds share them.
 */
import {
  dayWindow, parseDay, parseMonth, parseWeek, windowContaining, type DayWindow, type Period,
} from '../domain/dates.ts';
import { neighbourCategoryDays } from '../store/category-lists.ts';
import type { Store } from '../store/index.ts';
import type { ListSort, PaperCard } from '../store/types.ts';

export interface FeedRequest {
  /** A day, ISO week or month label; absent for "the latest day with papers". */
  window?: DayWindow | undefined;
  sort: ListSort;
  page: number;
  pageSize: number;
  category?: string | undefined;
}

export interface FeedView {
  /** Null when the store has no list at all yet. */
  window: DayWindow | null;
  sort: ListSort;
  page: number;
  pageSize: number;
  pages: number;
  total: number;
  items: PaperCard[];
  /** The windows to link as previous and next: the nearest ones with papers, null past the ends. */
  prev: DayWindow | null;
  next: DayWindow | null;
}

export class NotFoundError extends Error {}

/** Parses a window label of the given period; null when malformed. */
export function parseWindow(period: Period, label: string): DayWindow | null {
  if (period === 'day') {
    const day = parseDay(label);
    return day ? dayWindow(day) : null;
  }
  return period === 'week' ? parseWeek(label) : parseMonth(label);
}

function pagesOf(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** Daily papers of a window (or the latest day that has a list). */
export async function getDailyFeed(store: Store, req: FeedRequest): Promise<FeedView> {
  let window = req.window ?? null;
  if (!window) {
    const latest = await store.latestDailyDay();
    if (!latest) return { window: null, sort: req.sort, page: 1, pageSize: req.pageSize, pages: 1, total: 0, items: [], prev: null, next: null };
    window = dayWindow(latest);
  }
  const [list, neighbours] = await Promise.all([
    store.listDailyPapers({
      from: window.from, to: window.to, sort: req.sort, limit: req.pageSize, offset: (req.page - 1) * req.pageSize, category: req.category,
    }),
    req.category
      ? neighbourCategoryDays(store.db, req.category, window.from, window.to)
      : store.neighbourDailyDays(window.from, window.to),
  ]);
  const pages = pagesOf(list.total, req.pageSize);
  if (req.page > pages) throw new NotFoundError(`page ${req.page} of ${pages}`);
  // Step to the nearest day, week or month that has papers; none past the first and last lists.
  const period = window.period;
  const prev = neighbours.prev ? windowContaining(period, neighbours.prev) : null;
  const next = neighbours.next ? windowContaining(period, neighbours.next) : null;
  return { window, sort: req.sort, page: req.page, pageSize: req.pageSize, pages, total: list.total, items: list.items, prev, next };
}

/** What arXiv announced in a window (or on the latest announcement day), optionally in one category. */
export async function getNewFeed(store: Store, req: FeedRequest): Promise<FeedView> {
  let window = req.window ?? null;
  if (!window) {
    const latest = await store.latestAnnouncedDay(req.category);
    if (!latest) return { window: null, sort: req.sort, page: 1, pageSize: req.pageSize, pages: 1, total: 0, items: [], prev: null, next: null };
    window = dayWindow(latest);
  }
  const [list, neighbours] = await Promise.all([
    store.listAnnouncedPapers({
      from: window.from, to: window.to, sort: req.sort, limit: req.pageSize, offset: (req.page - 1) * req.pageSize, category: req.category,
    }),
    store.neighbourAnnouncedDays(window.from),
  ]);
  const pages = pagesOf(list.total, req.pageSize);
  if (req.page > pages) throw new NotFoundError(`page ${req.page} of ${pages}`);
  return {
    window, sort: req.sort, page: req.page, pageSize: req.pageSize, pages, total: list.total, items: list.items,
    prev: neighbours.prev ? dayWindow(neighbours.prev) : null,
    next: neighbours.next ? dayWindow(neighbours.next) : null,
  };
}

/** The window of `period` around the latest day with papers, for the Weekly and Monthly tabs. */
export async function latestWindow(store: Store, period: Period): Promise<DayWindow | null> {
  const latest = await store.latestDailyDay();
  return latest ? windowContaining(period, latest) : null;
}
