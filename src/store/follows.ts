/**
 * Members following authors, by name (migration 006). Following is idempotent; so is unfollowing.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

export interface AuthorFollowsTable {
  user_id: number;
  author_name: string;
  created_at: string;
}

type Db = Kysely<Database> | Transaction<Database>;
type FollowDb = Kysely<Database & { author_follows: AuthorFollowsTable }>;
const withFollows = (db: Db): FollowDb => (db as Kysely<Database>).withTables<{ author_follows: AuthorFollowsTable }>();

export interface FollowedAuthor {
  name: string;
  followedAt: string;
}

/** Starts following; returns false when the member already followed the name. */
export async function followAuthor(db: Db, userId: number, name: string, now: string): Promise<boolean> {
  const res = await withFollows(db).insertInto('author_follows')
    .values({ user_id: userId, author_name: name, created_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'author_name']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Stops following; returns false when the member did not follow the name. */
export async function unfollowAuthor(db: Db, userId: number, name: string): Promise<boolean> {
  const res = await withFollows(db).deleteFrom('author_follows')
    .where('user_id', '=', userId).where('author_name', '=', name).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** The authors a member follows, most recently followed first. */
export async function listFollowedAuthors(db: Db, userId: number): Promise<FollowedAuthor[]> {
  const rows = await withFollows(db).selectFrom('author_follows').select(['author_name', 'created_at'])
    .where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('author_name').execute();
  return rows.map((r) => ({ name: r.author_name, followedAt: r.created_at }));
}

/** The names a member follows, as "For you" and its digests read them. */
export function followedAuthorNames(db: Db): (userId: number) => Promise<string[]> {
  return async (userId) => (await listFollowedAuthors(db, userId)).map((a) => a.name);
}

export async function isFollowing(db: Db, userId: number, name: string): Promise<boolean> {
  const row = await withFollows(db).selectFrom('author_follows').select('user_id')
    .where('user_id', '=', userId).where('author_name', '=', name).executeTakeFirst();
  return !!row;
}

/** How many authors a member follows. */
export async function countFollowedAuthors(db: Db, userId: number): Promise<number> {
  const row = await withFollows(db).selectFrom('author_follows').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many members follow the name. */
export async function countFollowers(db: Db, name: string): Promise<number> {
  const row = await withFollows(db).selectFrom('author_follows').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('author_name', '=', name).executeTakeFirstOrThrow();
  return Number(row.n);
}
