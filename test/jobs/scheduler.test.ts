import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createArxivClient } from '../../src/arxiv/client.ts';
import { isDue, LEASE_MS, startScheduler } from '../../src/jobs/scheduler.ts';
import { startReplayServer } from '../helpers/replay-server.ts';
import { FakeClock, fixture } from '../arxiv/support.ts';
import { tempStore } from '../helpers/store.ts';
import type { Store } from '../../src/store/index.ts';
import { logLines } from '../helpers/log-lines.ts';

test('isDue: once a day, after the configured UTC time', () => {
  const at = (iso: string) => Date.parse(iso);
  const cases: [string, string, string | null, boolean][] = [
    ['2026-11-28T01:29:00Z', '01:30', null, false],
    ['2026-11-28T01:30:00Z', '01:30', null, true],
    ['2026-11-28T23:00:00Z', '01:30', '2026-11-27', true],
    ['2026-11-28T23:00:00Z', '01:30', '2026-11-28', false],
    ['2026-11-29T00:10:00Z', '00:05', '2026-11-28', true],
  ];
  for (const [now, time, last, expected] of cases) assert.equal(isDue(at(now), time, last), expected, `${now} ${time} ${last}`);
});

/** The day's arXiv answers on 2026-11-28: the RSS feed of cs.CY and an empty OAI-PMH catch-up. */
const DAY_ROUTES = [
  { path: '/rss/cs.CY', body: fixture('rss/all-archives-2024-11-28.excerpt.xml') },
  { path: '/oai', query: { verb: 'ListRecords', metadataPrefix: 'arXivRaw', set: 'cs', from: '2026-11-25', until: '2026-11-28' }, body: fixture('oai/error-noRecordsMatch.xml') },
];

/** A scheduler of the daily ingest at 01:30 UTC, ticked by hand, against the replay server at `url`. */
const dailyScheduler = (store: Store, clock: FakeClock, url: string) => startScheduler({
  ingest: {
    store, categories: ['cs.CY'],
    client: createArxivClient({ oaiUrl: `${url}/oai`, rssUrl: `${url}/rss`, apiUrl: `${url}/api/query`, userAgent: 'test', clock }),
  },
  at: '01:30', oaiSet: 'cs', clock, logger: pino({ level: 'silent' }),
}, { timers: false });

test('two schedulers on one store: the daily ingest runs once, then not again that day', async () => {
  const clock = new FakeClock(Date.parse('2026-11-28T02:00:00Z'));
  const server = await startReplayServer({ clock, routes: DAY_ROUTES });
  try {
    const store = await tempStore();
    const make = () => dailyScheduler(store, clock, server.url);
    const a = make();
    const b = make();
    const results = await Promise.all([a.tick(), b.tick()]);
    assert.deepEqual(results.sort(), ['busy', 'ran']);
    assert.equal(await a.tick(), 'not-due');
    const runs = await store.listJobRuns(10);
    assert.deepEqual(runs.map((r) => `${r.mode?.split(' ')[0]}:${r.status}`).sort(), ['oai:ok', 'rss:ok']);
    assert.ok((await store.stats()).papers > 0);
    assert.equal(server.requests.length, 2);
    await a.stop();
    await b.stop();
  } finally {
    await server.close();
  }
});

test('a process that died holding the daily ingest\'s lease holds it up for five minutes at most: then another runs it', async () => {
  const clock = new FakeClock(Date.parse('2026-11-28T02:00:00Z'));
  const server = await startReplayServer({ clock, routes: DAY_ROUTES });
  try {
    const store = await tempStore();
    // A process killed in the middle of its run: its lease stays in the jobs table.
    const at = (ms: number) => new Date(ms).toISOString();
    assert.equal(await store.acquireLease('scheduler:daily-ingest', 'dead-process', at(clock.now() + LEASE_MS), at(clock.now())), true);
    const s = dailyScheduler(store, clock, server.url);
    assert.equal(await s.tick(), 'busy');
    await clock.sleep(5 * 60_000 + 1_000);
    assert.equal(await s.tick(), 'ran');
    assert.equal(await s.tick(), 'not-due');
    await s.stop();
  } finally {
    await server.close();
  }
});

test('the RSS fetch fails (arXiv answers 503): the run is recorded as failed and logged, tried again 30 minutes later the same day, not every minute', async () => {
  const clock = new FakeClock(Date.parse('2026-11-28T02:00:00Z'));
  const server = await startReplayServer({
    clock,
    routes: [
      { path: '/rss/cs.CY', body: fixture('rss/all-archives-2024-11-28.excerpt.xml') },
      { path: '/oai', query: { verb: 'ListRecords', metadataPrefix: 'arXivRaw', set: 'cs', from: '2026-11-25', until: '2026-11-28' }, body: fixture('oai/error-noRecordsMatch.xml') },
      // The second catch-up starts at the watermark the first one moved.
      { path: '/oai', query: { verb: 'ListRecords', metadataPrefix: 'arXivRaw', set: 'cs', from: '2026-11-28', until: '2026-11-28' }, body: fixture('oai/error-noRecordsMatch.xml') },
    ],
  });
  try {
    const store = await tempStore();
    const logs = logLines();
    const s = startScheduler({
      ingest: {
        store, categories: ['cs.CY'],
        client: createArxivClient({ oaiUrl: `${server.url}/oai`, rssUrl: `${server.url}/rss`, apiUrl: `${server.url}/api/query`, userAgent: 'test', clock, maxRetries: 0 }),
      },
      at: '01:30', oaiSet: 'cs', clock, logger: logs.logger,
    }, { timers: false });
    server.injectFault({ kind: 'status', status: 503 }, { path: '/rss/cs.CY' });
    assert.equal(await s.tick(), 'ran');
    const [, rss] = await store.listJobRuns(10);
    assert.equal(rss?.mode?.split(' ')[0], 'rss');
    assert.equal(rss?.status, 'failed');
    assert.match(rss?.error ?? '', /503/);
    assert.ok(logs.lines.some((l) => /mode=rss .* failed/.test(String(l.msg))), 'logged');
    assert.equal((await store.stats()).papers, 0);

    await clock.sleep(60_000);
    assert.equal(await s.tick(), 'not-due', 'not again a minute later');
    await clock.sleep(29 * 60_000);
    assert.equal(await s.tick(), 'ran', 'half an hour later');
    assert.ok((await store.stats()).papers > 0, 'the day\'s announcements are in');
    assert.equal(await s.tick(), 'not-due', 'done for the day');
    assert.deepEqual((await store.listJobRuns(10)).map((r) => `${r.mode?.split(' ')[0]}:${r.status}`), ['oai:ok', 'rss:ok', 'oai:ok', 'rss:failed']);
    await s.stop();
  } finally {
    await server.close();
  }
});

test('a clock that was a month ahead during a run: back on time, the next day\'s run still happens (catching up from 3 days back), with one warning', async () => {
  let t = Date.parse('2026-12-28T02:00:00Z');
  const clock = { now: () => t, sleep: async (ms: number) => { t += ms; } };
  const server = await startReplayServer({
    clock,
    routes: [{ path: '/rss/cs.CY', body: fixture('rss/all-archives-2024-11-28.excerpt.xml') }, { path: '/oai', body: fixture('oai/error-noRecordsMatch.xml') }],
  });
  try {
    const store = await tempStore();
    const logs = logLines('warn');
    const s = startScheduler({
      ingest: {
        store, categories: ['cs.CY'],
        client: createArxivClient({ oaiUrl: `${server.url}/oai`, rssUrl: `${server.url}/rss`, apiUrl: `${server.url}/api/query`, userAgent: 'test', clock }),
      },
      at: '01:30', oaiSet: 'cs', clock, logger: logs.logger,
    }, { timers: false });
    assert.equal(await s.tick(), 'ran', 'the run while the clock is a month ahead');
    t = Date.parse('2026-11-29T01:00:00Z'); // right again, before the day's run
    assert.equal(await s.tick(), 'not-due');
    t += 60_000;
    assert.equal(await s.tick(), 'not-due');
    assert.equal(logs.lines.filter((l) => /recorded on 2026-12-28, more than a day after today \(2026-11-29\)/.test(l.msg)).length, 1, 'one warning, not one a minute');
    t = Date.parse('2026-11-29T01:30:00Z');
    assert.equal(await s.tick(), 'ran', 'the day\'s run, not in a month');
    const oai = server.requests.filter((r) => r.path === '/oai');
    assert.deepEqual(oai.map((r) => `${r.query.from}..${r.query.until}`), ['2026-12-25..2026-12-28', '2026-11-26..2026-11-29'], 'the catch-up does not start at the watermark of days to come');
    t += 60_000;
    assert.equal(await s.tick(), 'not-due', 'done for the day');
    await s.stop();
  } finally {
    await server.close();
  }
});
