/**
 * The forms whose answer must not tell whether an address has an account answer before their
 * mail goes out (a real server, over HTTP, with a real SMTP server that holds each message
 * unanswered): a reset for an address with an account, a change of address (the link and the
 * notice to the old address), and a change to an address another account has confirmed (the
 * notice to its owner). Were the answer to wait for the mail server, it would come only after the
 * server let the message through, and so after the message is in the sink.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { linksIn, startRunning, type Running } from '../digest/support.ts';

/** How long the sink holds a message when nobody lets it through: only so that a request waiting on it is not stuck for good. */
const GIVE_UP_MS = 15_000;
const PASSWORD = 'a long enough password';

let r: Running;
before(async () => {
  r = await startRunning();
  for (const name of ['ann', 'ben', 'cyd']) {
    await createAccount({ store: r.store, now: () => Date.now() }, { username: name, email: `${name}@example.org`, password: PASSWORD, role: 'member' });
  }
});
after(async () => r.close());

async function mailTo(address: string) {
  await r.sink.arrival(address);
  return (await r.sink.parsed()).filter((m) => m.envelopeTo.includes(address)).at(-1)!;
}

test('a reset answers before its mail is sent, as fast as for an address without an account', async () => {
  const held = r.sink.hold('ann@example.org', GIVE_UP_MS);
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
  const heldNew = r.sink.hold('ben.new@example.org', GIVE_UP_MS);
  const heldOld = r.sink.hold('ben@example.org', GIVE_UP_MS);
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
  const held = r.sink.hold('cyd@example.org', GIVE_UP_MS);
  const ann = r.client('192.0.2.3');
  assert.equal((await ann.post('/signin', { login: 'ann', password: PASSWORD }, { tokenPage: '/signin' })).status, 303);
  const res = await ann.post('/settings/email', { current: PASSWORD, email: 'cyd@example.org' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/settings?notice=email', 'the same answer as for a free address');
  assert.equal(r.sink.to('cyd@example.org').length, 0, 'answered before the notice was taken');
  held.release();
  assert.match((await mailTo('cyd@example.org')).subject ?? '', /Someone tried to use your address/);
});
