/**
 * The digest schedule at its edges (docs/email.md, "What is sent, and when"), on the scheduler
 * `serve` runs, ticked by hand on an injected clock, sending to a real SMTP server: a process that
 * was down over a delivery day sends that day's digests late, once; a daylight-saving change
 * neither skips a day nor sends one twice; a subscriber who confirms just after the day's send gets
 * nothing that day and the next day's digest once; a Monday after a weekend without papers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino, { type Logger } from 'pino';
import { sql } from '../../src/store/kysely.ts';
import { simpleParser } from 'mailparser';
import { DIGEST_LEASE_MS, startDigestScheduler } from '../../src/jobs/digest-scheduler.ts';
import { smtpTransport } from '../../src/mail/transport.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import type { Store } from '../../src/store/index.ts';
import { isPostgres } from '../../src/store/dialect.ts';
import { digestDb, insertSubscription, type SubscriptionPeriod } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { logLines } from '../helpers/log-lines.ts';
import { tempStore } from '../helpers/store.ts';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.ts';

let sink: SmtpSink;
before(async () => { sink = await startSmtpSink(); });
after(async () => sink.close());

/** The small corpus (list days Monday 2025-05-05 and Wednesday 2025-05-07) and confirmed trending subscribers. */
async function setup(subscribers: [string, SubscriptionPeriod][]): Promise<Store> {
  const store = await tempStore();
  await seedSmallCorpus(store);
  for (const [email, period] of subscribers) await subscribe(store, email, period, '2025-05-01T00:00:00.000Z');
  return store;
}

const subscribe = (store: Store, email: string, period: SubscriptionPeriod, at: string) =>
  insertSubscription(digestDb(store.db), { email, userId: null, period, kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, at);

function scheduler(store: Store, settings: { at: string | null; timeZone: string }, now: () => number, logger: Logger = pino({ level: 'silent' })) {
  return startDigestScheduler({
    digest: { store, transport: smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false }), siteName: 'Paperboy', baseUrl: 'https://papers.example.org',
      mailFrom: 'Paperboy <d@papers.example.org>', unsubscribeMailto: null, retryBaseMs: 1, inRunWaitMs: 0 },
    settings: { ...settings, weeklyDay: 1 },
    clock: { now }, logger,
  }, { timers: false });
}

/** Subjects of the digests an address got, in order. */
async function subjects(address: string): Promise<string[]> {
  return Promise.all(sink.to(address).map(async (m) => (await simpleParser(m.raw)).subject ?? ''));
}

/** The X-Paperboy-Digest period keys of the digests an address got. */
async function keys(address: string): Promise<string[]> {
  return Promise.all(sink.to(address).map(async (m) => String((await simpleParser(m.raw)).headers.get('x-paperboy-digest')).split(' ')[1]!));
}

test('down over Monday 07:00 and up on Tuesday: the week\'s weekly digest goes out late, once', async () => {
  const store = await setup([['week-down@example.org', 'weekly']]);
  // The instance last sent on Sunday 2025-05-11, then was down until Tuesday 07:00 in Berlin.
  const s0 = scheduler(store, { at: '07:00', timeZone: 'Europe/Berlin' }, () => Date.parse('2025-05-11T05:00:00Z'));
  assert.equal(await s0.tick(), 'sent');
  await s0.stop();
  let now = Date.parse('2025-05-13T05:00:00Z');
  const s = scheduler(store, { at: '07:00', timeZone: 'Europe/Berlin' }, () => now);
  try {
    assert.equal(await s.tick(), 'sent');
    assert.deepEqual(await keys('week-down@example.org'), ['2025-W20-1'], 'the weekly digest of Monday 2025-05-12 (covering 05-05..05-11)');
    assert.match((await subjects('week-down@example.org'))[0]!, /4 papers trending, Mon May 5 – Sun May 11/);
    for (let i = 0; i < 3; i++) {
      now += 60_000;
      assert.equal(await s.tick(), 'idle');
    }
    assert.equal(sink.to('week-down@example.org').length, 1, 'not twice');
  } finally {
    await s.stop();
  }
});

test('down over Wednesday\'s send: on Thursday the daily digest of Wednesday (Tuesday\'s list) is sent late, and Thursday\'s too', async () => {
  const store = await setup([]);
  const s0 = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => Date.parse('2025-05-06T07:00:00Z'));
  assert.equal(await s0.tick(), 'sent'); // Tuesday
  await s0.stop();
  // Papers listed on Tuesday, then the instance is down from Tuesday evening to Thursday 07:30.
  await store.db.updateTable('daily_entries').set({ day: '2025-05-06' }).where('paper_id', '=', '2505.00203').execute();
  await subscribe(store, 'wed-missed@example.org', 'daily', '2025-05-06T12:00:00.000Z');
  let now = Date.parse('2025-05-08T07:30:00Z');
  const s = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => now);
  try {
    assert.equal(await s.tick(), 'sent');
    assert.deepEqual(await keys('wed-missed@example.org'), ['2025-05-07', '2025-05-08'], 'Wednesday\'s (late) and Thursday\'s');
    const [wed, thu] = await subjects('wed-missed@example.org');
    assert.match(wed!, /1 paper trending, Tue May 6/);
    assert.match(thu!, /trending, Wed May 7/);
    now += 60_000;
    assert.equal(await s.tick(), 'idle');
    assert.equal(sink.to('wed-missed@example.org').length, 2);
  } finally {
    await s.stop();
  }
});

test('down for a week: only what would not have been given up yet goes out late (the daily digest of yesterday, a weekly one of the last 4 days)', async () => {
  const store = await setup([['long-daily@example.org', 'daily'], ['long-weekly@example.org', 'weekly']]);
  // A paper in the week Monday 05-05's weekly digest covers (04-28 to 05-04), one on Friday 05-09's list (Saturday's daily digest).
  await store.db.updateTable('daily_entries').set({ day: '2025-05-01' }).where('paper_id', '=', '2505.00201').execute();
  await store.db.updateTable('daily_entries').set({ day: '2025-05-09' }).where('paper_id', '=', '2505.00202').execute();
  const s0 = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => Date.parse('2025-05-04T07:00:00Z'));
  assert.equal(await s0.tick(), 'sent'); // Sunday 05-04
  await s0.stop();
  const now = Date.parse('2025-05-11T08:00:00Z'); // the next Sunday: Monday 05-05's weekly digest is 6 days old
  const s = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => now);
  try {
    assert.equal(await s.tick(), 'sent');
    assert.deepEqual(await keys('long-weekly@example.org'), [], 'a weekly digest older than 4 days is given up');
    // Saturday's daily digest (yesterday's, covering Friday) goes out late; Sunday's covers Saturday (empty); the older ones are given up.
    assert.deepEqual(await keys('long-daily@example.org'), ['2025-05-10']);
  } finally {
    await s.stop();
  }
});

test('down from Sunday to Thursday: the weekly digest of Monday (3 days old) still goes out, once; the daily ones of Monday and Tuesday are given up', async () => {
  const store = await setup([['thu-weekly@example.org', 'weekly'], ['thu-daily@example.org', 'daily']]);
  // Papers on the lists of Sunday 05-11 and Monday 05-12: Monday's and Tuesday's daily digests would list them.
  await store.db.updateTable('daily_entries').set({ day: '2025-05-11' }).where('paper_id', '=', '2505.00201').execute();
  await store.db.updateTable('daily_entries').set({ day: '2025-05-12' }).where('paper_id', '=', '2505.00202').execute();
  const s0 = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => Date.parse('2025-05-11T07:00:00Z'));
  assert.equal(await s0.tick(), 'sent');
  await s0.stop();
  let now = Date.parse('2025-05-15T07:00:00Z');
  const s = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => now);
  try {
    assert.equal(await s.tick(), 'sent');
    assert.deepEqual(await keys('thu-weekly@example.org'), ['2025-W20-1']);
    assert.deepEqual(await keys('thu-daily@example.org'), [], 'Monday\'s and Tuesday\'s daily digests are past their expiry; Wednesday\'s and Thursday\'s lists are empty');
    now += 60_000;
    assert.equal(await s.tick(), 'idle');
    assert.equal(sink.to('thu-weekly@example.org').length, 1);
  } finally {
    await s.stop();
  }
});

test('a schedule that was off (PAPERBOY_DIGEST_SCHEDULE=off) and is turned on sends today\'s digests only, none of the days it was off', async () => {
  const store = await setup([['was-off@example.org', 'weekly'], ['was-off-daily@example.org', 'daily']]);
  await store.db.updateTable('daily_entries').set({ day: '2025-05-13' }).where('paper_id', '=', '2505.00202').execute();
  const s0 = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => Date.parse('2025-05-11T07:00:00Z'));
  assert.equal(await s0.tick(), 'sent'); // Sunday
  await s0.stop();
  const off = scheduler(store, { at: null, timeZone: 'UTC' }, () => Date.parse('2025-05-12T07:00:00Z'));
  assert.equal(await off.tick(), 'idle'); // Monday, the schedule off
  await off.stop();
  let now = Date.parse('2025-05-14T05:00:00Z'); // on again on Wednesday, first ticking before its 07:00
  const s = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => now);
  try {
    assert.equal(await s.tick(), 'idle');
    now = Date.parse('2025-05-14T07:00:00Z');
    assert.equal(await s.tick(), 'sent');
    assert.deepEqual(await keys('was-off@example.org'), [], 'Monday\'s weekly digest was not due: the schedule was off');
    assert.deepEqual(await keys('was-off-daily@example.org'), ['2025-05-14'], 'Wednesday\'s only, not Tuesday\'s');
  } finally {
    await s.stop();
  }
});

test('a clock that was a month ahead during a send: back on time, the day\'s digests still go out, with one warning', async () => {
  const store = await setup([['clock@example.org', 'daily']]);
  // The host clock jumps to 2025-06-10 while the scheduler ticks: it records that day as sent.
  const s0 = scheduler(store, { at: '07:00', timeZone: 'Europe/Berlin' }, () => Date.parse('2025-06-10T05:00:00Z'));
  assert.equal(await s0.tick(), 'sent');
  await s0.stop();
  const logs = logLines('warn');
  let now = Date.parse('2025-05-06T03:00:00Z'); // the clock right again: Tuesday 05:00 in Berlin, before the send
  const s = scheduler(store, { at: '07:00', timeZone: 'Europe/Berlin' }, () => now, logs.logger);
  try {
    assert.equal(await s.tick(), 'idle');
    now += 60_000;
    assert.equal(await s.tick(), 'idle');
    const warnings = logs.lines.filter((l) => /recorded on 2025-06-10, more than a day after today \(2025-05-06\)/.test(l.msg));
    assert.equal(warnings.length, 1, 'one warning, not one a minute');
    now = Date.parse('2025-05-06T05:00:00Z'); // 07:00 in Berlin
    assert.equal(await s.tick(), 'sent');
    assert.deepEqual(await keys('clock@example.org'), ['2025-05-06'], 'Tuesday\'s digest (Monday\'s list), not in a month');
    now += 60_000;
    assert.equal(await s.tick(), 'idle');
    assert.equal(sink.to('clock@example.org').length, 1);
  } finally {
    await s.stop();
  }
});

test('daylight-saving changes in Berlin: the day of the spring change sends at 03:00 (02:30 does not exist), the autumn one once though 02:30 comes twice', async () => {
  const store = await setup([['dst@example.org', 'daily']]);
  await store.db.updateTable('daily_entries').set({ day: '2025-03-29' }).where('paper_id', '=', '2505.00201').execute();
  await store.db.updateTable('daily_entries').set({ day: '2025-10-25' }).where('paper_id', '=', '2505.00202').execute();
  let now = Date.parse('2025-03-30T00:59:00Z'); // 01:59 CET; the clocks go from 02:00 CET to 03:00 CEST at 01:00 UTC
  const s = scheduler(store, { at: '02:30', timeZone: 'Europe/Berlin' }, () => now);
  try {
    assert.equal(await s.tick(), 'idle');
    now = Date.parse('2025-03-30T01:00:00Z'); // 03:00 CEST
    assert.equal(await s.tick(), 'sent');
    assert.deepEqual(await keys('dst@example.org'), ['2025-03-30']);
    now = Date.parse('2025-10-26T00:30:00Z'); // 02:30 CEST, the first time
    assert.equal(await s.tick(), 'sent');
    now = Date.parse('2025-10-26T01:30:00Z'); // 02:30 CET, the second time
    assert.equal(await s.tick(), 'idle');
    assert.deepEqual(await keys('dst@example.org'), ['2025-03-30', '2025-10-26']);
  } finally {
    await s.stop();
  }
});

test('a subscriber confirmed just after the day\'s send gets nothing more that day, and the next day\'s digest once', async () => {
  const store = await setup([['early@example.org', 'daily']]);
  let now = Date.parse('2025-05-06T07:00:00Z');
  const s = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => now);
  try {
    assert.equal(await s.tick(), 'sent');
    assert.equal(sink.to('early@example.org').length, 1);
    await subscribe(store, 'late@example.org', 'daily', '2025-05-06T07:00:30.000Z');
    for (let i = 0; i < 3; i++) {
      now += 60_000;
      assert.equal(await s.tick(), 'idle');
    }
    assert.equal(sink.to('late@example.org').length, 0, 'the day\'s digest went out before it subscribed');
    now = Date.parse('2025-05-08T07:00:00Z'); // Thursday: covers Wednesday's paper
    assert.equal(await s.tick(), 'sent');
    assert.deepEqual(await keys('late@example.org'), ['2025-05-08']);
  } finally {
    await s.stop();
  }
});

test('a Monday after a weekend with nothing listed: the weekdays digest covers Friday to Sunday and lists Friday\'s papers; the daily one (Sunday) is not sent', async () => {
  const store = await setup([['mon-weekdays@example.org', 'weekdays'], ['mon-daily@example.org', 'daily']]);
  // Friday 2025-05-09 has the papers; Saturday and Sunday nothing.
  await store.db.updateTable('daily_entries').set({ day: '2025-05-09' }).execute();
  const now = Date.parse('2025-05-12T07:00:00Z');
  const s = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => now);
  try {
    assert.equal(await s.tick(), 'sent');
    assert.deepEqual(await keys('mon-weekdays@example.org'), ['2025-05-12']);
    const mail = await simpleParser(sink.to('mon-weekdays@example.org')[0]!.raw);
    assert.match(mail.text ?? '', /Sparse attention for long documents/);
    assert.match(mail.subject ?? '', /4 papers trending, Fri May 9 – Sun May 11/);
    assert.equal(sink.to('mon-daily@example.org').length, 0);
  } finally {
    await s.stop();
  }
});

/** Makes every insert into the outbox fail, as a database error would, until the returned function is called. */
async function failEnqueues(store: Store): Promise<() => Promise<void>> {
  if (isPostgres(store.db)) {
    await sql`CREATE FUNCTION fail_enqueue() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'could not write: disk full'; END $$ LANGUAGE plpgsql`.execute(store.db);
    await sql`CREATE TRIGGER fail_enqueue BEFORE INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION fail_enqueue()`.execute(store.db);
    return async () => { await sql`DROP TRIGGER fail_enqueue ON outbox`.execute(store.db); await sql`DROP FUNCTION fail_enqueue()`.execute(store.db); };
  }
  await sql`CREATE TRIGGER fail_enqueue BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'could not write: disk full'); END`.execute(store.db);
  return async () => { await sql`DROP TRIGGER fail_enqueue`.execute(store.db); };
}

test('a run that fails before the day\'s digests are enqueued (a database error) is recorded as failed, and the next tick sends the day, once', async () => {
  const store = await setup([['db-error@example.org', 'daily']]);
  let now = Date.parse('2025-05-06T07:00:00Z');
  const s = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => now);
  try {
    const restore = await failEnqueues(store);
    await s.tick();
    const [failed] = await store.listJobRuns(1, 'digest');
    assert.equal(failed?.status, 'failed');
    assert.match(failed?.error ?? '', /disk full/);
    assert.equal(sink.to('db-error@example.org').length, 0);
    await restore();
    now += 60_000;
    assert.equal(await s.tick(), 'sent');
    assert.deepEqual(await keys('db-error@example.org'), ['2025-05-06']);
    now += 60_000;
    assert.equal(await s.tick(), 'idle');
    assert.equal(sink.to('db-error@example.org').length, 1);
  } finally {
    await s.stop();
  }
});

test('a process that died holding the scheduler\'s lease holds it up for two minutes at most: then another sends the day\'s digests, once', async () => {
  const store = await setup([['lease@example.org', 'daily']]);
  let now = Date.parse('2025-05-08T07:30:00.000Z'); // Thursday, past the 07:00 send
  // A process killed in the middle of its run: its lease stays in the jobs table.
  assert.equal(await store.acquireLease('scheduler:digest', 'dead-process', new Date(now + DIGEST_LEASE_MS).toISOString(), new Date(now).toISOString()), true);
  const s = scheduler(store, { at: '07:00', timeZone: 'UTC' }, () => now);
  assert.equal(await s.tick(), 'busy');
  now += 2 * 60_000 - 1_000;
  assert.equal(await s.tick(), 'busy', 'while the lease lasts');
  now += 2_000; // two minutes after the crash
  assert.equal(await s.tick(), 'sent');
  assert.deepEqual(await keys('lease@example.org'), ['2025-05-08']);
  assert.equal(await s.tick(), 'idle');
  assert.equal(sink.to('lease@example.org').length, 1);
  await s.stop();
  await store.close();
});
