/**
 * A password-reset request answers the same whether its e-mail left or not (a real SMTP server
 * that refuses a recipient, and one that is not there). Subscription e-mails the mail server does
 * not take are in subscribe-after-answer.test.ts: they go after the answer too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMember } from '../helpers/factories.ts';
import { startRunning, type Running } from '../helpers/running-site.ts';
import { freePort } from '../helpers/server-process.ts';

let r: Running;
before(async () => { r = await startRunning(); });
after(async () => r.close());

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

test('with the mail server down: a reset request answers as usual', async () => {
  const down = await startRunning({ PAPERBOY_SMTP_PORT: String(await freePort()) });
  try {
    await createMember(down.store, 'offline');
    const c = down.client('192.0.2.77');
    const forgot = await c.post('/account/forgot', { email: 'offline@example.org' }, { tokenPage: '/account/forgot' });
    assert.equal(forgot.status, 200);
  } finally {
    await down.close();
  }
});
