/**
 * Daily-list entries made by members (submissions) and shaped by curators (feature, pin, hide),
 * and the code/project links curators and submitters add.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from './kysely.ts';
import type { Database } from './schema.ts';
import { touchListDays } from './list-changes.ts';
import { refreshPaperRanking } from './votes.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function findEntry(db: Db, paperId: string): Promise<{ day: string; hidden: boolean; addedByCurator: boolean } | null> {
  const r = await db.selectFrom('daily_entries').select(['day', 'hidden', 'added_by_curator']).where('paper_id', '=', paperId).executeTakeFirst();
  return r ? { day: r.day, hidden: r.hidden === 1, addedByCurator: r.added_by_curator === 1 } : null;
}

/** Takes off its list an entry that a curator's action put there; false when there is none such. */
export async function removeCuratorAddedEntry(trx: Transaction<Database>, paperId: string, now: string): Promise<boolean> {
  const gone = await trx.deleteFrom('daily_entries').where('paper_id', '=', paperId).where('added_by_curator', '=', 1).returning('day').execute();
  if (gone.length === 0) return false;
  await touchListDays(trx, 'daily', gone.map((r) => r.day), now);
  await refreshPaperRanking(trx, [paperId], now);
  return true;
}

/** Puts a paper on a day's list; false when it is already on one (the unique key decides, also under races). */
export async function insertEntry(
  trx: Transaction<Database>, e: { paperId: string; day: string; submittedBy: number; featured: boolean; byCurator?: boolean }, now: string,
): Promise<boolean> {
  const r = await trx.insertInto('daily_entries').values({
    paper_id: e.paperId, day: e.day, submitted_at: now, submitted_by: e.submittedBy, featured: e.featured ? 1 : 0, pinned: 0, hidden: 0,
    added_by_curator: e.byCurator ? 1 : 0,
  }).onConflict((oc) => oc.column('paper_id').doNothing()).executeTakeFirst();
  const added = Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  if (added) {
    await touchListDays(trx, 'daily', [e.day], now);
    await refreshPaperRanking(trx, [e.paperId], now);
  }
  return added;
}

export async function countSubmissionsSince(db: Db, userId: number, since: string): Promise<number> {
  const r = await db.selectFrom('daily_entries').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('submitted_by', '=', userId).where('submitted_at', '>=', since).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function setEntryFlags(db: Db, paperId: string, flags: Partial<{ featured: boolean; pinned: boolean; hidden: boolean }>, now: string): Promise<boolean> {
  const set: Partial<{ featured: number; pinned: number; hidden: number }> = {};
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) set[k as 'featured'] = v ? 1 : 0;
  if (Object.keys(set).length === 0) return false; // nothing to set (an UPDATE with an empty SET is not SQL)
  const changed = await db.updateTable('daily_entries').set(set).where('paper_id', '=', paperId).returning('day').execute();
  await touchListDays(db, 'daily', changed.map((r) => r.day), now);
  return changed.length > 0;
}

export async function setPaperLinks(db: Db, paperId: string, links: { codeUrl: string | null; projectUrl: string | null }, now: string): Promise<void> {
  await db.updateTable('papers').set({ code_url: links.codeUrl, project_url: links.projectUrl, modified_at: now }).where('id', '=', paperId).execute();
}

/**
 * Gives a paper the links it does not have yet and keeps those it has (a submitter's links never
 * replace a curator's). Decided in SQL, not from an earlier read, so a link stored meanwhile by
 * another writer is kept too.
 */
export async function fillPaperLinks(db: Db, paperId: string, links: { codeUrl: string | null; projectUrl: string | null }, now: string): Promise<void> {
  await db.updateTable('papers').set({
    code_url: sql<string | null>`coalesce(code_url, ${links.codeUrl})`,
    project_url: sql<string | null>`coalesce(project_url, ${links.projectUrl})`,
    modified_at: now,
  }).where('id', '=', paperId).execute();
}

/** Papers a member submitted, newest first; those curators hid only `withHidden` (for the member and curators). */
export async function listSubmittedPaperIds(db: Db, userId: number, limit: number, withHidden = false): Promise<string[]> {
  let q = db.selectFrom('daily_entries').select('paper_id').where('submitted_by', '=', userId);
  if (!withHidden) q = q.where('hidden', '=', 0);
  const rows = await q.orderBy('submitted_at', 'desc').limit(limit).execute();
  return rows.map((r) => r.paper_id);
}
