/**
 * Accounts, sessions, single-use e-mail tokens, rate-limit counters and instance secrets.
 */
import type { Kysely, Transaction } from 'kysely';
import { isPostgres } from './dialect.ts';
import type { Database, UsersTable } from './schema.ts';
import { unlinkOtherAddresses } from './subscriptions.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type Role = 'member' | 'curator' | 'admin';

export interface User {
  id: number;
  username: string;
  email: string | null;
  displayName: string | null;
  role: Role;
  isDemo: boolean;
  emailVerifiedAt: string | null;
  suspendedAt: string | null;
  votesPublic: boolean;
  createdAt: string;
}

type UserRow = Omit<UsersTable, 'id'> & { id: number };

const toUser = (r: UserRow): User => ({
  id: r.id, username: r.username, email: r.email, displayName: r.display_name, role: r.role, isDemo: r.is_demo === 1,
  emailVerifiedAt: r.email_verified_at, suspendedAt: r.suspended_at, votesPublic: r.votes_public === 1, createdAt: r.created_at,
});

export async function createUser(
  db: Db, u: { username: string; email: string | null; passwordHash: string | null; role: Role; verified: boolean }, now: string,
): Promise<User> {
  const row = await db.insertInto('users').values({
    username: u.username, email: u.email, password_hash: u.passwordHash, role: u.role, is_demo: 0, votes_public: 1,
    email_verified_at: u.verified ? now : null, created_at: now, display_name: null, suspended_at: null,
  }).returningAll().executeTakeFirstOrThrow();
  return toUser(row);
}

export async function findUserById(db: Db, id: number): Promise<User | null> {
  const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toUser(r) : null;
}

export async function findUserByName(db: Db, username: string): Promise<User | null> {
  const r = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return r ? toUser(r) : null;
}

/** The user and password hash for a sign-in by username or e-mail. */
export async function findLogin(db: Db, login: string): Promise<{ user: User; passwordHash: string | null } | null> {
  const r = await db.selectFrom('users').selectAll()
    .where((eb) => eb.or([eb('username', '=', login), eb('email', '=', login)]))
    .executeTakeFirst();
  return r ? { user: toUser(r), passwordHash: r.password_hash } : null;
}

export async function passwordHashOf(db: Db, userId: number): Promise<string | null> {
  const r = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return r?.password_hash ?? null;
}

export async function isEmailTaken(db: Db, email: string, exceptUserId?: number): Promise<boolean> {
  let q = db.selectFrom('users').select('id').where('email', '=', email);
  if (exceptUserId !== undefined) q = q.where('id', '!=', exceptUserId);
  return !!(await q.executeTakeFirst());
}

export async function isUsernameTaken(db: Db, username: string): Promise<boolean> {
  return !!(await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst());
}

export async function updateUser(
  db: Db, id: number, set: Partial<{ password_hash: string; email: string | null; email_verified_at: string | null; role: Role; suspended_at: string | null; votes_public: number }>,
): Promise<void> {
  await db.updateTable('users').set(set).where('id', '=', id).execute();
}

export async function listUsers(db: Db, limit: number, offset: number): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().where('is_demo', '=', 0).orderBy('created_at', 'desc').limit(limit).offset(offset).execute();
  return rows.map(toUser);
}

/**
 * Before reading what hangs on a user to delete it with them: on PostgreSQL, lock the user row, so
 * a vote or comment vote inserted meanwhile either committed before (and is read) or waits on its
 * foreign key and fails once the user is gone; none is removed by the cascade unread. SQLite runs
 * one writing transaction at a time.
 */
export async function lockUserRow(trx: Transaction<Database>, id: number): Promise<void> {
  if (isPostgres(trx)) await trx.selectFrom('users').select('id').where('id', '=', id).forUpdate().execute();
}

/** Deletes an account; the caller recounts what the user had voted for (see services/accounts). */
export async function deleteUserRow(trx: Transaction<Database>, id: number): Promise<void> {
  await unlinkOtherAddresses(trx, id); // other people's subscriptions stay theirs
  await trx.deleteFrom('users').where('id', '=', id).execute();
}

// Sessions: the cookie holds a random value, the table only its hash.

export async function insertSession(db: Db, s: { idHash: string; userId: number; createdAt: string; expiresAt: string }): Promise<void> {
  await db.insertInto('sessions').values({ id: s.idHash, user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt }).execute();
}

export async function findSessionUser(db: Db, idHash: string, now: string): Promise<User | null> {
  const r = await db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id').selectAll('u')
    .where('s.id', '=', idHash).where('s.expires_at', '>', now).executeTakeFirst();
  return r ? toUser(r) : null;
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', idHash).execute();
}

export async function deleteUserSessions(db: Db, userId: number, exceptIdHash?: string): Promise<void> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptIdHash) q = q.where('id', '!=', exceptIdHash);
  await q.execute();
}

// Single-use e-mail tokens.

export async function insertEmailToken(
  db: Db, t: { tokenHash: string; userId: number; purpose: 'verify' | 'reset' | 'change-email'; email: string; createdAt: string; expiresAt: string },
): Promise<void> {
  await db.insertInto('email_tokens').values({
    token_hash: t.tokenHash, user_id: t.userId, purpose: t.purpose, email: t.email, created_at: t.createdAt, expires_at: t.expiresAt, used_at: null,
  }).execute();
}

/** Marks a valid, unused, unexpired token used and returns it; null otherwise. One statement: a token works once. */
export async function consumeEmailToken(db: Db, tokenHash: string, purpose: string, now: string): Promise<{ userId: number; email: string } | null> {
  const r = await db.updateTable('email_tokens').set({ used_at: now })
    .where('token_hash', '=', tokenHash).where('purpose', '=', purpose as 'verify').where('used_at', 'is', null).where('expires_at', '>', now)
    .returning(['user_id', 'email']).executeTakeFirst();
  return r ? { userId: r.user_id, email: r.email } : null;
}

/**
 * Marks every unused token of an account used (of `purposes`, default all): once an address is
 * confirmed or the password reset, links sent earlier, perhaps to another address, stop working.
 */
export async function retireEmailTokens(db: Db, userId: number, now: string, purposes: Array<'verify' | 'reset' | 'change-email'> = ['verify', 'reset', 'change-email']): Promise<void> {
  await db.updateTable('email_tokens').set({ used_at: now })
    .where('user_id', '=', userId).where('purpose', 'in', purposes).where('used_at', 'is', null).execute();
}

/** The account that holds an address (as the store compares addresses: without regard to case). */
export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  const r = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  return r ? toUser(r) : null;
}

/** A valid, unused, unexpired token of one of `purposes`, without using it up. */
export async function findEmailToken(db: Db, tokenHash: string, purposes: string[], now: string): Promise<{ userId: number; email: string; purpose: string } | null> {
  const r = await db.selectFrom('email_tokens').select(['user_id', 'email', 'purpose'])
    .where('token_hash', '=', tokenHash).where('purpose', 'in', purposes as Array<'verify'>).where('used_at', 'is', null).where('expires_at', '>', now)
    .executeTakeFirst();
  return r ? { userId: r.user_id, email: r.email, purpose: r.purpose } : null;
}

/** The address of the newest unused sign-up confirmation of an account (expired or not). */
export async function pendingAddressOf(db: Db, userId: number): Promise<string | null> {
  const r = await db.selectFrom('email_tokens').select('email').where('user_id', '=', userId).where('purpose', '=', 'verify')
    .where('used_at', 'is', null).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return r?.email ?? null;
}

export async function countRecentTokens(db: Db, userId: number, purpose: string, since: string): Promise<number> {
  const r = await db.selectFrom('email_tokens').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId).where('purpose', '=', purpose as 'verify').where('created_at', '>', since).executeTakeFirstOrThrow();
  return Number(r.n);
}

// Rate limits: fixed windows, counted in one upsert so concurrent requests cannot both slip through.

export async function hitRateLimit(db: Db, key: string, windowSeconds: number, nowMs: number): Promise<{ count: number; resetAtMs: number }> {
  const windowStart = Math.floor(nowMs / 1000 / windowSeconds) * windowSeconds;
  const r = await db.insertInto('rate_limits').values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('rate_limits.count', '+', 1) })))
    .returning('count').executeTakeFirstOrThrow();
  return { count: r.count, resetAtMs: (windowStart + windowSeconds) * 1000 };
}

/** Takes one back from a counter of the current window (never below zero). */
export async function unhitRateLimit(db: Db, key: string, windowSeconds: number, nowMs: number): Promise<void> {
  const windowStart = Math.floor(nowMs / 1000 / windowSeconds) * windowSeconds;
  await db.updateTable('rate_limits').set((eb) => ({ count: eb('count', '-', 1) }))
    .where('key', '=', key).where('window_start', '=', windowStart).where('count', '>', 0).execute();
}

/** Whether an admin account that can sign in exists (not suspended, not a demo account). */
export async function hasActiveAdmin(db: Db): Promise<boolean> {
  const r = await db.selectFrom('users').select('id').where('role', '=', 'admin').where('suspended_at', 'is', null).where('is_demo', '=', 0).where('password_hash', 'is not', null).limit(1).executeTakeFirst();
  return !!r;
}

export async function pruneRateLimits(db: Db, beforeEpochSeconds: number): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_start', '<', beforeEpochSeconds).execute();
}

// Instance secrets.

export async function getOrCreateSecret(db: Db, name: string, generate: () => string, now: string): Promise<string> {
  await db.insertInto('instance_secrets').values({ name, value: generate(), created_at: now }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const r = await db.selectFrom('instance_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return r.value;
}
