/**
 * Days, ISO weeks and months as list windows. Days are UTC calendar days written YYYY-MM-DD.
 * Pure: the current time is always an argument.
 */

export type Period = 'day' | 'week' | 'month';

/** A window of whole days, both ends inclusive. */
export interface DayWindow {
  period: Period;
  /** The canonical label: `2025-05-06`, `2025-W19`, `2025-05`. */
  label: string;
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const MIN_YEAR = 1991; // arXiv opened in August 1991
const MAX_YEAR = 2999;

/** Milliseconds since the epoch of midnight UTC of a YYYY-MM-DD day (caller validated it). */
export function dayToMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** The UTC day of a timestamp. */
export function msToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return msToDay(dayToMs(day) + n * DAY_MS);
}

/** Validates a YYYY-MM-DD day (a real calendar date); null when it is not one. */
export function parseDay(input: string): string | null {
  const m = DAY_RE.exec(input);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < MIN_YEAR || y > MAX_YEAR || mo < 1 || mo > 12 || d < 1) return null;
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCMonth() !== mo - 1) return null; // 2025-02-30 rolls over: not a day
  return input;
}

/** The first and last days a date may name (the first is before arXiv's first paper). */
export const FIRST_DAY = `${MIN_YEAR}-01-01`;
export const LAST_DAY = `${MAX_YEAR}-12-31`;

/**
 * What is wrong with a window label that does not parse, as the end of a sentence that starts
 * with the label: "is not a date (expected YYYY-MM-DD)" for a malformed one or a day the calendar
 * does not have, or the allowed range for a well-formed one outside it. Null when it parses.
 *
 * @example
 * labelProblem('day', '1990-12-31') // 'is out of range: a date must be between 1991-01-01 and 2999-12-31'
 * labelProblem('day', '2025-02-30') // 'is not a date (expected YYYY-MM-DD)'
 */
export function labelProblem(period: Period, label: string): string | null {
  const parsed = period === 'day' ? parseDay(label) : period === 'week' ? parseWeek(label) : parseMonth(label);
  if (parsed) return null;
  const m = (period === 'day' ? DAY_RE : period === 'week' ? WEEK_RE : MONTH_RE).exec(label);
  const year = m ? Number(m[1]) : NaN;
  if (year < MIN_YEAR || year > MAX_YEAR) {
    // Well formed, in a year outside the range (whether or not the rest would be valid).
    if (period === 'day') return `is out of range: a date must be between ${FIRST_DAY} and ${LAST_DAY}`;
    if (period === 'week') return `is out of range: a week must be in the years ${MIN_YEAR} to ${MAX_YEAR}`;
    return `is out of range: a month must be between ${MIN_YEAR}-01 and ${MAX_YEAR}-12`;
  }
  if (period === 'day') return 'is not a date (expected YYYY-MM-DD)';
  if (period === 'week') return 'is not an ISO week (expected YYYY-Www, like 2025-W19)';
  return 'is not a month (expected YYYY-MM)';
}

/** Monday of ISO week 1 of an ISO week-numbering year. */
function isoWeekOneMonday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const dow = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  return jan4 - dow * DAY_MS;
}

function isoWeeksInYear(year: number): number {
  return Math.round((isoWeekOneMonday(year + 1) - isoWeekOneMonday(year)) / (7 * DAY_MS));
}

/** The ISO week label (`2025-W19`) of a day. */
export function isoWeekOf(day: string): string {
  const ms = dayToMs(day);
  const dow = (new Date(ms).getUTCDay() + 6) % 7;
  const thursday = ms + (3 - dow) * DAY_MS; // the week belongs to the year of its Thursday
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - isoWeekOneMonday(year)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** The window of one day. */
export function dayWindow(day: string): DayWindow {
  return { period: 'day', label: day, from: day, to: day };
}

/** Parses `YYYY-Www`; null when malformed or when the year has no such week. */
export function parseWeek(input: string): DayWindow | null {
  const m = WEEK_RE.exec(input);
  if (!m) return null;
  const [year, week] = [Number(m[1]), Number(m[2])];
  if (year < MIN_YEAR || year > MAX_YEAR || week < 1 || week > isoWeeksInYear(year)) return null;
  const monday = isoWeekOneMonday(year) + (week - 1) * 7 * DAY_MS;
  return { period: 'week', label: input, from: msToDay(monday), to: msToDay(monday + 6 * DAY_MS) };
}

/** Parses `YYYY-MM`; null when malformed. */
export function parseMonth(input: string): DayWindow | null {
  const m = MONTH_RE.exec(input);
  if (!m) return null;
  const [year, month] = [Number(m[1]), Number(m[2])];
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) return null;
  const first = Date.UTC(year, month - 1, 1);
  const last = Date.UTC(year, month, 0);
  return { period: 'month', label: input, from: msToDay(first), to: msToDay(last) };
}

/**
 * The window of `period` that contains `day`; null when no label may name it: a day outside
 * FIRST_DAY..LAST_DAY, or a week or month of such a day (2999-12-30 is in week 3000-W01).
 */
export function windowContaining(period: Period, day: string): DayWindow | null {
  if (parseDay(day) === null) return null;
  if (period === 'day') return dayWindow(day);
  if (period === 'week') return parseWeek(isoWeekOf(day));
  return parseMonth(monthOf(day));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A publication date as cards show it: `Sep 28` within the current year, `Nov 10, 2020` before.
 *
 * @example
 * formatCardDate('2020-11-10T00:00:00Z', Date.UTC(2026, 0, 1)) // 'Nov 10, 2020'
 */
export function formatCardDate(iso: string, nowMs: number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const base = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  return d.getUTCFullYear() === new Date(nowMs).getUTCFullYear() ? base : `${base}, ${d.getUTCFullYear()}`;
}

// Intl formatters are costly to create and cheap to reuse (toLocaleDateString creates one per call).
// Made on first use: every process loads this module (the settings read it), and creating the two
// took about 20 ms of a `paperboy` command's start-up, for headings most commands never write.
let longDay: Intl.DateTimeFormat | undefined;
let monthYear: Intl.DateTimeFormat | undefined;

/** A long form for headings: `Tuesday, May 6, 2025`. */
export function formatLongDay(day: string): string {
  longDay ??= new Intl.DateTimeFormat('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
  return longDay.format(dayToMs(day));
}

/** A heading for a window: the long day, `Week 19, 2025 (May 5 – May 11)`, or `May 2025`. */
export function formatWindow(w: DayWindow): string {
  if (w.period === 'day') return formatLongDay(w.from);
  if (w.period === 'month') {
    monthYear ??= new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    return monthYear.format(dayToMs(w.from));
  }
  const [year, week] = w.label.split('-W');
  const short = (day: string) => `${MONTHS[Number(day.slice(5, 7)) - 1]} ${Number(day.slice(8, 10))}`;
  return `Week ${Number(week)}, ${year} (${short(w.from)} – ${short(w.to)})`;
}
