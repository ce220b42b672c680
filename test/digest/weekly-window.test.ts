/**
 * The weekly digest's window when weekly digests come closer than a week apart (one sent by hand
 * mid-week, the weekly day moved): every list day reaches weekly subscribers once, no paper comes
 * twice, a digest's web version opens, and a delivery day sent again says so in the run's summary. Through `paperboy digest
 * send`, to a real SMTP server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { runDigestCli } from '../../src/cli/digest.ts';
import { DIGEST_DEFAULTS } from '../../src/services/digest-config.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import type { Store } from '../../src/store/index.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { WebClient } from '../helpers/web-client.ts';
import { tempDir, tempStore } from '../helpers/store.ts';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.ts';

let sink: SmtpSink;
before(async () => { sink = await startSmtpSink(); });
after(async () => sink.close());

/** The small corpus (papers 2505.00201-203 listed on Monday 2025-05-05, 2505.00204 on Wednesday 05-07) and a weekly subscriber. */
async function setup(email: string): Promise<Store> {
  const store = await tempStore();
  await seedSmallCorpus(store);
  await insertSubscription(digestDb(store.db), { email, userId: null, period: 'weekly', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  return store;
}

/** `paperboy digest send ARGS` with PAPERBOY_DIGEST_WEEKLY_DAY as `weeklyDay` (1 = mon ... 7 = sun). */
async function send(store: Store, weeklyDay: number, args: string[]): Promise<string> {
  let out = '';
  const config = {
    baseUrl: 'https://papers.example.org', siteName: 'Paperboy', mailFrom: 'Paperboy <digests@papers.example.org>', outboxDir: tempDir(),
    smtp: { host: '127.0.0.1', port: sink.port, secure: false },
  };
  const code = await runDigestCli(config, { ...DIGEST_DEFAULTS, weeklyDay }, store, ['send', ...args], { write: (s: string) => { out += s; } }, { err: { write: () => {} } });
  assert.equal(code, 0, out);
  return out;
}

/** The subscriber's weekly digests: key, the list days covered, the papers sent (by id: the order is the ranking's business). */
async function weeklies(store: Store): Promise<string[]> {
  const rows = await digestDb(store.db).selectFrom('outbox').select(['period_key', 'window_from', 'window_to', 'status', 'paper_ids']).orderBy('id').execute();
  return rows.map((r) => `${r.period_key} ${r.window_from}..${r.window_to} ${r.status} ${(JSON.parse(r.paper_ids ?? '[]') as string[]).sort().join(',')}`);
}

test('a weekly digest sent by hand mid-week: the scheduled one on Sunday still goes out, covering the days after it, and sending the day again says so', async () => {
  const store = await setup('by-hand@example.org');
  // PAPERBOY_DIGEST_WEEKLY_DAY=sun; by hand on Tuesday 05-06: the 7 days before (Monday 05-05's papers).
  assert.match(await send(store, 7, ['--period', 'weekly', '--date', '2025-05-06']), /periods=weekly enqueued=1 sent=1 /);
  // A dry run shows the window the run will give.
  assert.match(await send(store, 7, ['--date', '2025-05-11', '--dry-run']), /would send to=by-hand@example\.org papers=1 .*subject="Paperboy weekly: 1 paper trending, Tue May 6 – Sat May 10"/);
  // The scheduled Sunday 05-11: Wednesday 05-07's paper was in no digest yet.
  const sunday = await send(store, 7, ['--date', '2025-05-11']);
  assert.match(sunday, /periods=daily,weekly enqueued=1 sent=1 /);
  assert.deepEqual(await weeklies(store), [
    '2025-W19-2 2025-04-29..2025-05-05 sent 2505.00201,2505.00202,2505.00203',
    '2025-W19-7 2025-05-06..2025-05-10 sent 2505.00204',
  ]);
  assert.equal(sink.to('by-hand@example.org').length, 2);
  // Its web version opens, with the paper the e-mail listed.
  const mail = await simpleParser(sink.to('by-hand@example.org')[1]!.raw);
  const web = /View it in your browser: (\S+)/.exec(mail.text ?? '')![1]!;
  assert.match(web, /\/digests\/\d+\/2025-W19-7\?token=/);
  const { app } = await testApp(store);
  const page = await new WebClient(app).get(new URL(web).pathname + new URL(web).search);
  assert.equal(page.res.status, 200);
  assert.match(page.html, /A Weekly paper/);
  // The same delivery day again (a second process, or by hand): nothing new, and the summary tells why.
  const again = await send(store, 7, ['--date', '2025-05-11']);
  assert.match(again, /periods=daily,weekly enqueued=0 sent=0 skipped=0 failed=0 unknown=0 retrying=0 bounced=0 already_enqueued=1 ms=/);
  assert.equal(sink.to('by-hand@example.org').length, 2, 'not twice');
});

test('the weekly day moved from Monday to Sunday after Monday\'s digest: Sunday\'s covers the days since, once', async () => {
  const store = await setup('moved@example.org');
  // A paper on Friday 05-02's list: Monday 05-05's weekly digest (04-28..05-04) has it.
  await store.db.updateTable('daily_entries').set({ day: '2025-05-02' }).where('paper_id', '=', '2505.00201').execute();
  assert.match(await send(store, 1, ['--date', '2025-05-05']), /periods=daily,weekdays,weekly enqueued=1 sent=1 /);
  // PAPERBOY_DIGEST_WEEKLY_DAY=sun from then on: Sunday 05-11 covers Monday 05-05 to Saturday 05-10.
  assert.match(await send(store, 7, ['--date', '2025-05-11']), /periods=daily,weekly enqueued=1 sent=1 /);
  assert.deepEqual(await weeklies(store), [
    '2025-W19-1 2025-04-28..2025-05-04 sent 2505.00201',
    '2025-W19-7 2025-05-05..2025-05-10 sent 2505.00202,2505.00203,2505.00204',
  ]);
  // Back to Monday: the next Monday covers Sunday 05-11 only (Sunday's digest had the days before).
  assert.match(await send(store, 1, ['--date', '2025-05-12']), /periods=daily,weekdays,weekly enqueued=1 sent=0 skipped=1 /);
  assert.deepEqual((await weeklies(store))[2], '2025-W20-1 2025-05-11..2025-05-11 skipped ');
});
