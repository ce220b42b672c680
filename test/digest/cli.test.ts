/**
 * `paperboy digest` (usage errors, --dry-run with --out, --to, status, unsubscribe by mail) and
 * the scheduler in serve (sends at the configured local hour once a day, retries on later ticks).
 */
import { Readable } from 'node:stream';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { DIGEST_USAGE, runDigestCli } from '../../src/cli/digest.ts';
import { startDigestScheduler } from '../../src/jobs/digest-scheduler.ts';
import { smtpTransport, type Transport } from '../../src/mail/transport.ts';
import { DIGEST_DEFAULTS, digestEnvSchema, digestSettingsFrom } from '../../src/services/digest-config.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import type { Store } from '../../src/store/index.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { paperRecord } from '../helpers/factories.ts';
import { tempDir, tempStore } from '../helpers/store.ts';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.ts';

let sink: SmtpSink;
before(async () => { sink = await startSmtpSink(); });
after(async () => sink.close());

async function setup(): Promise<Store> {
  const store = await tempStore();
  await seedSmallCorpus(store);
  const db = digestDb(store.db);
  for (const [email, period] of [['one@example.org', 'daily'], ['two@example.org', 'weekly']] as const) {
    await insertSubscription(db, { email, userId: null, period, kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  }
  return store;
}

const config = (outboxDir: string) => ({
  baseUrl: 'https://papers.example.org', siteName: 'Paperboy', mailFrom: 'Paperboy <digests@papers.example.org>', outboxDir,
  smtp: { host: '127.0.0.1', port: sink.port, secure: false },
});

async function cli(store: Store, args: string[], outboxDir = tempDir(), stdin?: NodeJS.ReadableStream) {
  let out = '';
  let err = '';
  const code = await runDigestCli(config(outboxDir), { ...DIGEST_DEFAULTS, unsubscribeMailto: 'unsubscribe@papers.example.org' }, store, args,
    { write: (s: string) => { out += s; } }, { err: { write: (s: string) => { err += s; } }, ...(stdin ? { stdin } : {}) });
  return { code, out, err };
}

test('usage errors exit 2 and say what is wrong on stderr, nothing on stdout; status and unsubscribe-mail take no arguments', async () => {
  const store = await setup();
  for (const [args, why] of [
    [['send', '--period', 'hourly'], /--period must be daily or weekly/],
    [['send', '--date', '2025-02-30'], /--date must be a day/],
    [['send', '--dry-run', '--to', 'not-an-address'], /--to must be one e-mail address/],
    [['send', '--to', 'a@b.c\r\nBcc: x@y.z'], /--to must be one e-mail address/],
    [['send', '--bogus'], /Unknown option/],
    [['frobnicate'], /unknown subcommand/],
    [['status', 'extra'], /^digest: status takes no arguments, got "extra"\n\nusage:/],
    [['unsubscribe-mail', 'x.eml'], /^digest: unsubscribe-mail takes no arguments \(the e-mail comes on standard input\)/],
    [[], /^digest: name a subcommand \(send, status or unsubscribe-mail\)\n\nusage:/],
  ] as const) {
    const r = await cli(store, [...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, why);
    assert.equal(r.out, '', `${args.join(' ')}: stdout stays clean`);
  }
  const help = await cli(store, ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage:/);
  assert.equal(help.err, '');
  const garbage = await cli(store, ['unsubscribe-mail'], tempDir(), Readable.from([Buffer.from('garbage')]));
  assert.equal(garbage.code, 1);
  assert.equal(garbage.out, '');
  assert.match(garbage.err, /^digest: no unsubscribe token in this e-mail\n$/);
});

test('--dry-run --out renders to a folder and records nothing; --to sends to one address; status counts', async () => {
  const store = await setup();
  const dir = tempDir();
  const dry = await cli(store, ['send', '--date', '2025-05-06', '--out', dir]);
  assert.equal(dry.code, 0, dry.out);
  assert.match(dry.out, /would send to=one@example.org papers=3 file=.*2025-05-06-daily-1\.eml subject="Paperboy: 3 papers trending, Mon May 5"/);
  assert.match(dry.out, /^digest done date=2025-05-06 periods=daily,weekdays dry_run=1 would_send=1 empty=0 ms=\d+$/m);
  const parsed = await simpleParser(fs.readFileSync(path.join(dir, '2025-05-06-daily-1.eml')));
  assert.match(String((parsed.headers.get('list') as { unsubscribe: { mail: string } }).unsubscribe.mail), /^unsubscribe@papers\.example\.org\?subject=unsubscribe%20\d+\.0\./);
  assert.equal(sink.to('one@example.org').length, 0);
  assert.equal((await digestDb(store.db).selectFrom('outbox').select('id').execute()).length, 0);

  const weekly = await cli(store, ['send', '--period', 'weekly', '--date', '2025-05-12', '--to', 'TWO@example.org']);
  assert.match(weekly.out, /periods=weekly enqueued=1 sent=1/);
  assert.equal(sink.to('two@example.org').length, 1);
  assert.equal(sink.to('one@example.org').length, 0);
  const status = await cli(store, ['status']);
  assert.match(status.out, /subscribers active=2 pending=0 unsubscribed=0 bounced=0 daily=1 weekdays=0 weekly=1/);
  assert.match(status.out, /outbox pending=0 sending=0 sent=1/);

  // The List-Unsubscribe mailto: the e-mail a client sends, piped into the CLI.
  const raw = sink.to('two@example.org')[0]!.raw;
  const list = (await simpleParser(raw)).headers.get('list') as { unsubscribe: { mail: string } };
  const subject = decodeURIComponent(list.unsubscribe.mail.split('subject=')[1]!);
  const mail = `From: two@example.org\r\nTo: unsubscribe@papers.example.org\r\nSubject: ${subject}\r\n\r\n\r\n`;
  const un = await cli(store, ['unsubscribe-mail'], tempDir(), Readable.from([Buffer.from(mail)]));
  assert.equal(un.code, 0, un.out);
  assert.match(un.out, /unsubscribed subscription=2 email=two@example.org/);
  const forged = await cli(store, ['unsubscribe-mail'], tempDir(), Readable.from([Buffer.from(mail.replace(/subscribe (\d+)\./, 'subscribe 1.'))]));
  assert.equal(forged.code, 1);
  assert.match(forged.err, /not valid/);
  assert.equal(forged.out, '');
});

test('a run whose idle SMTP connections the server closed (its idle timeout) sends every digest once and succeeds', async () => {
  const idle = await startSmtpSink({ idleTimeoutMs: 200 });
  const store = await setup();
  const emails = ['temp@example.org', ...Array.from({ length: 9 }, (_, i) => `reader${i}@example.org`)];
  for (const email of emails) {
    await insertSubscription(digestDb(store.db), { email, userId: null, period: 'daily', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  }
  idle.failData('temp@example.org', 451, 1); // retried after 600 ms, when the server has closed every connection
  let out = '';
  let err = '';
  try {
    const code = await runDigestCli({ ...config(tempDir()), smtp: { host: '127.0.0.1', port: idle.port, secure: false } }, DIGEST_DEFAULTS, store,
      ['send', '--date', '2025-05-06'], { write: (t: string) => { out += t; } }, { err: { write: (t: string) => { err += t; } }, tuning: { retryBaseMs: 600, inRunWaitMs: 10_000 } });
    assert.equal(code, 0, out + err);
    assert.match(out, /enqueued=11 sent=11 skipped=0 failed=0 unknown=0 retrying=0 /);
    for (const email of [...emails, 'one@example.org']) assert.equal(idle.to(email).length, 1, email);
    const [run] = await store.listJobRuns(1, 'digest');
    assert.equal(run!.status, 'ok');
  } finally {
    await idle.close();
  }
});

test('--out writes owner-only: a folder it creates 0700, every message 0600 (they hold live links); a file in its place is a usage error', async () => {
  const store = await setup();
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  const umask = process.umask(0o022);
  try {
    const dir = path.join(tempDir(), 'digests', 'may');
    const first = await cli(store, ['send', '--date', '2025-05-06', '--out', dir]);
    assert.equal(first.code, 0, first.out + first.err);
    assert.equal(mode(dir), 0o700);
    const file = path.join(dir, '2025-05-06-daily-1.eml');
    assert.equal(mode(file), 0o600);
    fs.chmodSync(file, 0o644); // as an earlier version left it
    assert.equal((await cli(store, ['send', '--date', '2025-05-06', '--out', dir])).code, 0);
    assert.equal(mode(file), 0o600, 'rewritten owner-only');

    const existing = tempDir();
    fs.chmodSync(existing, 0o755);
    assert.equal((await cli(store, ['send', '--date', '2025-05-06', '--out', existing])).code, 0);
    assert.equal(mode(existing), 0o755, "a folder it did not create keeps its mode");
    assert.equal(mode(path.join(existing, '2025-05-06-daily-1.eml')), 0o600);

    for (const [out, why] of [
      [file, `digest: --out ${file} is a file, not a folder\n`],
      [`${file}/`, `digest: --out ${file}/ is a file, not a folder\n`],
      [path.join(file, 'x'), `digest: --out ${path.join(file, 'x')}: ${file} on its path is a file, not a folder\n`],
      ['', 'digest: --out needs a folder\n'],
    ] as const) {
      const r = await cli(store, ['send', '--date', '2025-05-06', '--out', out]);
      assert.equal(r.code, 2, out);
      assert.equal(r.err, `${why}\n${DIGEST_USAGE}`, 'the problem, then the usage');
      assert.equal(r.out, '');
    }
  } finally {
    process.umask(umask);
  }
});

/** The digest scheduler at 07:00 in `timeZone`, on the test's SMTP server, ticked by hand on `now`. */
function scheduler(store: Store, timeZone: string, now: () => number) {
  const transport = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false });
  const s = startDigestScheduler({
    digest: { store, transport, siteName: 'Paperboy', baseUrl: 'https://papers.example.org', mailFrom: 'Paperboy <d@papers.example.org>', unsubscribeMailto: null, retryBaseMs: 1, inRunWaitMs: 0 },
    settings: { at: '07:00', timeZone, weeklyDay: 1 },
    clock: { now }, logger: pino({ level: 'silent' }),
  }, { timers: false });
  return { transport, s };
}

test('the scheduler sends at the configured local time, once a day, and retries later', async () => {
  const store = await setup();
  let now = Date.parse('2025-05-06T04:59:00Z'); // 06:59 in Berlin
  const { s } = scheduler(store, 'Europe/Berlin', () => now);
  try {
    sink.failData('one@example.org', 451, 1);
    assert.equal(await s.tick(), 'idle');
    now += 60_000;
    assert.equal(await s.tick(), 'sent');
    assert.equal(sink.to('one@example.org').length, 0, 'a temporary refusal: kept for later');
    now += 60_000;
    assert.equal(await s.tick(), 'retried');
    assert.equal(sink.to('one@example.org').length, 1);
    now += 60_000;
    assert.equal(await s.tick(), 'idle', 'done for the day');
    const runs = await store.listJobRuns(10, 'digest');
    assert.deepEqual(runs.map((r) => r.mode).reverse(), ['2025-05-06 daily,weekdays', 'drain']);
  } finally {
    await s.stop();
  }
});

test('east of UTC, the scheduler waits until the covered list day is complete (00:00 UTC): a paper listed late that day is mailed, once', async () => {
  const store = await setup();
  await insertSubscription(digestDb(store.db), { email: 'tokyo@example.org', userId: null, period: 'daily', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  let now = Date.parse('2025-05-05T22:00:00Z'); // 07:00 on May 6 in Tokyo; the list of May 5 (UTC) runs two more hours
  const { transport, s } = scheduler(store, 'Asia/Tokyo', () => now);
  try {
    assert.equal(await s.tick(), 'idle', 'May 5 is still open');
    // By hand at the same moment: an explicit --date for the open day is refused; without one, the last complete delivery day.
    let out = '';
    let err = '';
    const cliAt = (args: string[]) => runDigestCli(config(tempDir()), { ...DIGEST_DEFAULTS, timeZone: 'Asia/Tokyo' }, store, args,
      { write: (t: string) => { out += t; } }, { now: () => now, transport, err: { write: (t: string) => { err += t; } } });
    assert.equal(await cliAt(['send', '--date', '2025-05-06', '--to', 'tokyo@example.org']), 2);
    assert.match(err, /--date 2025-05-06: the digests of 2025-05-06 cover list days up to 2025-05-05, which is open until 2025-05-06T00:00:00Z/);
    out = '';
    assert.equal(await cliAt(['send', '--to', 'tokyo@example.org', '--dry-run']), 0, out);
    assert.match(out, /^digest done date=2025-05-05 /m);
    assert.equal(sink.to('tokyo@example.org').length, 0);

    await store.importBatch({
      records: [paperRecord({ id: '2505.00299', title: 'A paper listed late in the day', categories: ['cs.CL'], announcedOn: ['2025-05-05'] })],
      entries: [{ paperId: '2505.00299', day: '2025-05-05', submittedAt: '2025-05-05T23:30:00.000Z' }],
    }, '2025-05-05T23:30:00.000Z');
    now = Date.parse('2025-05-05T23:59:00Z');
    assert.equal(await s.tick(), 'idle');
    now = Date.parse('2025-05-06T00:00:00Z'); // 09:00 in Tokyo
    assert.equal(await s.tick(), 'sent');
    const mails = sink.to('tokyo@example.org');
    assert.equal(mails.length, 1);
    const mail = await simpleParser(mails[0]!.raw);
    assert.match(mail.subject ?? '', /4 papers trending, Mon May 5/);
    assert.match(mail.text ?? '', /A paper listed late in the day/);
    now += 60_000;
    assert.equal(await s.tick(), 'idle', 'done for the day');
    out = '';
    assert.equal(await cliAt(['send', '--to', 'tokyo@example.org']), 0, out);
    assert.match(out, /^digest done date=2025-05-06 periods=daily,weekdays enqueued=0 sent=0 /m);
    assert.equal(sink.to('tokyo@example.org').length, 1, 'exactly once');
  } finally {
    await s.stop();
  }
});

test('PAPERBOY_DIGEST_LEASE_SECONDS: a run holds each message it is sending for that long', async () => {
  const store = await setup();
  const heldMs: number[] = [];
  // A transport that looks, while it holds a message, at how long the run leased it for.
  const transport: Transport = {
    concurrency: 1,
    async deliver(_message, commit) {
      const row = await digestDb(store.db).selectFrom('outbox').select('lease_until').where('status', '=', 'sending').executeTakeFirstOrThrow();
      heldMs.push(Date.parse(row.lease_until!) - Date.now());
      await commit();
      return '250 accepted';
    },
    close: async () => {},
    describe: () => 'lease probe',
  };
  let out = '';
  const code = await runDigestCli(config(tempDir()), { ...DIGEST_DEFAULTS, leaseSeconds: 7 }, store, ['send', '--date', '2025-05-06'], { write: (s: string) => { out += s; } }, { transport });
  assert.equal(code, 0, out);
  assert.equal(heldMs.length, 1, out);
  assert.ok(heldMs[0]! > 4_000 && heldMs[0]! <= 7_000, `held for ${heldMs[0]} ms`);
});

test('settings: defaults, and every problem reported', () => {
  assert.deepEqual(digestSettingsFrom(digestEnvSchema.parse({})), DIGEST_DEFAULTS);
  assert.deepEqual(digestSettingsFrom(digestEnvSchema.parse({ PAPERBOY_DIGEST_SCHEDULE: 'off', PAPERBOY_DIGEST_TIMEZONE: 'Europe/Berlin', PAPERBOY_DIGEST_WEEKLY_DAY: 'fri', PAPERBOY_UNSUBSCRIBE_MAILTO: 'u@x.org', PAPERBOY_SMTP_CONNECTIONS: '8', PAPERBOY_DIGEST_LEASE_SECONDS: '30' })),
    { at: null, timeZone: 'Europe/Berlin', weeklyDay: 5, unsubscribeMailto: 'u@x.org', connections: 8, leaseSeconds: 30 });
  const bad = digestEnvSchema.safeParse({ PAPERBOY_DIGEST_SCHEDULE: '25:00', PAPERBOY_DIGEST_TIMEZONE: 'Mars/Olympus', PAPERBOY_DIGEST_WEEKLY_DAY: 'someday', PAPERBOY_UNSUBSCRIBE_MAILTO: 'nope', PAPERBOY_DIGEST_LEASE_SECONDS: '1' });
  assert.equal(bad.success, false);
  assert.equal(bad.error!.issues.length, 5);
  assert.match(JSON.stringify(bad.error!.issues), /at least 5 \(seconds\)/);
  for (const lease of ['1.5', 'soon', '100000']) assert.equal(digestEnvSchema.safeParse({ PAPERBOY_DIGEST_LEASE_SECONDS: lease }).success, false, lease);
});
