/**
 * What admins and curators took out of view, for the admin pages that undo it: hidden papers
 * (daily-list entries) and suspended accounts, a page at a time (keyset paging, see keyset.ts).
 * Hidden comments are listed by comments.ts.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { keysetOrder, keysetWhere, type KeysetKey, type KeysetSpec, type Toward } from './keyset.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface HiddenPaper { id: string; title: string; day: string; pinned: boolean }
export interface SuspendedAccount { username: string; role: string; suspendedAt: string }

/** Hidden papers' order: newest list day first, then by arXiv id (a paper is on one day's list at most). */
const HIDDEN_PAPERS_ORDER: KeysetSpec = { columns: ['d.day', 'd.paper_id'], order: ['desc', 'asc'] };
/** Suspended accounts' order: most recently suspended first, then by username (unique). */
const SUSPENDED_ORDER: KeysetSpec = { columns: ['suspended_at', 'username'], order: ['desc', 'asc'] };

/** Papers hidden from their daily list: up to `limit` past `key` ([day, paper id]; null: from the start) in the reading order of `toward`. */
export async function listHiddenPapers(db: Db, toward: Toward, key: KeysetKey | null, limit: number): Promise<HiddenPaper[]> {
  const [first, second] = keysetOrder(HIDDEN_PAPERS_ORDER, toward);
  let q = db.selectFrom('daily_entries as d').innerJoin('papers as p', 'p.id', 'd.paper_id')
    .select(['p.id', 'p.title', 'd.day', 'd.pinned']).where('d.hidden', '=', 1);
  if (key) q = q.where(keysetWhere(HIDDEN_PAPERS_ORDER, toward, key));
  const rows = await q.orderBy('d.day', first).orderBy('d.paper_id', second).limit(limit).execute();
  return rows.map((r) => ({ id: r.id, title: r.title, day: r.day, pinned: r.pinned === 1 }));
}

export async function countHiddenPapers(db: Db): Promise<number> {
  const r = await db.selectFrom('daily_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('hidden', '=', 1).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Suspended accounts: up to `limit` past `key` ([suspended_at, username]; null: from the start) in the reading order of `toward`. */
export async function listSuspendedAccounts(db: Db, toward: Toward, key: KeysetKey | null, limit: number): Promise<SuspendedAccount[]> {
  const [first, second] = keysetOrder(SUSPENDED_ORDER, toward);
  let q = db.selectFrom('users').select(['username', 'role', 'suspended_at']).where('suspended_at', 'is not', null);
  if (key) q = q.where(keysetWhere(SUSPENDED_ORDER, toward, key));
  const rows = await q.orderBy('suspended_at', first).orderBy('username', second).limit(limit).execute();
  return rows.map((r) => ({ username: r.username, role: r.role, suspendedAt: r.suspended_at! }));
}

export async function countSuspendedAccounts(db: Db): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('suspended_at', 'is not', null).executeTakeFirstOrThrow();
  return Number(r.n);
}
