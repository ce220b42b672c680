/**
 * Keeps the For-you candidates of the latest periods prepared ahead of the members' requests: the
 * first member to open /for-you after new papers arrive (or a digest run) then finds the period's
 * papers read and their term vectors computed, and pays only for their own profile and the ranking.
 * The term weights of the papers in members' recent histories are computed ahead too, so that
 * building a profile is a sum of kept weights (see prepareHistoryTerms).
 *
 * @example
 * const stop = startForYouPreparation({ store, index: searchIndex });
 * // ... on shutdown
 * stop();
 */
import { windowContaining, type Period } from '../domain/dates.ts';
import { latestPaperDay } from '../store/discovery.ts';
import { prepareForYouPeriod, prepareHistoryTerms, type ForYouCache, type ForYouDeps } from './for-you.ts';

/** How often the latest periods are checked (a check while nothing changed is one small query). */
export const PREPARE_INTERVAL_MS = 10_000;
/** Periods prepared: the page's default (week) and the daily digest's (day). */
export const PREPARED_PERIODS: readonly Period[] = ['week', 'day'];

export interface PreparationOptions {
  intervalMs?: number;
  periods?: readonly Period[];
  /** Default: the cache that forYou() uses by default (the page's and the digests'). */
  cache?: ForYouCache;
  /** Told when a preparation fails (it is tried again at the next tick). */
  onError?: (err: unknown) => void;
}

/** Prepares the latest periods once: what each tick does. Returns the candidates per period. */
export async function prepareLatestPeriods(deps: ForYouDeps, periods: readonly Period[] = PREPARED_PERIODS, cache?: ForYouCache): Promise<Partial<Record<Period, number>>> {
  const latest = await latestPaperDay(deps.store.db);
  const out: Partial<Record<Period, number>> = {};
  if (!latest) return out;
  for (const p of periods) {
    const window = windowContaining(p, latest);
    if (window) out[p] = await prepareForYouPeriod(deps, window, cache);
  }
  return out;
}

/**
 * Starts preparing in the background (first tick at once); returns a function that stops it and
 * resolves once a tick in progress has ended (the store may then be closed).
 */
export function startForYouPreparation(deps: ForYouDeps, opts: PreparationOptions = {}): () => Promise<void> {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        await prepareLatestPeriods(deps, opts.periods, opts.cache);
        await prepareHistoryTerms(deps, opts.cache);
      } catch (err) { opts.onError?.(err); } finally { running = null; }
    })();
  };
  const timer = setInterval(tick, opts.intervalMs ?? PREPARE_INTERVAL_MS);
  timer.unref();
  tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
