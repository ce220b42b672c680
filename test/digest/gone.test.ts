/**
 * The links of a digest whose subscription is gone (deleted with the member's account) say what
 * happened, not "check that you copied all of it": 410 on the pages, 200 for the one-click
 * unsubscribe (what the reader asked for holds), and the mailbox unsubscribe succeeds with nothing
 * to do. The GET pages that show an address are never stored by a cache.
 */
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runDigestCli } from '../../src/cli/digest.ts';
import { DIGEST_DEFAULTS } from '../../src/services/digest-config.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { makeMembers } from '../helpers/members.ts';
import { linksIn, pathOf, startRunning, type Running } from '../helpers/running-site.ts';

let r: Running;
before(async () => {
  r = await startRunning();
  await seedSmallCorpus(r.store);
});
after(async () => r.close());

async function cli(args: string[], stdin?: NodeJS.ReadableStream) {
  let out = '';
  const code = await runDigestCli(r.config, { ...DIGEST_DEFAULTS, unsubscribeMailto: 'unsubscribe@paperboy.test' }, r.store, args, { write: (s: string) => { out += s; } }, stdin ? { stdin } : {});
  return { code, out };
}

test('a deleted member\'s digest links say the subscription is gone and nothing more will be sent', async () => {
  const [carol] = await makeMembers(r.store, 1, 'carol');
  const member = r.client(carol!.ip);
  member.cookies.set('pb_session', carol!.cookie.split('=')[1]!);
  assert.equal((await member.post('/settings/digests', { kind: 'trending', period: 'daily' }, { csrf: carol!.csrf })).status, 303);
  const sent = await cli(['send', '--date', '2025-05-06', '--to', 'carol0000@example.org']);
  assert.match(sent.out, /sent=1/, sent.out);
  const mail = (await r.sink.parsed()).find((m) => m.envelopeTo.includes('carol0000@example.org'))!;
  const links = linksIn(mail.text ?? '');
  const unsubscribe = links.find((l) => l.includes('/unsubscribe?'))!;
  const manage = links.find((l) => l.includes('/subscriptions/manage?'))!;
  const web = links.find((l) => l.includes('/digests/'))!;
  assert.ok(unsubscribe && manage && web, links.join('\n'));
  const mailSubject = decodeURIComponent(String((mail.headers.get('list') as { unsubscribe: { mail: string } }).unsubscribe.mail).split('subject=')[1]!);

  // Someone subscribes after her; then Carol deletes her account, and her subscription goes with it.
  const existing = await insertSubscription(digestDb(r.store.db), { email: 'dan@example.org', userId: null, period: 'daily', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  const del = await member.post('/settings/delete', { current: 'a long enough password', confirm: 'carol0000' }, { csrf: carol!.csrf });
  assert.ok(del.status === 303 || del.status === 200, `delete: ${del.status}`);
  assert.equal(await digestDb(r.store.db).selectFrom('subscriptions').select('id').where('email', '=', 'carol0000@example.org').executeTakeFirst(), undefined);

  const reader = r.client('192.0.2.70');
  for (const link of [unsubscribe, manage, web]) {
    const { res, html } = await reader.get(pathOf(link));
    assert.equal(res.status, 410, link);
    assert.match(html, /This subscription no longer exists \(it was deleted, for instance with the account it belonged to\)\. Nothing more will be sent for it\./, link);
    assert.doesNotMatch(html, /copied/);
  }
  // RFC 8058 one-click from the mail provider: a 200, since nothing more will be sent.
  const oneClick = await reader.request(pathOf(unsubscribe), {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(oneClick.status, 200);
  assert.equal(oneClick.headers.get('cache-control'), 'no-store');
  assert.match(await oneClick.text(), /Nothing to unsubscribe from[\s\S]*no longer exists/);
  // The List-Unsubscribe mailto, piped into the CLI: done, nothing to do.
  const byMail = await cli(['unsubscribe-mail'], Readable.from([Buffer.from(`From: carol0000@example.org\r\nTo: unsubscribe@paperboy.test\r\nSubject: ${mailSubject}\r\n\r\n\r\n`)]));
  assert.equal(byMail.code, 0, byMail.out);
  assert.match(byMail.out, /nothing to unsubscribe: This subscription no longer exists/);

  // A forged or mangled link is still told apart: 400, as before; so is a number never handed out.
  const forged = pathOf(unsubscribe).replace(/token=\d+\./, `token=${existing.id}.`);
  const bad = await reader.get(forged);
  assert.equal(bad.res.status, 400);
  assert.match(bad.html, /not valid/);
  assert.equal((await reader.get('/unsubscribe?token=garbage')).res.status, 400);
  const never = await reader.get(pathOf(unsubscribe).replace(/token=\d+\./, `token=${existing.id + 1000}.`));
  assert.equal(never.res.status, 400);
  assert.match(never.html, /not valid/);
  // Numbers no subscription can have: 0, and past the id column's range (an error of PostgreSQL's own before).
  for (const id of ['0', '99999999999']) {
    const impossible = await reader.get(`/unsubscribe?token=${id}.0.${'A'.repeat(32)}`);
    assert.equal(impossible.res.status, 400, id);
    assert.match(impossible.html, /not valid/, id);
  }
});

test('the pages of e-mailed links, which show the address or carry a token, are sent Cache-Control: no-store', async () => {
  const visitor = r.client('192.0.2.71');
  const box = await visitor.request('/subscribe', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: r.config.baseUrl },
    body: new URLSearchParams({ email: "o'brien+cache@example.org", period: 'daily', kind: 'trending' }).toString(),
  });
  assert.equal(box.status, 200);
  await r.sink.arrival("o'brien+cache@example.org"); // the confirmation goes after the answer
  const confirmMail = (await r.sink.parsed()).find((m) => m.envelopeTo.includes("o'brien+cache@example.org"))!;
  const confirm = linksIn(confirmMail.text ?? '').find((l) => l.includes('/subscribe/confirm'))!;
  const pages: string[] = [pathOf(confirm)];
  const asked = await visitor.get(pathOf(confirm));
  assert.equal(asked.res.status, 200);
  assert.match(asked.html, /o&#39;brien\+cache@example\.org|o'brien\+cache@example\.org/);
  assert.equal(asked.res.headers.get('cache-control'), 'no-store', 'GET /subscribe/confirm');
  const token = new URL(confirm).searchParams.get('token')!;
  const done = await visitor.post('/subscribe/confirm', { token }, { tokenPage: pathOf(confirm) });
  assert.equal(done.status, 200);
  await cli(['send', '--date', '2025-05-06', '--to', "o'brien+cache@example.org"]);
  const digest = (await r.sink.parsed()).filter((m) => m.envelopeTo.includes("o'brien+cache@example.org")).at(-1)!;
  const links = linksIn(digest.text ?? '');
  pages.push(...['/unsubscribe?', '/subscriptions/manage?', '/digests/'].map((p) => pathOf(links.find((l) => l.includes(p))!)));
  for (const p of pages) {
    const { res, html } = await visitor.get(p);
    assert.equal(res.status, 200, p);
    assert.match(html, /brien\+cache@example\.org/, `${p} shows the address`);
    assert.equal(res.headers.get('cache-control'), 'no-store', p);
  }

  // The account's e-mailed links too: the address confirmation (shows the address) and the password reset (carries its token).
  const signup = await visitor.post('/signup', { username: 'cachey', email: 'cachey@example.org', password: 'a long enough password' }, { tokenPage: '/signup' });
  assert.equal(signup.status, 303);
  await r.sink.arrival('cachey@example.org'); // the confirmation link goes after the answer
  const settings = await visitor.get('/settings'); // signed in by the sign-up
  assert.equal(settings.res.status, 200);
  assert.match(settings.html, /cachey@example\.org/);
  assert.equal(settings.res.headers.get('cache-control'), 'no-store', '/settings');
  const verify = linksIn((await r.sink.parsed()).filter((m) => m.envelopeTo.includes('cachey@example.org')).at(-1)!.text ?? '').find((l) => l.includes('/account/verify'))!;
  const verifyPage = await visitor.get(pathOf(verify));
  assert.equal(verifyPage.res.status, 200);
  assert.match(verifyPage.html, /cachey@example\.org/);
  assert.equal(verifyPage.res.headers.get('cache-control'), 'no-store', '/account/verify');
  const other = r.client('192.0.2.72');
  const before = r.sink.to('cachey@example.org').length;
  assert.equal((await other.post('/account/forgot', { email: 'cachey@example.org' }, { tokenPage: '/account/forgot' })).status, 200);
  await r.sink.arrival('cachey@example.org', before); // the reset e-mail goes after the answer
  const reset = linksIn((await r.sink.parsed()).filter((m) => m.envelopeTo.includes('cachey@example.org')).at(-1)!.text ?? '').find((l) => l.includes('/account/reset'))!;
  const resetPage = await other.get(pathOf(reset));
  assert.equal(resetPage.res.status, 200);
  assert.equal(resetPage.res.headers.get('cache-control'), 'no-store', '/account/reset');
});
