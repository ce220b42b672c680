/**
 * Pages that show an account's e-mail address or carry a link's token are `no-store`, for members
 * and for visitors alike: the welcome page, the answer to the confirm form (its link is often
 * followed while signed out), settings re-shown after a wrong password, and the sign-up, sign-in
 * and reset forms re-shown with what was typed (in-process app on a real SQLite file, real outbox).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { linksInOutbox, WebClient } from '../helpers/web-client.ts';

const noStore = (res: Response) => (res.headers.get('cache-control') ?? '').split(',').map((v) => v.trim()).includes('no-store');

test('pages showing an address or a link token are no-store, signed in or not', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);

  // A member's welcome page names the address.
  const ada = new WebClient(app, '198.51.100.40');
  const signup = await ada.post('/signup', { username: 'ada', email: 'ada@example.org', password: 'a long enough password' }, { tokenPage: '/signup' });
  assert.equal(signup.status, 303);
  const welcome = await ada.get('/account/welcome');
  assert.match(welcome.html, /ada@example\.org/);
  assert.ok(noStore(welcome.res), `welcome: ${welcome.res.headers.get('cache-control')}`);

  // The confirmation link followed in another browser, signed out: the answer names the address.
  const link = new URL((await linksInOutbox(outboxDir, 'ada@example.org'))[0]!);
  const elsewhere = new WebClient(app, '198.51.100.41');
  const confirmed = await elsewhere.post('/account/verify', { token: link.searchParams.get('token')! }, { tokenPage: link.pathname + link.search });
  assert.equal(confirmed.status, 200);
  assert.match(await confirmed.text(), /ada@example\.org is confirmed/);
  assert.ok(noStore(confirmed), `confirm answer: ${confirmed.headers.get('cache-control')}`);

  // Settings re-shown after a wrong password, with the address.
  for (const [path, fields] of [['/settings/email', { email: 'ada.new@example.org', current: 'not the password' }], ['/settings/password', { password: 'another long password', current: 'not the password' }]] as const) {
    const res = await ada.post(path, fields);
    assert.equal(res.status, 403, path);
    assert.match(await res.text(), /ada@example\.org/);
    assert.ok(noStore(res), `${path}: ${res.headers.get('cache-control')}`);
  }

  // A visitor's forms re-shown with the address typed into them.
  const visitor = new WebClient(app, '198.51.100.42');
  const badSignup = await visitor.post('/signup', { username: 'bo', email: 'bob.private@example.org', password: 'a long enough password' }, { tokenPage: '/signup' });
  assert.equal(badSignup.status, 422);
  assert.match(await badSignup.text(), /bob\.private@example\.org/);
  assert.ok(noStore(badSignup), `sign-up error: ${badSignup.headers.get('cache-control')}`);
  const badSignin = await visitor.post('/signin', { login: 'ada@example.org', password: 'not the password' });
  assert.equal(badSignin.status, 401);
  assert.match(await badSignin.text(), /ada@example\.org/);
  assert.ok(noStore(badSignin), `sign-in error: ${badSignin.headers.get('cache-control')}`);

  // The reset form re-shown after a too-short password carries the link's token.
  await visitor.post('/account/forgot', { email: 'ada@example.org' }, { tokenPage: '/account/forgot' });
  const reset = new URL((await linksInOutbox(outboxDir, 'ada@example.org')).find((l) => l.includes('/account/reset'))!);
  const token = reset.searchParams.get('token')!;
  const short = await visitor.post('/account/reset', { token, password: 'short' }, { tokenPage: reset.pathname + reset.search });
  assert.equal(short.status, 422);
  assert.ok((await short.text()).includes(token));
  assert.ok(noStore(short), `reset error: ${short.headers.get('cache-control')}`);
});
