/**
 * Subscribing through the whole app (in-process, real SQLite, mail in an outbox folder) with
 * hostile input: invalid addresses, header injection, oversized and hostile queries, repeated
 * requests (rate limits, one pending confirmation per address), foreign forms, expired and
 * tampered links. Also account settings and the admin page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { runDigest } from '../../src/services/digest.ts';
import { folderTransport } from '../../src/mail/transport.ts';
import { createAccount } from '../../src/services/accounts.ts';
import { digestDb } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { linksInOutbox, memberSession, WebClient } from '../helpers/web-client.ts';

async function setup(now?: () => number) {
  const t = await testApp(undefined, now ? { now } : {});
  await seedSmallCorpus(t.store);
  return t;
}
const mails = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).length : 0);
const subscribe = (c: WebClient, fields: Record<string, string>) => c.post('/subscribe', { kind: 'trending', period: 'daily', ...fields }, { tokenPage: '/subscribe' });

test('invalid addresses, header injection and hostile queries get a clear 422 and no mail', async () => {
  const { app, outboxDir, store } = await setup();
  const c = new WebClient(app, '198.51.100.1');
  const cases: [Record<string, string>, RegExp][] = [
    [{ email: 'not-an-address' }, /not an e-mail address/],
    [{ email: '' }, /not an e-mail address/],
    [{ email: 'a@example.org\r\nBcc: victim@example.org' }, /not an e-mail address/],
    [{ email: 'a@example.org\nBcc: victim@example.org' }, /not an e-mail address/],
    [{ email: `${'x'.repeat(250)}@example.org` }, /too long/],
    [{ email: 'a@example.org', period: 'hourly' }, /daily, weekdays or weekly/],
    [{ email: 'a@example.org', kind: 'for-you' }, /subscribe to them from your account settings/], // needs an account: picked from its upvotes
    [{ email: 'a@example.org', kind: 'search', query: 'x'.repeat(301) }, /at most 300 characters/],
    [{ email: 'a@example.org', kind: 'search', query: '' }, /type what/],
    [{ email: 'a@example.org', kind: 'search', query: 'cat:<script>' }, /not an arXiv category/],
  ];
  for (const [fields, message] of cases) {
    const res = await subscribe(c, fields);
    assert.equal(res.status, 422, JSON.stringify(fields));
    const html = await res.text();
    assert.match(html, message, JSON.stringify(fields));
    assert.doesNotMatch(html, /<script>/);
  }
  assert.equal(mails(outboxDir), 0);
  assert.equal((await digestDb(store.db).selectFrom('subscriptions').select('id').execute()).length, 0);

  // A query with a line break in it is one line in the subject: nothing can start a header.
  const ok = await subscribe(new WebClient(app, '198.51.100.9'), { email: 'q@example.org', kind: 'search', query: 'graph\r\nBcc: victim@example.org' });
  assert.equal(ok.status, 200);
  const row = await digestDb(store.db).selectFrom('subscriptions').select('query').where('email', '=', 'q@example.org').executeTakeFirstOrThrow();
  assert.equal(row.query, 'graph Bcc: victim@example.org');
  const raw = fs.readFileSync(`${outboxDir}/${fs.readdirSync(outboxDir).find((f) => f.endsWith('.eml'))}`, 'utf8');
  assert.doesNotMatch(raw, /^Bcc:/m);
  const huge = await c.request('/subscribe', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' }, body: `email=a@example.org&query=${'x'.repeat(20_000)}` });
  assert.equal(huge.status, 413);
});

test('repeated requests: one pending confirmation per address, a cool-down, rate limits per client and per address', async () => {
  let now = Date.parse(FIXED_NOW);
  const { app, outboxDir } = await setup(() => now);
  const c = new WebClient(app, '198.51.100.2');
  const answer = await (await subscribe(c, { email: 'bomb@example.org' })).text();
  assert.match(answer, /Check your inbox at bomb@example.org/);
  const again = await subscribe(c, { email: 'bomb@example.org', period: 'weekly' });
  assert.equal(again.status, 200);
  assert.equal(await again.text(), answer, 'within the cool-down: the same answer, and no e-mail');
  assert.equal(mails(outboxDir), 1);
  const [first] = await linksInOutbox(outboxDir, 'bomb@example.org');

  now += 11 * 60_000; // after the cool-down a new link replaces the old one
  assert.equal(await (await subscribe(c, { email: 'bomb@example.org', period: 'weekly' })).text(), answer);
  assert.equal(mails(outboxDir), 2);
  const old = new URL(first!);
  assert.equal((await c.get(old.pathname + old.search)).res.status, 400, 'the replaced link no longer works');
  now += 11 * 60_000;
  const limited = await subscribe(c, { email: 'bomb@example.org' });
  assert.equal(limited.status, 429);
  assert.match(await limited.text(), /Too many subscribe requests for this e-mail address/);
  assert.equal(mails(outboxDir), 2, 'at most 3 requests a day for one address, the one that sent nothing included');

  const d = new WebClient(app, '198.51.100.3');
  const statuses: number[] = [];
  let last = '';
  for (let i = 0; i < 11; i++) {
    const res = await subscribe(d, { email: `many${i}@example.org` });
    statuses.push(res.status);
    last = await res.text();
  }
  assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
  // The limit is per client: said so that it is not read as the e-mail address just typed.
  assert.match(last, /Too many subscribe requests from your network address: at most 10 in 60 minutes/);
});

test('forms from elsewhere: a foreign Origin is refused; no token and no Origin asks again; a same-origin box post works', async () => {
  const { app, outboxDir } = await setup();
  const c = new WebClient(app, '198.51.100.4');
  const post = (headers: Record<string, string>) => c.request('/subscribe', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: 'email=box%40example.org&period=weekly&kind=trending',
  });
  assert.equal((await post({ origin: 'https://evil.example' })).status, 403);
  const ask = await post({});
  assert.equal(ask.status, 200);
  assert.match(await ask.text(), /press Subscribe once more/);
  assert.equal(mails(outboxDir), 0);
  assert.equal((await post({ origin: 'http://localhost' })).status, 200);
  assert.equal(mails(outboxDir), 1);
});

test('expired, tampered and misused links: 400 with a clear message, nothing changes', async () => {
  let now = Date.parse(FIXED_NOW);
  const { app, outboxDir, store } = await setup(() => now);
  const c = new WebClient(app, '198.51.100.5');
  await subscribe(c, { email: 'late@example.org' });
  await subscribe(c, { email: 'other@example.org' });
  const [late] = await linksInOutbox(outboxDir, 'late@example.org');
  const [other] = await linksInOutbox(outboxDir, 'other@example.org');
  const lateToken = new URL(late!).searchParams.get('token')!;
  const otherToken = new URL(other!).searchParams.get('token')!;
  // Another subscription's id with this one's signature.
  const swapped = `${otherToken.split('.')[0]}.${lateToken.split('.').slice(1).join('.')}`;
  const bad = await c.get(`/subscribe/confirm?token=${swapped}`);
  assert.equal(bad.res.status, 400);
  assert.match(bad.html, /not valid/);
  now += 49 * 3_600_000;
  const expired = await c.get(`/subscribe/confirm?token=${lateToken}`);
  assert.equal(expired.res.status, 400);
  assert.match(expired.html, /has expired \(links work for 48 hours\)/);
  const expiredPost = await c.post('/subscribe/confirm', { token: lateToken }, { tokenPage: '/subscribe' });
  assert.equal(expiredPost.status, 400);
  // A confirmation token is not an unsubscribe or manage token.
  assert.equal((await c.post(`/unsubscribe?token=${otherToken}`, {}, { csrf: null })).status, 400);
  assert.equal((await c.get(`/subscriptions/manage?token=${otherToken}`)).res.status, 400);
  const rows = await digestDb(store.db).selectFrom('subscriptions').select(['confirmed_at', 'unsubscribed_at']).execute();
  assert.ok(rows.every((r) => r.confirmed_at === null && r.unsubscribed_at === null));
  assert.equal((await c.post('/subscribe/confirm', { token: otherToken }, { csrf: null })).status, 403, 'the confirm form needs its CSRF token');
});

test('members subscribe from settings at once; the admin page shows subscribers, runs and a preview', async () => {
  const { app, outboxDir, store } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const before = mails(outboxDir);
  const res = await ada.post('/settings/digests', { kind: 'trending', period: 'weekdays' }, { tokenPage: '/settings/digests' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/settings/digests?notice=subscribed');
  assert.equal(mails(outboxDir), before, 'a confirmed account address needs no confirmation e-mail');
  const page = (await ada.get('/settings/digests')).html;
  assert.match(page, /the weekday digest of trending papers \(Monday to Friday\) to ada@example.org/);
  const search = await ada.post('/settings/digests', { kind: 'search', query: 'x'.repeat(400), period: 'daily' }, { tokenPage: '/settings/digests' });
  assert.equal(search.status, 422);
  const id = /action="\/settings\/digests\/(\d+)"/.exec(page)![1]!;
  const bob = await memberSession(app, outboxDir, 'bob');
  assert.equal((await bob.post(`/settings/digests/${id}`, { action: 'unsubscribe' }, { tokenPage: '/settings/digests' })).status, 404, 'not yours');
  assert.equal((await ada.post(`/settings/digests/${id}`, { action: 'update', period: 'weekly' }, { tokenPage: '/settings/digests' })).status, 303);
  assert.match((await ada.get('/settings/digests')).html, /the weekly digest of trending papers/);
  assert.equal((await new WebClient(app).get('/settings/digests')).res.headers.get('location'), '/signin?next=%2Fsettings%2Fdigests');

  const report = await runDigest({
    store, transport: folderTransport(outboxDir), siteName: 'Paperboy Test', baseUrl: 'http://localhost', mailFrom: 'P <p@localhost>', unsubscribeMailto: null, now: () => Date.now(),
  }, { date: '2025-05-06', weeklyDay: 2, only: 'weekly' });
  assert.equal(report.sent, 1);
  await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'root-admin', email: 'admin@example.org', password: 'admin password 123', role: 'admin' });
  const admin = new WebClient(app, '192.0.2.200');
  assert.equal((await admin.post('/signin', { login: 'root-admin', password: 'admin password 123' })).status, 303);
  const { res: adminRes, html } = await admin.get('/admin/digests');
  assert.equal(adminRes.status, 200);
  assert.match(html, /1 active \(0 daily, 0 weekdays, 1 weekly/);
  assert.match(html, /ada@example.org/);
  assert.match(html, /2025-05-06 weekly/);
  assert.match(html, /Preview: the daily digest of 2025-05-08/, 'today lists nothing, so the latest list is previewed');
  assert.match(html, /A Weekly paper/);
  const eml = await admin.request('/admin/digests/preview.eml?date=2025-05-06&period=daily');
  assert.equal(eml.status, 200);
  assert.equal(eml.headers.get('content-type'), 'message/rfc822');
  assert.match(await eml.text(), /List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
  assert.equal((await admin.get('/admin/digests?date=not-a-date')).res.status, 400);
  assert.equal((await ada.get('/admin/digests')).res.status, 403);
});
