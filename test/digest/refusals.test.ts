/**
 * Subscription e-mails the mail server does not take (a real SMTP server that refuses some
 * recipients, and one that is not there): the visitor gets a clear 422 or 503, no confirmation is
 * left waiting, and the next request does not claim that a link was sent. A password-reset request
 * answers the same whether its e-mail left or not.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { createMember } from '../helpers/factories.ts';
import { freePort, linksIn, pathOf, startRunning, type Running } from './support.ts';
import type { WebClient } from '../helpers/web-client.ts';

let r: Running;
before(async () => { r = await startRunning(); });
after(async () => r.close());

/** The subscribe box as a page posts it: same origin, no token. */
const box = (c: WebClient, base: string, email: string) => c.request('/subscribe', {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
  body: new URLSearchParams({ email, period: 'daily', kind: 'trending' }).toString(),
});
const rowsOf = async (running: Running, email: string) => digestDb(running.store.db).selectFrom('subscriptions').selectAll().where('email', '=', email).execute();

test('an address the mail server refuses (5xx): 422 saying so, no waiting confirmation, the same answer again', async () => {
  r.sink.rejectRecipient('bounce1@example.org', 550, 'No such user here');
  const c = r.client('192.0.2.70');
  for (let i = 0; i < 2; i++) {
    const res = await box(c, r.config.baseUrl, 'bounce1@example.org');
    assert.equal(res.status, 422, `attempt ${i + 1}`);
    const html = await res.text();
    assert.match(html, /the mail server refused bounce1@example.org/);
    assert.doesNotMatch(html, /confirmation link was sent|sent a confirmation link/);
    assert.deepEqual(await rowsOf(r, 'bounce1@example.org'), [], 'nothing waits for a confirmation nobody got');
  }
  // Already subscribed, and the note saying so is refused: the same 422.
  await insertSubscription(digestDb(r.store.db), { email: 'gone@example.org', userId: null, period: 'daily', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  r.sink.rejectRecipient('gone@example.org', 550, 'Mailbox closed');
  const again = await box(r.client('192.0.2.71'), r.config.baseUrl, 'gone@example.org');
  assert.equal(again.status, 422);
  assert.match(await again.text(), /the mail server refused gone@example.org/);
});

test('a temporary refusal (4xx): 503 with Retry-After; a renewed request can be mailed again at once, its old link is void', async () => {
  const c = r.client('192.0.2.72');
  assert.equal((await box(c, r.config.baseUrl, 'renew@example.org')).status, 200);
  const first = (await r.sink.parsed()).filter((m) => m.envelopeTo.includes('renew@example.org'));
  assert.equal(first.length, 1);
  const oldLink = linksIn(first[0]!.text ?? '').find((l) => l.includes('/subscribe/confirm'))!;
  // After the cool-down, the mail server answers 451 for this address.
  await digestDb(r.store.db).updateTable('subscriptions').set({ confirm_sent_at: new Date(Date.now() - 11 * 60_000).toISOString() }).where('email', '=', 'renew@example.org').execute();
  r.sink.rejectRecipient('renew@example.org', 451, 'Greylisted, try later');
  for (let i = 0; i < 2; i++) {
    const res = await box(c, r.config.baseUrl, 'renew@example.org');
    assert.equal(res.status, 503, `attempt ${i + 1}`);
    assert.equal(res.headers.get('retry-after'), '60');
    const html = await res.text();
    assert.match(html, /could not be sent just now/);
    assert.doesNotMatch(html, /a few minutes ago/);
  }
  const [row] = await rowsOf(r, 'renew@example.org');
  assert.equal(row!.confirm_sent_at, null, 'no link is on its way');
  assert.equal((await c.get(pathOf(oldLink))).res.status, 400, 'the renewed request voided the old link');

  // A fresh address refused with 4xx: nothing is left waiting.
  r.sink.rejectRecipient('later@example.org', 421, 'Too busy');
  assert.equal((await box(r.client('192.0.2.73'), r.config.baseUrl, 'later@example.org')).status, 503);
  assert.deepEqual(await rowsOf(r, 'later@example.org'), []);
});

test('a refused password-reset e-mail answers like an unknown address', async () => {
  await createMember(r.store, 'bouncer');
  r.sink.rejectRecipient('bouncer@example.org', 550, 'No such user here');
  const answers = [];
  for (const email of ['bouncer@example.org', 'nobody-here@example.org']) {
    const c = r.client(email.startsWith('b') ? '192.0.2.74' : '192.0.2.75');
    const res = await c.post('/account/forgot', { email }, { tokenPage: '/account/forgot' });
    answers.push({ status: res.status, body: (await res.text()).replace(/name="_csrf" value="[^"]+"|content="[^"]+"/g, '') });
  }
  assert.equal(answers[0]!.status, 200);
  assert.deepEqual(answers[0], answers[1]);
});

test('with the mail server down: 503 with Retry-After and no waiting row; a reset request answers as usual', async () => {
  const down = await startRunning({ PAPERBOY_SMTP_PORT: String(await freePort()) });
  try {
    // More tries than the address's daily allowance of e-mails (3): none reached it, none counts.
    for (let i = 0; i < 5; i++) {
      const res = await box(down.client('192.0.2.76'), down.config.baseUrl, 'someone@example.org');
      assert.equal(res.status, 503, `attempt ${i + 1}`);
      assert.equal(res.headers.get('retry-after'), '60');
      assert.match(await res.text(), /could not be sent just now/);
      assert.deepEqual(await rowsOf(down, 'someone@example.org'), []);
    }
    await createMember(down.store, 'offline');
    const c = down.client('192.0.2.77');
    const forgot = await c.post('/account/forgot', { email: 'offline@example.org' }, { tokenPage: '/account/forgot' });
    assert.equal(forgot.status, 200);
  } finally {
    await down.close();
  }
});
