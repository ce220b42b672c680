/**
 * Digest subscriptions: one row per (address, what, how often), pending until its address is
 * confirmed by a signed link; unsubscribed or bounced rows stay for the record.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from './kysely.ts';
import { isPostgres } from './dialect.ts';
import type { Database } from './schema.ts';

export type SubscriptionPeriod = 'daily' | 'weekdays' | 'weekly';
export type SubscriptionKind = 'trending' | 'search' | 'for-you';

export interface SubscriptionsTable {
  id: import('kysely').Generated<number>;
  email: string;
  user_id: number | null;
  period: SubscriptionPeriod;
  kind: SubscriptionKind;
  query: string | null;
  created_at: string;
  confirmed_at: string | null;
  unsubscribed_at: string | null;
  bounced_at: string | null;
  token_nonce: string | null;
  confirm_sent_at: string | null;
  bounce_reason: string | null;
  updated_at: string | null;
}

export interface OutboxTable {
  id: import('kysely').Generated<number>;
  subscription_id: number;
  period_key: string;
  status: OutboxStatus;
  lease_owner: string | null;
  lease_until: string | null;
  attempts: number;
  message_id: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  period: SubscriptionPeriod | null;
  window_from: string | null;
  window_to: string | null;
  not_before: string | null;
  expires_at: string | null;
  handed_at: string | null;
  paper_ids: string | null;
  run_id: number | null;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'unknown' | 'skipped';

/** The tables of migration 004 on top of the shared schema. */
export type DigestTables = {
  subscriptions: SubscriptionsTable;
  outbox: OutboxTable;
};
export type DigestDatabase = Database & DigestTables;
export type DigestDb = Kysely<DigestDatabase> | Transaction<DigestDatabase>;

/** The store's connection, typed with the digest tables. */
export function digestDb(db: Kysely<Database>): Kysely<DigestDatabase> {
  return db.withTables<DigestTables>();
}

export interface Subscription {
  id: number;
  email: string;
  userId: number | null;
  period: SubscriptionPeriod;
  kind: SubscriptionKind;
  query: string | null;
  createdAt: string;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  bouncedAt: string | null;
  bounceReason: string | null;
  tokenNonce: string;
  confirmSentAt: string | null;
}

type Row = Omit<SubscriptionsTable, 'id'> & { id: number };

const toSubscription = (r: Row): Subscription => ({
  id: r.id, email: r.email, userId: r.user_id, period: r.period, kind: r.kind, query: r.query, createdAt: r.created_at,
  confirmedAt: r.confirmed_at, unsubscribedAt: r.unsubscribed_at, bouncedAt: r.bounced_at, bounceReason: r.bounce_reason,
  tokenNonce: r.token_nonce ?? '', confirmSentAt: r.confirm_sent_at,
});

/** True while it should receive digests. */
export function isActive(s: Pick<Subscription, 'confirmedAt' | 'unsubscribedAt' | 'bouncedAt'>): boolean {
  return s.confirmedAt !== null && s.unsubscribedAt === null && s.bouncedAt === null;
}

export async function findSubscriptionById(db: DigestDb, id: number): Promise<Subscription | null> {
  const r = await db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toSubscription(r) : null;
}

/**
 * True when a subscription numbered above `id` exists: numbers are handed out in increasing order,
 * so a missing `id` below one that exists was issued once and deleted. False when `id` is above
 * every row: never issued (or the highest one, since deleted; the two cannot be told apart).
 */
export async function wasSubscriptionIdIssued(db: DigestDb, id: number): Promise<boolean> {
  const r = await db.selectFrom('subscriptions').select('id').where('id', '>', id).limit(1).executeTakeFirst();
  return r !== undefined;
}

/** The address's confirmation that is still waiting, if any (at most one, by a unique index). */
export async function findPendingSubscription(db: DigestDb, email: string): Promise<Subscription | null> {
  const r = await db.selectFrom('subscriptions').selectAll()
    .where('email', '=', email).where('confirmed_at', 'is', null).where('unsubscribed_at', 'is', null)
    .executeTakeFirst();
  return r ? toSubscription(r) : null;
}

/** Confirmed subscriptions of an address that still receive mail. */
export async function listActiveSubscriptionsByEmail(db: DigestDb, email: string): Promise<Subscription[]> {
  const rows = await db.selectFrom('subscriptions').selectAll()
    .where('email', '=', email).where('confirmed_at', 'is not', null).where('unsubscribed_at', 'is', null).where('bounced_at', 'is', null)
    .orderBy('id').execute();
  return rows.map(toSubscription);
}

/**
 * A member's subscriptions: those of the account's current address, once the account has confirmed
 * it (before that, the address is not known to be the member's: none). A subscription of any other
 * address (typed in by the member, or the account's former one) belongs to whoever reads that address.
 */
export async function listMemberSubscriptions(db: DigestDb, email: string, verified: boolean): Promise<Subscription[]> {
  if (!verified) return [];
  const rows = await db.selectFrom('subscriptions').selectAll()
    .where('email', '=', email)
    .where('unsubscribed_at', 'is', null)
    .orderBy('id').execute();
  return rows.map(toSubscription);
}

/** Deletes a confirmation request whose e-mail never left (nobody holds a link to it). */
export async function deleteUnsentPending(db: DigestDb, id: number): Promise<void> {
  await db.deleteFrom('subscriptions').where('id', '=', id).where('confirmed_at', 'is', null).execute();
}

/** A confirmation request whose e-mail did not leave: the next request may send one at once. */
export async function clearConfirmSent(db: DigestDb, id: number): Promise<void> {
  await db.updateTable('subscriptions').set({ confirm_sent_at: null }).where('id', '=', id).where('confirmed_at', 'is', null).execute();
}

/**
 * Before an account is deleted: its link to subscriptions of other addresses goes, so the cascade
 * removes only the account's own ones (of its current address).
 */
export async function unlinkOtherAddresses(db: Kysely<Database> | Transaction<Database>, userId: number): Promise<void> {
  await (db as Kysely<Database>).withTables<DigestTables>().updateTable('subscriptions').set({ user_id: null })
    .where('user_id', '=', userId)
    .where(sql<boolean>`email <> coalesce((select u.email from users u where u.id = ${userId}), '')`)
    .execute();
}

export async function countActiveSubscriptionsByEmail(db: DigestDb, email: string): Promise<number> {
  const r = await db.selectFrom('subscriptions').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('email', '=', email).where('unsubscribed_at', 'is', null).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertSubscription(
  db: DigestDb,
  s: { email: string; userId: number | null; period: SubscriptionPeriod; kind: SubscriptionKind; query: string | null; nonce: string; confirmed: boolean; confirmSent: boolean },
  now: string,
): Promise<Subscription> {
  const row = await db.insertInto('subscriptions').values({
    email: s.email, user_id: s.userId, period: s.period, kind: s.kind, query: s.query, created_at: now,
    confirmed_at: s.confirmed ? now : null, unsubscribed_at: null, bounced_at: null, token_nonce: s.nonce,
    confirm_sent_at: s.confirmSent ? now : null, bounce_reason: null, updated_at: now,
  }).returningAll().executeTakeFirstOrThrow();
  return toSubscription(row);
}

/** Replaces what a waiting confirmation asks for, with a new nonce (old links stop working). */
export async function renewPendingSubscription(
  db: DigestDb, id: number, s: { userId: number | null; period: SubscriptionPeriod; kind: SubscriptionKind; query: string | null; nonce: string }, now: string,
): Promise<Subscription | null> {
  const row = await db.updateTable('subscriptions')
    .set({ user_id: s.userId, period: s.period, kind: s.kind, query: s.query, token_nonce: s.nonce, confirm_sent_at: now, updated_at: now })
    .where('id', '=', id).where('confirmed_at', 'is', null).where('unsubscribed_at', 'is', null)
    .returningAll().executeTakeFirst();
  return row ? toSubscription(row) : null;
}

/** Confirms a waiting subscription; null when it is not waiting any more. One statement. */
export async function markConfirmed(db: DigestDb, id: number, now: string): Promise<boolean> {
  const r = await db.updateTable('subscriptions').set({ confirmed_at: now, updated_at: now })
    .where('id', '=', id).where('confirmed_at', 'is', null).where('unsubscribed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Ends the address's other active subscriptions asking for the same thing (a confirmed change replaces them). */
export async function supersedeSameSubscriptions(db: DigestDb, keep: Subscription, now: string): Promise<number> {
  let q = db.updateTable('subscriptions').set({ unsubscribed_at: now, updated_at: now })
    .where('email', '=', keep.email).where('id', '!=', keep.id).where('kind', '=', keep.kind)
    .where('confirmed_at', 'is not', null).where('unsubscribed_at', 'is', null);
  q = keep.query === null ? q.where('query', 'is', null) : q.where('query', '=', keep.query);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Unsubscribes; true when this call changed it (an unsubscribed one stays as it is). */
export async function markUnsubscribed(db: DigestDb, id: number, now: string): Promise<boolean> {
  const r = await db.updateTable('subscriptions').set({ unsubscribed_at: now, updated_at: now })
    .where('id', '=', id).where('unsubscribed_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Starts a cancelled, once confirmed subscription again; true when this call changed it. */
export async function markResubscribed(db: DigestDb, id: number, now: string): Promise<boolean> {
  const r = await db.updateTable('subscriptions').set({ unsubscribed_at: null, updated_at: now })
    .where('id', '=', id).where('confirmed_at', 'is not', null).where('unsubscribed_at', 'is not', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateSubscriptionOptions(
  db: DigestDb, id: number, set: { period: SubscriptionPeriod; query?: string | null }, now: string,
): Promise<void> {
  await db.updateTable('subscriptions').set({ ...set, updated_at: now }).where('id', '=', id).execute();
}

/** Stops mail to an address after a permanent delivery error: every subscription of it. */
export async function markAddressBounced(db: DigestDb, email: string, reason: string, now: string): Promise<number> {
  const r = await db.updateTable('subscriptions').set({ bounced_at: now, bounce_reason: reason.slice(0, 500), updated_at: now })
    .where('email', '=', email).where('bounced_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Lets mail go to a bounced address again (an admin decided the problem is gone). */
export async function clearAddressBounce(db: DigestDb, email: string, now: string): Promise<number> {
  const r = await db.updateTable('subscriptions').set({ bounced_at: null, bounce_reason: null, updated_at: now })
    .where('email', '=', email).where('bounced_at', 'is not', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface SubscriberCounts {
  active: number;
  pending: number;
  unsubscribed: number;
  bounced: number;
  byPeriod: Record<SubscriptionPeriod, number>;
  byKind: Record<SubscriptionKind, number>;
}

export async function countSubscribers(db: DigestDb): Promise<SubscriberCounts> {
  const rows = await db.selectFrom('subscriptions')
    .select((eb) => [
      'period', 'kind',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(eb.case().when(eb.and([eb('confirmed_at', 'is not', null), eb('unsubscribed_at', 'is', null), eb('bounced_at', 'is', null)])).then(1).else(0).end()).as('active'),
      eb.fn.sum<number>(eb.case().when(eb.and([eb('confirmed_at', 'is', null), eb('unsubscribed_at', 'is', null)])).then(1).else(0).end()).as('pending'),
      eb.fn.sum<number>(eb.case().when('unsubscribed_at', 'is not', null).then(1).else(0).end()).as('unsubscribed'),
      eb.fn.sum<number>(eb.case().when(eb.and([eb('bounced_at', 'is not', null), eb('unsubscribed_at', 'is', null)])).then(1).else(0).end()).as('bounced'),
    ])
    .groupBy(['period', 'kind']).execute();
  const out: SubscriberCounts = {
    active: 0, pending: 0, unsubscribed: 0, bounced: 0,
    byPeriod: { daily: 0, weekdays: 0, weekly: 0 }, byKind: { trending: 0, search: 0, 'for-you': 0 },
  };
  for (const r of rows) {
    const active = Number(r.active ?? 0);
    out.active += active;
    out.pending += Number(r.pending ?? 0);
    out.unsubscribed += Number(r.unsubscribed ?? 0);
    out.bounced += Number(r.bounced ?? 0);
    out.byPeriod[r.period] += active;
    out.byKind[r.kind] += active;
  }
  return out;
}

/** The newest subscriptions, for the admin page (optionally those of addresses containing `search`). */
export async function listSubscriptions(db: DigestDb, limit: number, search?: string): Promise<Subscription[]> {
  let q = db.selectFrom('subscriptions').selectAll().orderBy('id', 'desc').limit(limit);
  if (search) q = q.where(isPostgres(db) ? sql<number>`strpos(lower(email) COLLATE "C", lower(${search}))` : sql<number>`instr(lower(email), lower(${search}))`, '>', 0);
  const rows = await q.execute();
  return rows.map(toSubscription);
}

/** Addresses that bounced, with why and when, newest first. */
export async function listBouncedAddresses(db: DigestDb, limit: number): Promise<{ email: string; bouncedAt: string; reason: string | null }[]> {
  const rows = await db.selectFrom('subscriptions')
    .select((eb) => ['email', eb.fn.max('bounced_at').as('bounced_at'), eb.fn.max('bounce_reason').as('reason')])
    .where('bounced_at', 'is not', null).groupBy('email').orderBy('bounced_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ email: r.email, bouncedAt: r.bounced_at ?? '', reason: r.reason ?? null }));
}

/** Active subscriptions of a period (of one address, when given), for dry runs and previews. */
export async function listActiveSubscriptions(db: DigestDb, period: SubscriptionPeriod, email?: string): Promise<Subscription[]> {
  let q = db.selectFrom('subscriptions').selectAll()
    .where('period', '=', period).where('confirmed_at', 'is not', null).where('unsubscribed_at', 'is', null).where('bounced_at', 'is', null)
    .where('kind', 'in', ['trending', 'search', 'for-you']).orderBy('id');
  if (email) q = q.where('email', '=', email);
  return (await q.execute()).map(toSubscription);
}
