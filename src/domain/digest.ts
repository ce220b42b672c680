/**
 * Digests, pure: which digests are due on a delivery date and what list days they cover, local
 * time in the instance's time zone, the selection of papers for one subscriber, and the retry
 * schedule. No I/O, no clock: time is an argument.
 */
import { addDays, dayToMs, isoWeekOf } from './dates.ts';
import { trendingByVotes } from './ranking.ts';

export type DigestPeriod = 'daily' | 'weekdays' | 'weekly';
export type DigestKind = 'trending' | 'search' | 'for-you';
export const DIGEST_PERIODS: readonly DigestPeriod[] = ['daily', 'weekdays', 'weekly'];

/** Papers a digest lists at most: a daily one is read in a minute, a weekly one in five. */
export const DIGEST_LIMITS: Record<DigestKind, Record<DigestPeriod, number>> = {
  trending: { daily: 10, weekdays: 10, weekly: 20 },
  search: { daily: 25, weekdays: 25, weekly: 40 },
  'for-you': { daily: 10, weekdays: 10, weekly: 20 },
};
/**
 * A digest that temporary errors kept from going out is given up this many days after its
 * delivery day (or after it was enqueued, when that is later: a back-dated run).
 */
export const EXPIRY_DAYS: Record<DigestPeriod, number> = { daily: 2, weekdays: 2, weekly: 4 };
/** Papers sent to a subscriber in this many past days are not sent to them again. */
export const SENT_LOOKBACK_DAYS = 60;

/**
 * The most list days a weekly digest covers: it starts the day after the subscriber's previous
 * weekly digest ended, when that was in the last two weeks (a missed week, or a weekly day moved
 * later, is made good by the next one), else 7 days before its delivery day.
 */
export const WEEKLY_MAX_DAYS = 14;

/** One digest to send on a delivery date: its key (unique per subscription) and the list days it covers. */
export interface DueDigest {
  period: DigestPeriod;
  /**
   * `2025-06-03` for daily and weekdays digests (the delivery day); for weekly ones the delivery day
   * as an ISO week date, `2025-W23-1` (Monday 2025-06-02), so two weekly digests of one week (a
   * weekly day changed, a send by hand) never share a key.
   */
  key: string;
  /** First list day covered; a weekly digest that continues the subscriber's previous one starts after it (see `continues`). */
  from: string;
  to: string;
  /**
   * Weekly digests: a subscriber whose previous weekly digest ended on a day from `since` to the
   * day before `to` gets one starting the day after it (no day covered twice, none left out)
   * instead of at `from`.
   */
  continues?: { since: string };
  /** ISO time after which a digest still unsent is given up. */
  expiresAt: string;
}

/** The key of the weekly digest delivered on `date`: the day as an ISO week date (`2025-W23-1`). */
export function weeklyKey(date: string): string {
  return `${isoWeekOf(date)}-${isoWeekday(date)}`;
}

/**
 * The first list day of a weekly digest of window `due` for a subscriber whose previous weekly
 * digest ended on `previousEnd` (null: none): the day after it, when `due.continues` accepts it.
 *
 * @example
 * continuedFrom({ from: '2025-06-01', to: '2025-06-07', continues: { since: '2025-05-24' } }, '2025-06-03') // '2025-06-04'
 */
export function continuedFrom(due: Pick<DueDigest, 'from' | 'to' | 'continues'>, previousEnd: string | null): string {
  if (!due.continues || previousEnd === null || previousEnd < due.continues.since || previousEnd >= due.to) return due.from;
  return addDays(previousEnd, 1);
}

/** ISO weekday of a YYYY-MM-DD day: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(day: string): number {
  const dow = new Date(dayToMs(day)).getUTCDay();
  return dow === 0 ? 7 : dow;
}

/**
 * The digests due on delivery date `date` (a day in the instance's time zone). A digest covers the
 * complete list days before it: daily, the day before; weekdays (Monday to Friday), the day
 * before, and on Mondays the weekend too (Friday to Sunday); weekly, the seven days before, sent
 * on `weeklyDay` (1 = Monday) unless `only` is 'weekly', which sends it whatever the weekday
 * (a subscriber's weekly digest starts after their previous one instead, see {@link continuedFrom}).
 *
 * @example
 * dueDigests('2025-06-02', { weeklyDay: 1 }) // Monday: daily (06-01), weekdays (05-30..06-01), weekly 2025-W23-1 (05-26..06-01)
 */
export function dueDigests(date: string, opts: { only?: 'daily' | 'weekly' | undefined; weeklyDay: number }): DueDigest[] {
  const out: DueDigest[] = [];
  const expires = (p: DigestPeriod) => `${addDays(date, EXPIRY_DAYS[p])}T00:00:00.000Z`;
  const yesterday = addDays(date, -1);
  const wd = isoWeekday(date);
  if (opts.only !== 'weekly') {
    out.push({ period: 'daily', key: date, from: yesterday, to: yesterday, expiresAt: expires('daily') });
    if (wd <= 5) out.push({ period: 'weekdays', key: date, from: wd === 1 ? addDays(date, -3) : yesterday, to: yesterday, expiresAt: expires('weekdays') });
  }
  if (opts.only === 'weekly' || (opts.only === undefined && wd === opts.weeklyDay)) {
    out.push({
      period: 'weekly', key: weeklyKey(date), from: addDays(date, -7), to: yesterday,
      continues: { since: addDays(date, -(WEEKLY_MAX_DAYS + 1)) }, expiresAt: expires('weekly'),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Local time in a time zone

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when `tz` is an IANA time zone this Node knows (`UTC`, `Europe/Berlin`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day and minute of the day at `ms` in time zone `tz`. */
export function localTime(ms: number, tz: string): { date: string; minutes: number } {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/**
 * When the list days a delivery date's digests cover are complete (ms): 00:00 UTC of the delivery
 * date, the end of the last list day covered (D-1). In time zones east of UTC the local delivery
 * day starts before that.
 */
export function coveredDaysCompleteAt(date: string): number {
  return dayToMs(date);
}

/**
 * The delivery date the scheduler should send now, or null: it is past `at` (HH:MM) in `tz`, the
 * list days it covers are complete (past 00:00 UTC of that date, which in zones east of UTC comes
 * after `at`), and that day was not sent yet (`lastDate`).
 */
export function scheduledDate(nowMs: number, at: string, tz: string, lastDate: string | null): string | null {
  const { date, minutes } = localTime(nowMs, tz);
  if (lastDate !== null && lastDate >= date) return null;
  const [h, m] = at.split(':').map(Number) as [number, number];
  return minutes >= h * 60 + m && nowMs >= coveredDaysCompleteAt(date) ? date : null;
}

/** One run the scheduler owes: a delivery date, and `only: 'weekly'` when just its weekly digest is still worth sending. */
export interface ScheduledRun {
  date: string;
  only?: 'weekly';
}

/**
 * What the scheduler sends now, oldest first: delivery dates it missed since `lastDate` (the
 * process was down at their time) whose digests would not have been given up yet (see
 * {@link EXPIRY_DAYS}: a daily or weekdays digest the day after, a weekly one up to 3 days
 * after), then today's once {@link scheduledDate} says it is due. Each date comes once: the
 * caller moves `lastDate` to it after its run (and, when the schedule was off until now, first to
 * {@link resumedLastDate}: nothing was missed).
 *
 * @example
 * // Last sent Sunday 2025-05-11, down until Tuesday 07:00: Monday's digests (its weekly one too), then Tuesday's.
 * scheduledRuns(Date.parse('2025-05-13T07:00:00Z'), '07:00', 'UTC', '2025-05-11', 1) // [{ date: '2025-05-12' }, { date: '2025-05-13' }]
 */
export function scheduledRuns(nowMs: number, at: string, tz: string, lastDate: string | null, weeklyDay: number): ScheduledRun[] {
  const { date: today } = localTime(nowMs, tz);
  const runs: ScheduledRun[] = [];
  if (lastDate !== null) {
    const oldest = addDays(today, -(EXPIRY_DAYS.weekly - 1));
    for (let d = addDays(lastDate, 1) > oldest ? addDays(lastDate, 1) : oldest; d < today; d = addDays(d, 1)) {
      if (addDays(d, EXPIRY_DAYS.daily) > today) runs.push({ date: d });
      else if (isoWeekday(d) === weeklyDay) runs.push({ date: d, only: 'weekly' });
    }
  }
  const due = scheduledDate(nowMs, at, tz, lastDate);
  if (due) runs.push({ date: due });
  return runs;
}

/**
 * The `lastDate` of a schedule switched on at `nowMs` after being off: yesterday in `tz` (or the
 * saved date, when later), so the days it was off are not sent late; today's run stays due.
 *
 * @example
 * resumedLastDate(Date.parse('2025-05-14T05:00:00Z'), 'UTC', '2025-05-11') // '2025-05-13'
 */
export function resumedLastDate(nowMs: number, tz: string, lastDate: string | null): string {
  const yesterday = addDays(localTime(nowMs, tz).date, -1);
  return lastDate !== null && lastDate > yesterday ? lastDate : yesterday;
}

/**
 * The latest delivery date whose covered list days are complete at `nowMs`: today in `tz`, or the
 * day before while today's covered day is still open (east of UTC, before 00:00 UTC).
 */
export function latestCompleteDate(nowMs: number, tz: string): string {
  const { date } = localTime(nowMs, tz);
  return nowMs >= coveredDaysCompleteAt(date) ? date : addDays(date, -1);
}

// ---------------------------------------------------------------------------------------------
// Retries

/** Sends of one digest at most (the first and the retries after temporary errors). */
export const MAX_ATTEMPTS = 6;

/** Wait before retry `attempt` (1 = after the first failure): base, x4 each time, at most 6 h. */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 4 ** Math.max(0, attempt - 1), 6 * 3_600_000);
}

// ---------------------------------------------------------------------------------------------
// Saved searches (written in the search box's language and checked by search/alert-query.ts)

/** Longest saved query, in characters: a search box's worth, not a document. */
export const MAX_QUERY_CHARS = 300;
/** Most parts in a saved query (words, phrases, filters). */
export const MAX_QUERY_TERMS = 12;

// ---------------------------------------------------------------------------------------------
// Candidates and selection

/** A paper a digest may list. */
export interface DigestCandidate {
  id: string;
  title: string;
  abstract: string;
  /** The first authors, in order. */
  authors: string[];
  authorCount: number;
  categories: string[];
  upvotes: number;
  hotness: number;
  publishedAt: string | null;
  /** The day it entered the Daily papers list, if it is on one (and not hidden). */
  listedOn: string | null;
  /** The last day arXiv announced it, if it did. */
  announcedOn: string | null;
}

export interface SelectionInput {
  kind: DigestKind;
  /** The list days covered, inclusive. */
  window: { from: string; to: string };
  candidates: readonly DigestCandidate[];
  /** For search alerts: the search engine's hits for the saved query, best first. */
  searchHits?: readonly string[] | null | undefined;
  /** Papers this subscriber was sent before: never sent again. */
  sentBefore: ReadonlySet<string>;
  limit: number;
}

export interface Selection {
  papers: DigestCandidate[];
  /** How many papers qualified before the limit. */
  total: number;
  /** The Daily-list days (in order) of the qualifying papers the limit left out: where the rest are. */
  restDays: string[];
}

const inWindow = (day: string | null, w: { from: string; to: string }) => day !== null && day >= w.from && day <= w.to;

/** Trending: hotness, then id. */
function byTrending(a: DigestCandidate, b: DigestCandidate): number {
  return b.hotness - a.hotness || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Trending over a window: by the key on one day, by upvotes (then the key) over several (see trendingByVotes). */
const trendingOver = (window: { from: string; to: string }) => (trendingByVotes(window.from, window.to)
  ? (a: DigestCandidate, b: DigestCandidate) => b.upvotes - a.upvotes || byTrending(a, b)
  : byTrending);

/**
 * The papers of one subscriber's digest. Trending: the window's Daily papers by the trending key.
 * Search alerts: the search engine's hits for the saved query that entered a daily list or were
 * announced by arXiv in the window, in the engine's order.
 * For you: the same papers in the order of the member's model (given as `searchHits`).
 * Papers sent to the subscriber before are left out; at most `limit` are kept.
 */
export function selectDigest(input: SelectionInput): Selection {
  const { window, sentBefore } = input;
  let picked: DigestCandidate[];
  if (input.kind === 'trending') {
    picked = input.candidates.filter((c) => inWindow(c.listedOn, window) && !sentBefore.has(c.id)).sort(trendingOver(window));
  } else {
    const eligible = (c: DigestCandidate) => (inWindow(c.listedOn, window) || inWindow(c.announcedOn, window)) && !sentBefore.has(c.id);
    if (input.searchHits) {
      const byId = new Map(input.candidates.map((c) => [c.id, c]));
      const seen = new Set<string>();
      picked = [];
      for (const id of input.searchHits) {
        const c = byId.get(id);
        if (c && !seen.has(id) && eligible(c)) { picked.push(c); seen.add(id); }
      }
    } else {
      picked = [];
    }
  }
  const rest = picked.slice(input.limit).map((c) => c.listedOn).filter((d): d is string => d !== null && inWindow(d, window));
  return { papers: picked.slice(0, input.limit), total: picked.length, restDays: [...new Set(rest)].sort() };
}
