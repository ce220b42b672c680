/**
 * What admins and curators took out of view, for the admin pages that undo it: hidden papers
 * (daily-list entries) and suspended accounts. Hidden comments are listed by comments.ts.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface HiddenPaper { id: string; title: string; day: string; pinned: boolean }
export interface SuspendedAccount { username: string; role: string; suspendedAt: string }

/** Papers hidden from their daily list, newest list day first. */
export async function listHiddenPapers(db: Db, limit: number): Promise<HiddenPaper[]> {
  const rows = await db.selectFrom('daily_entries as d').innerJoin('papers as p', 'p.id', 'd.paper_id')
    .select(['p.id', 'p.title', 'd.day', 'd.pinned']).where('d.hidden', '=', 1)
    .orderBy('d.day', 'desc').orderBy('p.id', 'asc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, title: r.title, day: r.day, pinned: r.pinned === 1 }));
}

/** Suspended accounts, most recently suspended first. */
export async function listSuspendedAccounts(db: Db, limit: number): Promise<SuspendedAccount[]> {
  const rows = await db.selectFrom('users').select(['username', 'role', 'suspended_at']).where('suspended_at', 'is not', null)
    .orderBy('suspended_at', 'desc').orderBy('username', 'asc').limit(limit).execute();
  return rows.map((r) => ({ username: r.username, role: r.role, suspendedAt: r.suspended_at! }));
}
