/**
 * A visitor subscribes on the running site, confirms by the e-mailed link, receives digests and
 * alerts through a real SMTP server, opens the web version, changes the subscription from its
 * link, and leaves with one click (RFC 8058). Mail is parsed with mailparser; every link is
 * followed against the running server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runDigestCli } from '../../src/cli/digest.ts';
import { DIGEST_DEFAULTS } from '../../src/services/digest-config.ts';
import { digestDb } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { linksIn, pathOf, startRunning, type Running } from '../helpers/running-site.ts';

let r: Running;
before(async () => {
  r = await startRunning();
  await seedSmallCorpus(r.store);
});
after(async () => r.close());

async function send(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runDigestCli(r.config, DIGEST_DEFAULTS, r.store, ['send', ...args], { write: (s: string) => { out += s; } });
  return { code, out };
}

async function lastMailTo(address: string) {
  const all = await r.sink.parsed();
  const mine = all.filter((m) => m.envelopeTo.includes(address));
  assert.ok(mine.length > 0, `no mail to ${address}`);
  return mine[mine.length - 1]!;
}

/** Subscribes from the box (a same-origin post, no token), follows the confirmation link, confirms. */
async function subscribeAndConfirm(email: string, fields: Record<string, string>, ip: string) {
  const visitor = r.client(ip);
  const res = await visitor.post('/subscribe', { email, ...fields }, { csrf: null, accept: 'text/html' }).catch((e) => { throw e; });
  void res;
  return visitor;
}

test('subscribe from the box, confirm by link, get the digest with both parts and list headers, once', async () => {
  const visitor = r.client('192.0.2.10');
  const box = await visitor.request('/subscribe', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: r.config.baseUrl },
    body: new URLSearchParams({ email: 'Reader@Example.org', period: 'daily', kind: 'trending' }).toString(),
  });
  assert.equal(box.status, 200);
  assert.match(await box.text(), /Check your inbox at reader@example.org/);
  await r.sink.arrival('reader@example.org'); // the confirmation goes after the answer

  const confirm = await lastMailTo('reader@example.org');
  assert.match(confirm.subject ?? '', /Confirm your subscription/);
  assert.ok(confirm.html, 'the confirmation has an HTML part');
  const [link] = linksIn(confirm.text ?? '').filter((l) => l.includes('/subscribe/confirm'));
  assert.ok(link, 'a confirmation link');
  assert.equal(new URL(link).origin, r.config.baseUrl);
  assert.equal(await send(['--date', '2025-05-06']).then((x) => x.out.includes('sent=0')), true, 'nothing goes to an unconfirmed address');

  const page = await visitor.get(pathOf(link));
  assert.equal(page.res.status, 200);
  assert.match(page.html, /Yes, subscribe me/);
  const token = new URL(link).searchParams.get('token')!;
  const confirmed = await visitor.post('/subscribe/confirm', { token }, { tokenPage: pathOf(link) });
  assert.equal(confirmed.status, 200);
  assert.match(await confirmed.text(), /You are subscribed/);

  const first = await send(['--date', '2025-05-06']);
  assert.equal(first.code, 0, first.out);
  assert.match(first.out, /^digest done date=2025-05-06 periods=daily,weekdays enqueued=1 sent=1 skipped=0 failed=0 unknown=0 retrying=0 bounced=0 ms=\d+$/m);
  const digest = await lastMailTo('reader@example.org');
  assert.deepEqual(digest.envelopeTo, ['reader@example.org']);
  assert.equal((digest.to as { value: { address: string }[] }).value[0]!.address, 'reader@example.org');
  assert.match(digest.subject ?? '', /^Paperboy: 3 papers trending, Mon May 5$/);
  assert.match(digest.messageId ?? '', /^<digest-\d+-2025-05-06@127\.0\.0\.1>$/);
  assert.ok(digest.date instanceof Date && !Number.isNaN(digest.date.getTime()));
  const list = digest.headers.get('list') as { unsubscribe: { url: string; mail?: string }; 'unsubscribe-post': { name: string } };
  const unsubscribeUrl = list.unsubscribe.url;
  assert.match(unsubscribeUrl, /^http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=\d+\.0\.[\w-]{32}$/);
  assert.equal(list.unsubscribe.mail, undefined, 'no mailto without an unsubscribe mailbox');
  assert.equal(list['unsubscribe-post'].name, 'List-Unsubscribe=One-Click');
  // Both parts, the most upvoted (trending) first, titles escaped in HTML.
  const text = digest.text ?? '';
  assert.ok(text.indexOf('Diffusion models <b>for</b> video & more') < text.indexOf('Sparse attention for long documents'));
  assert.match(text, /Ada Lovelace, Alan Turing, Grace Hopper, Edsger Dijkstra et al\./);
  assert.match(text, /▲ 40 upvotes/);
  assert.match(text, /You get this e-mail because reader@example.org subscribed to the daily digest of trending papers on Paperboy\./);
  const html = String(digest.html);
  assert.match(html, /Diffusion models &lt;b&gt;for&lt;\/b&gt; video &amp; more/);
  assert.doesNotMatch(html, /<b>for<\/b>/);
  assert.match(html, /href="http:\/\/127\.0\.0\.1:\d+\/papers\/2505\.00202"/);
  assert.doesNotMatch(html, /src="http/, 'no external assets');

  const again = await send(['--date', '2025-05-06']);
  assert.match(again.out, /enqueued=0 sent=0/);
  assert.equal(r.sink.to('reader@example.org').filter((m) => m.raw.toString().includes('digest-')).length, 1, 'a second run sends nothing twice');

  // The web version lists what the e-mail listed.
  const web = linksIn(text).find((l) => l.includes('/digests/'))!;
  const webPage = await r.client('192.0.2.11').get(pathOf(web));
  assert.equal(webPage.res.status, 200);
  assert.match(webPage.html, /Sparse attention for long documents/);
  assert.equal((await r.client().get(pathOf(web).replace(/token=[^&]+/, 'token=1.0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).res.status, 400);

  // Manage link: change to weekly.
  const manage = linksIn(text).find((l) => l.includes('/subscriptions/manage'))!;
  const stranger = r.client('192.0.2.12');
  const managePage = await stranger.get(pathOf(manage));
  assert.equal(managePage.res.status, 200);
  assert.match(managePage.html, /reader@example.org<\/strong> gets the daily digest of trending papers/);
  const changed = await stranger.post('/subscriptions/manage', { token: new URL(manage).searchParams.get('token')!, action: 'update', period: 'weekly' }, { tokenPage: pathOf(manage) });
  assert.equal(changed.status, 303);
  assert.match((await stranger.get(pathOf(manage))).html, /gets the weekly digest of trending papers/);

  // One-click unsubscribe as a mail client does it: POST to the header's URL, no cookie, no CSRF token.
  const url = unsubscribeUrl;
  const oneClick = await fetch(`${r.server.url}${pathOf(url)}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', redirect: 'manual',
  });
  assert.equal(oneClick.status, 200);
  assert.match(await oneClick.text(), /You are unsubscribed/);
  const row = await digestDb(r.store.db).selectFrom('subscriptions').select(['unsubscribed_at']).where('email', '=', 'reader@example.org').executeTakeFirstOrThrow();
  assert.ok(row.unsubscribed_at);
  assert.equal((await fetch(`${r.server.url}${pathOf(url)}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 200, 'again: still fine');
  const later = await send(['--period', 'weekly', '--date', '2025-05-12']);
  assert.match(later.out, /enqueued=0 sent=0/);
});

test('a search alert lists only matching new papers; a member subscribes from settings at once', async () => {
  await subscribeAndConfirm('alerts@example.org', {}, '192.0.2.20');
  const visitor = r.client('192.0.2.21');
  const before = r.sink.to('alerts@example.org').length;
  const res = await visitor.post('/subscribe', { email: 'alerts@example.org', kind: 'search', query: 'attention -sparse', period: 'daily' }, { tokenPage: '/subscribe' });
  assert.equal(res.status, 200);
  await r.sink.arrival('alerts@example.org', before); // the confirmation goes after the answer
  const confirm = await lastMailTo('alerts@example.org');
  const link = linksIn(confirm.text ?? '').find((l) => l.includes('/subscribe/confirm'))!;
  assert.match(confirm.text ?? '', /daily alerts for "attention -sparse"/);
  assert.equal((await visitor.post('/subscribe/confirm', { token: new URL(link).searchParams.get('token')! }, { tokenPage: pathOf(link) })).status, 200);
  const run = await send(['--date', '2025-05-06', '--to', 'alerts@example.org']);
  assert.match(run.out, /sent=1/);
  const alert = await lastMailTo('alerts@example.org');
  assert.match(alert.subject ?? '', /^Paperboy alert: \d+ new papers? for "attention -sparse"/);
  assert.doesNotMatch(alert.text ?? '', /Sparse attention/);
  assert.match(alert.text ?? '', /\/papers\//);
});

test('a bad or tampered link gets a clear 400, never a 500', async () => {
  const c = r.client('192.0.2.30');
  for (const p of ['/subscribe/confirm?token=nonsense', '/subscribe/confirm', '/unsubscribe?token=1.0.' + 'x'.repeat(32), '/subscriptions/manage?token=' + 'A'.repeat(500), '/digests/1/2025-05-06?token=zz']) {
    const { res, html } = await c.get(p);
    assert.equal(res.status, 400, p);
    assert.match(html, /not valid/);
  }
  const post = await fetch(`${r.server.url}/unsubscribe?token=999.0.${'a'.repeat(32)}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(post.status, 400);
});
