/**
 * The digest outbox: one row per (subscription, period key), inserted before anything is sent.
 * A worker claims a row with a lease, sends, and records the outcome. The unique key makes a
 * digest exist once; `handed_at`, set by one conditional statement just before SMTP's end of
 * data, makes it go out at most once. Also: the papers a digest can list.
 */
import type { Expression, Kysely, RawBuilder } from 'kysely';
import { sql } from './kysely.ts';
import type { DigestCandidate } from '../domain/digest.ts';
import { attachCardDetails } from './cards.ts';
import { isPostgres } from './dialect.ts';
import type { Database } from './schema.ts';
import type { DigestDb, OutboxStatus, SubscriptionPeriod } from './subscriptions.ts';

export interface OutboxRow {
  id: number;
  subscriptionId: number;
  periodKey: string;
  period: SubscriptionPeriod;
  windowFrom: string;
  windowTo: string;
  status: OutboxStatus;
  attempts: number;
  messageId: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  paperIds: string[] | null;
}

type RawRow = {
  id: number; subscription_id: number; period_key: string; period: SubscriptionPeriod | null; window_from: string | null; window_to: string | null;
  status: OutboxStatus; attempts: number; message_id: string | null; last_error: string | null; created_at: string; sent_at: string | null; paper_ids: string | null;
};

const toRow = (r: RawRow): OutboxRow => ({
  id: r.id, subscriptionId: r.subscription_id, periodKey: r.period_key, period: r.period ?? 'daily',
  windowFrom: r.window_from ?? r.period_key, windowTo: r.window_to ?? r.period_key, status: r.status, attempts: r.attempts,
  messageId: r.message_id, lastError: r.last_error, createdAt: r.created_at, sentAt: r.sent_at,
  paperIds: r.paper_ids ? (JSON.parse(r.paper_ids) as string[]) : null,
});

const COLUMNS = [
  'id', 'subscription_id', 'period_key', 'period', 'window_from', 'window_to', 'status', 'attempts', 'message_id', 'last_error', 'created_at', 'sent_at', 'paper_ids',
] as const;

/** Which rows a run works on: all, or those of one address (`digest send --to`). */
export interface OutboxFilter {
  email?: string | undefined;
}

/** The active subscriptions of `period` (of one address, when given) that get digests. */
function dueSubscriptions(db: DigestDb, period: SubscriptionPeriod, filter: OutboxFilter) {
  let q = db.selectFrom('subscriptions')
    .where('period', '=', period).where('confirmed_at', 'is not', null).where('unsubscribed_at', 'is', null).where('bounced_at', 'is', null)
    .where('kind', 'in', ['trending', 'search', 'for-you']);
  if (filter.email) q = q.where('email', '=', filter.email);
  return q;
}

/** Digests of `period` whose window `continues` may follow: ended from `since` to the day before `to`, and not given up. */
function previousWindows(db: DigestDb, period: SubscriptionPeriod, to: string, since: string) {
  return db.selectFrom('outbox as prev').where('prev.period', '=', period).where('prev.status', '!=', 'failed')
    .where('prev.window_to', '>=', since).where('prev.window_to', '<', to);
}

/**
 * Inserts a pending row for every active subscription of `period` (of one address, when given)
 * that has none for `key` yet. One statement; returns how many rows it added. With `continues`,
 * a subscriber's row starts the day after their previous digest of the period ended, when that
 * was from `continues.since` on (see domain/digest.ts, `continuedFrom`).
 */
export async function enqueueDigests(
  db: DigestDb,
  d: { period: SubscriptionPeriod; key: string; from: string; to: string; continues?: { since: string } | undefined; expiresAt: string; runId: number | null },
  filter: OutboxFilter, now: string,
): Promise<number> {
  // The window's first day: the day after the subscriber's previous one, when `continues` says so.
  const from: Expression<string | null> = d.continues
    ? sql<string | null>`coalesce((${previousWindows(db, d.period, d.to, d.continues.since).where('prev.subscription_id', '=', sql.ref<number>('subscriptions.id'))
      .select((e) => dayAfter(db, e.fn.max('prev.window_to')).as('next'))}), ${d.from})`
    : sql.val(d.from);
  const res = await db.insertInto('outbox')
    .columns(['subscription_id', 'period_key', 'status', 'attempts', 'created_at', 'period', 'window_from', 'window_to', 'not_before', 'expires_at', 'run_id'])
    .expression(dueSubscriptions(db, d.period, filter).select([
      'id',
      sql.val(d.key).as('period_key'), sql.val('pending').as('status'), sql.val(0).as('attempts'), sql.val(now).as('created_at'),
      sql.val(d.period).as('period'), sql`${from}`.as('window_from'), sql.val(d.to).as('window_to'), sql.val(now).as('not_before'),
      sql.val(d.expiresAt).as('expires_at'), sql.val(d.runId).as('run_id'),
    ]))
    .onConflict((oc) => oc.columns(['subscription_id', 'period_key']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}

/** The day after a `YYYY-MM-DD` text, in SQL. */
function dayAfter(db: DigestDb, day: Expression<string | null>): RawBuilder<string | null> {
  return isPostgres(db) ? sql<string | null>`to_char(${day}::date + 1, 'YYYY-MM-DD')` : sql<string | null>`date(${day}, '+1 day')`;
}

/**
 * The last list day covered by the subscription's previous digest of `period` that `continues`
 * may follow (see `enqueueDigests`), or null. For previews of what a run would enqueue.
 */
export async function findPreviousWindowEnd(db: DigestDb, subscriptionId: number, period: SubscriptionPeriod, to: string, continues: { since: string }): Promise<string | null> {
  const r = await previousWindows(db, period, to, continues.since).where('prev.subscription_id', '=', subscriptionId)
    .select((eb) => eb.fn.max('prev.window_to').as('end')).executeTakeFirst();
  return r?.end ?? null;
}

/**
 * How many active subscriptions of `period` (of one address, when given) already had a row for
 * `key` before run `runId`: digests due again that a run does not add (sent, or being sent, already).
 */
export async function countEnqueuedBefore(db: DigestDb, d: { period: SubscriptionPeriod; key: string; runId: number | null }, filter: OutboxFilter): Promise<number> {
  let q = db.selectFrom('outbox as o').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('o.period_key', '=', d.key)
    .where('o.subscription_id', 'in', dueSubscriptions(db, d.period, filter).select('id'));
  if (d.runId !== null) q = q.where((eb) => eb.or([eb('o.run_id', 'is', null), eb('o.run_id', '!=', d.runId)]));
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/**
 * Claims the next row to send for `owner` until `leaseUntil`: a pending row that is due, or one
 * whose sender went away before handing its message over (lease expired, never handed). One
 * statement each, so two workers never claim the same row.
 */
export async function claimNextRow(db: DigestDb, owner: string, leaseUntil: string, now: string, filter: OutboxFilter): Promise<OutboxRow | null> {
  const pick = (status: 'pending' | 'sending') => {
    let q = db.selectFrom('outbox as o').select('o.id').limit(1);
    q = status === 'pending'
      ? q.where('o.status', '=', 'pending').where('o.not_before', '<=', now).orderBy('o.not_before').orderBy('o.id')
      : q.where('o.status', '=', 'sending').where('o.handed_at', 'is', null).where('o.lease_until', '<', now).orderBy('o.lease_until');
    if (filter.email) {
      const email = filter.email;
      q = q.where((eb) => eb.exists(eb.selectFrom('subscriptions as s').select('s.id').whereRef('s.id', '=', 'o.subscription_id').where('s.email', '=', email)));
    }
    // PostgreSQL: workers in several processes each take a different row instead of queueing on one
    return isPostgres(db) ? q.forUpdate('o').skipLocked() : q;
  };
  for (const status of ['pending', 'sending'] as const) {
    const row = await db.updateTable('outbox')
      .set((eb) => ({ status: 'sending', lease_owner: owner, lease_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', (eb) => eb.selectFrom(pick(status).as('x')).select('x.id'))
      .where((eb) => (status === 'pending' ? eb('status', '=', 'pending') : eb.and([eb('status', '=', 'sending'), eb('handed_at', 'is', null), eb('lease_until', '<', now)])))
      .returning(COLUMNS)
      .executeTakeFirst();
    if (row) return toRow(row);
  }
  return null;
}

/** Extends the lease of a row still being prepared. */
export async function renewLease(db: DigestDb, id: number, owner: string, leaseUntil: string): Promise<boolean> {
  const r = await db.updateTable('outbox').set({ lease_until: leaseUntil })
    .where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', 'sending').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * The point of no return, just before SMTP's end of data: succeeds for the lease holder of a row
 * never handed before, once. When it fails, the message must not be handed over.
 */
export async function markHanded(db: DigestDb, id: number, owner: string, h: { messageId: string; paperIds: string[] }, now: string): Promise<boolean> {
  const r = await db.updateTable('outbox').set({ handed_at: now, message_id: h.messageId, paper_ids: JSON.stringify(h.paperIds) })
    .where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', 'sending').where('handed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The server accepted the message. */
export async function markSent(db: DigestDb, id: number, owner: string, now: string): Promise<void> {
  await db.updateTable('outbox').set({ status: 'sent', sent_at: now, lease_owner: null, lease_until: null, last_error: null })
    .where('id', '=', id).where('lease_owner', '=', owner).where('status', 'in', ['sending', 'unknown']).execute();
}

/**
 * A temporary error: the server did not take the message (it refused it, before or after the
 * data, or the connection broke before the end of data). Try again after `notBefore`.
 */
export async function markRetry(db: DigestDb, id: number, owner: string, error: string, notBefore: string): Promise<void> {
  await db.updateTable('outbox').set({
    status: 'pending', not_before: notBefore, last_error: error.slice(0, 500), lease_owner: null, lease_until: null, handed_at: null, message_id: null, paper_ids: null,
  }).where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', 'sending').execute();
}

/** Gives a claimed row back without counting the attempt (the transport, not the message, failed). */
export async function releaseRow(db: DigestDb, id: number, owner: string, error: string, notBefore: string): Promise<void> {
  await db.updateTable('outbox').set((eb) => ({
    status: 'pending', not_before: notBefore, last_error: error.slice(0, 500), lease_owner: null, lease_until: null, attempts: eb('attempts', '-', 1),
  })).where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', 'sending').where('handed_at', 'is', null).execute();
}

/** Ends a claimed row with a final status: failed (permanent error), skipped (nothing to send), unknown. */
export async function finishRow(db: DigestDb, id: number, owner: string, status: 'failed' | 'skipped' | 'unknown', reason: string, now: string): Promise<void> {
  await db.updateTable('outbox').set({ status, last_error: reason.slice(0, 500), lease_owner: null, lease_until: null, sent_at: status === 'unknown' ? now : null })
    .where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', 'sending').execute();
}

/**
 * Rows whose sender went away after handing the message over and before recording the answer:
 * the server may have the message. They are not sent again; they become `unknown`. Returns how many.
 */
export async function resolveAbandonedHandovers(db: DigestDb, now: string, filter: OutboxFilter): Promise<number> {
  let q = db.updateTable('outbox')
    .set({ status: 'unknown', sent_at: sql<string>`handed_at`, lease_owner: null, lease_until: null, last_error: 'the sender stopped after handing the message to the mail server and before its answer was recorded: not sent again' })
    .where('status', '=', 'sending').where('handed_at', 'is not', null).where('lease_until', '<', now);
  if (filter.email) q = q.where('subscription_id', 'in', (eb) => eb.selectFrom('subscriptions').select('id').where('email', '=', filter.email!));
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Pending rows that temporary errors kept past their expiry: given up, as failed. */
export async function expireStaleRows(db: DigestDb, now: string): Promise<number> {
  const r = await db.updateTable('outbox').set({ status: 'failed', last_error: 'given up: temporary errors kept it from going out before it expired' })
    .where('status', '=', 'pending').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** When the next row becomes claimable or resolvable (a retry due, a lease running out), or null. */
export async function nextOutboxWakeUp(db: DigestDb, filter: OutboxFilter): Promise<string | null> {
  let pending = db.selectFrom('outbox as o').select((eb) => eb.fn.min('o.not_before').as('t')).where('o.status', '=', 'pending');
  let leased = db.selectFrom('outbox as o').select((eb) => eb.fn.min('o.lease_until').as('t')).where('o.status', '=', 'sending');
  if (filter.email) {
    const email = filter.email;
    pending = pending.where((eb) => eb.exists(eb.selectFrom('subscriptions as s').select('s.id').whereRef('s.id', '=', 'o.subscription_id').where('s.email', '=', email)));
    leased = leased.where((eb) => eb.exists(eb.selectFrom('subscriptions as s').select('s.id').whereRef('s.id', '=', 'o.subscription_id').where('s.email', '=', email)));
  }
  const [a, b] = await Promise.all([pending.executeTakeFirst(), leased.executeTakeFirst()]);
  const times = [a?.t, b?.t].filter((t): t is string => typeof t === 'string');
  return times.length ? times.sort()[0]! : null;
}

/** Papers recently sent (or possibly sent) to a subscription. */
export async function listSentPaperIds(db: DigestDb, subscriptionId: number, since: string): Promise<Set<string>> {
  const rows = await db.selectFrom('outbox').select('paper_ids')
    .where('subscription_id', '=', subscriptionId).where('status', 'in', ['sent', 'unknown']).where('sent_at', '>=', since)
    .execute();
  const out = new Set<string>();
  for (const r of rows) if (r.paper_ids) for (const id of JSON.parse(r.paper_ids) as string[]) out.add(id);
  return out;
}

export async function findOutboxRow(db: DigestDb, subscriptionId: number, periodKey: string): Promise<OutboxRow | null> {
  const r = await db.selectFrom('outbox').select(COLUMNS).where('subscription_id', '=', subscriptionId).where('period_key', '=', periodKey).executeTakeFirst();
  return r ? toRow(r) : null;
}

/** Rows by status (all, or those created since `since`), for the admin page. */
export async function countOutboxByStatus(db: DigestDb, since?: string): Promise<Record<OutboxStatus, number>> {
  let q = db.selectFrom('outbox').select((eb) => ['status', eb.fn.countAll<number>().as('n')]).groupBy('status');
  if (since) q = q.where('created_at', '>=', since);
  const rows = await q.execute();
  const out: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0, unknown: 0, skipped: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

/** The latest rows that failed or are unknown, with their address, for the admin page. */
export async function listProblemRows(db: DigestDb, limit: number): Promise<(OutboxRow & { email: string })[]> {
  const rows = await db.selectFrom('outbox as o').innerJoin('subscriptions as s', 's.id', 'o.subscription_id')
    .select([...COLUMNS.map((c) => `o.${c}` as const), 's.email'])
    .where('o.status', 'in', ['failed', 'unknown']).orderBy('o.id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...toRow(r), email: r.email }));
}

// ---------------------------------------------------------------------------------------------
// What a digest can list

/**
 * Papers that entered a Daily papers list (not hidden) in [from, to], and, with `announced`,
 * papers arXiv announced then: with authors (the first 12 and the count) and categories.
 */
export async function listDigestCandidates(db: DigestDb, from: string, to: string, announced: boolean): Promise<DigestCandidate[]> {
  const listed = await db.selectFrom('daily_entries as d').innerJoin('papers as p', 'p.id', 'd.paper_id')
    .select(['p.id', 'p.title', 'p.abstract', 'p.published_at', 'p.upvotes', 'p.hotness', 'p.withdrawn', 'd.day'])
    .where('d.day', '>=', from).where('d.day', '<=', to).where('d.hidden', '=', 0)
    .execute();
  const byId = new Map<string, DigestCandidate>();
  for (const r of listed) {
    if (r.withdrawn) continue;
    byId.set(r.id, {
      id: r.id, title: r.title, abstract: r.abstract, authors: [], authorCount: 0, categories: [], upvotes: r.upvotes, hotness: r.hotness,
      publishedAt: r.published_at, listedOn: r.day, announcedOn: null,
    });
  }
  if (announced) {
    const rows = await db.selectFrom('announcements as a').innerJoin('papers as p', 'p.id', 'a.paper_id')
      .leftJoin('daily_entries as d', (j) => j.onRef('d.paper_id', '=', 'p.id').on('d.hidden', '=', 0))
      // at most one entry per paper: max() only tells PostgreSQL so (it groups by the paper alone)
      .select((eb) => ['p.id', 'p.title', 'p.abstract', 'p.published_at', 'p.upvotes', 'p.hotness', 'p.withdrawn', eb.fn.max('d.day').as('day'), eb.fn.max('a.day').as('announced')])
      .where('a.day', '>=', from).where('a.day', '<=', to)
      .groupBy('p.id')
      .execute();
    for (const r of rows) {
      if (r.withdrawn) continue;
      const known = byId.get(r.id);
      if (known) { known.announcedOn = r.announced; continue; }
      byId.set(r.id, {
        id: r.id, title: r.title, abstract: r.abstract, authors: [], authorCount: 0, categories: [], upvotes: r.upvotes, hotness: r.hotness,
        publishedAt: r.published_at, listedOn: r.day && r.day >= from && r.day <= to ? r.day : null, announcedOn: r.announced,
      });
    }
  }
  const candidates = [...byId.values()];
  // Card details in slices: SQLite caps the parameters of one statement.
  for (let i = 0; i < candidates.length; i += 5_000) {
    const slice = candidates.slice(i, i + 5_000);
    const cards = await attachCardDetails(db as unknown as Kysely<Database>, slice.map((c) => ({
      id: c.id, title: c.title, abstract: c.abstract, authors: c.authors, authorCount: 0, categories: c.categories, publishedAt: c.publishedAt,
      upvotes: c.upvotes, commentsCount: 0, withdrawn: false, codeUrl: null, projectUrl: null, keywords: [], entry: null,
    })));
    cards.forEach((card, j) => { slice[j]!.authorCount = card.authorCount; });
  }
  return candidates;
}
