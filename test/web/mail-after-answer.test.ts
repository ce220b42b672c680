/**
 * The forms whose answer must not tell whether an address has an account answer before their
 * mail goes out (a real server, over HTTP, with a real SMTP server that holds each message
 * unanswered): a reset for an address with an account, a change of address (the link and the
 * notice to the old address), a change to an address another account has confirmed (the notice
 * to its owner), and a sign-up (the confirmation link, or the notice to the owner of an address
 * in use, or nothing past the owner's notices for the hour). Were the answer to wait for the mail
 * server, it would come only after the server let the message through, and so after the message
 * is in the sink. A sign-up e-mail the mail server does not take is logged at error level.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { linksIn, startRunningForFile } from '../helpers/running-site.ts';
import { ERROR_LEVEL } from '../helpers/log-lines.ts';
import type { WebClient } from '../helpers/web-client.ts';

const PASSWORD = 'a long enough password';

const { r, logs } = await startRunningForFile();
for (const name of ['ann', 'ben', 'cyd', 'dot', 'eve']) {
  await createAccount({ store: r.store, now: () => Date.now() }, { username: name, email: `${name}@example.org`, password: PASSWORD, role: 'member' });
}

async function mailTo(address: string) {
  await r.sink.arrival(address);
  return (await r.sink.parsed()).filter((m) => m.envelopeTo.includes(address)).at(-1)!;
}

test('a reset answers before its mail is sent, as fast as for an address without an account', async () => {
  const held = r.sink.hold('ann@example.org');
  const visitor = r.client('192.0.2.1');
  const unknown = await visitor.post('/account/forgot', { email: 'nobody@example.org' }, { tokenPage: '/account/forgot' });
  const known = await visitor.post('/account/forgot', { email: 'ann@example.org' }, { tokenPage: '/account/forgot' });
  assert.equal(r.sink.to('ann@example.org').length, 0, 'answered while the mail server still held the message');
  assert.equal(known.status, unknown.status);
  const strip = (html: string) => html.replace(/value="[^"]+"|content="[^"]+"/g, '');
  assert.equal(strip(await known.text()), strip(await unknown.text()));
  held.release();
  const mail = await mailTo('ann@example.org');
  assert.ok(linksIn(mail.text ?? '').some((l) => l.includes('/account/reset?token=')), 'the reset link arrives after all');
});

test('a change of address answers before its link and the notice to the old address are sent', async () => {
  const heldNew = r.sink.hold('ben.new@example.org');
  const heldOld = r.sink.hold('ben@example.org');
  const ben = r.client('192.0.2.2');
  assert.equal((await ben.post('/signin', { login: 'ben', password: PASSWORD }, { tokenPage: '/signin' })).status, 303);
  const res = await ben.post('/settings/email', { current: PASSWORD, email: 'ben.new@example.org' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/settings?notice=email');
  assert.equal(r.sink.to('ben.new@example.org').length + r.sink.to('ben@example.org').length, 0, 'answered before either mail was taken');
  heldNew.release();
  heldOld.release();
  assert.match((await mailTo('ben.new@example.org')).subject ?? '', /Confirm your new e-mail address/);
  assert.match((await mailTo('ben@example.org')).subject ?? '', /address is about to change/);
});

test('a change to an address another account has confirmed answers before the notice to its owner is sent', async () => {
  const held = r.sink.hold('cyd@example.org');
  const ann = r.client('192.0.2.3');
  assert.equal((await ann.post('/signin', { login: 'ann', password: PASSWORD }, { tokenPage: '/signin' })).status, 303);
  const res = await ann.post('/settings/email', { current: PASSWORD, email: 'cyd@example.org' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/settings?notice=email', 'the same answer as for a free address');
  assert.equal(r.sink.to('cyd@example.org').length, 0, 'answered before the notice was taken');
  held.release();
  assert.match((await mailTo('cyd@example.org')).subject ?? '', /Someone tried to use your address/);
});

const signUp = (c: WebClient, username: string, email: string) => c.post('/signup', { username, email, password: PASSWORD }, { tokenPage: '/signup' });
/** The welcome page's message with the address taken out. */
async function welcomeOf(c: WebClient, email: string): Promise<string> {
  const { html } = await c.get('/account/welcome');
  return (/<p class="success" role="status">([^<]*)<\/p>/.exec(html)?.[1] ?? html).replaceAll(email, 'X');
}

/** A sign-up while the mail server holds what goes to `email`: it answers with the welcome page before anything reached `email`. */
async function signUpWhileHeld(c: WebClient, username: string, email: string) {
  const held = r.sink.hold(email);
  const res = await signUp(c, username, email);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/welcome');
  assert.equal(r.sink.to(email).length, 0, `${email}: answered while the mail server still held the message`);
  return held;
}

test('a sign-up answers before its confirmation link is sent; the welcome page says the link is on its way and how to ask again', async () => {
  const fay = r.client('192.0.2.10');
  const held = await signUpWhileHeld(fay, 'fay', 'fay@example.org');
  const welcome = await welcomeOf(fay, 'fay@example.org');
  assert.match(welcome, /an e-mail with a link to confirm X is on its way/);
  assert.match(welcome, /Send the confirmation link again/);
  held.release();
  assert.ok(linksIn((await mailTo('fay@example.org')).text ?? '').some((l) => l.includes('/account/verify?token=')), 'the link arrives after all');
});

test('a sign-up with an address another account has confirmed answers the same, before the notice to its owner is sent', async () => {
  const free = r.client('192.0.2.11');
  await signUp(free, 'gus', 'gus@example.org');
  const taker = r.client('192.0.2.12');
  const held = await signUpWhileHeld(taker, 'dot2', 'dot@example.org');
  assert.equal(await welcomeOf(taker, 'dot@example.org'), await welcomeOf(free, 'gus@example.org'), 'the same welcome as for a free address');
  held.release();
  assert.match((await mailTo('dot@example.org')).subject ?? '', /Someone tried to use your address/);
});

test('a sign-up whose link the mail server refuses: the account exists, the refusal is logged at error level, settings offer the link again', async () => {
  r.sink.rejectRecipient('hal@example.org', 550, 'No such user here');
  const hal = r.client('192.0.2.24');
  const res = await signUp(hal, 'hal', 'hal@example.org');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/welcome');
  const line = await logs.next((l) => l.level === ERROR_LEVEL && /sign-up confirmation or notice\) could not be sent/.test(l.msg));
  assert.match(line.err?.message ?? '', /No such user here/);
  const settings = await hal.get('/settings');
  assert.match(settings.html, /hal@example.org <strong>\(not confirmed yet\)<\/strong>/);
  assert.match(settings.html, /Send the confirmation link again/);
});

test('past the owner\'s notices for the hour, a sign-up with its address sends nothing and answers the same (the last test: it stops the server)', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await signUp(r.client(`192.0.2.${20 + i}`), `eve${i}`, 'eve@example.org')).status, 303);
  await r.sink.arrival('eve@example.org', 2);
  const held = r.sink.hold('eve@example.org');
  const fourth = r.client('192.0.2.23');
  const res = await signUp(fourth, 'eve3', 'eve@example.org');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account/welcome');
  const free = r.client('192.0.2.25');
  assert.equal((await signUp(free, 'ivy', 'ivy@example.org')).status, 303);
  assert.equal(await welcomeOf(fourth, 'eve@example.org'), await welcomeOf(free, 'ivy@example.org'), 'the same welcome as for a free address');
  held.release();
  await r.server.close(); // the last test: a stop waits for every e-mail started after an answer
  assert.equal(r.sink.to('eve@example.org').length, 3, 'no fourth notice');
  assert.equal(r.sink.to('ivy@example.org').length, 1, 'while the free address got its link');
});
