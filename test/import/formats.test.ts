/**
 * The import formats' date readers: strict, UTC unless a zone is written, whatever zone the machine
 * is in (the values here carry their zone or mean UTC; test/services/import-dates.test.ts runs the
 * command under another TZ).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importLineAdapter, ImportLineError, parseIsoInstant, parseMailInstant } from '../../src/import/formats.ts';

const NOW = '2026-11-28T12:00:00.000Z';

test('ISO 8601 times: a missing zone is UTC, a written one is honoured, anything the calendar lacks is refused', () => {
  const cases: [string, number | null][] = [
    ['2025-05-08T09:59:07', Date.UTC(2025, 4, 8, 9, 59, 7)],
    ['2025-05-08T09:59:07.123456', Date.UTC(2025, 4, 8, 9, 59, 7, 123)],
    ['2025-05-08T09:59:07Z', Date.UTC(2025, 4, 8, 9, 59, 7)],
    ['2025-05-08T04:59:07-05:00', Date.UTC(2025, 4, 8, 9, 59, 7)],
    ['2025-05-08T11:59:07+0200', Date.UTC(2025, 4, 8, 9, 59, 7)],
    ['2025-05-08', Date.UTC(2025, 4, 8)],
    ['June 3', null], // V8 reads it as June 3, 2001
    ['2025-02-30T12:00:00', null], // V8 rolls it over to March 2
    ['2025-04-31', null],
    ['0001-01-01T00:00:00', null],
    ['+275760-09-13T00:00:00.000Z', null],
    ['2025-05-08T24:00:00', null],
    ['2025-05-08T09:59:07+99:00', null],
    ['yesterday', null],
    ['', null],
  ];
  for (const [input, expected] of cases) assert.equal(parseIsoInstant(input), expected, input);
});

test('snapshot version times (RFC 2822): a missing zone is UTC, impossible days are refused', () => {
  const cases: [string, number | null][] = [
    ['Mon, 2 Apr 2007 19:18:42 GMT', Date.UTC(2007, 3, 2, 19, 18, 42)],
    ['Mon, 4 Jan 1999 19:18:42', Date.UTC(1999, 0, 4, 19, 18, 42)],
    ['Mon, 4 Jan 1999 14:18:42 -0500', Date.UTC(1999, 0, 4, 19, 18, 42)],
    ['Fri, 30 Feb 2007 19:18:42 GMT', null],
    ['Mon, 4 Jan 1999 19:18:42 CET', null],
    ['yesterday', null],
    ['2007-04-02T19:18:42Z', null],
  ];
  for (const [input, expected] of cases) assert.equal(parseMailInstant(input), expected, input);
});

const adapt = importLineAdapter(NOW);
const reason = (line: object): string => {
  try {
    adapt(line);
  } catch (err) {
    assert.ok(err instanceof ImportLineError, String(err));
    return err.message;
  }
  return assert.fail(`accepted: ${JSON.stringify(line)}`);
};
const listing = (extra: object) => ({ id: '2505.00001', title: 'T', authors: ['A'], categories: ['cs.CL'], abstract: 'x', listing_dates: ['2025-05-06'], ...extra });
const snapshot = (created: string) => ({ id: '0704.0001', title: 'T', authors: 'A. B', categories: 'hep-ph', abstract: 'x', versions: [{ version: 'v1', created }] });
const hfDaily = (date: string, id = '2403.01234') => ({ date, arxiv_id: id, title: 'T', authors: [], abstract: 'x' });

test('each refused date says which field, what was written and why', () => {
  assert.match(reason(listing({ hf_daily_published_at: 'June 3' })), /^listing: hf_daily_published_at: not a date and time \(expected ISO 8601.*no zone means UTC\): "June 3"$/);
  assert.match(reason(listing({ listing_dates: ['2025-05-06', '2999-12-31'] })), /^listing: listing_dates\.1: "2999-12-31" is in the future: after 2026-11-30, 2 days past the import's clock$/);
  assert.match(reason(listing({ listing_dates: ['1991-07-31'] })), /listing_dates\.0: "1991-07-31" is before 1991-08-01 \(arXiv began in August 1991\)/);
  assert.match(reason(listing({ listing_dates: ['1985-01-01'] })), /is before 1991-08-01/);
  assert.match(reason(listing({ listing_dates: ['2025-02-30'] })), /listing_dates\.0: not a date: "2025-02-30" is not a day of the calendar/);
  assert.match(reason(listing({ listing_dates: ['May 6'] })), /not a date \(expected YYYY-MM-DD\): "May 6"/);
  assert.match(reason(listing({ hf_daily_published_at: '2022-12-31T23:00:00' })), /"2022-12-31T23:00:00" is before 2023-01-01 \(Hugging Face's Daily Papers list began in 2023\)/);
  assert.match(reason(snapshot('yesterday')), /^snapshot: versions\.0\.created: not a date and time .*: "yesterday"$/);
  assert.match(reason(snapshot('Mon, 4 Jan 2099 19:18:42 GMT')), /versions\.0\.created: "Mon, 4 Jan 2099 19:18:42 GMT" is in the future: after 2026-11-30T12:00:00.000Z/);
  assert.match(reason(snapshot('Mon, 2 Apr 1990 19:18:42 GMT')), /is before 1991-08-01/);
  assert.match(reason(hfDaily('2999-01-01')), /^hf-daily: date: "2999-01-01" is in the future/);
});

test('up to two days past the clock is accepted, a moment more is not', () => {
  assert.deepEqual(adapt(listing({ listing_dates: ['2026-11-30'] })).record.announcedOn, ['2026-11-30']);
  assert.match(reason(listing({ listing_dates: ['2026-12-01'] })), /in the future/);
  assert.equal(adapt(listing({ hf_daily_published_at: '2026-11-30T12:00:00Z' })).entry?.day, '2026-11-30');
  assert.match(reason(listing({ hf_daily_published_at: '2026-11-30T12:00:01Z' })), /in the future/);
  assert.equal(adapt(snapshot('Mon, 30 Nov 2026 12:00:00 GMT')).record.publishedAt, '2026-11-30T12:00:00.000Z');
  assert.match(reason(snapshot('Mon, 30 Nov 2026 12:00:01 GMT')), /in the future/);
});

test('a Daily list time is read as UTC; the entry is on its UTC day; an empty one is none', () => {
  assert.deepEqual(adapt(listing({ hf_daily_published_at: '2025-05-08T23:30:00-05:00' })).entry,
    { paperId: '2505.00001', day: '2025-05-09', submittedAt: '2025-05-09T04:30:00.000Z' });
  assert.equal(adapt(listing({ hf_daily_published_at: '' })).entry, null);
  assert.equal(adapt(listing({ hf_daily_published_at: null })).entry, null);
});

test('a Hugging Face row dates its paper: the list day, or the first day of the id month when the paper is older', () => {
  assert.equal(adapt(hfDaily('2024-03-15')).record.publishedAt, '2024-03-15T00:00:00.000Z');
  assert.equal(adapt(hfDaily('2024-03-15', '2312.17653')).record.publishedAt, '2023-12-31T00:00:00.000Z');
  assert.equal(adapt({ ...hfDaily('2024-03-15', '2402.00001'), same_list_as_previous_date: true }).record.publishedAt, '2024-02-29T00:00:00.000Z');
});

test("a refused line's other problems are said in words, not in the validator's", () => {
  assert.equal(reason({ ...hfDaily('2024-03-15'), title: '', upvotes: -3 }), 'hf-daily: title: must not be empty; upvotes: must be at least 0');
  assert.equal(reason({ ...hfDaily('2024-03-15'), authors: 'A. Author', upvotes: 'many' }), 'hf-daily: authors: should be an array, not a string; upvotes: should be a number, not a string');
  assert.equal(reason(listing({ categories: 'cs.CL' })), 'listing: categories: should be an array, not a string');
  assert.doesNotMatch(reason(listing({ title: 7, abstract: null })), /Invalid input|Too (small|big)|expected \w+, received/);
});
