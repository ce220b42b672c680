/**
 * Trending, as a time-invariant ranking key (the Lobsters approach): a paper's key is fixed
 * between votes, so lists sort on an indexed column and no job has to decay scores over time.
 *
 *   hotness = log10(1 + upvotes) + (entered_at - EPOCH) / WINDOW
 *
 * `entered_at` is when the paper entered the daily list (or, for papers never listed, when it was
 * published). Every WINDOW of age is worth one order of magnitude of votes: a paper listed a day
 * later needs ten times fewer votes to rank alongside. New keys are always larger than old ones,
 * so "trending" naturally favours recent papers without anything being recomputed.
 */

/** How long a factor of ten in votes is worth, in hours: a hot paper lingers about a day. */
export const TRENDING_WINDOW_HOURS = 24;
const WINDOW_MS = TRENDING_WINDOW_HOURS * 3_600_000;
/** Origin of the time term, so keys stay small numbers (2020-01-01T00:00:00Z). */
export const TRENDING_EPOCH_MS = Date.UTC(2020, 0, 1);

/**
 * The trending key for a paper with `upvotes` votes that entered the list at `enteredAtMs`.
 *
 * @example
 * hotness(0, Date.UTC(2020, 0, 2)) // 1
 * hotness(9, Date.UTC(2020, 0, 1)) // 1: nine votes a day earlier rank alike
 */
export function hotness(upvotes: number, enteredAtMs: number): number {
  const votes = Math.max(0, Math.floor(upvotes));
  return Math.log10(1 + votes) + (enteredAtMs - TRENDING_EPOCH_MS) / WINDOW_MS;
}

/** The longest period ranked by votes (a month); longer spans are "every day", open-ended. */
const PERIOD_MAX_DAYS = 31;

/**
 * Whether "trending" over the days `from`..`to` ranks by upvotes (ties by the key) rather than by the
 * key alone. Over a period of several days (a week, a month, a weekly digest) it does: a day's age
 * is worth ten times the votes, so there the key would rank simply the newest first, and the
 * period's most upvoted papers would never show. One day, and the open-ended list of every day
 * (what is hot now), keep the key. Days are YYYY-MM-DD.
 */
export function trendingByVotes(from: string, to: string): boolean {
  if (from === to) return false;
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  return days <= PERIOD_MAX_DAYS;
}

/** The formula as shown on /about. */
export const TRENDING_FORMULA_TEXT = `hotness = log10(1 + upvotes) + (entered - 2020-01-01) / ${TRENDING_WINDOW_HOURS} h`;
