import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  labelProblem, parseDay, parseWeek, parseMonth, isoWeekOf, windowContaining, formatCardDate, formatWindow,
} from './dates.ts';

test('parseDay accepts real calendar days only', () => {
  const cases: [string, string | null][] = [
    ['2025-05-06', '2025-05-06'],
    ['2024-02-29', '2024-02-29'],
    ['2025-02-29', null],
    ['2025-13-01', null],
    ['2025-00-10', null],
    ['2025-5-6', null],
    ['20250506', null],
    ['1900-01-01', null],
    ['2025-05-06x', null],
    ['', null],
  ];
  for (const [input, expected] of cases) assert.equal(parseDay(input), expected, input);
});

test('labelProblem tells a malformed label from a well-formed one outside the range', () => {
  const cases: [Parameters<typeof labelProblem>[0], string, string | null][] = [
    ['day', '2025-05-06', null],
    ['day', '1990-12-31', 'is out of range: a date must be between 1991-01-01 and 2999-12-31'],
    ['day', '3000-01-01', 'is out of range: a date must be between 1991-01-01 and 2999-12-31'],
    ['day', '1991-01-01', null],
    ['day', '2999-12-31', null],
    ['day', '2025-02-30', 'is not a date (expected YYYY-MM-DD)'],
    ['day', 'soon', 'is not a date (expected YYYY-MM-DD)'],
    ['week', '1990-W05', 'is out of range: a week must be in the years 1991 to 2999'],
    ['week', '2025-W53', 'is not an ISO week (expected YYYY-Www, like 2025-W19)'],
    ['month', '3000-01', 'is out of range: a month must be between 1991-01 and 2999-12'],
    ['month', '2025-13', 'is not a month (expected YYYY-MM)'],
  ];
  for (const [period, label, want] of cases) assert.equal(labelProblem(period, label), want, `${period} ${label}`);
});

test('isoWeekOf follows ISO 8601 at year boundaries', () => {
  const cases: [string, string][] = [
    ['2025-05-06', '2025-W19'],
    ['2024-12-30', '2025-W01'],
    ['2021-01-03', '2020-W53'],
    ['2026-01-01', '2026-W01'],
    ['2027-01-01', '2026-W53'],
  ];
  for (const [day, week] of cases) assert.equal(isoWeekOf(day), week, day);
});

test('parseWeek gives Monday..Sunday and rejects weeks a year does not have', () => {
  assert.deepEqual(parseWeek('2025-W19'), { period: 'week', label: '2025-W19', from: '2025-05-05', to: '2025-05-11' });
  assert.deepEqual(parseWeek('2020-W53')?.from, '2020-12-28');
  assert.equal(parseWeek('2025-W53'), null);
  assert.equal(parseWeek('2025-W00'), null);
  assert.equal(parseWeek('2025-W7'), null);
  assert.equal(parseWeek('2025W19'), null);
});

test('parseMonth covers the whole month', () => {
  assert.deepEqual(parseMonth('2024-02'), { period: 'month', label: '2024-02', from: '2024-02-01', to: '2024-02-29' });
  assert.equal(parseMonth('2024-13'), null);
  assert.equal(parseMonth('2024-1'), null);
});

test('formatCardDate: short within the current year, with the year before', () => {
  const now = Date.UTC(2026, 10, 28);
  assert.equal(formatCardDate('2026-09-28T10:00:00Z', now), 'Sep 28');
  assert.equal(formatCardDate('2020-11-10T00:00:00Z', now), 'Nov 10, 2020');
  assert.equal(formatCardDate('not a date', now), '');
});

test('formatWindow labels each period', () => {
  assert.equal(formatWindow(windowContaining('day', '2025-05-06')!), 'Tuesday, May 6, 2025');
  assert.equal(formatWindow(windowContaining('week', '2025-05-06')!), 'Week 19, 2025 (May 5 – May 11)');
  assert.equal(formatWindow(windowContaining('month', '2025-05-06')!), 'May 2025');
});
