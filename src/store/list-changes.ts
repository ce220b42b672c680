/**
 * When a day's list last changed (list_changes, migration 019): an entry added, hidden or shown
 * again, featured, pinned or taken off. Feeds date themselves by the later of their newest item and
 * this, so their Last-Modified never moves back when the newest item leaves the list.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

export interface ListChangesTable {
  day: string;
  changed_at: string;
}

type Db = Kysely<Database> | Transaction<Database>;
const withChanges = (db: Db) => (db as Kysely<Database>).withTables<{ list_changes: ListChangesTable }>();

/** Records that the lists of `days` changed at `now`; a later time already recorded stays. */
export async function touchListDays(db: Db, days: Iterable<string>, now: string): Promise<void> {
  const unique = [...new Set(days)];
  if (unique.length === 0) return;
  await withChanges(db).insertInto('list_changes').values(unique.map((day) => ({ day, changed_at: now })))
    .onConflict((oc) => oc.column('day').doUpdateSet({
      changed_at: sql<string>`CASE WHEN excluded.changed_at > list_changes.changed_at THEN excluded.changed_at ELSE list_changes.changed_at END`,
    }))
    .execute();
}

/** Records that the list holding the paper changed at `now` (nothing when it is on none). */
export async function touchListOfPaper(db: Db, paperId: string, now: string): Promise<void> {
  const entry = await db.selectFrom('daily_entries').select('day').where('paper_id', '=', paperId).executeTakeFirst();
  if (entry) await touchListDays(db, [entry.day], now);
}

/** The last change to the lists of the days from `from` to `to` (inclusive), or null. */
export async function listsChangedAt(db: Db, from: string, to: string): Promise<string | null> {
  const r = await withChanges(db).selectFrom('list_changes').select((eb) => eb.fn.max('changed_at').as('at'))
    .where('day', '>=', from).where('day', '<=', to).executeTakeFirst();
  return r?.at ?? null;
}
