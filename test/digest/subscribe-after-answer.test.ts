/**
 * A subscribe request for an address that is not the asker's own confirmed one answers before its
 * e-mail goes out, whichever e-mail that is (a confirmation link, a note that the address gets
 * this already, a note that it has as many subscriptions as it may) and when there is none (a
 * confirmation already waiting). A real server over HTTP, with a real SMTP server that holds each
 * message to the address unanswered: were the answer to wait for the mail server, it would come
 * only after the message was let through, and so after it is in the sink. An e-mail the mail
 * server does not take is logged at error level and undone (no confirmation is left waiting for a
 * link nobody got, and an e-mail that reached nobody does not count against the address).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SUBSCRIPTIONS_PER_ADDRESS, newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { ERROR_LEVEL, logLines } from '../helpers/log-lines.ts';
import { makeMembers } from '../helpers/members.ts';
import type { WebClient } from '../helpers/web-client.ts';
import { linksIn, pathOf, startRunning, startRunningForFile, type Running } from '../helpers/running-site.ts';
import { freePort } from '../helpers/server-process.ts';

const LONG_AGO = '2025-05-01T00:00:00.000Z';

const { r, logs } = await startRunningForFile();
await r.client('192.0.2.200').get('/about'); // the first request makes the instance's secrets

const alert = (c: WebClient, email: string, query: string) =>
  c.post('/subscribe', { email, period: 'daily', kind: 'search', query }, { tokenPage: '/subscribe' });
/** The subscribe box as a page posts it: same origin, no token. */
const box = (c: WebClient, base: string, email: string) => c.request('/subscribe', {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
  body: new URLSearchParams({ email, period: 'daily', kind: 'trending' }).toString(),
});
const statusText = (html: string) => /<p class="success" role="status">([^<]*)<\/p>/.exec(html)?.[1] ?? `(no answer in ${html.slice(0, 200)})`;
/** The answer with the address taken out: what a stranger could compare between addresses. */
const answerOf = async (res: Response, email: string) => ({ status: res.status, text: statusText(await res.text()).replaceAll(email, 'X') });
const rowsOf = (running: Running, email: string) => digestDb(running.store.db).selectFrom('subscriptions').selectAll().where('email', '=', email).execute();
const subjectsTo = async (running: Running, email: string) => (await running.sink.parsed()).filter((m) => m.envelopeTo.includes(email)).map((m) => m.subject ?? '');
const mailFailure = (email: string) => (l: { level: number; msg: string }) => l.level === ERROR_LEVEL && l.msg.includes('subscription e-mail') && l.msg.includes(email);
/** A subscription e-mail not sent, whatever the address (a 4xx or no connection: the message does not name it). */
const anyMailFailure = (l: { level: number; msg: string }) => l.level === ERROR_LEVEL && l.msg.includes('subscription e-mail');

test('every case a stranger can cause answers while the mail server still holds the e-mail, with one text', async () => {
  const db = digestDb(r.store.db);
  await insertSubscription(db, { email: 'has@example.org', userId: null, period: 'daily', kind: 'search', query: 'transformers', nonce: newNonce(), confirmed: true, confirmSent: false }, LONG_AGO);
  for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_ADDRESS; i++) {
    await insertSubscription(db, { email: 'full@example.org', userId: null, period: 'daily', kind: 'search', query: `topic${i}`, nonce: newNonce(), confirmed: true, confirmSent: false }, LONG_AGO);
  }
  const stranger = r.client('198.51.100.10');
  const cases = [
    { email: 'fresh@example.org', query: 'diffusion', subject: /Confirm your subscription/ },
    { email: 'has@example.org', query: 'transformers', subject: /You already get this/ },
    { email: 'full@example.org', query: 'something new', subject: /Nothing added/ },
  ];
  const answers = [];
  for (const k of cases) {
    const held = r.sink.hold(k.email);
    const res = await alert(stranger, k.email, k.query);
    assert.equal(r.sink.to(k.email).length, 0, `${k.email}: answered while the mail server still held the message`);
    answers.push(await answerOf(res, k.email));
    held.release();
    await r.sink.arrival(k.email);
    assert.match((await subjectsTo(r, k.email)).at(-1)!, k.subject, `${k.email}: the e-mail arrives after all`);
  }
  // A confirmation already waiting: nothing is sent, and the answer is the same again.
  const held = r.sink.hold('fresh@example.org');
  answers.push(await answerOf(await alert(stranger, 'fresh@example.org', 'diffusion'), 'fresh@example.org'));
  held.release();
  assert.equal(answers[0]!.status, 200);
  assert.match(answers[0]!.text, /^Check your inbox at X: /);
  for (const a of answers) assert.deepEqual(a, answers[0]);
});

test('the owner of a confirmed address still gets precise answers, and no e-mail', async () => {
  const [bea] = await makeMembers(r.store, 1, 'bea');
  const own = r.client('192.0.2.201');
  own.cookies.set('pb_session', bea!.cookie.slice('pb_session='.length));
  const email = `${bea!.username}@example.org`;
  assert.equal(statusText(await (await alert(own, email, 'graphs')).text()), `Done: ${email} is subscribed.`);
  assert.equal(statusText(await (await alert(own, email, 'graphs')).text()), `${email} gets this already.`);
  assert.deepEqual(await subjectsTo(r, email), []);
});

test('an address the mail server refuses (5xx): the usual answer, the refusal logged at error level, no confirmation left waiting', async () => {
  r.sink.rejectRecipient('bounce@example.org', 550, 'No such user here');
  const res = await alert(r.client('192.0.2.203'), 'bounce@example.org', 'graphs');
  assert.deepEqual(await answerOf(res, 'bounce@example.org'), { status: 200, text: (await answerOf(await alert(r.client('192.0.2.204'), 'other@example.org', 'graphs'), 'other@example.org')).text });
  const line = await logs.next(mailFailure('bounce@example.org'));
  assert.match(line.msg, /refused bounce@example\.org/);
  assert.match(line.err?.message ?? '', /No such user here/);
  assert.deepEqual(await rowsOf(r, 'bounce@example.org'), [], 'nothing waits for a confirmation nobody got');
});

test('a temporary refusal (4xx) of a renewed confirmation: logged, its old link is void, and the next request is mailed at once', async () => {
  const c = r.client('192.0.2.205');
  assert.equal((await alert(c, 'renew@example.org', 'graphs')).status, 200);
  await r.sink.arrival('renew@example.org');
  const oldLink = linksIn((await r.sink.parsed()).find((m) => m.envelopeTo.includes('renew@example.org'))!.text ?? '').find((l) => l.includes('/subscribe/confirm'))!;
  // After the cool-down, the mail server answers 451 for this address.
  await digestDb(r.store.db).updateTable('subscriptions').set({ confirm_sent_at: new Date(Date.now() - 11 * 60_000).toISOString() }).where('email', '=', 'renew@example.org').execute();
  r.sink.rejectRecipient('renew@example.org', 451, 'Greylisted, try later');
  assert.equal((await alert(c, 'renew@example.org', 'graphs')).status, 200);
  const line = await logs.next(anyMailFailure);
  assert.match(line.err?.message ?? '', /Greylisted/);
  const [row] = await rowsOf(r, 'renew@example.org');
  assert.equal(row!.confirm_sent_at, null, 'no link is on its way');
  assert.equal((await c.get(pathOf(oldLink))).res.status, 400, 'the renewed request voided the old link');
});

test('with the mail server down: the usual answer each time, each failure logged, nothing left waiting and nothing counted against the address', async () => {
  const downLogs = logLines();
  const down = await startRunning({ PAPERBOY_SMTP_PORT: String(await freePort()) }, { logger: downLogs.logger });
  try {
    // More tries than the address's daily allowance (3): none reached it, none counts.
    for (let i = 0; i < 5; i++) {
      const res = await box(down.client('192.0.2.206'), down.config.baseUrl, 'someone@example.org');
      assert.equal(res.status, 200, `attempt ${i + 1}`);
      assert.match(statusText(await res.text()), /^Check your inbox at someone@example\.org: /);
      const line = await downLogs.next(anyMailFailure);
      assert.match(line.msg, /could not be sent/);
      assert.deepEqual(await rowsOf(down, 'someone@example.org'), [], `attempt ${i + 1}: nothing waits`);
    }
  } finally {
    await down.close();
  }
});

test('a confirmation already waiting sends nothing, after the answer either (every e-mail started is sent before the server stops)', async () => {
  const own = await startRunning();
  const c = own.client('192.0.2.207');
  assert.equal((await alert(c, 'once@example.org', 'graphs')).status, 200);
  await own.sink.arrival('once@example.org');
  const held = own.sink.hold('once@example.org');
  assert.equal((await alert(c, 'once@example.org', 'graphs')).status, 200);
  assert.equal((await alert(c, 'once@example.org', 'other')).status, 200);
  held.release();
  await own.close(); // waits for the e-mails started after answers
  assert.equal(own.sink.to('once@example.org').length, 1, 'one confirmation, within the cool-down nothing more');
});
