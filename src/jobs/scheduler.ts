/**
 * The scheduler inside `serve`: once a day, at the configured UTC time, it fetches the day's
 * announcements (RSS) and catches up with arXiv's changes (OAI-PMH from the last watermark).
 * A lease in the jobs table makes sure one process runs it even when several serve the site.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { addDays } from '../domain/dates.ts';
import { clockGuard } from './clock-anomaly.ts';
import { holdLease, type HeldLease } from './lease.ts';
import { periodic } from './periodic.ts';
import { catchUpQuery, formatIngestSummary, ingestOai, ingestRss, type IngestDeps } from '../services/ingest.ts';

/** How often the scheduler looks at the clock, in ms. */
export const TICK_MS = 60_000;
/**
 * A run's lease lasts this long (ms), renewed every quarter of it while the run goes on; a crashed
 * process's lease expires and another takes over within it (it was 2 hours: the day's run waited
 * that long after a crash).
 */
export const LEASE_MS = 5 * 60_000;
/** The first catch-up of an instance reaches this many days back. */
const FIRST_CATCH_UP_DAYS = 3;
/**
 * Wait before the day's run is tried again after its RSS fetch failed, in ms. Only RSS carries the
 * day's announcements ("New on arXiv"), and its feeds hold them until the next announcement, so
 * the run is tried again the same UTC day; twice an hour is gentle on arXiv.
 */
export const RSS_RETRY_MS = 30 * 60_000;
const JOB = 'scheduler:daily-ingest';

export interface SchedulerDeps {
  ingest: Omit<IngestDeps, 'now'>;
  /** UTC time of day, HH:MM. */
  at: string;
  oaiSet: string;
  clock: { now(): number };
  logger: Logger;
}

/**
 * True when the daily run for `now`'s day is due (it is past `at`) and not done yet, nor waiting
 * (`retryAt`, an ISO time) to be tried again after a failed RSS fetch.
 */
export function isDue(nowMs: number, at: string, lastDay: string | null, retryAt: string | null = null): boolean {
  const now = new Date(nowMs);
  const today = now.toISOString().slice(0, 10);
  if (lastDay !== null && lastDay >= today) return false;
  if (retryAt !== null && nowMs < Date.parse(retryAt)) return false;
  const [h, m] = at.split(':').map(Number) as [number, number];
  return now.getUTCHours() * 60 + now.getUTCMinutes() >= h * 60 + m;
}

export interface Scheduler {
  /** Runs the daily job now if it is due; resolves when done. Exposed for tests. */
  tick(): Promise<'ran' | 'not-due' | 'busy'>;
  /** Stops; waits for a run in progress (at most `timeoutMs`, then releases the lease). */
  stop(opts?: { timeoutMs?: number }): Promise<'stopped' | 'abandoned'>;
}

export function startScheduler(deps: SchedulerDeps, opts: { timers?: boolean; tickMs?: number } = {}): Scheduler {
  const owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const { store } = deps.ingest;

  /** The lease of the run in progress, if any. */
  let held: HeldLease | null = null;
  const clock = clockGuard(deps.logger, JOB);

  async function runOnce(): Promise<'ran' | 'not-due' | 'busy'> {
    const nowMs = deps.clock.now();
    const iso = () => new Date(deps.clock.now()).toISOString();
    const state = await store.readJobState<{ lastDay: string | null; retryAt?: string | null }>(JOB);
    // A day or retry recorded while the clock was ahead would hold the job up until it comes round.
    const lastDay = clock.check(state?.lastDay ?? null, new Date(nowMs).toISOString().slice(0, 10));
    const retryAt = state?.retryAt && Date.parse(state.retryAt) - nowMs <= RSS_RETRY_MS ? state.retryAt : null;
    if (!isDue(nowMs, deps.at, lastDay, retryAt)) return 'not-due';
    const lease = await holdLease(store, JOB, owner, LEASE_MS, () => deps.clock.now(), () => deps.logger.warn({ job: JOB }, 'the daily ingest lease passed to another process during the run'));
    if (!lease) return 'busy';
    held = lease;
    try {
      const today = iso().slice(0, 10);
      const ingest: IngestDeps = { ...deps.ingest, now: iso };
      const rss = await ingestRss(ingest, ingest.categories);
      // A failed fetch is a warning: alerting on warn or above sees the day's announcements at risk.
      (rss.failure ? deps.logger.warn : deps.logger.info).call(deps.logger, { job: JOB, ...rss, problems: rss.problems.slice(0, 5) }, formatIngestSummary(rss));
      const query = await catchUpQuery(store, { set: deps.oaiSet, metadataPrefix: 'arXivRaw' }, today, addDays(today, -FIRST_CATCH_UP_DAYS));
      const oai = await ingestOai(ingest, query, { catchUp: true });
      deps.logger.info({ job: JOB, ...oai, problems: oai.problems.slice(0, 5) }, formatIngestSummary(oai));
      // The day's announcements come only from RSS: when that failed, the day stays due and is tried
      // again in RSS_RETRY_MS (the catch-up too, from its watermark). A failed catch-up alone is
      // made good by the next day's, which starts at the watermark. /admin/runs shows each failure.
      if (rss.failure) {
        await store.writeJobState(JOB, { lastDay, retryAt: new Date(deps.clock.now() + RSS_RETRY_MS).toISOString() }, iso());
      } else {
        await store.writeJobState(JOB, { lastDay: today }, iso());
      }
      return 'ran';
    } finally {
      held = null;
      await lease.release();
    }
  }

  return periodic(runOnce, {
    tickMs: opts.tickMs ?? TICK_MS, timers: opts.timers, idle: 'not-due', name: JOB,
    onError: (err) => deps.logger.error({ err, job: JOB }, 'scheduled ingest failed'),
    // The run resumes from its last stored page when a process takes the lease next.
    onAbandon: async () => { await held?.release(); },
  });
}
