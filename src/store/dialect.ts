/**
 * Which database a query builder talks to, for the few queries whose best form differs between
 * the stores (row locks, SKIP LOCKED, string functions).
 */
import type { Kysely, Transaction } from 'kysely';
import { PostgresAdapter, sql } from './kysely.ts';
import type { Database } from './schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * True when a write failed on a UNIQUE constraint (SQLite's SQLITE_CONSTRAINT_UNIQUE, PostgreSQL's
 * 23505): the loser of two requests that both checked first, which deserves the same answer as
 * when it came second.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/**
 * True when a write failed on a foreign key (SQLite's SQLITE_CONSTRAINT_FOREIGNKEY, PostgreSQL's
 * 23503): it refers to a row another request deleted a moment before.
 */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/**
 * The one order in which every transaction locks rows: code-point order, as JavaScript sorts
 * strings and as PostgreSQL's "C" collation compares ASCII (the database's own collation may
 * differ). Two transactions that lock rows in one order cannot deadlock on them.
 */
export function inLockOrder<T extends string | number>(ids: readonly T[]): T[] {
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * On PostgreSQL, locks these papers' rows (in lock order) until the transaction ends, so that what
 * this transaction reads of them, and of the rows that hang off them (keywords, authors), is not
 * changed by another writer before it writes. NO KEY UPDATE, not UPDATE: it does not wait for the
 * key-share locks that inserting a row referring to the paper (a vote, a comment) takes. A paper
 * that does not exist yet is not locked. SQLite runs one writer at a time: nothing to do.
 */
export async function lockPaperRows(trx: Transaction<Database>, ids: readonly string[]): Promise<void> {
  if (ids.length === 0 || !isPostgres(trx)) return;
  const sorted = inLockOrder(ids);
  for (let i = 0; i < sorted.length; i += 500) {
    await trx.selectFrom('papers').select('id').where('id', 'in', sorted.slice(i, i + 500))
      .orderBy(sql`id collate "C"`).forNoKeyUpdate().execute();
  }
}

/**
 * Before recounting a stored counter from the rows it counts (papers.upvotes from votes,
 * comments.score from comment_votes, papers.comments_count from comments): on PostgreSQL, lock the
 * counter rows (in lock order, so two transactions cannot deadlock). The count that follows then
 * sees every transaction that recounted before, so concurrent writers never leave a stale count.
 * See lockPaperRows for why NO KEY UPDATE. SQLite runs one writer at a time: nothing to do.
 */
export async function lockCounterRows(trx: Transaction<Database>, table: 'papers' | 'comments', ids: readonly (string | number)[]): Promise<void> {
  if (table === 'papers') return lockPaperRows(trx, ids as readonly string[]);
  if (ids.length === 0 || !isPostgres(trx)) return;
  await trx.selectFrom('comments').select('id').where('id', 'in', inLockOrder(ids as readonly number[])).orderBy('id').forNoKeyUpdate().execute();
}

/** The first key of keyed advisory locks (the two-key form, apart from the one-key ids 8150001…). */
const KEYED_LOCK_SPACE = 8_150_012;

/**
 * Before a transaction reads what it then writes about one thing (an address's subscriptions):
 * on PostgreSQL, a transaction-scoped advisory lock on a hash of `key`, so two such transactions
 * for the same key run one after the other and the second sees what the first wrote. Two keys
 * whose hashes meet only wait for each other. SQLite runs one writing transaction at a time.
 * Callers ask for it with Store.transaction's `lock` option.
 */
export async function lockKey(trx: Transaction<Database>, key: string): Promise<void> {
  if (isPostgres(trx)) await sql`SELECT pg_advisory_xact_lock(${KEYED_LOCK_SPACE}, hashtext(${key}))`.execute(trx);
}
