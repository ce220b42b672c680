/**
 * Collections: named lists of papers a member keeps, private or public.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface Collection {
  id: number;
  userId: number;
  username: string;
  name: string;
  slug: string;
  isPublic: boolean;
  createdAt: string;
  /** When it last changed (a paper in or out, renamed, made public or private); createdAt before. */
  changedAt: string;
  size: number;
}

const base = (db: Db) => db.selectFrom('collections as c').innerJoin('users as u', 'u.id', 'c.user_id')
  .select((eb) => ['c.id', 'c.user_id', 'u.username', 'c.name', 'c.slug', 'c.is_public', 'c.created_at', 'c.changed_at',
    eb.selectFrom('collection_items as i').select(eb.fn.countAll<number>().as('n')).whereRef('i.collection_id', '=', 'c.id').as('size')]);

type Row = Awaited<ReturnType<ReturnType<typeof base>['execute']>>[number];
const toCollection = (r: Row): Collection => ({
  id: r.id, userId: r.user_id, username: r.username, name: r.name, slug: r.slug, isPublic: r.is_public === 1, createdAt: r.created_at,
  changedAt: r.changed_at ?? r.created_at, size: Number(r.size ?? 0),
});

export async function insertCollection(db: Db, c: { userId: number; name: string; slug: string; isPublic: boolean }, now: string): Promise<number> {
  const r = await db.insertInto('collections').values({ user_id: c.userId, name: c.name, slug: c.slug, is_public: c.isPublic ? 1 : 0, created_at: now })
    .returning('id').executeTakeFirstOrThrow();
  return r.id;
}

/** Renames a collection or makes it public or private; its id and slug (its address) stay. */
export async function updateCollection(db: Db, id: number, change: { name?: string; isPublic?: boolean }, now: string): Promise<void> {
  const set: { name?: string; is_public?: number; changed_at?: string } = {};
  if (change.name !== undefined) set.name = change.name;
  if (change.isPublic !== undefined) set.is_public = change.isPublic ? 1 : 0;
  if (Object.keys(set).length === 0) return;
  set.changed_at = now;
  await db.updateTable('collections').set(set).where('id', '=', id).execute();
}

export async function listUserCollections(db: Db, userId: number, publicOnly: boolean): Promise<Collection[]> {
  let q = base(db).where('c.user_id', '=', userId);
  if (publicOnly) q = q.where('c.is_public', '=', 1);
  return (await q.orderBy('c.name').execute()).map(toCollection);
}

export async function findCollection(db: Db, userId: number, slug: string): Promise<Collection | null> {
  const r = await base(db).where('c.user_id', '=', userId).where('c.slug', '=', slug).executeTakeFirst();
  return r ? toCollection(r) : null;
}

export async function findCollectionById(db: Db, id: number): Promise<Collection | null> {
  const r = await base(db).where('c.id', '=', id).executeTakeFirst();
  return r ? toCollection(r) : null;
}

export async function slugTaken(db: Db, userId: number, slug: string): Promise<boolean> {
  return !!(await db.selectFrom('collections').select('id').where('user_id', '=', userId).where('slug', '=', slug).executeTakeFirst());
}

export async function addToCollection(db: Db, collectionId: number, paperId: string, now: string): Promise<void> {
  const r = await db.insertInto('collection_items').values({ collection_id: collectionId, paper_id: paperId, added_at: now })
    .onConflict((oc) => oc.columns(['collection_id', 'paper_id']).doNothing()).executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) await markChanged(db, collectionId, now);
}

export async function removeFromCollection(db: Db, collectionId: number, paperId: string, now: string): Promise<void> {
  const r = await db.deleteFrom('collection_items').where('collection_id', '=', collectionId).where('paper_id', '=', paperId).executeTakeFirst();
  if (Number(r.numDeletedRows) > 0) await markChanged(db, collectionId, now);
}

const markChanged = (db: Db, id: number, now: string) => db.updateTable('collections').set({ changed_at: now }).where('id', '=', id).execute();

export async function deleteCollection(db: Db, id: number): Promise<void> {
  await db.deleteFrom('collections').where('id', '=', id).execute();
}

export async function collectionPaperIds(db: Db, collectionId: number, limit: number, offset: number): Promise<string[]> {
  const rows = await db.selectFrom('collection_items').select('paper_id').where('collection_id', '=', collectionId)
    .orderBy('added_at', 'desc').limit(limit).offset(offset).execute();
  return rows.map((r) => r.paper_id);
}

/** The member's collections that already hold the paper. */
export async function collectionsHolding(db: Db, userId: number, paperId: string): Promise<Set<number>> {
  const rows = await db.selectFrom('collection_items as i').innerJoin('collections as c', 'c.id', 'i.collection_id')
    .select('c.id').where('c.user_id', '=', userId).where('i.paper_id', '=', paperId).execute();
  return new Set(rows.map((r) => r.id));
}
