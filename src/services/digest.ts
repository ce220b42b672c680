/**
 * Sending digests, exactly once per subscriber and period.
 *
 * A run (1) gives up rows that expired and marks rows a killed sender had handed over as
 * `unknown`; (2) enqueues one outbox row per active subscription and due digest, in one
 * statement per digest, the unique (subscription, period key) making a second run add nothing;
 * (3) drains: workers claim one row at a time with a lease, re-check the subscription, select
 * (pure, domain/digest.ts), render, and hand the message over, recording the handover in one
 * conditional statement right before SMTP's end of data. See docs/email.md for the states.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  continuedFrom, coveredDaysCompleteAt, DIGEST_LIMITS, dueDigests, EXPIRY_DAYS, MAX_ATTEMPTS, retryDelayMs, selectDigest, SENT_LOOKBACK_DAYS,
  type DigestCandidate, type DigestPeriod, type DueDigest,
} from '../domain/digest.ts';
import { renderDigest, type RenderedMail } from '../mail/digest-template.tsx';
import { composeMessage, type ComposedMessage } from '../mail/message.ts';
import { DeliveryError, type Transport } from '../mail/transport.ts';
import type { Store } from '../store/index.ts';
import {
  claimNextRow, countEnqueuedBefore, enqueueDigests, expireStaleRows, findPreviousWindowEnd, finishRow, listDigestCandidates, listSentPaperIds, markHanded, markRetry, markSent,
  nextOutboxWakeUp, releaseRow, resolveAbandonedHandovers, type OutboxFilter, type OutboxRow,
} from '../store/outbox.ts';
import {
  digestDb, findSubscriptionById, isActive, listActiveSubscriptions, markAddressBounced, type DigestDatabase, type Subscription,
} from '../store/subscriptions.ts';
import { keepRunAlive } from './run-liveness.ts';
import { linkKey, subscriptionLinks } from './subscriptions.ts';
import type { Kysely } from 'kysely';

/**
 * The search engine for saved-search alerts: ids of papers matching `query` among `scope.ids` (the
 * papers listed or announced in the window), best first. services/alert-search.ts makes one from
 * the search index; a run without one stops at the first alert and leaves it for a run with one.
 */
export type SearchFn = (query: string, scope: { from: string; to: string; ids: readonly string[] }, limit: number) => Promise<string[]>;

/** Ranks a window's papers for a member (the model behind /for-you); see discovery/for-you.ts. */
export type ForYouFn = (userId: number, window: { from: string; to: string }, limit: number, exclude: ReadonlySet<string>) => Promise<{ id: string; reason: string }[]>;

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DigestDeps {
  store: Store;
  transport: Transport;
  siteName: string;
  baseUrl: string;
  mailFrom: string;
  /** An address that unsubscribes by mail, for List-Unsubscribe's mailto; null: https only. */
  unsubscribeMailto: string | null;
  now: () => number;
  logger?: Log | null;
  search?: SearchFn | null;
  /**
   * "For you" digests: the member's ranking of the window's new papers (best first, with reasons),
   * leaving out `exclude`. Without it, "for you" subscriptions are skipped with a reason.
   */
  forYou?: ForYouFn | null;
  /** How long a claimed row is held before another worker may take it over (ms). */
  leaseMs?: number;
  /** First retry delay after a temporary error (ms); each next one is 4 times longer. */
  retryBaseMs?: number;
  /** A run waits this long at most for retries and others' leases before leaving them to the next run (ms). */
  inRunWaitMs?: number;
  /** Identifies this process's leases. */
  owner?: string;
}

export const LEASE_MS = 2 * 60_000;
export const RETRY_BASE_MS = 15_000;
export const IN_RUN_WAIT_MS = 90_000;
/** Search hits asked of a search engine per alert and window. */
const SEARCH_HITS = 200;
/** Papers asked of the For-you model per digest (more than a digest lists: some may not be candidates). */
const FOR_YOU_HITS = 100;
const JOB = 'digest';

export interface DigestRunOptions {
  /** Delivery date, YYYY-MM-DD in the instance's time zone. */
  date: string;
  /** Only the daily (and weekdays) or only the weekly digests; default: what is due on `date`. */
  only?: 'daily' | 'weekly' | undefined;
  weeklyDay: number;
  /** Only the subscriptions of this address. */
  to?: string | undefined;
  /** Select and render, record and send nothing. */
  dryRun?: boolean;
  /** With dryRun: write each message to this folder as an .eml file. */
  out?: string | undefined;
  /** False: only send rows already enqueued and due (the scheduler's ticks). */
  enqueue?: boolean;
}

export interface DigestReport {
  date: string;
  periods: DigestPeriod[];
  dryRun: boolean;
  enqueued: number;
  /**
   * Digests due in this run that an earlier run had enqueued already (the same delivery date sent
   * again): not added, and counted here so the summary says why.
   */
  already: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Handed over, then the sender stopped or the connection broke before the answer: not sent again. */
  unknown: number;
  /** Left pending after temporary errors, for a later run. */
  retrying: number;
  /** Addresses stopped after a permanent error in this run. */
  bounced: number;
  ms: number;
  /** Set when the run stopped early (the mail server could not be used, a database error). */
  error: string | null;
  /**
   * Every due digest of the date has its outbox rows (a run that stops after that leaves them to
   * later runs; one that stops before has not done the date).
   */
  enqueuedAll: boolean;
  /** Dry runs: what would go out. */
  previews: { to: string; subject: string; papers: number; file: string | null }[];
}

/** The run's one summary line. */
export function formatDigestSummary(r: DigestReport): string {
  const head = `digest ${r.error ? 'stopped' : 'done'} date=${r.date} periods=${r.periods.join(',') || '-'}${r.dryRun ? ' dry_run=1' : ''}`;
  const counts = r.dryRun
    ? `would_send=${r.sent} empty=${r.skipped}`
    : `enqueued=${r.enqueued} sent=${r.sent} skipped=${r.skipped} failed=${r.failed} unknown=${r.unknown} retrying=${r.retrying} bounced=${r.bounced}${r.already ? ` already_enqueued=${r.already}` : ''}`;
  return `${head} ${counts} ms=${Math.round(r.ms)}${r.error ? ` error="${r.error.replace(/"/g, "'")}"` : ''}`;
}

interface WindowData {
  candidates: DigestCandidate[];
  /** Ranked ids per query (the whole ranking, before anyone's exclusions). */
  ranked: Map<string, string[]>;
}

/** What one run keeps between messages: the signing key, the window's candidates, query rankings. */
class RunContext {
  private windows = new Map<string, Promise<WindowData>>();
  constructor(readonly deps: DigestDeps, readonly key: string, readonly db: Kysely<DigestDatabase>) {}

  window(from: string, to: string): Promise<WindowData> {
    const k = `${from}|${to}`;
    let w = this.windows.get(k);
    if (!w) {
      w = listDigestCandidates(this.db, from, to, true).then((candidates) => ({ candidates, ranked: new Map() }));
      this.windows.set(k, w);
    }
    return w;
  }

  /** The whole ranking of an alert's query in a window, computed once per run. */
  async ranking(data: WindowData, window: { from: string; to: string }, query: string): Promise<string[]> {
    const known = data.ranked.get(query);
    if (known) return known;
    const ids = await this.deps.search!(query, { ...window, ids: data.candidates.map((c) => c.id) }, SEARCH_HITS);
    data.ranked.set(query, ids);
    return ids;
  }
}

type Built = { skip: string } | { message: ComposedMessage; mail: RenderedMail; paperIds: string[] };

async function buildDigest(ctx: RunContext, sub: Subscription, d: { period: DigestPeriod; key: string; from: string; to: string }): Promise<Built> {
  const { deps } = ctx;
  if (sub.kind !== 'trending' && sub.kind !== 'search' && sub.kind !== 'for-you') return { skip: `"${sub.kind}" digests are not offered yet` };
  if (sub.kind === 'for-you' && (!deps.forYou || sub.userId === null)) return { skip: sub.userId === null ? '"for you" needs an account' : '"for you" is not available in this process' };
  // Not a skip: the alert stays due and goes out with a run that has the search engine.
  if (sub.kind === 'search' && !deps.search) throw new Error('digest: alerts need the search engine (DigestDeps.search), which this run lacks');
  const window = { from: d.from, to: d.to };
  const data = await ctx.window(d.from, d.to);
  const nowMs = deps.now();
  const sentBefore = await listSentPaperIds(ctx.db, sub.id, new Date(nowMs - SENT_LOOKBACK_DAYS * 86_400_000).toISOString());
  const limit = DIGEST_LIMITS[sub.kind][d.period];
  let reasons: Record<string, string> | undefined;
  let selection;
  if (sub.kind === 'trending') selection = selectDigest({ kind: 'trending', window, candidates: data.candidates, sentBefore, limit });
  else if (sub.kind === 'search') selection = selectDigest({ kind: 'search', window, candidates: data.candidates, searchHits: await ctx.ranking(data, window, sub.query ?? ''), sentBefore, limit });
  else {
    const ranked = await deps.forYou!(sub.userId!, window, FOR_YOU_HITS, sentBefore);
    reasons = Object.fromEntries(ranked.map((r) => [r.id, r.reason]));
    selection = selectDigest({ kind: 'for-you', window, candidates: data.candidates, searchHits: ranked.map((r) => r.id), sentBefore, limit });
  }
  if (selection.papers.length === 0) return { skip: 'nothing new for it in this period' };
  const links = subscriptionLinks(ctx.key, deps.baseUrl, sub);
  const mail = renderDigest({
    siteName: deps.siteName, baseUrl: deps.baseUrl, to: sub.email, kind: sub.kind, period: d.period, query: sub.query, window,
    papers: selection.papers, total: selection.total, restDays: selection.restDays, reasons, links: { web: links.web(d.key), manage: links.manage, unsubscribe: links.unsubscribe },
  });
  const host = new URL(deps.baseUrl).hostname || 'localhost';
  const unsubscribeToken = links.unsubscribe.slice(links.unsubscribe.indexOf('token=') + 6);
  const listUnsubscribe = [`<${links.unsubscribe}>`];
  if (deps.unsubscribeMailto) listUnsubscribe.push(`<mailto:${deps.unsubscribeMailto}?subject=unsubscribe%20${unsubscribeToken}>`);
  const message = await composeMessage({
    from: deps.mailFrom, to: sub.email, subject: mail.subject, text: mail.text, html: mail.html,
    messageId: `digest-${sub.id}-${d.key}@${host}`, date: new Date(nowMs),
    headers: {
      'List-Unsubscribe': listUnsubscribe.join(', '),
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': `${deps.siteName.replace(/[<>"]/g, '')} digests <digests.${host}>`,
      'Auto-Submitted': 'auto-generated',
      'X-Paperboy-Digest': `${sub.id} ${d.key}`,
    },
  });
  return { message, mail, paperIds: selection.papers.map((p) => p.id) };
}

type Outcome = 'sent' | 'skipped' | 'failed' | 'unknown' | 'retry' | 'aborted' | 'stop';

/** Sends one claimed row; re-checks the subscription first. */
async function processRow(ctx: RunContext, row: OutboxRow, owner: string, counts: { bounced: number }): Promise<{ outcome: Outcome; error?: string }> {
  const { deps, db } = ctx;
  const iso = () => new Date(deps.now()).toISOString();
  const sub = await findSubscriptionById(db, row.subscriptionId);
  if (!sub || !isActive(sub)) {
    const why = !sub ? 'the subscription is gone' : sub.unsubscribedAt ? 'unsubscribed' : sub.bouncedAt ? 'the address bounced' : 'not confirmed';
    await finishRow(db, row.id, owner, 'skipped', why, iso());
    return { outcome: 'skipped' };
  }
  const built = await buildDigest(ctx, sub, { period: row.period, key: row.periodKey, from: row.windowFrom, to: row.windowTo });
  if ('skip' in built) {
    await finishRow(db, row.id, owner, 'skipped', built.skip, iso());
    return { outcome: 'skipped' };
  }
  try {
    await deps.transport.deliver(built.message, async () => {
      if (!(await markHanded(db, row.id, owner, { messageId: built.message.messageId, paperIds: built.paperIds }, iso()))) {
        throw new Error('another sender took this digest over');
      }
    });
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err;
    switch (err.kind) {
      case 'aborted':
        return { outcome: 'aborted' };
      case 'unknown':
        await finishRow(db, row.id, owner, 'unknown', err.message, iso());
        return { outcome: 'unknown', error: err.message };
      case 'permanent':
        await finishRow(db, row.id, owner, 'failed', err.message, iso());
        counts.bounced += (await markAddressBounced(db, sub.email, err.message, iso())) > 0 ? 1 : 0;
        return { outcome: 'failed', error: err.message };
      case 'transport':
        await releaseRow(db, row.id, owner, err.message, iso());
        return { outcome: 'stop', error: err.message };
      case 'temporary':
        if (row.attempts >= MAX_ATTEMPTS) {
          await finishRow(db, row.id, owner, 'failed', `gave up after ${row.attempts} attempts: ${err.message}`, iso());
          return { outcome: 'failed', error: err.message };
        }
        await markRetry(db, row.id, owner, err.message, new Date(deps.now() + retryDelayMs(row.attempts, deps.retryBaseMs ?? RETRY_BASE_MS)).toISOString());
        return { outcome: 'retry', error: err.message };
    }
  }
  await markSent(db, row.id, owner, iso());
  return { outcome: 'sent' };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Why the digests of delivery date `date` cannot be sent at `nowMs` (the last list day they cover,
 * `date`-1 in UTC, is still open), or null when they can.
 */
export function openListDayError(date: string, nowMs: number): string | null {
  const completeAt = coveredDaysCompleteAt(date);
  if (nowMs >= completeAt) return null;
  return `the digests of ${date} cover list days up to ${new Date(completeAt - 86_400_000).toISOString().slice(0, 10)}, `
    + `which is open until ${new Date(completeAt).toISOString().replace('.000Z', 'Z')}; digests cover complete list days only`;
}

/** Sends the digests due on a date (or, with dryRun, shows what would go out). */
export async function runDigest(deps: DigestDeps, opts: DigestRunOptions): Promise<DigestReport> {
  const started = performance.now();
  const due = dueDigests(opts.date, { only: opts.only, weeklyDay: opts.weeklyDay });
  const report: DigestReport = {
    date: opts.date, periods: due.map((d) => d.period), dryRun: !!(opts.dryRun || opts.out), enqueued: 0, already: 0, sent: 0, skipped: 0, failed: 0, unknown: 0,
    retrying: 0, bounced: 0, ms: 0, error: null, enqueuedAll: false, previews: [],
  };
  const ctx = new RunContext(deps, await linkKey(deps.store), digestDb(deps.store.db));
  if (opts.dryRun || opts.out) {
    await dryRun(ctx, due, opts, report);
    report.ms = performance.now() - started;
    return report;
  }
  const iso = () => new Date(deps.now()).toISOString();
  const filter: OutboxFilter = { email: opts.to };
  const mode = opts.enqueue === false ? 'drain' : `${opts.date} ${report.periods.join(',')}${opts.to ? ` to ${opts.to}` : ''}`;
  const runId = await deps.store.startJobRun(JOB, mode, iso());
  // The run's lease, renewed while it goes on: a run whose process dies is closed as interrupted
  // (run-liveness.ts) instead of showing as running on /admin/runs for ever.
  const alive = await keepRunAlive(deps.store, runId, iso);
  let recorded = false;
  try {
    report.failed += await expireStaleRows(ctx.db, iso());
    report.unknown += await resolveAbandonedHandovers(ctx.db, iso(), filter);
    if (opts.enqueue !== false) {
      // A digest covers complete list days only: one for a day still open would miss its late papers for good.
      const open = openListDayError(opts.date, deps.now());
      if (open) throw new Error(open);
      for (const d of due) {
        const late = new Date(deps.now() + EXPIRY_DAYS[d.period] * 86_400_000).toISOString();
        const expiresAt = d.expiresAt > late ? d.expiresAt : late;
        report.enqueued += await enqueueDigests(ctx.db, { period: d.period, key: d.key, from: d.from, to: d.to, continues: d.continues, expiresAt, runId }, filter, iso());
        report.already += await countEnqueuedBefore(ctx.db, { period: d.period, key: d.key, runId }, filter);
      }
      report.enqueuedAll = true;
    }
    await drain(ctx, filter, report);
    report.unknown += await resolveAbandonedHandovers(ctx.db, iso(), filter);
    const left = await ctx.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending')
      .$if(!!opts.to, (q) => q.where('subscription_id', 'in', (eb) => eb.selectFrom('subscriptions').select('id').where('email', '=', opts.to!)))
      .executeTakeFirstOrThrow();
    report.retrying = Number(left.n);
  } catch (err) {
    report.error = (err as Error).message;
  } finally {
    report.ms = performance.now() - started;
    const { previews: _p, date: _d, periods: _s, dryRun: _r, error, enqueuedAll: _e, ...counts } = report;
    try {
      await deps.store.finishJobRun(runId, { status: report.error ? 'failed' : 'ok', counts: { ...counts, ms: Math.round(report.ms) }, error }, iso());
      recorded = true;
    } finally {
      await alive.stop(recorded).catch(() => {});
    }
  }
  deps.logger?.info({ job: JOB, ...report, previews: undefined }, formatDigestSummary(report));
  return report;
}

/** Workers claim and send until nothing is due; then wait for near retries and leases, within limits. */
async function drain(ctx: RunContext, filter: OutboxFilter, report: DigestReport): Promise<void> {
  const { deps } = ctx;
  const owner = deps.owner ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  const waitLimit = deps.inRunWaitMs ?? IN_RUN_WAIT_MS;
  const counts = { bounced: 0 };
  let stop: string | null = null;
  const worker = async () => {
    while (!stop) {
      const now = deps.now();
      const row = await claimNextRow(ctx.db, owner, new Date(now + leaseMs).toISOString(), new Date(now).toISOString(), filter);
      if (!row) return;
      const r = await processRow(ctx, row, owner, counts);
      if (r.outcome === 'stop') stop = r.error ?? 'the mail server could not be used';
      else if (r.outcome === 'retry') deps.logger?.warn({ job: JOB, row: row.id, error: r.error }, 'temporary delivery error; will retry');
      else if (r.outcome !== 'aborted') report[r.outcome]++;
    }
  };
  const deadline = Date.now() + waitLimit;
  let spins = 0;
  for (;;) {
    await Promise.all(Array.from({ length: deps.transport.concurrency }, worker));
    if (stop) break;
    report.unknown += await resolveAbandonedHandovers(ctx.db, new Date(deps.now()).toISOString(), filter);
    const next = await nextOutboxWakeUp(ctx.db, filter);
    if (!next) break;
    const wait = Date.parse(next) - deps.now();
    if (wait <= 0) { // due now: claimable again (a retry, a lease that ran out)
      if (++spins > 100) break;
      await sleep(5);
      continue;
    }
    spins = 0;
    if (Date.now() + wait > deadline) break;
    await sleep(wait + 5);
  }
  report.bounced += counts.bounced;
  if (stop) report.error = stop;
}

async function dryRun(ctx: RunContext, due: DueDigest[], opts: DigestRunOptions, report: DigestReport): Promise<void> {
  // The messages hold live unsubscribe, manage and web-version links: owner-only, as the outbox folder.
  if (opts.out) fs.mkdirSync(opts.out, { recursive: true, mode: 0o700 });
  for (const d of due) {
    for (const sub of await listActiveSubscriptions(ctx.db, d.period, opts.to)) {
      // The window a run would give this subscriber (a weekly one continues their previous one).
      const from = d.continues ? continuedFrom(d, await findPreviousWindowEnd(ctx.db, sub.id, d.period, d.to, d.continues)) : d.from;
      const built = await buildDigest(ctx, sub, { ...d, from });
      if ('skip' in built) { report.skipped++; continue; }
      report.sent++;
      let file: string | null = null;
      if (opts.out) {
        file = path.join(opts.out, `${d.key}-${d.period}-${sub.id}.eml`);
        fs.rmSync(file, { force: true }); // a file from an earlier run would keep its mode
        fs.writeFileSync(file, built.message.raw, { mode: 0o600 });
      }
      if (report.previews.length < 10_000) report.previews.push({ to: sub.email, subject: built.mail.subject, papers: built.paperIds.length, file });
    }
  }
}

/**
 * The digest `date`'s trending selection rendered for a sample subscriber, for the admin page:
 * its subject, both parts, the raw message and the papers it lists.
 */
export async function previewDigest(
  deps: Omit<DigestDeps, 'transport'>, opts: { date: string; period: DigestPeriod; weeklyDay: number },
): Promise<{ due: DueDigest; built: Built }> {
  const due = dueDigests(opts.date, { only: opts.period === 'weekly' ? 'weekly' : 'daily', weeklyDay: opts.weeklyDay }).find((d) => d.period === opts.period)
    ?? dueDigests(opts.date, { only: 'daily', weeklyDay: opts.weeklyDay })[0]!;
  const ctx = new RunContext({ ...deps, transport: null as never }, await linkKey(deps.store), digestDb(deps.store.db));
  const sample: Subscription = {
    id: 0, email: 'preview@example.org', userId: null, period: due.period, kind: 'trending', query: null, createdAt: '', confirmedAt: '',
    unsubscribedAt: null, bouncedAt: null, bounceReason: null, tokenNonce: 'preview', confirmSentAt: null,
  };
  return { due, built: await buildDigest(ctx, sample, due) };
}
