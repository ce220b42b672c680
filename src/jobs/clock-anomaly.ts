/**
 * A scheduled job's "last done" day recorded while the host clock was ahead (by a month, say)
 * would keep the job from running until that day comes round. The schedulers take such a day as
 * a clock anomaly: they warn, once, and go on as if the job last ran yesterday. The unique keys of
 * what the jobs write (outbox rows, upserts by id) keep a run twice from doing anything twice.
 */
import { addDays } from '../domain/dates.ts';

/** How far after today a recorded day may be before it is taken for a clock anomaly: time zones and a late tick. */
export const CLOCK_SLACK_DAYS = 1;

/** True when `recorded` (YYYY-MM-DD) is more than {@link CLOCK_SLACK_DAYS} after `today`. */
export function isAheadOfClock(recorded: string | null, today: string): boolean {
  return recorded !== null && recorded > addDays(today, CLOCK_SLACK_DAYS);
}

interface Warn {
  warn(obj: object, msg: string): void;
}

/**
 * A guard for one scheduler: `check(recorded, today)` returns `recorded`, or yesterday when it is
 * ahead of the clock, warning once per recorded day (not at every tick until the run).
 *
 * @example
 * const guard = clockGuard(logger, 'scheduler:digest');
 * guard.check('2026-12-30', '2026-11-30') // '2026-11-29', and a warning
 */
export function clockGuard(logger: Warn, job: string): { check(recorded: string | null, today: string): string | null } {
  let warned: string | null = null;
  return {
    check(recorded, today) {
      if (!isAheadOfClock(recorded, today)) return recorded;
      const yesterday = addDays(today, -1);
      if (warned !== recorded) {
        warned = recorded;
        logger.warn({ job, recorded, today },
          `${job}: its last run is recorded on ${recorded}, more than a day after today (${today}): the clock was ahead when it ran; going on as if it last ran yesterday (${yesterday})`);
      }
      return yesterday;
    },
  };
}
