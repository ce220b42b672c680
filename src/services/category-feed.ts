/**
 * A category's own trending list: the Daily papers of a day, week or month that are in the
 * category (primary or cross-listed), as the home feed ranks them. Previous and next step to the
 * nearest day, week or month that has papers of the category.
 */
import { dayWindow, type DayWindow } from '../domain/dates.ts';
import { categoryExists, latestCategoryDay } from '../store/category-lists.ts';
import type { Store } from '../store/index.ts';
import type { ListSort } from '../store/types.ts';
import { UserError } from './errors.ts';
import { getDailyFeed, type FeedView } from './feed.ts';

export interface CategoryFeedRequest {
  category: string;
  /** Absent: the latest day whose list has papers of the category. */
  window?: DayWindow | undefined;
  sort: ListSort;
  page: number;
  pageSize: number;
}

export async function getCategoryFeed(store: Store, req: CategoryFeedRequest): Promise<FeedView> {
  if (!(await categoryExists(store.db, req.category))) throw new UserError(404, `No papers in ${req.category} yet.`);
  let window = req.window;
  if (!window) {
    const latest = await latestCategoryDay(store.db, req.category);
    if (!latest) return { window: null, sort: req.sort, page: 1, pageSize: req.pageSize, pages: 1, total: 0, items: [], prev: null, next: null };
    window = dayWindow(latest);
  }
  // getDailyFeed steps to the nearest day, week or month with papers of the category.
  return getDailyFeed(store, { window, sort: req.sort, page: req.page, pageSize: req.pageSize, category: req.category });
}
