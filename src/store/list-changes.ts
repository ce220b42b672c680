/**
 * When a day's lists last changed (list_changes, migration 019): on Daily papers, an entry added,
 * hidden or shown again, featured, pinned or taken off; on New on arXiv, an announcement added.
 * Feeds date themselves by the later of their newest item and this, so their Last-Modified never
 * moves back when the newest item leaves, and moves on when a harvest adds to a day already served.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from './kysely.ts';
import type { Database } from './schema.ts';

/** 'daily': Daily papers; 'new': New on arXiv. */
export type ListKind = 'daily' | 'new';

export interface ListChangesTable {
  list: ListKind;
  day: string;
  changed_at: string;
}

type Db = Kysely<Database> | Transaction<Database>;
const withChanges = (db: Db) => (db as Kysely<Database>).withTables<{ list_changes: ListChangesTable }>();

/** Records that the `list` of each of `days` changed at `now`; a later time already recorded stays. */
export async function touchListDays(db: Db, list: ListKind, days: Iterable<string>, now: string): Promise<void> {
  // Sorted: one lock order for every transaction, so two writers touching the same days cannot deadlock.
  const unique = [...new Set(days)].sort();
  if (unique.length === 0) return;
  await withChanges(db).insertInto('list_changes').values(unique.map((day) => ({ list, day, changed_at: now })))
    .onConflict((oc) => oc.columns(['list', 'day']).doUpdateSet({
      changed_at: sql<string>`CASE WHEN excluded.changed_at > list_changes.changed_at THEN excluded.changed_at ELSE list_changes.changed_at END`,
    }))
    .execute();
}

/** The last change to the `list` of the days from `from` to `to` (inclusive), or null. */
export async function listsChangedAt(db: Db, list: ListKind, from: string, to: string): Promise<string | null> {
  const r = await withChanges(db).selectFrom('list_changes').select((eb) => eb.fn.max('changed_at').as('at'))
    .where('list', '=', list).where('day', '>=', from).where('day', '<=', to).executeTakeFirst();
  return r?.at ?? null;
}
