/**
 * A category's Daily papers: which days have papers of the category on their list.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Whether any paper on the site is in the category. */
export async function categoryExists(db: Db, category: string): Promise<boolean> {
  const row = await db.selectFrom('paper_categories').select('paper_id').where('category', '=', category).limit(1).executeTakeFirst();
  return !!row;
}

/**
 * A category with at least this many papers is looked up from the days' side: its rows are many, and
 * a walk down the days by index meets one of its papers within a few entries. A smaller one is
 * looked up from its own rows.
 */
export const LARGE_CATEGORY = 2_000;

/** Whether the category has LARGE_CATEGORY papers or more (reads at most that many index entries). */
export async function isLargeCategory(db: Db, category: string): Promise<boolean> {
  const row = await db.selectFrom('paper_categories').select('paper_id').where('category', '=', category)
    .orderBy('paper_id').offset(LARGE_CATEGORY - 1).limit(1).executeTakeFirst();
  return !!row;
}

/**
 * How many list entries a walk down the days reads looking for one of a large category's papers
 * before it gives up for the category's own rows: a large category that curators rarely list would
 * otherwise have every entry read, three times a page.
 */
export const CATEGORY_WALK = 2_000;

/** Days with a visible list entry of the category, before or after `day` (nearest), or the latest when `day` is null. */
async function dayOf(db: Db, category: string, fn: 'max' | 'min', op: '<' | '>' | null, day: string | null, large?: boolean): Promise<string | null> {
  if (large ?? (await isLargeCategory(db, category))) {
    let walk = db.selectFrom('daily_entries as d').select(['d.day', 'd.paper_id']).where('d.hidden', '=', 0);
    if (op && day) walk = walk.where('d.day', op, day);
    const direction = fn === 'max' ? 'desc' : 'asc';
    const row = await db.selectFrom(walk.orderBy('d.day', direction).limit(CATEGORY_WALK).as('w')).select('w.day')
      .where((eb) => eb.exists(eb.selectFrom('paper_categories as c').select('c.paper_id').whereRef('c.paper_id', '=', 'w.paper_id').where('c.category', '=', category)))
      .orderBy('w.day', direction).limit(1).executeTakeFirst();
    if (row) return row.day;
  }
  let q = db.selectFrom('daily_entries as d')
    .innerJoin('paper_categories as c', 'c.paper_id', 'd.paper_id')
    .where('c.category', '=', category).where('d.hidden', '=', 0)
    .select((eb) => (fn === 'max' ? eb.fn.max('d.day') : eb.fn.min('d.day')).as('day'));
  if (op && day) q = q.where('d.day', op, day);
  const row = await q.executeTakeFirst();
  return row?.day ?? null;
}

/** The latest day whose Daily papers include the category. */
export function latestCategoryDay(db: Db, category: string): Promise<string | null> {
  return dayOf(db, category, 'max', null, null);
}

/** The nearest days before `day` and after `until` (default: `day`) whose lists include the category. */
export async function neighbourCategoryDays(db: Db, category: string, day: string, until: string = day): Promise<{ prev: string | null; next: string | null }> {
  const large = await isLargeCategory(db, category);
  const [prev, next] = await Promise.all([dayOf(db, category, 'max', '<', day, large), dayOf(db, category, 'min', '>', until, large)]);
  return { prev, next };
}
