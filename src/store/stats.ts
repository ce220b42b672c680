/**
 * Counts for /stats and the vote-history sparkline: per-day counts over a window of days, and
 * the categories papers were announced in. Every query reads a bounded window through an index.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from './kysely.ts';
import { addDays } from '../domain/dates.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface DayCount {
  /** YYYY-MM-DD (UTC). */
  day: string;
  n: number;
}

/** Papers arXiv announced on each day of [from, to] (a paper announced twice counts on each day). */
export async function countAnnouncementsByDay(db: Db, from: string, to: string): Promise<DayCount[]> {
  const rows = await db.selectFrom('announcements').select(['day', (eb) => eb.fn.countAll<number>().as('n')])
    .where('day', '>=', from).where('day', '<=', to).groupBy('day').orderBy('day').execute();
  return rows.map((r) => ({ day: r.day, n: Number(r.n) }));
}

/** Papers that entered the Daily papers list on each day of [from, to] (hidden entries left out). */
export async function countDailyEntriesByDay(db: Db, from: string, to: string): Promise<DayCount[]> {
  const rows = await db.selectFrom('daily_entries').select(['day', (eb) => eb.fn.countAll<number>().as('n')])
    .where('day', '>=', from).where('day', '<=', to).where('hidden', '=', 0).groupBy('day').orderBy('day').execute();
  return rows.map((r) => ({ day: r.day, n: Number(r.n) }));
}

const dayOf = sql<string>`substr(created_at, 1, 10)`;

/** Upvotes cast on each day of [from, to]. */
export async function countVotesByDay(db: Db, from: string, to: string): Promise<DayCount[]> {
  const rows = await db.selectFrom('votes').select([dayOf.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('created_at', '>=', `${from}T00:00:00.000Z`).where('created_at', '<', `${addDays(to, 1)}T00:00:00.000Z`)
    .groupBy(dayOf).orderBy(dayOf).execute();
  return rows.map((r) => ({ day: r.day, n: Number(r.n) }));
}

/** The day of the latest vote, or null when nobody has voted. */
export async function latestVoteDay(db: Db): Promise<string | null> {
  const r = await db.selectFrom('votes').select((eb) => eb.fn.max('created_at').as('at')).executeTakeFirst();
  return r?.at ? r.at.slice(0, 10) : null;
}

/** The categories of the papers announced in [from, to], most papers first. */
export async function topAnnouncedCategories(db: Db, from: string, to: string, limit: number): Promise<{ category: string; n: number }[]> {
  const ids = db.selectFrom('announcements').select('paper_id').distinct().where('day', '>=', from).where('day', '<=', to);
  const rows = await db.selectFrom('paper_categories').select(['category', (eb) => eb.fn.countAll<number>().as('n')])
    .where('paper_id', 'in', ids).groupBy('category').orderBy('n', 'desc').orderBy('category').limit(limit).execute();
  return rows.map((r) => ({ category: r.category, n: Number(r.n) }));
}

/** One paper's upvotes: how many were cast before `from`, and per day from `from` (YYYY-MM-DD) on. */
export async function paperVotesByDay(db: Db, paperId: string, from: string): Promise<{ before: number; days: DayCount[] }> {
  const start = `${from}T00:00:00.000Z`;
  const [before, days] = await Promise.all([
    db.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n')).where('paper_id', '=', paperId).where('created_at', '<', start).executeTakeFirstOrThrow(),
    db.selectFrom('votes').select([dayOf.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('paper_id', '=', paperId).where('created_at', '>=', start).groupBy(dayOf).orderBy(dayOf).execute(),
  ]);
  return { before: Number(before.n), days: days.map((r) => ({ day: r.day, n: Number(r.n) })) };
}
