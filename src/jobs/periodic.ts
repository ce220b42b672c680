/**
 * A job that looks at the clock every `tickMs`: one run at a time, errors logged (never thrown
 * into the timer), and a stop that waits for the run in progress.
 */
export interface Periodic<R> {
  /** Runs the job now unless a run is in progress (then returns that run). */
  tick(): Promise<R>;
  stop(): Promise<void>;
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
}): Periodic<R> {
  let running: Promise<R> | null = null;
  let stopped = false;
  const tick = (): Promise<R> => {
    if (stopped) return Promise.resolve(opts.idle);
    running ??= runOnce()
      .catch((err: Error) => { opts.onError(err); return opts.idle; })
      .finally(() => { running = null; });
    return running;
  };
  const timer = opts.timers === false ? null : setInterval(() => void tick(), opts.tickMs);
  timer?.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running; // a run in progress finishes (or resumes from its checkpoint after a restart)
      await opts.onStopped?.();
    },
  };
}
