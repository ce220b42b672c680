/**
 * Accounts against strangers (in-process app on a real SQLite file, real outbox folder; the
 * redirect checks also on a real HTTP server): sign-in limits that a stranger cannot turn against
 * the owner and that answer unknown logins the same way; confirmation links that only ask on GET;
 * the shared admin password giving way to admin accounts, and its failed guesses counted per
 * address; `next=` with characters a header cannot carry; sign-up and change of address that do
 * not tell whether an address has an account; the e-mails of a change of address; signed-out
 * visits to member pages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { safeNext } from '../../src/web/auth.ts';
import { makeMembers } from '../helpers/members.ts';
import { startTestServer } from '../helpers/server.ts';
import { linksInOutbox, mailsTo, memberSession, WebClient } from '../helpers/web-client.ts';

async function setup() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  return t;
}

async function failSignIns(client: WebClient, login: string, times: number): Promise<number[]> {
  const token = await client.csrf('/signin');
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await client.post('/signin', { login, password: 'not the password at all' }, { csrf: token })).status);
  return statuses;
}

test('sign-in limits: a stranger cannot lock the owner out, successes do not count, unknown logins get the same answers', async () => {
  const { app, outboxDir } = await setup();
  await memberSession(app, outboxDir, 'ada', '198.51.100.10');

  // A stranger guessing from one address is stopped after 10 failures for that login...
  const stranger = new WebClient(app, '192.0.2.50');
  const known = await failSignIns(stranger, 'ada', 11);
  assert.deepEqual(known, [...Array(10).fill(401), 429]);
  const knownRefusal = await (await stranger.post('/signin', { login: 'ada', password: 'not the password at all' }, { tokenPage: '/signin' })).text();
  assert.match(knownRefusal, /Too many failed sign-in attempts for this username or e-mail from your network address: at most 10 in 15 minutes/);

  // ...and a login without an account gets exactly the same statuses and wording.
  const prober = new WebClient(app, '192.0.2.51');
  const unknown = await failSignIns(prober, 'nobody-here', 11);
  assert.deepEqual(unknown, known);
  const unknownRefusal = await (await prober.post('/signin', { login: 'nobody-here', password: 'not the password at all' }, { tokenPage: '/signin' })).text();
  assert.equal(unknownRefusal.match(/Too many[^<]*/)![0], knownRefusal.match(/Too many[^<]*/)![0]);

  // The owner, from her own address and with her password, is not affected.
  const owner = new WebClient(app, '198.51.100.10');
  const signedIn = await owner.post('/signin', { login: 'ada', password: 'a long enough password' });
  assert.equal(signedIn.status, 303);
  assert.ok(owner.cookies.has('pb_session'));

  // Sign-ins that succeed do not count: many of them in a row from one address all work.
  for (let i = 0; i < 25; i++) {
    const regular = new WebClient(app, '198.51.100.11');
    assert.equal((await regular.post('/signin', { login: 'ada', password: 'a long enough password' })).status, 303, `sign-in ${i + 1}`);
  }
});

test('sign-in limits: guessing spread over many addresses meets a ceiling per login, the same for unknown logins; a reset link still signs the owner in', async () => {
  const { app, outboxDir } = await setup();
  await memberSession(app, outboxDir, 'bea', '198.51.100.20');
  // Bea's own browser signed in before (and signed out): it carries the mark of that sign-in.
  const own = new WebClient(app, '198.51.100.21');
  assert.equal((await own.post('/signin', { login: 'bea', password: 'a long enough password' }, { tokenPage: '/signin' })).status, 303);
  await own.post('/signout', {}, { tokenPage: '/' });
  assert.doesNotMatch((await own.get('/')).html, /href="\/users\/bea"/, 'signed out');
  for (const login of ['bea', 'no-such-member']) {
    for (let a = 0; a < 10; a++) {
      const statuses = await failSignIns(new WebClient(app, `203.0.113.${a + (login === 'bea' ? 10 : 40)}`), login, 10);
      assert.ok(statuses.every((s) => s === 401), `${login} from address ${a}: ${statuses.join(' ')}`);
    }
    const fresh = new WebClient(app, `203.0.113.${login === 'bea' ? 99 : 98}`);
    const over = await fresh.post('/signin', { login, password: 'not the password at all' }, { tokenPage: '/signin' });
    assert.equal(over.status, 429, login);
    assert.match(await over.text(), /Too many failed sign-in attempts for this username or e-mail: at most 100 in 60 minutes/, login);
  }
  // Past the ceiling a browser that never signed in as bea is refused, the password not even checked;
  // bea's own browser still gets in; elsewhere, the reset link is the way in.
  assert.equal((await own.post('/signin', { login: 'bea', password: 'not the password at all' }, { tokenPage: '/signin' })).status, 401, 'answered like anyone when wrong');
  assert.equal((await own.post('/signin', { login: 'bea', password: 'a long enough password' }, { tokenPage: '/signin' })).status, 303, 'the owner\'s browser is spared the ceiling');
  const owner = new WebClient(app, '198.51.100.20');
  assert.equal((await owner.post('/signin', { login: 'bea', password: 'a long enough password' }, { tokenPage: '/signin' })).status, 429);
  await owner.post('/account/forgot', { email: 'bea@example.org' }, { tokenPage: '/account/forgot' });
  const link = (await linksInOutbox(outboxDir, 'bea@example.org')).find((l) => l.includes('/account/reset'))!;
  const token = new URL(link).searchParams.get('token')!;
  const reset = await owner.post('/account/reset', { token, password: 'a brand new password' }, { tokenPage: `/account/reset?token=${token}` });
  assert.equal(reset.status, 303);
  assert.equal(reset.headers.get('location'), '/settings?notice=password');
  assert.match((await owner.get('/settings?notice=password')).html, /Your password is changed/);
  assert.match((await owner.get('/')).html, /href="\/users\/bea"/, 'signed in');
  // Bea's browser was marked under her old password: after the new one, the mark spares it nothing
  // (a browser someone else signed in with, password in hand, is not let past the ceiling either).
  assert.equal((await own.post('/signin', { login: 'bea', password: 'not the password at all' }, { tokenPage: '/signin' })).status, 429);
});

test('confirmation links: opening one (as a mail scanner does) only shows a page; the button confirms', async () => {
  const { app, outboxDir, store } = await setup();
  const cid = new WebClient(app, '198.51.100.30');
  await cid.post('/signup', { username: 'cid', email: 'cid@example.org', password: 'a long enough password' }, { tokenPage: '/signup' });
  const [link] = await linksInOutbox(outboxDir, 'cid@example.org');
  const url = new URL(link!);
  const verifiedAt = async () => (await store.db.selectFrom('users').select(['email', 'email_verified_at']).where('username', '=', 'cid').executeTakeFirstOrThrow());

  const scanner = new WebClient(app, '192.0.2.200');
  const page = await scanner.get(url.pathname + url.search);
  assert.equal(page.res.status, 200);
  assert.match(page.html, /<button type="submit" class="primary">Confirm my address<\/button>/);
  assert.match(page.html, /<form method="post" action="\/account\/verify"/);
  assert.equal((await verifiedAt()).email_verified_at, null, 'a GET confirms nothing');
  const head = await scanner.request(url.pathname + url.search, { method: 'HEAD' });
  assert.ok(head.status < 500);
  assert.equal((await verifiedAt()).email_verified_at, null, 'nor does a HEAD');
  const forged = await scanner.post('/account/verify', { token: url.searchParams.get('token')! }, { csrf: 'not-a-token' });
  assert.equal(forged.status, 403);
  assert.equal((await verifiedAt()).email_verified_at, null, 'nor a POST without this browser\'s form token');

  const confirmed = await cid.post('/account/verify', { token: url.searchParams.get('token')! }, { tokenPage: url.pathname + url.search });
  assert.equal(confirmed.status, 200);
  assert.match(await confirmed.text(), /cid@example.org is confirmed/);
  assert.notEqual((await verifiedAt()).email_verified_at, null);
  assert.equal((await cid.get(url.pathname + url.search)).res.status, 400, 'a used link says so on its page');
  assert.equal((await cid.get('/account/verify?token=short')).res.status, 400);

  // The change-of-address link too.
  await cid.post('/settings/email', { email: 'cid.new@example.org', current: 'a long enough password' });
  const change = new URL((await linksInOutbox(outboxDir, 'cid.new@example.org'))[0]!);
  const changePage = await scanner.get(change.pathname + change.search);
  assert.match(changePage.html, /Use <strong>cid.new@example.org<\/strong> as the address of <strong>cid<\/strong>\?/);
  assert.equal((await verifiedAt()).email, 'cid@example.org', 'a GET changes no address');
  assert.equal((await cid.post('/account/verify', { token: change.searchParams.get('token')! }, { tokenPage: change.pathname + change.search })).status, 200);
  assert.equal((await verifiedAt()).email, 'cid.new@example.org');
});

test('PAPERBOY_ADMIN_PASSWORD opens the admin pages only until an active admin account exists', async () => {
  const { app, store } = await setup();
  const basic = { Authorization: `Basic ${Buffer.from('admin:correct horse battery').toString('base64')}` };
  assert.equal((await app.request('/admin/outbox', { headers: basic })).status, 200, 'no admin account yet: the shared password works');
  await createAccount({ store, now: () => Date.now() }, { username: 'boss', email: 'boss@example.org', password: 'adminpass-123456', role: 'admin' });
  for (const page of ['/admin/outbox', '/admin/runs', '/admin/moderation']) {
    const res = await app.request(page, { headers: basic });
    assert.equal(res.status, 303, page);
    assert.equal(res.headers.get('location'), `/signin?next=${encodeURIComponent(page)}`);
  }
  // A suspended admin does not count: the shared password stands in again.
  await store.db.updateTable('users').set({ suspended_at: new Date().toISOString() }).where('username', '=', 'boss').execute();
  assert.equal((await app.request('/admin/outbox', { headers: basic })).status, 200);
});

test('the shared admin password: failed attempts are counted per client address, 429 with Retry-After past the limit', async () => {
  const { app } = await setup();
  const basic = (password: string, ip: string) => app.request('/admin/runs', {
    headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`, 'x-forwarded-for': ip },
  });
  // A visit without credentials brings up the password prompt and is not an attempt.
  for (let i = 0; i < 25; i++) assert.equal((await app.request('/admin/runs', { headers: { 'x-forwarded-for': '192.0.2.90' } })).status, 401);
  // The right password does not count either.
  for (let i = 0; i < 25; i++) assert.equal((await basic('correct horse battery', '192.0.2.90')).status, 200);

  const statuses: number[] = [];
  for (let i = 0; i < 21; i++) statuses.push((await basic(`wrong${i}`, '192.0.2.91')).status);
  assert.deepEqual(statuses, [...Array(20).fill(401), 429]);
  const refused = await basic('correct horse battery', '192.0.2.91');
  assert.equal(refused.status, 429, 'past the limit, the right password waits too');
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  assert.match(await refused.text(), /Too many failed admin password attempts from your network address: at most 20 in 15 minutes/);
  assert.equal((await basic('correct horse battery', '192.0.2.92')).status, 200, 'another address is not affected');
});

test('next= with DEL or other characters a header cannot carry: a redirect to a safe path, never a 500 (real HTTP server)', async () => {
  const { server, store } = await startTestServer();
  try {
    await seedSmallCorpus(store);
    const http = { request: (p: string, init: RequestInit = {}) => fetch(`${server.url}${p}`, { ...init, redirect: 'manual' }) };
    await createAccount({ store, now: () => Date.now() }, { username: 'dee', email: 'dee@example.org', password: 'a long enough password', role: 'member' });
    const cases: Array<[string, string]> = [['/\u007F', '/'], ['/\u0085', '/'], ['/x\u009Fy', '/'], ['/é?q=ü ö', '/%C3%A9?q=%C3%BC%20%C3%B6']];
    for (const [next, expected] of cases) {
      const visitor = new WebClient(http, '192.0.2.1');
      const signin = await visitor.post('/signin', { login: 'dee', password: 'a long enough password', next }, { tokenPage: '/signin' });
      assert.equal(signin.status, 303, `POST /signin next=${JSON.stringify(next)}: ${signin.status}`);
      assert.equal(signin.headers.get('location'), expected);
      assert.ok(visitor.cookies.has('pb_session'), 'the session cookie is set');
      const again = await visitor.request(`/signin?next=${encodeURIComponent(next)}`);
      assert.equal(again.status, 303, `GET /signin signed in, next=${JSON.stringify(next)}`);
      assert.equal(again.headers.get('location'), expected);
    }
    const [member] = await makeMembers(store, 1, 'del');
    const vote = await http.request('/actions/vote', {
      method: 'POST', body: new URLSearchParams({ _csrf: member!.csrf, paper: '2505.00201', want: '1', next: '/\u007F' }).toString(),
      headers: { cookie: member!.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(vote.status, 303);
    assert.equal(vote.headers.get('location'), '/papers/2505.00201', "the form's own fallback");
    assert.equal(safeNext('/\uD800x'), '/', 'a lone surrogate cannot be encoded: the fallback');
  } finally {
    await server.close();
    await store.close();
  }
});

test('sign-up answers the same whether or not the address has an account; the owner is told by e-mail', async () => {
  const { app, outboxDir, store } = await setup();
  await memberSession(app, outboxDir, 'eve', '198.51.100.40');
  const fresh = await new WebClient(app, '192.0.2.60').post('/signup', { username: 'fresh1', email: 'fresh1@example.org', password: 'the probe password' }, { tokenPage: '/signup' });
  const squatter = new WebClient(app, '192.0.2.61');
  const taken = await squatter.post('/signup', { username: 'zed99', email: 'Eve@example.org', password: 'the probe password' }, { tokenPage: '/signup' });
  assert.equal(taken.status, fresh.status);
  assert.equal(taken.headers.get('location'), fresh.headers.get('location'));
  assert.ok(squatter.cookies.has('pb_session'));
  const settings = (await squatter.get('/settings')).html;
  assert.match(settings, /eve@example.org <strong>\(not confirmed yet\)<\/strong>/, 'settings look as after any sign-up');
  assert.match((await squatter.post('/account/verify/resend', {})).status.toString(), /^200$/);

  const eve = await mailsTo(outboxDir, 'eve@example.org');
  const notice = eve.at(-1)!;
  assert.match(notice.subject, /Someone tried to use your address/);
  assert.match(notice.text, /tried to sign up on Paperboy Test with this address\. It already belongs to your account, eve/);
  assert.match(notice.text, /http:\/\/localhost\/account\/forgot/);
  assert.doesNotMatch(eve.map((m) => m.text).join('\n'), /account\/verify\?token=.*\n[\s\S]*account\/verify\?token=/, 'no second confirmation link reaches eve');
  const rows = await store.db.selectFrom('users').select(['username', 'email']).where('username', 'in', ['eve', 'zed99']).orderBy('username').execute();
  assert.deepEqual(rows, [{ username: 'eve', email: 'eve@example.org' }, { username: 'zed99', email: null }]);

  // Nor does signing in with the address typed tell: an address is a login once it is confirmed.
  const signInWith = (email: string) => new WebClient(app, '192.0.2.63').post('/signin', { login: email, password: 'the probe password' }, { tokenPage: '/signin' });
  const [withTaken, withFresh] = [await signInWith('eve@example.org'), await signInWith('fresh1@example.org')];
  assert.deepEqual([withTaken.status, withFresh.status], [401, 401]);
  assert.equal(await withTaken.text().then((t) => /do not match/.test(t)), await withFresh.text().then((t) => /do not match/.test(t)));
  assert.equal((await new WebClient(app, '192.0.2.64').post('/signin', { login: 'fresh1', password: 'the probe password' }, { tokenPage: '/signin' })).status, 303, 'the username works');

  // Usernames are public (profiles): a taken one may be said.
  const sameName = await new WebClient(app, '192.0.2.62').post('/signup', { username: 'eve', email: 'other@example.org', password: 'a long enough password' }, { tokenPage: '/signup' });
  assert.equal(sameName.status, 409);

  // A change of address to one in use answers as for a free one; the owner is told.
  const moved = await squatter.post('/settings/email', { email: 'eve@example.org', current: 'the probe password' });
  assert.equal(moved.status, 303);
  assert.equal(moved.headers.get('location'), '/settings?notice=email');
  assert.match((await mailsTo(outboxDir, 'eve@example.org')).at(-1)!.text, /tried to change the address of another account/);
  assert.equal((await store.db.selectFrom('users').select('email').where('username', '=', 'eve').executeTakeFirstOrThrow()).email, 'eve@example.org');

  // The notices cannot flood eve's mailbox: three an hour, while the answers stay the same.
  const notices = async () => (await mailsTo(outboxDir, 'eve@example.org')).filter((m) => /Someone tried to use your address/.test(m.subject)).length;
  assert.equal(await notices(), 2);
  for (const n of [1, 2, 3]) {
    const more = await new WebClient(app, `192.0.2.${80 + n}`).post('/signup', { username: `zed-${n}`, email: 'eve@example.org', password: 'a long enough password' }, { tokenPage: '/signup' });
    assert.equal(more.headers.get('location'), fresh.headers.get('location'));
  }
  assert.equal(await notices(), 3);
});

test('changing the address: the new address gets its own confirmation text, the old one a notice', async () => {
  const { app, outboxDir } = await setup();
  const fay = await memberSession(app, outboxDir, 'fay', '198.51.100.50');
  assert.equal((await fay.post('/settings/email', { email: 'fay2@example.org', current: 'a long enough password' })).status, 303);
  const [confirm] = await mailsTo(outboxDir, 'fay2@example.org');
  assert.equal(confirm!.subject, 'Confirm your new e-mail address for Paperboy Test');
  assert.match(confirm!.text, /You asked to change the e-mail address of fay on Paperboy Test to fay2@example.org/);
  assert.match(confirm!.text, /http:\/\/localhost\/account\/verify\?token=/);
  assert.doesNotMatch(confirm!.text, /Welcome|sign up/i);
  const notice = (await mailsTo(outboxDir, 'fay@example.org')).at(-1)!;
  assert.equal(notice.subject, 'Your Paperboy Test address is about to change');
  assert.match(notice.text, /asked to change the account's e-mail address to fay2@example.org/);
  assert.doesNotMatch(notice.text, /token=/, 'the notice carries no link that changes anything');
});

test('signed-out visits to member pages go to sign-in and come back; posts and JSON still get 401', async () => {
  const { app, outboxDir, store } = await setup();
  const gus = await memberSession(app, outboxDir, 'gus', '198.51.100.60');
  await gus.post('/actions/comment', { paper: '2505.00201', body: 'A comment to edit' }, { tokenPage: '/papers/2505.00201' });
  const comment = await store.db.selectFrom('comments').select('id').executeTakeFirstOrThrow();
  const visitor = new WebClient(app, '192.0.2.70');
  for (const page of ['/settings', '/settings/digests', '/collections', '/submit', '/collections/save?paper=2505.00201', `/comments/${comment.id}/edit`, '/account/welcome']) {
    const res = await visitor.request(page);
    assert.equal(res.status, 303, page);
    const location = res.headers.get('location')!;
    assert.equal(location, `/signin?next=${encodeURIComponent(page)}`, page);
    // Signing in from there comes back to the page.
    const back = await gus.request(location);
    assert.equal(back.status, 303);
    assert.equal(back.headers.get('location'), page);
  }
  const json = await visitor.request('/settings', { headers: { accept: 'application/json' } });
  assert.equal(json.status, 401);
  assert.deepEqual(await json.json(), { error: 'Sign in first.' });
  const post = await visitor.post('/settings/password', { current: 'x', password: 'a long enough password' }, { tokenPage: '/signin' });
  assert.equal(post.status, 401);
});
