/**
 * Sign-up, sign-in, forgotten password, subscribe and submit, refused: the error is in the form,
 * its fields name it (aria-describedby), the field to fix takes the focus, and sign-up lists every
 * problem at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

/** The form posting to `action`, whole. */
const formOf = (html: string, action: string) => new RegExp(`<form method="post" action="${action}"[^>]*>.*?</form>`, 's').exec(html)?.[0] ?? '';
/** The input named `name` in `form`, whole. */
const field = (form: string, name: string) => new RegExp(`<input[^>]*name="${name}"[^>]*/>`).exec(form)?.[0] ?? '';

function assertTied(form: string, errorId: string, names: string[], focused: string) {
  assert.match(form, new RegExp(`<p class="alert" role="alert" id="${errorId}">`), 'the error is in the form');
  for (const name of names) assert.match(field(form, name), new RegExp(`aria-describedby="${errorId}"`), `${name} names the error`);
  const withFocus = names.filter((name) => /autofocus=""/.test(field(form, name)));
  assert.deepEqual(withFocus, [focused], 'one field takes the focus');
}

test('sign-up lists all its problems at once, in the form, and the first field named takes the focus', async () => {
  const { app } = await testApp();
  const res = await new WebClient(app).post('/signup', { username: 'x', email: 'not-an-address', password: 'short' }, { tokenPage: '/signup' });
  assert.equal(res.status, 422);
  const form = formOf(await res.text(), '/signup');
  const message = /id="signup-error">([^<]*)</.exec(form)?.[1] ?? '';
  assert.match(message, /Username: at least 3 characters/);
  assert.match(message, /E-mail: that is not an e-mail address/);
  assert.match(message, /Password: at least 10 characters/);
  assertTied(form, 'signup-error', ['username', 'email', 'password'], 'username');
  assert.match(field(form, 'email'), /value="not-an-address"/, 'what was typed comes back');

  const onlyPassword = await new WebClient(app).post('/signup', { username: 'newcomer', email: 'newcomer@example.org', password: 'short' }, { tokenPage: '/signup' });
  assertTied(formOf(await onlyPassword.text(), '/signup'), 'signup-error', ['username', 'email', 'password'], 'password');
});

test('sign-up with a taken name and a short password says both', async () => {
  const t = await testApp();
  await memberSession(t.app, t.outboxDir, 'ada');
  const res = await new WebClient(t.app).post('/signup', { username: 'ada', email: 'other@example.org', password: 'short' }, { tokenPage: '/signup' });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /id="signup-error">Username: that name is taken\. Password: at least 10 characters</);
  const alone = await new WebClient(t.app).post('/signup', { username: 'ada', email: 'other@example.org', password: 'a long enough password' }, { tokenPage: '/signup' });
  assert.equal(alone.status, 409, 'a taken name alone is still a conflict');
});

test('sign-in, forgotten password, subscribe and submit: the error by the fields, the field to fix focused', async () => {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  await memberSession(t.app, t.outboxDir, 'ada');

  const signin = await new WebClient(t.app).post('/signin', { login: 'ada', password: 'not the password' });
  assert.equal(signin.status, 401);
  assertTied(formOf(await signin.text(), '/signin'), 'signin-error', ['login', 'password'], 'password');

  const forgot = await new WebClient(t.app).post('/account/forgot', { email: 'nope' }, { tokenPage: '/account/forgot' });
  assert.equal(forgot.status, 422);
  assertTied(formOf(await forgot.text(), '/account/forgot'), 'forgot-error', ['email'], 'email');

  const subscribe = await new WebClient(t.app).post('/subscribe', { email: 'nope', kind: 'trending', period: 'weekly' }, { tokenPage: '/subscribe' });
  assert.equal(subscribe.status, 422);
  assertTied(formOf(await subscribe.text(), '/subscribe'), 'subscribe-error', ['email', 'query'], 'email');

  const ada = await memberSession(t.app, t.outboxDir, 'bea');
  const submit = await ada.post('/submit', { id: 'not a paper', code: '', project: '' }, { tokenPage: '/submit' });
  assert.equal(submit.status, 422);
  assertTied(formOf(await submit.text(), '/submit'), 'submit-error', ['id', 'code', 'project'], 'id');
});
