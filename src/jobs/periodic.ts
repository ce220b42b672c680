/**
 * A job that looks at the clock every `tickMs`: one run at a time, errors logged (never thrown
 * into the timer), and a stop that waits for the run in progress (up to a deadline, after which
 * the job's lease is given back so another process can take over at once).
 */
import { jobDuration, jobRuns } from '../metrics.ts';

export interface Periodic<R> {
  /** Runs the job now unless a run is in progress (then returns that run). */
  tick(): Promise<R>;
  /**
   * Stops the timer and waits for the run in progress. With `timeoutMs`, waits at most that long,
   * then calls `onAbandon` (which releases the lease) and resolves `abandoned`.
   */
  stop(opts?: { timeoutMs?: number }): Promise<'stopped' | 'abandoned'>;
}

export function periodic<R>(runOnce: () => Promise<R>, opts: {
  tickMs: number;
  /** False: no timer (tests call tick themselves). */
  timers?: boolean;
  /** What tick answers after a stop or a failed run. */
  idle: R;
  onError: (err: Error) => void;
  /** Called after the last run finished, to release resources. */
  onStopped?: () => Promise<void>;
  /** The job's name in metrics; runs that answer `idle` are not counted. */
  name?: string;
  /** Called when a stop gives up waiting for the run in progress: give back what the run holds. */
  onAbandon?: () => Promise<void>;
}): Periodic<R> {
  let running: Promise<R> | null = null;
  let stopped = false;
  const job = opts.name ?? 'job';
  const tick = (): Promise<R> => {
    if (stopped) return Promise.resolve(opts.idle);
    const started = performance.now();
    running ??= runOnce()
      .then((r) => {
        if (r !== opts.idle) {
          jobRuns.inc({ job, outcome: String(r) });
          jobDuration.observe({ job }, (performance.now() - started) / 1000);
        }
        return r;
      })
      .catch((err: Error) => {
        jobRuns.inc({ job, outcome: 'failed' });
        jobDuration.observe({ job }, (performance.now() - started) / 1000);
        opts.onError(err);
        return opts.idle;
      })
      .finally(() => { running = null; });
    return running;
  };
  const timer = opts.timers === false ? null : setInterval(() => void tick(), opts.tickMs);
  timer?.unref();
  return {
    tick,
    async stop({ timeoutMs } = {}) {
      stopped = true;
      if (timer) clearInterval(timer);
      let outcome: 'stopped' | 'abandoned' = 'stopped';
      if (running && timeoutMs !== undefined) {
        let timeout: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => { timeout = setTimeout(() => resolve('late'), timeoutMs); });
        const r = await Promise.race([running.then(() => 'done' as const), late]);
        clearTimeout(timeout);
        if (r === 'late') {
          outcome = 'abandoned';
          await opts.onAbandon?.();
        }
      } else {
        await running; // a run in progress finishes (or resumes from its checkpoint after a restart)
      }
      await opts.onStopped?.();
      return outcome;
    },
  };
}
