/**
 * API tokens: members create them for scripts and agents and send them as Bearer tokens. The
 * table keeps a hash of each token, never the token itself (migration 005).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** The table as Kysely sees it (migration 005_api_tokens.sql). */
export interface ApiTokensTable {
  id: import('kysely').Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  scope: ApiTokenScope;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export type ApiTokenScope = 'read' | 'write';

type Db = Kysely<Database> | Transaction<Database>;
type TokenDb = Kysely<Database & { api_tokens: ApiTokensTable }>;

/** The store's database with the api_tokens table in its type. */
const withTokens = (db: Db): TokenDb => (db as Kysely<Database>).withTables<{ api_tokens: ApiTokensTable }>();

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  prefix: string;
  scope: ApiTokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

type Row = { id: number; user_id: number; name: string; prefix: string; scope: ApiTokenScope; created_at: string; last_used_at: string | null; expires_at: string | null; revoked_at: string | null };
const COLUMNS = ['id', 'user_id', 'name', 'prefix', 'scope', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'] as const;
const toToken = (r: Row): ApiToken => ({
  id: r.id, userId: r.user_id, name: r.name, prefix: r.prefix, scope: r.scope, createdAt: r.created_at,
  lastUsedAt: r.last_used_at, expiresAt: r.expires_at, revokedAt: r.revoked_at,
});

export async function insertApiToken(
  db: Db, t: { userId: number; name: string; tokenHash: string; prefix: string; scope: ApiTokenScope; expiresAt: string | null }, now: string,
): Promise<ApiToken> {
  const row = await withTokens(db).insertInto('api_tokens').values({
    user_id: t.userId, name: t.name, token_hash: t.tokenHash, prefix: t.prefix, scope: t.scope, created_at: now, last_used_at: null, expires_at: t.expiresAt, revoked_at: null,
  }).returning(COLUMNS).executeTakeFirstOrThrow();
  return toToken(row);
}

/** The live token with this hash (not revoked, not expired at `now`), or null. */
export async function findLiveApiToken(db: Db, tokenHash: string, now: string): Promise<ApiToken | null> {
  const row = await withTokens(db).selectFrom('api_tokens').select(COLUMNS)
    .where('token_hash', '=', tokenHash).where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  return row ? toToken(row) : null;
}

/** A member's tokens, newest first, revoked ones included. */
export async function listUserApiTokens(db: Db, userId: number): Promise<ApiToken[]> {
  const rows = await withTokens(db).selectFrom('api_tokens').select(COLUMNS).where('user_id', '=', userId)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toToken);
}

export async function countLiveApiTokens(db: Db, userId: number, now: string): Promise<number> {
  const r = await withTokens(db).selectFrom('api_tokens').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId).where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Revokes one of the member's tokens; false when they have no such live token. */
export async function revokeApiToken(db: Db, userId: number, id: number, now: string): Promise<boolean> {
  const r = await withTokens(db).updateTable('api_tokens').set({ revoked_at: now })
    .where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Records a use, unless one was recorded since `since` (keeps a write off most requests). */
export async function touchApiToken(db: Db, id: number, now: string, since: string): Promise<void> {
  await withTokens(db).updateTable('api_tokens').set({ last_used_at: now })
    .where('id', '=', id).where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', since)])).execute();
}

/** Revokes every live token of a member (a password reset or change); returns how many. */
export async function revokeUserApiTokens(db: Db, userId: number, now: string): Promise<number> {
  const r = await withTokens(db).updateTable('api_tokens').set({ revoked_at: now })
    .where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}
