/**
 * Subscriptions: subscribe with an address (double opt-in: a signed confirmation link first) or
 * from a signed-in member's confirmed address (at once), confirm, change, unsubscribe.
 * Inputs are validated here; pages only present. No mail bombing: requests are rate-limited per
 * client and per address, and an address has at most one confirmation waiting, mailed again only
 * after a cool-down.
 */
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { DigestPeriod } from '../domain/digest.ts';
import { parseAlertQuery } from '../search/alert-query.ts';
import { describeSubscription, renderAlreadySubscribedMail, renderConfirmMail, renderSubscriptionsFullMail } from '../mail/digest-template.tsx';
import type { Mailer } from '../mail/mailer.ts';
import { signToken, tokenSubject, verifyToken, type TokenPurpose } from '../mail/tokens.ts';
import type { Store } from '../store/index.ts';
import {
  clearConfirmSent, countActiveSubscriptionsByEmail, deleteUnsentPending, digestDb, findPendingSubscription, findSubscriptionById, insertSubscription, isActive,
  listActiveSubscriptionsByEmail, listMemberSubscriptions, markConfirmed, markResubscribed, markUnsubscribed, renewPendingSubscription,
  supersedeSameSubscriptions, updateSubscriptionOptions, wasSubscriptionIdIssued, type DigestDatabase, type DigestDb, type DigestTables, type Subscription,
} from '../store/subscriptions.ts';
import { isUniqueViolation } from '../store/dialect.ts';
import { getOrCreateSecret, hitRateLimit, unhitRateLimit, type User } from '../store/users.ts';
import { emailSchema } from './accounts.ts';
import type { AfterAnswer } from './after-answer.ts';
import { parseField, UserError } from './errors.ts';
import { isRowId } from '../store/row-id.ts';

/** How long a confirmation link works. */
export const CONFIRM_HOURS = 48;
/** An address gets a confirmation (or "already subscribed") e-mail at most once in this many minutes. */
export const CONFIRM_COOLDOWN_MINUTES = 10;
/** Subscriptions one address may hold (pending and active). */
export const MAX_SUBSCRIPTIONS_PER_ADDRESS = 20;
export const SUBSCRIBE_RULES = {
  /** Subscribe requests from one client address. */
  ip: { limit: 10, windowSeconds: 3600, what: 'subscribe requests from your network address' },
  /** Subscribe requests for one address that is not the asking member's own confirmed one, whoever asks. */
  address: { limit: 3, windowSeconds: 86_400, what: 'subscribe requests for this e-mail address' },
} as const;

export interface SubscriptionDeps {
  store: Store;
  mailer: Mailer;
  baseUrl: string;
  siteName: string;
  now: () => number;
  /**
   * Sends the e-mail of a subscribe request that is not a member's own confirmed address after the
   * answer: whether it sends a link, a note or nothing, the answer never waits on the mail server
   * (its time would tell which). Without it (scripts, tests of this module alone) the e-mail is
   * sent before returning.
   */
  later?: AfterAnswer;
  /**
   * Told of such an e-mail the mail server did not take (the error says why, its cause is the
   * mail server's answer). Without it the error is thrown: to the caller without `later`, to
   * `later`'s own error handler with it.
   */
  onMailFailure?: (err: UserError) => void;
}

const keys = new WeakMap<Store, Promise<string>>();

/** The instance's key for signing subscription links, generated once and shared by every process. */
export function linkKey(store: Store): Promise<string> {
  let k = keys.get(store);
  if (!k) {
    k = getOrCreateSecret(store.db, 'subscription-links', () => randomBytes(32).toString('base64url'), new Date().toISOString());
    keys.set(store, k);
  }
  return k;
}

export const newNonce = () => randomBytes(12).toString('base64url');
const iso = (ms: number) => new Date(ms).toISOString();

/** Links of one subscription, as e-mails and pages show them. */
export interface SubscriptionLinks {
  manage: string;
  unsubscribe: string;
  /** The web version of the digest of `periodKey`. */
  web(periodKey: string): string;
}

export function subscriptionLinks(key: string, baseUrl: string, s: Pick<Subscription, 'id' | 'tokenNonce'>): SubscriptionLinks {
  const t = (p: TokenPurpose) => signToken(key, p, s.id, s.tokenNonce);
  return {
    manage: `${baseUrl}/subscriptions/manage?token=${t('manage')}`,
    unsubscribe: `${baseUrl}/unsubscribe?token=${t('unsubscribe')}`,
    web: (periodKey) => `${baseUrl}/digests/${s.id}/${encodeURIComponent(periodKey)}?token=${t('view')}`,
  };
}

export const periodSchema = z.enum(['daily', 'weekdays', 'weekly'], { error: 'How often: daily, weekdays or weekly' });
const kindSchema = z.enum(['trending', 'search', 'for-you'], { error: 'What: trending papers, a saved search or papers for you' });

/** Validates what a subscription asks for; the query comes back normalised (one line). */
export function parseOptions(input: { period: unknown; kind: unknown; query: unknown }): { period: DigestPeriod; kind: 'trending' | 'search' | 'for-you'; query: string | null } {
  const period = parseField(periodSchema, input.period ?? 'daily');
  const kind = parseField(kindSchema, input.kind ?? 'trending');
  if (kind === 'trending' || kind === 'for-you') return { period, kind, query: null };
  if (typeof input.query !== 'string') throw new UserError(422, 'Search: type what the alert should look for.');
  const q = parseAlertQuery(input.query);
  if (!q.ok) throw new UserError(422, q.error);
  return { period, kind, query: q.text };
}

/** Parses an address; a line break or anything else that is not one plain address is refused. */
export function parseEmail(value: unknown): string {
  if (typeof value === 'string' && /[\r\n]/.test(value)) throw new UserError(422, 'E-mail: that is not an e-mail address');
  return parseField(emailSchema, value);
}

const limitKey = (rule: keyof typeof SUBSCRIBE_RULES, subject: string) => `subscribe-${rule}:${subject}`;

async function limitHit(store: Store, rule: keyof typeof SUBSCRIBE_RULES, subject: string, nowMs: number): Promise<void> {
  const r = SUBSCRIBE_RULES[rule];
  const { count, resetAtMs } = await hitRateLimit(store.db, limitKey(rule, subject), r.windowSeconds, nowMs);
  if (count > r.limit) {
    const wait = Math.max(1, Math.ceil((resetAtMs - nowMs) / 1000));
    const hours = r.windowSeconds >= 86_400;
    const amount = hours ? `${Math.ceil(wait / 3600)} hour${Math.ceil(wait / 3600) === 1 ? '' : 's'}` : `${Math.ceil(wait / 60)} minute${Math.ceil(wait / 60) === 1 ? '' : 's'}`;
    throw new UserError(429, `Too many ${r.what}: at most ${r.limit} in ${hours ? `${r.windowSeconds / 3600} hours` : `${r.windowSeconds / 60} minutes`}. Try again in ${amount}.`, wait);
  }
}

export type SubscribeOutcome =
  /** Subscribed at once (a member's own confirmed address). */
  | 'subscribed'
  /** A member's own confirmed address gets this already. */
  | 'already-subscribed'
  /**
   * Any other address: the answer is in its inbox. A confirmation link went there, or one did a few
   * minutes ago, or a note that it gets this already (or has as many subscriptions as it may): which
   * one is the address owner's business, not the asker's.
   */
  | 'check-inbox';

/**
 * A subscription e-mail the mail server did not take, as the log tells it (the request was
 * answered before): a permanent (5xx) refusal of the recipient or of the message is a 422 about
 * the address; anything else (4xx, no connection, a sender the server refuses) is a 503, after
 * which the same request can simply be made again. The cause stays on the error.
 */
export function mailNotSent(err: unknown, email: string): UserError {
  const e = (err ?? {}) as { responseCode?: unknown; code?: unknown; command?: unknown };
  const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600
    && (e.code === 'EMESSAGE' || (e.code === 'EENVELOPE' && e.command === 'RCPT TO'));
  const out = permanent
    ? new UserError(422, `The mail server refused ${email}, so the subscription e-mail to it was not sent.`)
    : new UserError(503, 'A subscription e-mail could not be sent (the mail server did not take it); nothing waits on it, and a new request for the address can be mailed at once.');
  out.cause = err;
  return out;
}

/**
 * The error for a subscription e-mail that did not leave. When the server did not refuse the
 * address itself (a 503), the e-mail reached nobody, so it does not count against the address's
 * daily allowance: a visitor who asks again during an outage is not locked out for a day.
 */
async function unsent(store: Store, err: unknown, email: string, nowMs: number): Promise<UserError> {
  const out = mailNotSent(err, email);
  if (out.status === 503) await unhitRateLimit(store.db, limitKey('address', email), SUBSCRIBE_RULES.address.windowSeconds, nowMs);
  return out;
}

export interface SubscribeResult {
  outcome: SubscribeOutcome;
  email: string;
  /** The member's subscription (own confirmed address only). */
  subscription: Subscription | null;
}

const sameWish = (s: Subscription, o: { period: DigestPeriod; kind: string; query: string | null }) =>
  s.period === o.period && s.kind === o.kind && (s.query ?? null) === o.query;

async function requireRoom(db: DigestDb, email: string): Promise<void> {
  if ((await countActiveSubscriptionsByEmail(db, email)) >= MAX_SUBSCRIPTIONS_PER_ADDRESS) {
    throw new UserError(422, `This address has ${MAX_SUBSCRIPTIONS_PER_ADDRESS} subscriptions, the most it can have. Unsubscribe from one first.`);
  }
}

/**
 * Runs `fn` in a transaction holding the address's lock: what it reads of the address's
 * subscriptions stays true until it commits, so two app processes cannot both find no digest and
 * both start one.
 */
function withAddress<T>(store: Store, email: string, fn: (db: Transaction<DigestDatabase>) => Promise<T>): Promise<T> {
  return store.transaction((trx) => fn(trx.withTables<DigestTables>()), { detailsUnchanged: true, lock: `subscription:${email.toLowerCase()}` });
}

/** A member's own confirmed address subscribes at once, replacing what it got of the same kind. */
function subscribeConfirmed(
  deps: SubscriptionDeps, member: User, email: string, options: ReturnType<typeof parseOptions>, now: string,
): Promise<SubscribeResult> {
  return withAddress(deps.store, email, async (db) => {
    const same = (await listActiveSubscriptionsByEmail(db, email)).find((s) => sameWish(s, options));
    if (same) return { outcome: 'already-subscribed', email, subscription: same };
    await requireRoom(db, email);
    const created = await insertSubscription(db, { email, userId: member.id, ...options, nonce: newNonce(), confirmed: true, confirmSent: false }, now);
    await supersedeSameSubscriptions(db, created, now);
    return { outcome: 'subscribed', email, subscription: created };
  });
}

/**
 * A subscribe request from the subscribe box, the subscribe page, a search page's "save as alert",
 * or account settings (`member` set). Members with a confirmed address subscribe it at once;
 * everyone else gets a confirmation link.
 */
export async function subscribe(
  deps: SubscriptionDeps, input: { email: unknown; period: unknown; kind: unknown; query: unknown; ip: string; member?: User | null },
): Promise<SubscribeResult> {
  const nowMs = deps.now();
  const now = iso(nowMs);
  await limitHit(deps.store, 'ip', input.ip, nowMs);
  const member = input.member ?? null;
  const email = input.email === undefined && member?.email ? member.email : parseEmail(input.email);
  const options = parseOptions(input);
  if (options.kind === 'for-you' && (!member || member.email !== email)) {
    throw new UserError(422, 'What: papers for you are picked from your upvotes; subscribe to them from your account settings, signed in.');
  }
  if (options.kind === 'for-you' && member?.emailVerifiedAt === null) {
    throw new UserError(422, 'Confirm your account\'s e-mail address first (see Settings).');
  }
  if (member !== null && member.emailVerifiedAt !== null && member.email === email) return subscribeConfirmed(deps, member, email, options, now);
  // Anyone may type any address here, so the answer must not tell what the address gets: every case
  // below answers the same, as soon (its e-mail, if any, goes after the answer), counts against the
  // address's limit, and says the rest in its inbox.
  const answer: SubscribeResult = { outcome: 'check-inbox', email, subscription: null };
  await limitHit(deps.store, 'address', email, nowMs);
  const db = digestDb(deps.store.db);
  const same = (await listActiveSubscriptionsByEmail(db, email)).find((s) => sameWish(s, options));
  const key = await linkKey(deps.store);
  /**
   * The e-mail goes after the answer. One the mail server did not take is undone (a waiting
   * confirmation nobody was told of goes, or may be mailed again at once), does not count against
   * the address when it reached nobody (see unsent), and is reported to onMailFailure.
   */
  const mailAfter = async (mail: { subject: string; text: string; html: string }, undo?: () => Promise<unknown>): Promise<SubscribeResult> => {
    const job = async () => {
      try {
        await deps.mailer.send({ to: email, subject: mail.subject, text: mail.text, html: mail.html });
      } catch (err) {
        await undo?.();
        const out = await unsent(deps.store, err, email, nowMs);
        if (!deps.onMailFailure) throw out;
        deps.onMailFailure(out);
      }
    };
    if (deps.later) deps.later.run(job);
    else await job();
    return answer;
  };

  if (same) {
    return mailAfter(renderAlreadySubscribedMail({ siteName: deps.siteName, to: email, what: describeSubscription(same), manage: subscriptionLinks(key, deps.baseUrl, same).manage }));
  }
  if ((await countActiveSubscriptionsByEmail(db, email)) >= MAX_SUBSCRIPTIONS_PER_ADDRESS) {
    return mailAfter(renderSubscriptionsFullMail({ siteName: deps.siteName, to: email, what: describeSubscription(options), max: MAX_SUBSCRIPTIONS_PER_ADDRESS }));
  }

  // Double opt-in: at most one confirmation waits per address (a unique index), mailed again only after the cool-down.
  const pending = await findPendingSubscription(db, email);
  if (pending && pending.confirmSentAt && nowMs - Date.parse(pending.confirmSentAt) < CONFIRM_COOLDOWN_MINUTES * 60_000) return answer;
  // Not linked to the member asking: only the account's own confirmed address is (above). Whoever
  // confirms from this address owns the subscription, and the member cannot change it from settings.
  let subscription: Subscription | null;
  if (pending) {
    subscription = await renewPendingSubscription(db, pending.id, { userId: null, ...options, nonce: newNonce() }, now);
  } else {
    subscription = await insertSubscription(db, { email, userId: null, ...options, nonce: newNonce(), confirmed: false, confirmSent: true }, now)
      .catch((err: Error) => {
        if (isUniqueViolation(err)) return null; // a concurrent request for the same address won
        throw err;
      });
  }
  if (!subscription) return answer;
  const link = `${deps.baseUrl}/subscribe/confirm?token=${signToken(key, 'confirm', subscription.id, subscription.tokenNonce, nowMs + CONFIRM_HOURS * 3_600_000)}`;
  const mail = renderConfirmMail({ siteName: deps.siteName, to: email, what: describeSubscription(subscription), link, hours: CONFIRM_HOURS });
  const sent = subscription;
  // Not sent after all: a new request goes away, a renewed one may be mailed again at once (its
  // older links stopped working with the new nonce), so nothing waits on a link nobody got.
  return mailAfter(mail, () => (pending ? clearConfirmSent(db, sent.id) : deleteUnsentPending(db, sent.id)));
}

const MESSAGES: Record<TokenPurpose, { invalid: string; expired: string }> = {
  confirm: {
    invalid: 'This confirmation link is not valid. Check that you copied all of it, or subscribe again to get a new one.',
    expired: `This confirmation link has expired (links work for ${CONFIRM_HOURS} hours). Subscribe again to get a new one.`,
  },
  unsubscribe: { invalid: 'This unsubscribe link is not valid. Check that you copied all of it; every digest e-mail has a working one.', expired: 'This unsubscribe link has expired.' },
  manage: { invalid: 'This link is not valid. Check that you copied all of it; every digest e-mail has a working one.', expired: 'This link has expired.' },
  view: { invalid: 'This link is not valid. Check that you copied all of it.', expired: 'This link has expired.' },
};

/**
 * A link (well formed) to a subscription that no longer exists: 410, and nothing more is sent for
 * it. One-click unsubscribes answer it with 200, as the outcome asked for holds.
 */
export class SubscriptionGone extends UserError {
  constructor() {
    super(410, 'This subscription no longer exists (it was deleted, for instance with the account it belonged to). Nothing more will be sent for it.');
  }
}

/** The subscription a signed link is for; a 400 with a clear message for a tampered, foreign or expired one, a 410 for one that is gone. */
export async function subscriptionOfToken(deps: Pick<SubscriptionDeps, 'store' | 'now'>, purpose: TokenPurpose, token: unknown): Promise<Subscription> {
  const id = tokenSubject(token);
  const s = id === null ? null : await findSubscriptionById(digestDb(deps.store.db), id);
  // A well-formed link to a number that was issued and whose row is gone (deleted with its account):
  // its signature cannot be checked without the row, but the likely story is a link from an old
  // e-mail, not a typo. A number never issued is treated as any other invalid link.
  if (id !== null && !s && (await wasSubscriptionIdIssued(digestDb(deps.store.db), id))) throw new SubscriptionGone();
  const verdict = s ? verifyToken(await linkKey(deps.store), purpose, token as string, s.tokenNonce, deps.now()) : 'invalid';
  if (verdict !== 'ok') throw new UserError(400, MESSAGES[purpose][verdict]);
  return s!;
}

/** Follows a confirmation link. Confirming twice is fine; a cancelled subscription is not revived. */
export async function confirmSubscription(deps: Pick<SubscriptionDeps, 'store' | 'now'>, token: unknown): Promise<Subscription> {
  const s = await subscriptionOfToken(deps, 'confirm', token);
  const now = iso(deps.now());
  if (s.unsubscribedAt) throw new UserError(400, 'This subscription was cancelled. Subscribe again to start it anew.');
  if (!s.confirmedAt) {
    await withAddress(deps.store, s.email, async (db) => {
      if (await markConfirmed(db, s.id, now)) await supersedeSameSubscriptions(db, s, now);
    });
  }
  return (await findSubscriptionById(digestDb(deps.store.db), s.id))!;
}

/** Unsubscribes the subscription a link is for (RFC 8058 one-click, the footer link, the manage page). Idempotent. */
export async function unsubscribeByToken(deps: Pick<SubscriptionDeps, 'store' | 'now'>, token: unknown): Promise<Subscription> {
  const s = await subscriptionOfToken(deps, 'unsubscribe', token);
  await markUnsubscribed(digestDb(deps.store.db), s.id, iso(deps.now()));
  return (await findSubscriptionById(digestDb(deps.store.db), s.id))!;
}

/** Changes a subscription from its manage link: how often, the query of an alert, or subscribe again after leaving. */
export async function manageByToken(
  deps: Pick<SubscriptionDeps, 'store' | 'now'>, token: unknown, input: { action: unknown; period: unknown; query: unknown },
): Promise<Subscription> {
  const s = await subscriptionOfToken(deps, 'manage', token);
  return changeSubscription(deps, s, input);
}

/** Starts a cancelled subscription again, ending the address's others of the same kind. */
function resubscribe(store: Store, s: Subscription, now: string): Promise<void> {
  return withAddress(store, s.email, async (db) => {
    if (!(await markResubscribed(db, s.id, now))) return; // a concurrent request did it
    if ((await countActiveSubscriptionsByEmail(db, s.email)) > MAX_SUBSCRIPTIONS_PER_ADDRESS) throw new UserError(422, 'This address has too many subscriptions.');
    await supersedeSameSubscriptions(db, s, now);
  });
}

async function changeSubscription(deps: Pick<SubscriptionDeps, 'store' | 'now'>, s: Subscription, input: { action: unknown; period: unknown; query: unknown }): Promise<Subscription> {
  const db = digestDb(deps.store.db);
  const now = iso(deps.now());
  if (input.action === 'unsubscribe') {
    await markUnsubscribed(db, s.id, now);
  } else if (input.action === 'resubscribe') {
    if (!s.confirmedAt) throw new UserError(400, 'This subscription was never confirmed: subscribe again.');
    if (s.unsubscribedAt) await resubscribe(deps.store, s, now);
  } else if (input.action === 'update') {
    if (s.unsubscribedAt) throw new UserError(400, 'This subscription was cancelled: subscribe again first.');
    const period = parseField(periodSchema, input.period);
    let query = s.query;
    if (s.kind === 'search' && typeof input.query === 'string' && input.query.trim() !== (s.query ?? '')) {
      const q = parseAlertQuery(input.query);
      if (!q.ok) throw new UserError(422, q.error);
      query = q.text;
    }
    await withAddress(deps.store, s.email, async (tdb) => {
      await updateSubscriptionOptions(tdb, s.id, { period, query }, now);
      // An alert changed to ask what another asks replaces it, as a new subscription would: one e-mail, not two.
      if (s.confirmedAt) await supersedeSameSubscriptions(tdb, { ...s, query }, now);
    });
  } else {
    throw new UserError(400, 'Unknown action.');
  }
  return (await findSubscriptionById(db, s.id))!;
}

/** A member's subscriptions: those of the account's current address, once the account has confirmed it. */
export async function memberSubscriptions(store: Store, user: User): Promise<Subscription[]> {
  if (!user.email) return [];
  return listMemberSubscriptions(digestDb(store.db), user.email, user.emailVerifiedAt !== null);
}

/**
 * Ends one of a member's own subscriptions; one the member already ended is left as it is, so a
 * repeated request (a client retrying) is answered as the first. Unknown ids are a 404.
 */
export async function endMemberSubscription(deps: Pick<SubscriptionDeps, 'store' | 'now'>, user: User, id: string): Promise<void> {
  const n = /^\d{1,12}$/.test(id) ? Number(id) : NaN;
  if (user.email && user.emailVerifiedAt !== null && isRowId(n)) {
    const ended = await digestDb(deps.store.db).selectFrom('subscriptions').select('id')
      .where('id', '=', n).where('email', '=', user.email).where('unsubscribed_at', 'is not', null).executeTakeFirst();
    if (ended) return;
  }
  await changeMemberSubscription(deps, user, id, { action: 'unsubscribe', period: undefined, query: undefined });
}

/** Changes one of a member's own subscriptions from account settings. */
export async function changeMemberSubscription(
  deps: Pick<SubscriptionDeps, 'store' | 'now'>, user: User, id: unknown, input: { action: unknown; period: unknown; query: unknown },
): Promise<Subscription> {
  const n = typeof id === 'string' && /^\d{1,12}$/.test(id) ? Number(id) : NaN;
  const mine = (await memberSubscriptions(deps.store, user)).find((s) => s.id === n);
  if (!mine) throw new UserError(404, 'You have no such subscription.');
  return changeSubscription(deps, mine, input);
}

export { isActive };
