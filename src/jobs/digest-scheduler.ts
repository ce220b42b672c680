/**
 * The digest scheduler inside `serve`: once a day, at the configured local time and time zone,
 * it sends the digests due that day; on the other ticks it sends rows whose retry came due. A
 * lease in the jobs table lets one process run it when several serve the site; the outbox keeps
 * each digest to one send even when two runs overlap.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { localTime, resumedLastDate, scheduledRuns } from '../domain/digest.ts';
import { formatDigestSummary, runDigest, type DigestDeps, type DigestReport } from '../services/digest.ts';
import type { DigestSettings } from '../services/digest-config.ts';
import { digestDb } from '../store/subscriptions.ts';
import { clockGuard } from './clock-anomaly.ts';
import { holdLease, type HeldLease } from './lease.ts';
import { periodic } from './periodic.ts';

/** How often the scheduler looks at the clock, in ms. */
export const DIGEST_TICK_MS = 60_000;
/**
 * The scheduler's lease lasts this long (ms), renewed every quarter of it while a run goes on; a
 * crashed process's lease runs out and another takes over. Short, as the outbox rows' own lease
 * (PAPERBOY_DIGEST_LEASE_SECONDS): with an hour, a crash mid-run left the rest of the day's digests,
 * and every retry, waiting for that hour.
 */
export const DIGEST_LEASE_MS = 2 * 60_000;
export const DIGEST_JOB = 'scheduler:digest';

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DigestSchedulerDeps {
  digest: Omit<DigestDeps, 'now' | 'logger'>;
  settings: Pick<DigestSettings, 'at' | 'timeZone' | 'weeklyDay'> & Partial<Pick<DigestSettings, 'leaseSeconds'>>;
  clock: { now(): number };
  logger: Log;
}

/** What the scheduler records in the jobs table (the admin page shows it). */
export interface DigestSchedulerState {
  lastDate: string | null;
  at: string | null;
  timeZone: string;
  weeklyDay: number;
}

export interface DigestScheduler {
  /** Runs what is due now; resolves when done. Exposed for tests. */
  tick(): Promise<'sent' | 'retried' | 'idle' | 'busy'>;
  /** Stops; waits for a run in progress (at most `timeoutMs`, then releases the scheduler's lease). */
  stop(opts?: { timeoutMs?: number }): Promise<'stopped' | 'abandoned'>;
}

export function startDigestScheduler(deps: DigestSchedulerDeps, opts: { timers?: boolean; tickMs?: number } = {}): DigestScheduler {
  const owner = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const { store } = deps.digest;
  const iso = () => new Date(deps.clock.now()).toISOString();
  const leaseMs = deps.settings.leaseSeconds !== undefined ? { leaseMs: deps.settings.leaseSeconds * 1000 } : {};
  const digest: DigestDeps = { ...leaseMs, ...deps.digest, now: () => deps.clock.now(), logger: deps.logger, owner };

  const log = (r: DigestReport) => (r.error ? deps.logger.warn : deps.logger.info).call(deps.logger, { job: DIGEST_JOB, ...r, previews: undefined }, formatDigestSummary(r));

  /** The lease of the run in progress, if any. */
  let held: HeldLease | null = null;
  const clock = clockGuard(deps.logger, DIGEST_JOB);

  async function runOnce(): Promise<'sent' | 'retried' | 'idle' | 'busy'> {
    const nowMs = deps.clock.now();
    const state = await store.readJobState<DigestSchedulerState>(DIGEST_JOB);
    const { at, timeZone, weeklyDay } = deps.settings;
    // A date recorded while the clock was ahead would hold the digests up until it comes round.
    const recorded = clock.check(state?.lastDate ?? null, localTime(nowMs, timeZone).date);
    // Missed days are caught up when the schedule was on (a process down), not when it was off by
    // choice: switching it on moves the last date to yesterday, in the same write that records it on.
    const lastDate = at && state && !state.at ? resumedLastDate(nowMs, timeZone, recorded) : recorded;
    if (!state || state.at !== at || state.timeZone !== timeZone || state.weeklyDay !== weeklyDay || state.lastDate !== lastDate) {
      await store.writeJobState(DIGEST_JOB, { lastDate, at, timeZone, weeklyDay } satisfies DigestSchedulerState, iso());
    }
    const runs = at ? scheduledRuns(nowMs, at, timeZone, lastDate, weeklyDay) : [];
    if (runs.length === 0) {
      // Retries that came due since the day's run.
      const due = await digestDb(store.db).selectFrom('outbox').select('id').where('status', '=', 'pending').where('not_before', '<=', iso()).limit(1).executeTakeFirst();
      if (!due) return 'idle';
    }
    const lease = await holdLease(store, DIGEST_JOB, owner, DIGEST_LEASE_MS, () => deps.clock.now(), () => deps.logger.warn({ job: DIGEST_JOB }, 'the digest lease passed to another process during the run'));
    if (!lease) return 'busy';
    held = lease;
    try {
      if (runs.length > 0) {
        // Days missed while the process was down first (late, once), then today's.
        for (const run of runs) {
          const report = await runDigest({ ...digest, logger: null }, { date: run.date, only: run.only, weeklyDay });
          log(report);
          // A run stopped before the date's digests were all enqueued (a database error) leaves the date due: the next tick does it again.
          if (!report.enqueuedAll) break;
          await store.writeJobState(DIGEST_JOB, { lastDate: run.date, at, timeZone, weeklyDay } satisfies DigestSchedulerState, iso());
        }
        return 'sent';
      }
      const report = await runDigest({ ...digest, logger: null }, { date: lastDate ?? iso().slice(0, 10), weeklyDay, enqueue: false });
      log(report);
      return 'retried';
    } finally {
      held = null;
      await lease.release();
    }
  }

  return periodic(runOnce, {
    tickMs: opts.tickMs ?? DIGEST_TICK_MS, timers: opts.timers, idle: 'idle', name: DIGEST_JOB,
    onError: (err) => deps.logger.error({ err, job: DIGEST_JOB }, 'scheduled digest failed'),
    // Rows this run leased stay leased until their lease runs out; the outbox keeps each send to one.
    onAbandon: async () => { await held?.release(); },
    onStopped: () => deps.digest.transport.close(),
  });
}
