/**
 * The community through the whole app (in-process, real SQLite, real outbox folder): accounts,
 * votes, submissions, comments, collections, curation, moderation, and hostile input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createArxivClient } from '../../src/arxiv/client.ts';
import { createAccount } from '../../src/services/accounts.ts';
import { smtpMailer } from '../../src/mail/mailer.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { linksInOutbox, memberSession, WebClient } from '../helpers/web-client.ts';
import { startReplayServer } from '../helpers/replay-server.ts';
import { freePort } from '../helpers/server-process.ts';
import { FakeClock, fixture } from '../arxiv/support.ts';

async function setup(options: Parameters<typeof testApp>[1] = {}) {
  const t = await testApp(undefined, options);
  await seedSmallCorpus(t.store);
  return t;
}

async function upvotesOf(store: Awaited<ReturnType<typeof setup>>['store'], id: string) {
  const p = await store.db.selectFrom('papers').select('upvotes').where('id', '=', id).executeTakeFirstOrThrow();
  const n = await store.db.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n')).where('paper_id', '=', id).executeTakeFirstOrThrow();
  return { shown: p.upvotes, rows: Number(n.n) };
}

test('a member who has not confirmed their address is offered no form that would refuse them: no Reply, Report or submit form', async () => {
  const { app, outboxDir } = await setup();
  const bob = await memberSession(app, outboxDir, 'bob');
  const posted = await bob.post('/actions/comment', { paper: '2505.00202', body: 'Worth a read' }, { tokenPage: '/papers/2505.00202' });
  const id = Number(/#c(\d+)$/.exec(posted.headers.get('location')!)![1]);
  const ada = new WebClient(app);
  assert.equal((await ada.post('/signup', { username: 'ada', email: 'ada@example.org', password: 'a long enough password' }, { tokenPage: '/signup' })).status, 303);

  const page = (await ada.get('/papers/2505.00202')).html;
  const thread = new RegExp(`<li class="comment" id="c${id}">.*?</li>`, 's').exec(page)![0];
  assert.match(thread, new RegExp(`action="/comments/${id}/vote"`), 'upvoting needs no confirmed address');
  assert.doesNotMatch(thread, /<summary>Reply/);
  assert.doesNotMatch(thread, /<summary>Report/);
  assert.match(page, /Confirm your e-mail address to comment\./);
  // The same member once confirmed gets them.
  const bobsView = new RegExp(`<li class="comment" id="c${id}">.*?</li>`, 's').exec((await bob.get('/papers/2505.00202')).html)![0];
  assert.match(bobsView, /<summary>Reply/);

  const submit = (await ada.get('/submit')).html;
  assert.doesNotMatch(submit, /<form method="post" action="\/submit"/);
  assert.match(submit, /Confirm your e-mail address first: follow the link we sent you, or ask for a new one in <a href="\/settings">Settings<\/a>\./);
});

test('sign up, confirm by the e-mailed link, sign out, sign in (a new session id), wrong password', async () => {
  const { app, outboxDir } = await setup();
  const ada = new WebClient(app);
  const signup = await ada.post('/signup', { username: 'ada', email: 'Ada@Example.org', password: 'a long enough password' }, { tokenPage: '/signup' });
  assert.equal(signup.status, 303);
  assert.equal(signup.headers.get('location'), '/account/welcome');
  const cookie = signup.headers.getSetCookie().find((c) => c.startsWith('pb_session='))!;
  assert.match(cookie, /HttpOnly/i);
  assert.match(cookie, /SameSite=Lax/i);
  const { html: before } = await ada.get('/');
  assert.match(before, /Confirm your e-mail address to submit and comment/);

  const [link] = await linksInOutbox(outboxDir, 'ada@example.org');
  assert.match(link!, /^http:\/\/localhost\/account\/verify\?token=[\w-]{40,}$/);
  const url = new URL(link!);
  const asked = await ada.get(url.pathname + url.search);
  assert.equal(asked.res.status, 200);
  assert.match(asked.html, /Confirm <strong>ada@example.org<\/strong> for the account <strong>ada<\/strong>\?/);
  assert.match((await ada.get('/settings')).html, /not confirmed yet/, 'opening the link confirms nothing');
  const confirmed = await ada.post('/account/verify', { token: url.searchParams.get('token')! }, { tokenPage: url.pathname + url.search });
  assert.equal(confirmed.status, 200);
  assert.match(await confirmed.text(), /ada@example.org is confirmed/);
  assert.equal((await ada.get(url.pathname + url.search)).res.status, 400, 'a link works once');

  const firstSession = ada.cookies.get('pb_session');
  assert.equal((await ada.post('/signout', {})).status, 303);
  assert.equal(ada.cookies.has('pb_session'), false);
  const bad = await ada.post('/signin', { login: 'ada', password: 'not the password' });
  assert.equal(bad.status, 401);
  assert.match(await bad.text(), /do not match/);
  const good = await ada.post('/signin', { login: 'ADA@example.org', password: 'a long enough password', next: '/papers/2505.00201' });
  assert.equal(good.status, 303);
  assert.equal(good.headers.get('location'), '/papers/2505.00201');
  assert.notEqual(ada.cookies.get('pb_session'), firstSession);
  assert.match((await ada.get('/')).html, /href="\/users\/ada"/);
});

test('sign up while the mail server is down: the account exists, the welcome page says how to ask for the link again, settings offer it', async () => {
  // A real SMTP client aimed at a port where nothing listens.
  const closed = await freePort();
  const { app } = await setup({ mailer: smtpMailer({ host: '127.0.0.1', port: closed, secure: false }, 'Paperboy Test <no-reply@localhost>') });
  const bea = new WebClient(app);
  const signup = await bea.post('/signup', { username: 'bea', email: 'bea@example.org', password: 'a long enough password' }, { tokenPage: '/signup' });
  assert.equal(signup.status, 303);
  // The e-mail goes after the answer, so the answer cannot tell (and is the same as when it leaves).
  assert.equal(signup.headers.get('location'), '/account/welcome');
  const welcome = await bea.get(signup.headers.get('location')!);
  assert.equal(welcome.res.status, 200);
  assert.match(welcome.html, /a link to confirm bea@example.org is on its way/);
  assert.match(welcome.html, /use &quot;Send the confirmation link again&quot; in your settings/);
  const settings = await bea.get('/settings');
  assert.match(settings.html, /not confirmed yet/);
  assert.match(settings.html, /Send the confirmation link again/);
});

test('CSRF: a form without the token, or with another browser\'s, changes nothing', async () => {
  const { app, outboxDir, store } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const mallory = await memberSession(app, outboxDir, 'mallory');
  const missing = await ada.post('/actions/vote', { paper: '2505.00203', want: '1' }, { csrf: null });
  assert.equal(missing.status, 403);
  const foreign = await ada.post('/actions/vote', { paper: '2505.00203', want: '1' }, { csrf: await mallory.csrf('/settings') });
  assert.equal(foreign.status, 403);
  const crossSite = await ada.request('/actions/vote', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    body: new URLSearchParams({ _csrf: await ada.csrf('/settings'), paper: '2505.00203', want: '1' }).toString(),
  });
  assert.equal(crossSite.status, 403);
  assert.deepEqual(await upvotesOf(store, '2505.00203'), { shown: 1, rows: 1 });
  const getVote = await ada.request('/actions/vote?paper=2505.00203&want=1');
  assert.equal(getVote.status, 404, 'no state change over GET');
});

test('upvote and un-upvote, without JavaScript (redirect back) and with it (JSON); counts stay exact', async () => {
  const { app, outboxDir, store } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const res = await ada.post('/actions/vote', { paper: '2505.00203', want: '1', next: '/papers/date/2025-05-05' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/papers/date/2025-05-05');
  assert.deepEqual(await upvotesOf(store, '2505.00203'), { shown: 2, rows: 2 });
  const page = (await ada.get('/papers/date/2025-05-05?page=2')).html;
  assert.match(page, /aria-pressed="true"/);
  const again = await ada.post('/actions/vote', { paper: '2505.00203', want: '1' }, { accept: 'application/json' });
  assert.deepEqual(await again.json(), { voted: true, upvotes: 2 }, 'voting twice counts once');
  const off = await ada.post('/actions/vote', { paper: '2505.00203', want: '0' }, { accept: 'application/json' });
  assert.deepEqual(await off.json(), { voted: false, upvotes: 1 });
  const anon = new WebClient(app);
  assert.equal((await anon.post('/actions/vote', { paper: '2505.00203', want: '1' }, { tokenPage: '/signin' })).status, 401);
  const evil = await ada.post('/actions/vote', { paper: 'next=https://evil.example', want: '1', next: 'https://evil.example/' });
  assert.equal(evil.status, 400);
  const open = await ada.post('/actions/vote', { paper: '2505.00203', want: '1', next: '//evil.example/x' });
  assert.equal(open.headers.get('location'), '/papers/2505.00203', 'no open redirect');
});

test('200 concurrent vote and unvote requests on one paper: the count equals the vote rows', async () => {
  const { app, outboxDir, store } = await setup();
  const members = await Promise.all(Array.from({ length: 20 }, (_, i) => memberSession(app, outboxDir, `voter${i}`, `192.0.2.${i + 1}`)));
  const tokens = await Promise.all(members.map((m) => m.csrf('/settings')));
  const requests = Array.from({ length: 200 }, (_, i) => {
    const k = i % 20;
    return members[k]!.post('/actions/vote', { paper: '2505.00201', want: Math.random() < 0.6 ? '1' : '0' }, { csrf: tokens[k]!, accept: 'application/json' });
  });
  const responses = await Promise.all(requests);
  assert.ok(responses.every((r) => r.status === 200), `statuses: ${[...new Set(responses.map((r) => r.status))]}`);
  const { shown, rows } = await upvotesOf(store, '2505.00201');
  assert.equal(shown, rows);
  assert.ok(rows >= 5 && rows <= 25);
});

test('submit: a known paper, an unknown one fetched from arXiv, duplicates, bad ids, the daily quota', async () => {
  const clock = new FakeClock();
  const server = await startReplayServer({
    clock, routes: [{ path: '/api/query', query: { id_list: '1707.08567', start: '0', max_results: '1' }, body: fixture('atom-2026/id_1707.08567.xml') },
      { path: '/api/query', query: { id_list: '1605.08386', start: '0', max_results: '1' }, body: fixture('atom-2026/id_1605.08386.xml') }],
  });
  try {
    const arxiv = createArxivClient({ apiUrl: `${server.url}/api/query`, userAgent: 'test', clock, maxRetries: 0 });
    const { app, outboxDir, store } = await setup({ arxiv });
    const ada = await memberSession(app, outboxDir, 'ada');
    const known = await ada.post('/submit', { id: 'hep-th/9901001v2' }, { tokenPage: '/submit' });
    assert.equal(known.status, 303);
    assert.equal(known.headers.get('location'), '/papers/hep-th/9901001?submitted=1');
    const entry = await store.findPaperById('hep-th/9901001');
    assert.equal(entry?.entry?.day, FIXED_NOW.slice(0, 10));
    assert.equal(entry?.entry?.submittedBy, 'ada');

    const fetched = await ada.post('/submit', { id: 'https://arxiv.org/abs/1707.08567v1', code: 'https://github.com/example/repo' }, { tokenPage: '/submit' });
    assert.equal(fetched.status, 303);
    const paper = await store.findPaperById('1707.08567');
    assert.ok(paper?.title);
    assert.equal(paper?.codeUrl, 'https://github.com/example/repo');

    const dup = await ada.post('/submit', { id: '1707.08567' }, { tokenPage: '/submit' });
    assert.equal(dup.status, 409);
    assert.match(await dup.text(), /already on the list of 2026-11-28/);
    const bad = await ada.post('/submit', { id: 'not an id <script>' }, { tokenPage: '/submit' });
    assert.equal(bad.status, 422);
    assert.doesNotMatch(await bad.text(), /<script>/);
    const js = await ada.post('/submit', { id: '1605.08386', code: 'javascript:alert(1)' }, { tokenPage: '/submit' });
    assert.equal(js.status, 422);
    const third = await ada.post('/submit', { id: '1605.08386' }, { tokenPage: '/submit' });
    assert.equal(third.status, 303);
    const over = await ada.post('/submit', { id: 'quant-ph/0201082' }, { tokenPage: '/submit' });
    assert.equal(over.status, 429);
    assert.match(await over.text(), /daily limit/);
  } finally {
    await server.close();
  }
});

test('comments: threads, Markdown without script, edit and delete your own only, counts', async () => {
  const { app, outboxDir, store } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const c1 = await ada.post('/actions/comment', { paper: '2505.00202', body: 'Nice **result**. <script>alert(1)</script> [x](javascript:alert(2))' }, { tokenPage: '/papers/2505.00202' });
  assert.equal(c1.status, 303);
  const id1 = Number(/#c(\d+)$/.exec(c1.headers.get('location')!)![1]);
  const reply = await bob.post('/actions/comment', { paper: '2505.00202', body: 'Agreed', parent: String(id1) }, { tokenPage: '/papers/2505.00202' });
  assert.equal(reply.status, 303);
  const { html } = await bob.get('/papers/2505.00202');
  assert.match(html, /<strong>result<\/strong>/);
  assert.doesNotMatch(html, /<script>alert/);
  assert.doesNotMatch(html, /href="javascript/);
  assert.match(html, /<ul class="comments"><li class="comment" id="c\d+">.*Agreed/s);
  assert.equal((await store.findPaperById('2505.00202'))?.commentsCount, 2);

  assert.equal((await bob.post(`/comments/${id1}/edit`, { body: 'hijacked' })).status, 403);
  assert.equal((await bob.post(`/comments/${id1}/delete`, {})).status, 403);
  assert.equal((await ada.post(`/comments/${id1}/edit`, { body: 'Edited text' })).status, 303);
  assert.match((await ada.get('/papers/2505.00202')).html, /Edited text.*\(edited\)|\(edited\).*Edited text/s);
  assert.equal((await ada.post(`/comments/${id1}/delete`, {})).status, 303);
  const after = (await ada.get('/papers/2505.00202')).html;
  assert.match(after, /comment deleted by its author/);
  assert.match(after, /Agreed/, 'replies stay');
  assert.equal((await store.findPaperById('2505.00202'))?.commentsCount, 1);
  const empty = await ada.post('/actions/comment', { paper: '2505.00202', body: '   ' }, { tokenPage: '/papers/2505.00202' });
  assert.equal(empty.status, 422);
  // Control characters other than line breaks and tabs (C0, DEL, C1, direction overrides) are refused; so is a text that shows nothing.
  for (const [body, says] of [['a\u0085b', /cannot contain control characters/], ['a\u007fb', /cannot contain control characters/],
    ['see `\u202e;)1(pxe`', /cannot contain control characters/],
    ['\u200b\u2060 \n\u200b', /Write something first/]] as const) {
    const refused = await ada.post('/actions/comment', { paper: '2505.00202', body }, { tokenPage: '/papers/2505.00202' });
    assert.equal(refused.status, 422, JSON.stringify(body));
    assert.match(await refused.text(), says);
  }
  const lines = await ada.post('/actions/comment', { paper: '2505.00202', body: 'Two\tcolumns\nand a second line' }, { tokenPage: '/papers/2505.00202' });
  assert.equal(lines.status, 303, 'tabs and line breaks are text');
  const huge = await ada.post('/actions/comment', { paper: '2505.00202', body: 'x'.repeat(10_001) }, { tokenPage: '/papers/2505.00202' });
  assert.equal(huge.status, 422);
  assert.match(await huge.text(), /at most 10,000 characters/);
  // The limit is in characters, whatever the script: 10,000 CJK characters are 90 KB once the form encodes them.
  const cjk = await ada.post('/actions/comment', { paper: '2505.00202', body: '中'.repeat(10_000) }, { tokenPage: '/papers/2505.00202' });
  assert.equal(cjk.status, 303, 'a comment of 10,000 CJK characters is taken');
  const cjkId = Number(/#c(\d+)$/.exec(cjk.headers.get('location')!)![1]);
  const cjkEdit = await ada.post(`/comments/${cjkId}/edit`, { body: '文'.repeat(10_000) }, { tokenPage: `/comments/${cjkId}/edit` });
  assert.equal(cjkEdit.status, 303, 'and so is an edit to that length');
  const orphan = await ada.post('/actions/comment', { paper: '2505.00201', body: 'reply', parent: String(id1) }, { tokenPage: '/papers/2505.00202' });
  assert.equal(orphan.status, 404, 'a reply to a comment of another paper');
});

test('reports reach the moderation page; an admin hides the comment; members cannot moderate', async () => {
  const { app, outboxDir, store } = await setup();
  await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'root-admin', email: 'admin@example.org', password: 'admin password 123', role: 'admin' });
  const admin = new WebClient(app, '192.0.2.200');
  assert.equal((await admin.post('/signin', { login: 'root-admin', password: 'admin password 123' })).status, 303);
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const res = await ada.post('/actions/comment', { paper: '2505.00201', body: 'Buy cheap pills' }, { tokenPage: '/papers/2505.00201' });
  const id = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  assert.equal((await bob.post(`/comments/${id}/report`, { reason: 'spam' })).status, 200);
  assert.equal((await bob.get('/admin/moderation')).res.status, 403);
  assert.equal((await bob.post(`/comments/${id}/moderate`, { action: 'hide' })).status, 403);
  const queue = (await admin.get('/admin/moderation')).html;
  assert.match(queue, /Buy cheap pills/);
  assert.match(queue, /Reasons: spam/);
  assert.equal((await admin.post(`/comments/${id}/moderate`, { action: 'hide', next: '/admin/moderation' })).status, 303);
  assert.match((await bob.get('/papers/2505.00201')).html, /hidden by a moderator/);
  assert.doesNotMatch((await bob.get('/papers/2505.00201')).html, /Buy cheap pills/);
  // It leaves the queue of reports and is listed among the hidden comments, to unhide from there.
  const [queueAfter, hiddenList] = (await admin.get('/admin/moderation')).html.split('<section aria-labelledby="hidden-comments-h">');
  assert.doesNotMatch(queueAfter!, /Buy cheap pills/);
  assert.match(hiddenList!.split('</section>')[0]!, /Buy cheap pills/);
  assert.equal((await store.findPaperById('2505.00201'))?.commentsCount, 0);

  // Suspension ends the member's sessions; roles make curators.
  assert.equal((await admin.post('/users/ada/admin', { action: 'suspend' })).status, 303);
  assert.equal((await ada.post('/actions/vote', { paper: '2505.00201', want: '1' }, { csrf: 'x' })).status, 403);
  assert.doesNotMatch((await ada.get('/')).html, /href="\/users\/ada"/);
  assert.equal((await admin.post('/users/bob/admin', { action: 'role', role: 'curator' })).status, 303);
  const curated = await bob.post('/actions/curate', { paper: '2505.00204', action: 'pin' }, { tokenPage: '/settings' });
  assert.equal(curated.status, 303);
});

test('curators feature, pin and hide; members cannot', async () => {
  const { app, outboxDir, store } = await setup();
  await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'cura', email: 'cura@example.org', password: 'curator password 1', role: 'curator' });
  const cura = new WebClient(app, '192.0.2.201');
  await cura.post('/signin', { login: 'cura', password: 'curator password 1' });
  const ada = await memberSession(app, outboxDir, 'ada');
  assert.equal((await ada.post('/actions/curate', { paper: '2505.00201', action: 'hide' })).status, 403);
  assert.equal((await cura.post('/actions/curate', { paper: '2505.00201', action: 'pin' })).status, 303);
  let day = await store.listDailyPapers({ from: '2025-05-05', to: '2025-05-05', sort: 'trending', limit: 10, offset: 0 });
  assert.equal(day.items[0]?.id, '2505.00201', 'pinned first');
  assert.equal((await cura.post('/actions/curate', { paper: '2505.00202', action: 'hide' })).status, 303);
  day = await store.listDailyPapers({ from: '2025-05-05', to: '2025-05-05', sort: 'trending', limit: 10, offset: 0 });
  assert.deepEqual(day.items.map((p) => p.id).sort(), ['2505.00201', '2505.00203']);
  assert.equal((await cura.post('/actions/curate', { paper: 'hep-th/9901001', action: 'feature' })).status, 303);
  assert.equal((await store.findPaperById('hep-th/9901001'))?.entry?.featured, true);
  assert.equal((await cura.post('/actions/links', { paper: '2505.00203', code: 'https://github.com/x/y', project: '' })).status, 303);
  assert.equal((await store.findPaperById('2505.00203'))?.codeUrl, 'https://github.com/x/y');
  assert.equal((await cura.post('/actions/links', { paper: '2505.00203', code: 'data:text/html,hi', project: '' })).status, 422);
});

test('collections: private by default, public ones on the profile, nobody else can change them', async () => {
  const { app, outboxDir } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  assert.equal((await ada.post('/collections', { name: 'To <b>read</b>', paper: '2505.00201' })).status, 303);
  const mine = (await ada.get('/collections')).html;
  assert.match(mine, /To &lt;b&gt;read&lt;\/b&gt;/);
  const slug = /\/users\/ada\/collections\/([\w-]+)/.exec(mine)![1]!;
  assert.equal(slug, 'to-b-read-b');
  assert.match((await ada.get(`/users/ada/collections/${slug}`)).html, /Sparse attention for long documents/);
  assert.equal((await bob.get(`/users/ada/collections/${slug}`)).res.status, 404, 'private');
  const id = /href="\/collections\/(\d+)\/delete"/.exec(mine)![1]!;
  assert.equal((await bob.post('/actions/save', { paper: '2505.00202', collection: id, action: 'add' })).status, 404);
  assert.equal((await bob.post(`/collections/${id}/delete`, {})).status, 404);
  assert.equal((await ada.post('/collections', { name: 'Public picks', public: '1' })).status, 303);
  assert.match((await bob.get('/users/ada')).html, /Public picks/);
  assert.doesNotMatch((await bob.get('/users/ada')).html, /To &lt;b&gt;read/);
});

test('password reset by e-mail, e-mail change with confirmation, account deletion keeps counts exact', async () => {
  const { app, outboxDir, store } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  await ada.post('/actions/vote', { paper: '2505.00203', want: '1' });
  await ada.post('/actions/comment', { paper: '2505.00203', body: 'My thoughts' }, { tokenPage: '/papers/2505.00203' });
  assert.deepEqual(await upvotesOf(store, '2505.00203'), { shown: 2, rows: 2 });

  const stranger = new WebClient(app, '192.0.2.99');
  const forgot = await stranger.post('/account/forgot', { email: 'ada@example.org' }, { tokenPage: '/account/forgot' });
  assert.match(await forgot.text(), /If an account uses that address/);
  const unknown = await stranger.post('/account/forgot', { email: 'nobody@example.org' }, { tokenPage: '/account/forgot' });
  assert.match(await unknown.text(), /If an account uses that address/, 'the same answer for unknown addresses');
  const link = (await linksInOutbox(outboxDir, 'ada@example.org')).find((l) => l.includes('/account/reset'))!;
  const token = new URL(link).searchParams.get('token')!;
  const reset = await stranger.post('/account/reset', { token, password: 'a brand new password' }, { tokenPage: `/account/reset?token=${token}` });
  assert.equal(reset.status, 303);
  assert.equal((await ada.get('/settings')).res.headers.get('location'), '/signin?next=%2Fsettings', 'old sessions end after a reset');
  const again = new WebClient(app, '192.0.2.98');
  assert.equal((await again.post('/signin', { login: 'ada', password: 'a brand new password' })).status, 303);

  assert.equal((await again.post('/settings/email', { email: 'ada.new@example.org', current: 'a brand new password' })).status, 303);
  const change = (await linksInOutbox(outboxDir, 'ada.new@example.org'))[0]!;
  const u = new URL(change);
  assert.equal((await again.get(u.pathname + u.search)).res.status, 200);
  assert.equal((await again.post('/account/verify', { token: u.searchParams.get('token')! }, { tokenPage: u.pathname + u.search })).status, 200);
  assert.match((await again.get('/settings')).html, /ada.new@example.org/);

  const wrong = await again.post('/settings/delete', { confirm: 'ada', current: 'wrong password' });
  assert.equal(wrong.status, 403);
  const deleted = await again.post('/settings/delete', { confirm: 'ada', current: 'a brand new password' });
  assert.equal(deleted.status, 303);
  assert.equal(deleted.headers.get('location'), '/account/deleted');
  assert.equal(deleted.headers.get('clear-site-data'), '"cache"', 'signed out: the browser drops what it kept');
  const notice = await again.get('/account/deleted');
  assert.equal(notice.res.status, 200);
  assert.match(notice.html, /Your account is deleted, and you are signed out/);
  assert.doesNotMatch(notice.html, /Sign out/);
  // Shown once, to the browser that deleted the account: a link to it sent to anyone else, or opened
  // by a member, says nothing about their account.
  assert.equal((await again.get('/account/deleted')).res.headers.get('location'), '/', 'the notice is used up');
  assert.equal((await new WebClient(app).get('/account/deleted')).res.headers.get('location'), '/');
  const bea = await memberSession(app, outboxDir, 'bea');
  assert.equal((await bea.get('/account/deleted')).res.headers.get('location'), '/', 'a signed-in member is not told their account is gone');
  assert.deepEqual(await upvotesOf(store, '2505.00203'), { shown: 1, rows: 1 });
  const page = (await new WebClient(app).get('/papers/2505.00203')).html;
  assert.match(page, /a deleted account/);
  assert.match(page, /My thoughts/);
  assert.equal((await new WebClient(app).get('/users/ada')).res.status, 404);
  assert.deepEqual(await store.integrityProblems(), []);
});

test('rate limits answer 429 with a clear message and Retry-After', async () => {
  const { app } = await setup();
  const client = new WebClient(app, '192.0.2.77');
  const token = await client.csrf('/signin');
  let last: Response | null = null;
  for (let i = 0; i < 21; i++) last = await client.post('/signin', { login: 'nobody', password: 'wrong password' }, { csrf: token });
  assert.equal(last!.status, 429);
  const page = await last!.text();
  assert.match(page, /Too many failed sign-in attempts from your network address: at most 20 in 15 minutes/);
  assert.ok(Number(last!.headers.get('retry-after')) > 0);
  assert.match(page, /<input[^>]*name="login"[^>]*value="nobody"/, 'the form comes back with the username typed');
  assert.doesNotMatch(page, /wrong password/, 'never the password');

  // Sign-up past its limit: the form keeps the username and address typed, to send again later.
  const statuses: number[] = [];
  let refused: Response | null = null;
  for (let i = 0; i < 6; i++) {
    refused = await new WebClient(app, '192.0.2.78').post('/signup', { username: `joiner${i}`, email: `joiner${i}@example.org`, password: 'a long enough password' }, { tokenPage: '/signup' });
    statuses.push(refused.status);
  }
  assert.deepEqual(statuses, [...Array(5).fill(303), 429]);
  const signUp = await refused!.text();
  assert.match(signUp, /Too many sign-ups from your network address: at most 5 in 60 minutes/);
  assert.ok(Number(refused!.headers.get('retry-after')) > 0);
  assert.match(signUp, /<input[^>]*name="username"[^>]*value="joiner5"/);
  assert.match(signUp, /<input[^>]*name="email"[^>]*value="joiner5@example.org"/);
});

test('hostile input: XSS, SQL, oversized and malformed bodies get clear 4xx and escaped output', async () => {
  const { app, outboxDir, store } = await setup();
  const payloads = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "admin'--", "x'); DROP TABLE users;--", '\u0000\u0007', 'ａｄｍｉｎ'];
  for (const [i, p] of payloads.entries()) {
    const visitor = new WebClient(app, `192.0.2.${60 + i}`); // sign-ups are limited per address
    const res = await visitor.post('/signup', { username: p, email: `${Math.random()}@example.org`, password: 'a long enough password' }, { tokenPage: '/signup' });
    assert.equal(res.status, 422, JSON.stringify(p));
    const body = await res.text();
    assert.doesNotMatch(body, /<script>alert|<img src=x/);
  }
  const x = new WebClient(app, '192.0.2.50');
  const token = await x.csrf('/signup');
  const badEmail = await x.post('/signup', { username: 'okname', email: 'a@b\r\nBcc: victim@example.org', password: 'a long enough password' }, { csrf: token });
  assert.equal(badEmail.status, 422);
  const big = await x.request('/signup', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${token}&username=${'a'.repeat(1_000_000)}` });
  assert.equal(big.status, 413);
  const json = await x.request('/actions/vote', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"paper": "2505.00201", "want": "1"' });
  assert.equal(json.status, 400);
  const wrongType = await x.request('/actions/vote', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'paper=2505.00201' });
  assert.equal(wrongType.status, 403);
  const invalidUtf8 = await x.request('/signin', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from([0x5f, 0x63, 0x73, 0x72, 0x66, 0x3d, 0xff, 0xfe, 0x26, 0x6c, 0x3d, 0xc3]) });
  assert.equal(invalidUtf8.status, 403);
  const ada = await memberSession(app, outboxDir, 'ada');
  for (const p of payloads) {
    const res = await ada.post('/collections', { name: p });
    assert.ok([303, 422].includes(res.status), `${JSON.stringify(p)}: ${res.status}`);
  }
  const list = (await ada.get('/collections')).html;
  assert.doesNotMatch(list, /<script>alert|<img src=x/);
  assert.equal((await ada.post('/comments/999999/delete', {})).status, 404);
  assert.equal((await ada.post('/comments/abc/edit', { body: 'x' })).status, 404);
  assert.equal((await ada.post('/users/root/admin', { action: 'suspend' })).status, 403);
  assert.equal((await store.stats()).users > 0, true, 'users table intact');
});
