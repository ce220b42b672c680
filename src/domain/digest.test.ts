/**
 * The pure parts of digests, table by table: what is due on a day and which list days it covers,
 * the scheduler's local time, selection, retry delays. (Saved searches are parsed and matched by
 * the search engine: src/search/alert-query.test.ts and test/search/alert-search.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  continuedFrom, dueDigests, latestCompleteDate, localTime, resumedLastDate, retryDelayMs, scheduledDate, scheduledRuns, selectDigest,
  type DigestCandidate,
} from './digest.ts';
import { morePapers } from '../mail/digest-template.tsx';

test('scheduledRuns: missed delivery days still worth sending, oldest first, then today\'s; resumedLastDate', () => {
  const at = (iso: string) => Date.parse(iso);
  // Weekly day 1 (Monday). 2025-05-12 is a Monday.
  const table: [string, string, string | null, { date: string; only?: 'weekly' }[]][] = [
    ['2025-05-13T07:00:00Z', 'UTC', '2025-05-12', [{ date: '2025-05-13' }]], // not down
    ['2025-05-13T06:00:00Z', 'UTC', '2025-05-12', []], // before 07:00
    ['2025-05-13T07:00:00Z', 'UTC', '2025-05-11', [{ date: '2025-05-12' }, { date: '2025-05-13' }]], // down 1 day: yesterday late, then today
    ['2025-05-13T06:00:00Z', 'UTC', '2025-05-11', [{ date: '2025-05-12' }]], // yesterday's is owed before today's hour
    ['2025-05-15T07:00:00Z', 'UTC', '2025-05-11', [{ date: '2025-05-12', only: 'weekly' }, { date: '2025-05-14' }, { date: '2025-05-15' }]], // down 3 days: Monday's weekly only, Tuesday's given up
    ['2025-05-16T07:00:00Z', 'UTC', '2025-05-11', [{ date: '2025-05-15' }, { date: '2025-05-16' }]], // down 4 days: Monday's weekly is past its 3 days
    ['2025-05-18T07:00:00Z', 'UTC', '2025-05-04', [{ date: '2025-05-17' }, { date: '2025-05-18' }]], // down 2 weeks
    ['2025-05-13T00:30:00Z', 'Asia/Tokyo', '2025-05-11', [{ date: '2025-05-12' }, { date: '2025-05-13' }]], // 09:30 in Tokyo, 05-12 complete
    ['2025-05-13T07:00:00Z', 'UTC', null, [{ date: '2025-05-13' }]], // never sent: nothing to catch up
  ];
  for (const [now, tz, last, want] of table) assert.deepEqual(scheduledRuns(at(now), '07:00', tz, last, 1), want, `${now} ${tz} last ${last}`);
  // A schedule switched on again owes nothing from before yesterday (in its time zone); today's stays due.
  assert.equal(resumedLastDate(at('2025-05-14T05:00:00Z'), 'UTC', '2025-05-11'), '2025-05-13');
  assert.equal(resumedLastDate(at('2025-05-14T05:00:00Z'), 'UTC', null), '2025-05-13');
  assert.equal(resumedLastDate(at('2025-05-14T05:00:00Z'), 'UTC', '2025-05-14'), '2025-05-14');
  assert.equal(resumedLastDate(at('2025-05-13T23:30:00Z'), 'Asia/Tokyo', '2025-05-01'), '2025-05-13');
  assert.deepEqual(scheduledRuns(at('2025-05-14T07:00:00Z'), '07:00', 'UTC', resumedLastDate(at('2025-05-14T05:00:00Z'), 'UTC', '2025-05-11'), 1), [{ date: '2025-05-14' }]);
});

test('dueDigests: the digests of a delivery day and the list days they cover', () => {
  const table: [string, Parameters<typeof dueDigests>[1], string[]][] = [
    // Tuesday: daily and weekdays cover Monday.
    ['2025-06-03', { weeklyDay: 1 }, ['daily 2025-06-03 2025-06-02..2025-06-02', 'weekdays 2025-06-03 2025-06-02..2025-06-02']],
    // Monday: weekdays covers Friday to Sunday; the weekly digest (Monday) covers the 7 days before.
    ['2025-06-02', { weeklyDay: 1 }, ['daily 2025-06-02 2025-06-01..2025-06-01', 'weekdays 2025-06-02 2025-05-30..2025-06-01', 'weekly 2025-W23-1 2025-05-26..2025-06-01']],
    // Saturday: no weekday digest.
    ['2025-06-07', { weeklyDay: 1 }, ['daily 2025-06-07 2025-06-06..2025-06-06']],
    // Weekly on Fridays.
    ['2025-06-06', { weeklyDay: 5 }, ['daily 2025-06-06 2025-06-05..2025-06-05', 'weekdays 2025-06-06 2025-06-05..2025-06-05', 'weekly 2025-W23-5 2025-05-30..2025-06-05']],
    // --period weekly on a Wednesday: the weekly one only, keyed by its delivery day (Wednesday of 2025-W23).
    ['2025-06-04', { weeklyDay: 1, only: 'weekly' }, ['weekly 2025-W23-3 2025-05-28..2025-06-03']],
    // --period daily on a Monday: no weekly.
    ['2025-06-02', { weeklyDay: 1, only: 'daily' }, ['daily 2025-06-02 2025-06-01..2025-06-01', 'weekdays 2025-06-02 2025-05-30..2025-06-01']],
    // Across a year end: ISO week 2026-W01 starts on Monday 2025-12-29.
    ['2025-12-29', { weeklyDay: 1, only: 'weekly' }, ['weekly 2026-W01-1 2025-12-22..2025-12-28']],
  ];
  for (const [date, opts, want] of table) {
    assert.deepEqual(dueDigests(date, opts).map((d) => `${d.period} ${d.key} ${d.from}..${d.to}`), want, `${date} ${JSON.stringify(opts)}`);
  }
  assert.equal(dueDigests('2025-06-03', { weeklyDay: 1 })[0]!.expiresAt, '2025-06-05T00:00:00.000Z');
});

test('continuedFrom: a weekly digest starts the day after the subscriber\'s previous one, so no list day is covered twice or left out', () => {
  // Sunday 2025-06-08's weekly digest (weekly day Sunday): 06-01..06-07 unless it continues an earlier one.
  const sunday = dueDigests('2025-06-08', { weeklyDay: 7 }).find((d) => d.period === 'weekly')!;
  assert.equal(sunday.key, '2025-W23-7');
  const table: [string | null, string, string][] = [
    [null, '2025-06-01', 'no weekly digest before: the 7 days before'],
    ['2025-05-31', '2025-06-01', 'last Sunday\'s (to Saturday 05-31): the 7 days before'],
    ['2025-06-03', '2025-06-04', 'one sent by hand on Wednesday 06-04 (to 06-03): from Wednesday on, not from 06-01 again'],
    ['2025-06-01', '2025-06-02', 'Monday 06-02\'s, before the weekly day moved to Sunday: from 06-02'],
    ['2025-05-25', '2025-05-26', 'Monday 05-26\'s, the weekly day moved later before 06-02\'s: 13 days, none left out'],
    ['2025-05-24', '2025-05-25', 'a week missed (down): 14 days, the most'],
    ['2025-05-23', '2025-06-01', 'longer ago than 14 days: the 7 days before'],
    ['2025-06-07', '2025-06-01', 'a window ending where this one ends (a back-dated run): not continued'],
  ];
  for (const [previous, from, why] of table) assert.equal(continuedFrom(sunday, previous), from, why);
  // Daily digests never continue: their window is the day before.
  assert.equal(continuedFrom(dueDigests('2025-06-08', { weeklyDay: 7 })[0]!, '2025-06-05'), '2025-06-07');
});

test('localTime and scheduledDate: the configured hour in the configured time zone', () => {
  const at = (iso: string) => Date.parse(iso);
  assert.deepEqual(localTime(at('2025-06-02T22:30:00Z'), 'Europe/Berlin'), { date: '2025-06-03', minutes: 30 });
  assert.deepEqual(localTime(at('2025-01-15T05:59:00Z'), 'America/New_York'), { date: '2025-01-15', minutes: 59 });
  const table: [string, string, string, string | null, string | null][] = [
    ['2025-06-03T04:59:00Z', '07:00', 'Europe/Berlin', null, null], // 06:59 in Berlin (summer time): not yet
    ['2025-06-03T05:00:00Z', '07:00', 'Europe/Berlin', null, '2025-06-03'], // 07:00 in Berlin
    ['2025-06-03T05:00:00Z', '07:00', 'Europe/Berlin', '2025-06-03', null], // done today
    ['2025-06-03T05:00:00Z', '07:00', 'Europe/Berlin', '2025-06-02', '2025-06-03'],
    ['2025-06-03T23:30:00Z', '07:00', 'Asia/Tokyo', '2025-06-03', null], // 08:30 on the 4th in Tokyo, but the list day 06-03 runs until 00:00 UTC
    ['2025-06-04T00:00:00Z', '07:00', 'Asia/Tokyo', '2025-06-03', '2025-06-04'], // 09:00 in Tokyo: 06-03 is complete
    ['2025-06-03T21:00:00Z', '07:00', 'Pacific/Kiritimati', '2025-06-03', null], // 11:00 on the 4th at UTC+14
    ['2025-06-04T00:00:00Z', '07:00', 'Pacific/Kiritimati', '2025-06-03', '2025-06-04'],
    ['2025-06-03T14:00:00Z', '07:00', 'America/Los_Angeles', '2025-06-02', '2025-06-03'], // west of UTC the day closed hours ago
    ['2025-06-03T06:59:00Z', '07:00', 'UTC', null, null],
  ];
  for (const [now, hhmm, tz, last, want] of table) assert.equal(scheduledDate(at(now), hhmm, tz, last), want, `${now} ${tz}`);
  // `paperboy digest send` without --date: today, or the day before while today's covered day is open.
  assert.equal(latestCompleteDate(at('2025-06-03T23:30:00Z'), 'Asia/Tokyo'), '2025-06-03');
  assert.equal(latestCompleteDate(at('2025-06-04T00:00:00Z'), 'Asia/Tokyo'), '2025-06-04');
  assert.equal(latestCompleteDate(at('2025-06-03T23:30:00Z'), 'UTC'), '2025-06-03');
});

function paper(id: string, o: Partial<DigestCandidate> = {}): DigestCandidate {
  return {
    id, title: `Paper ${id}`, abstract: 'An abstract.', authors: ['Ada Lovelace'], authorCount: 1, categories: ['cs.CL'], upvotes: 0, hotness: 0,
    publishedAt: '2025-05-05T00:00:00Z', listedOn: '2025-05-05', announcedOn: null, ...o,
  };
}

test('selectDigest: trending by hotness on a day and by upvotes over several, alerts in the search engine\'s order, nothing sent twice, a limit', () => {
  const cs = [
    paper('1', { hotness: 5, upvotes: 1 }),
    paper('2', { hotness: 9, upvotes: 3, title: 'Attention is enough' }),
    paper('3', { hotness: 7, upvotes: 9, title: 'Attention again' }),
    paper('4', { hotness: 99, listedOn: '2025-05-04' }), // the day before the window
    paper('5', { listedOn: null, announcedOn: '2025-05-05', upvotes: 0, title: 'Attention, announced only', publishedAt: '2025-05-06T00:00:00Z' }),
    paper('6', { hotness: 7, upvotes: 2 }), // ties on hotness: by id
  ];
  const window = { from: '2025-05-05', to: '2025-05-05' };
  const table: [string, Parameters<typeof selectDigest>[0], string, number][] = [
    ['trending', { kind: 'trending', window, candidates: cs, sentBefore: new Set(), limit: 10 }, '2,3,6,1', 4],
    ['trending, limit 2', { kind: 'trending', window, candidates: cs, sentBefore: new Set(), limit: 2 }, '2,3', 4],
    ['trending, sent before', { kind: 'trending', window, candidates: cs, sentBefore: new Set(['2']), limit: 10 }, '3,6,1', 3],
    // Over two days the newer day's key outweighs ten times the votes: upvotes rank, the key breaks ties.
    ['trending, a wider window', { kind: 'trending', window: { from: '2025-05-04', to: '2025-05-05' }, candidates: cs, sentBefore: new Set(), limit: 10 }, '3,2,6,1,4', 5],
    ['alert: listed or announced, in the search engine\'s order', { kind: 'search', window, candidates: cs, searchHits: ['3', '5', '2'], sentBefore: new Set(), limit: 10 }, '3,5,2', 3],
    ['alert: sent before', { kind: 'search', window, candidates: cs, searchHits: ['3', '5', '2'], sentBefore: new Set(['3']), limit: 10 }, '5,2', 2],
    ['alert: a limit', { kind: 'search', window, candidates: cs, searchHits: ['3', '5', '2'], sentBefore: new Set(), limit: 1 }, '3', 3],
    ['alert: the search engine\'s order, unknown and out-of-window hits dropped', { kind: 'search', window, candidates: cs, searchHits: ['5', 'zz', '4', '2', '5'], sentBefore: new Set(), limit: 10 }, '5,2', 2],
    ['alert: no hits, nothing', { kind: 'search', window, candidates: cs, sentBefore: new Set(), limit: 10 }, '', 0],
    ['empty window', { kind: 'trending', window: { from: '2025-06-01', to: '2025-06-01' }, candidates: cs, sentBefore: new Set(), limit: 10 }, '', 0],
  ];
  for (const [name, input, want, total] of table) {
    const s = selectDigest(input);
    assert.equal(s.papers.map((p) => p.id).join(','), want, name);
    assert.equal(s.total, total, name);
  }
});

test('retryDelayMs: x4 from the base, capped at 6 hours', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, 15_000)), [15_000, 60_000, 240_000, 960_000, 3_840_000]);
  assert.equal(retryDelayMs(20, 15_000), 6 * 3_600_000);
});

test('selectDigest names the list days of the papers left out; morePapers links only those days', () => {
  const cs = [
    paper('a', { hotness: 9, listedOn: '2025-05-10' }), paper('b', { hotness: 8, listedOn: '2025-05-11' }),
    paper('c', { hotness: 3, listedOn: '2025-05-11' }), paper('d', { hotness: 2, listedOn: '2025-05-09' }),
  ];
  const window = { from: '2025-05-09', to: '2025-05-11' };
  const sel = selectDigest({ kind: 'trending', window, candidates: cs, sentBefore: new Set(), limit: 2 });
  assert.deepEqual(sel.restDays, ['2025-05-09', '2025-05-11']);
  const more = morePapers({ baseUrl: 'https://p.example', kind: 'trending', window, papers: sel.papers, total: sel.total, restDays: sel.restDays });
  assert.deepEqual(more, { count: 2, lists: [
    { label: 'Fri May 9', url: 'https://p.example/papers/date/2025-05-09' }, { label: 'Sun May 11', url: 'https://p.example/papers/date/2025-05-11' },
  ] });
  assert.deepEqual(selectDigest({ kind: 'trending', window, candidates: cs, sentBefore: new Set(), limit: 4 }).restDays, []);
});
