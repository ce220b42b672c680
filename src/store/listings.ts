/**
 * The two lists a day has: "Daily papers" (entered by members and curators) and
 * "New on arXiv" (announced by arXiv in the instance's categories).
 */
import type { Kysely, Transaction } from 'kysely';
import type { DailyEntryRecord } from '../domain/paper.ts';
import type { Database } from './schema.ts';
import type { ListQuery, Page, PaperCard } from './types.ts';
import { attachCardDetails, CARD_COLUMNS, toCard } from './cards.ts';
import { touchListDays } from './list-changes.ts';
import { trendingByVotes } from '../domain/ranking.ts';
import { CATEGORY_WALK, isLargeCategory } from './category-lists.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Adds papers to daily lists; a paper already on a list keeps its first entry. Returns how many were
 * added; the lists they joined are recorded as changed at `now`.
 */
export async function addDailyEntries(trx: Transaction<Database>, entries: DailyEntryRecord[], now: string, submittedBy: number | null = null): Promise<number> {
  let added = 0;
  const days = new Set<string>();
  for (const e of entries) {
    const res = await trx.insertInto('daily_entries')
      .values({ paper_id: e.paperId, day: e.day, submitted_at: e.submittedAt, submitted_by: submittedBy, featured: 0, pinned: 0, hidden: 0 })
      .onConflict((oc) => oc.column('paper_id').doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) {
      added++;
      days.add(e.day);
    }
  }
  await touchListDays(trx, 'daily', days, now);
  return added;
}

/** One page of a window's Daily papers, hidden entries left out; pinned first on a single day. */
export async function listDailyPapers(db: Db, q: ListQuery): Promise<Page<PaperCard>> {
  let base = db.selectFrom('daily_entries as d')
    .innerJoin('papers as p', 'p.id', 'd.paper_id')
    .where('d.day', '>=', q.from).where('d.day', '<=', q.to).where('d.hidden', '=', 0);
  if (q.category) {
    const category = q.category;
    base = base.where((eb) => eb.exists(eb.selectFrom('paper_categories as c').select('c.paper_id')
      .whereRef('c.paper_id', '=', 'p.id').where('c.category', '=', category)));
  }
  if (q.submitter !== undefined) {
    const submitter = q.submitter;
    base = base.where((eb) => eb.exists(eb.selectFrom('users as s').select('s.id')
      .whereRef('s.id', '=', 'd.submitted_by').where('s.username', '=', submitter)));
  }
  // The page's ids are sorted and cut on their own, then its rows read: sorting the whole window's
  // rows with their abstracts costs time in its size (all of them for the API's every-day list).
  const order = <T extends { orderBy: (...a: any[]) => T }>(x: T): T => {
    let o = x;
    if (q.from === q.to && q.submitter === undefined) o = o.orderBy('d.pinned', 'desc');
    if (q.sort === 'upvotes' || (q.sort === 'trending' && trendingByVotes(q.from, q.to))) o = o.orderBy('p.upvotes', 'desc').orderBy('p.hotness', 'desc');
    else if (q.sort === 'trending') o = o.orderBy('p.hotness', 'desc');
    else o = o.orderBy('d.submitted_at', 'desc');
    return o.orderBy('p.id');
  };
  const pageIds = order(base.select('p.id')).limit(q.limit).offset(q.offset);
  const rows = order(db.selectFrom('daily_entries as d').innerJoin('papers as p', 'p.id', 'd.paper_id')
    .leftJoin('users as u', 'u.id', 'd.submitted_by').select(CARD_COLUMNS).where('p.id', 'in', pageIds));
  const [items, total] = await Promise.all([
    rows.execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await attachCardDetails(db, items.map(toCard)), total: Number(total.n) };
}

/** One page of what arXiv announced in a window, optionally in one category. */
export async function listAnnouncedPapers(db: Db, q: ListQuery): Promise<Page<PaperCard>> {
  // A paper announced on several days of the window (new, then replaced) is listed once.
  let ids = db.selectFrom('announcements as a').select('a.paper_id').distinct()
    .where('a.day', '>=', q.from).where('a.day', '<=', q.to);
  if (q.category) {
    const category = q.category;
    // A large category: EXISTS, probed per announcement of the window (a join lets SQLite start from
    // every paper of the category). A small one: from its own few rows.
    ids = await isLargeCategory(db, category)
      ? ids.where((eb) => eb.exists(eb.selectFrom('paper_categories as c').select('c.paper_id')
        .whereRef('c.paper_id', '=', 'a.paper_id').where('c.category', '=', category)))
      : ids.innerJoin('paper_categories as c', 'c.paper_id', 'a.paper_id').where('c.category', '=', category);
  }
  let rows = db.selectFrom('papers as p')
    .leftJoin('daily_entries as d', 'd.paper_id', 'p.id')
    .leftJoin('users as u', 'u.id', 'd.submitted_by')
    .select(CARD_COLUMNS)
    .where('p.id', 'in', ids);
  if (q.sort === 'trending' && trendingByVotes(q.from, q.to)) rows = rows.orderBy('p.upvotes', 'desc').orderBy('p.hotness', 'desc');
  else if (q.sort === 'trending') rows = rows.orderBy('p.hotness', 'desc');
  else if (q.sort === 'upvotes') rows = rows.orderBy('p.upvotes', 'desc').orderBy('p.published_at', 'desc');
  else rows = rows.orderBy('p.published_at', 'desc');
  const [items, total] = await Promise.all([
    rows.orderBy('p.id').limit(q.limit).offset(q.offset).execute(),
    db.selectFrom(ids.as('x')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await attachCardDetails(db, items.map(toCard)), total: Number(total.n) };
}

/** The latest day that has a Daily papers list, or null when there is none. */
export async function latestDailyDay(db: Db): Promise<string | null> {
  const row = await db.selectFrom('daily_entries').select((eb) => eb.fn.max('day').as('day')).where('hidden', '=', 0).executeTakeFirst();
  return row?.day ?? null;
}

/** The latest day arXiv announced anything (in a category, when given). */
export async function latestAnnouncedDay(db: Db, category?: string): Promise<string | null> {
  if (category && (await isLargeCategory(db, category))) {
    // Down the days by index, to the first paper of the category (within CATEGORY_WALK
    // announcements): not every paper of a large category.
    const walk = db.selectFrom('announcements as a').select(['a.day', 'a.paper_id']).orderBy('a.day', 'desc').limit(CATEGORY_WALK);
    const row = await db.selectFrom(walk.as('w')).select('w.day')
      .where((eb) => eb.exists(eb.selectFrom('paper_categories as c').select('c.paper_id').whereRef('c.paper_id', '=', 'w.paper_id').where('c.category', '=', category)))
      .orderBy('w.day', 'desc').limit(1).executeTakeFirst();
    if (row) return row.day;
  }
  let q = db.selectFrom('announcements as a').select((eb) => eb.fn.max('a.day').as('day'));
  if (category) q = q.innerJoin('paper_categories as c', 'c.paper_id', 'a.paper_id').where('c.category', '=', category);
  const row = await q.executeTakeFirst();
  return row?.day ?? null;
}

/**
 * The nearest days before `day` and after `until` (default: `day`) that have a Daily papers list
 * (skipping empty days); `day`..`until` is a week or month when stepping by those.
 */
export async function neighbourDailyDays(db: Db, day: string, until: string = day): Promise<{ prev: string | null; next: string | null }> {
  const [prev, next] = await Promise.all([
    db.selectFrom('daily_entries').select((eb) => eb.fn.max('day').as('day')).where('day', '<', day).where('hidden', '=', 0).executeTakeFirst(),
    db.selectFrom('daily_entries').select((eb) => eb.fn.min('day').as('day')).where('day', '>', until).where('hidden', '=', 0).executeTakeFirst(),
  ]);
  return { prev: prev?.day ?? null, next: next?.day ?? null };
}

/** The nearest announcement days before and after `day`. */
export async function neighbourAnnouncedDays(db: Db, day: string): Promise<{ prev: string | null; next: string | null }> {
  const [prev, next] = await Promise.all([
    db.selectFrom('announcements').select((eb) => eb.fn.max('day').as('day')).where('day', '<', day).executeTakeFirst(),
    db.selectFrom('announcements').select((eb) => eb.fn.min('day').as('day')).where('day', '>', day).executeTakeFirst(),
  ]);
  return { prev: prev?.day ?? null, next: next?.day ?? null };
}

/** Cards for the given papers, in the given order (unknown ids are left out). */
export async function listCardsByIds(db: Db, ids: string[]): Promise<PaperCard[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('papers as p')
    .leftJoin('daily_entries as d', 'd.paper_id', 'p.id')
    .leftJoin('users as u', 'u.id', 'd.submitted_by')
    .select(CARD_COLUMNS)
    .where('p.id', 'in', ids)
    .execute();
  const cards = await attachCardDetails(db, rows.map(toCard));
  const byId = new Map(cards.map((c) => [c.id, c]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
