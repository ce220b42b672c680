/**
 * The subscribe form does not tell a stranger what an address gets: whether it has the alert
 * already, has a confirmation waiting, or has as many subscriptions as it may, the page says the
 * same, and the address's owner reads the difference in their inbox. Every such request counts
 * against the address's limit. A member's own confirmed address still gets the precise answer.
 * (A real server, real SMTP server.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SUBSCRIPTIONS_PER_ADDRESS, newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { makeMembers } from '../helpers/members.ts';
import { startRunning, type Running } from '../helpers/running-site.ts';
import type { WebClient } from '../helpers/web-client.ts';

let r: Running;
before(async () => { r = await startRunning(); });
after(async () => r.close());

const alert = (c: WebClient, email: string, query: string) =>
  c.post('/subscribe', { email, period: 'daily', kind: 'search', query }, { tokenPage: '/subscribe' });
const statusText = (html: string) => /<p class="success" role="status">([^<]*)<\/p>/.exec(html)?.[1] ?? `(no answer in ${html.slice(0, 200)})`;
const subjectsTo = async (email: string) => (await r.sink.parsed()).filter((m) => m.envelopeTo.includes(email)).map((m) => m.subject ?? '');

test('a stranger gets one answer whatever the address gets; the owner reads the rest in the inbox', async () => {
  await r.client('192.0.2.100').get('/about'); // the first request makes the instance's secrets
  const [alice] = await makeMembers(r.store, 1, 'alice');
  const own = r.client('192.0.2.101');
  own.cookies.set('pb_session', alice!.cookie.slice('pb_session='.length));
  const email = `${alice!.username}@example.org`;

  // Alice's own view of her own confirmed address stays precise.
  const first = await alert(own, email, 'transformers');
  assert.equal(first.status, 200);
  assert.equal(statusText(await first.text()), `Done: ${email} is subscribed.`);
  const twice = await alert(own, email, 'transformers');
  assert.equal(statusText(await twice.text()), `${email} gets this already.`);
  assert.deepEqual(await subjectsTo(email), [], 'subscribing her own address mails nothing');

  // A stranger asks for the alert she has, one she does not have, and that one again.
  const stranger = r.client('198.51.100.66');
  const pages: string[] = [];
  for (const query of ['transformers', 'diffusion', 'diffusion']) {
    const res = await alert(stranger, email, query);
    assert.equal(res.status, 200, query);
    pages.push(await res.text());
  }
  assert.match(statusText(pages[0]!), new RegExp(`^Check your inbox at ${email.replace('.', '\\.')}: `));
  assert.equal(pages[1], pages[0], 'a new alert: the same page as one she has');
  assert.equal(pages[2], pages[0], 'a confirmation already waiting: the same page');
  assert.doesNotMatch(statusText(pages[0]!), /gets this already|already subscribed|manage the subscription|a confirmation link to/i);

  // Her inbox says what happened: a note for the one she has, one confirmation (the second request
  // was within the cool-down, so nothing more was sent). The e-mails leave after the answers.
  await r.sink.arrival(email, 1);
  const subjects = (await subjectsTo(email)).sort();
  assert.equal(subjects.length, 2, subjects.join(' | '));
  assert.match(subjects[0]!, /Confirm your subscription/);
  assert.match(subjects[1]!, /You already get this/);

  // Each of the three requests counted against her address, the one that sent nothing too: a
  // fourth is refused, whoever asks and whatever for.
  const fourth = await alert(r.client('198.51.100.67'), email, 'graphs');
  assert.equal(fourth.status, 429);
  assert.equal((await subjectsTo(email)).length, 2);
});

test('an address with as many subscriptions as it may: the same answer, the reason goes to the address', async () => {
  const email = 'full@example.org';
  const db = digestDb(r.store.db);
  for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_ADDRESS; i++) {
    await insertSubscription(db, { email, userId: null, period: 'daily', kind: 'search', query: `topic${i}`, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  }
  const stranger = r.client('198.51.100.68');
  const full = await alert(stranger, email, 'something new');
  assert.equal(full.status, 200);
  const fresh = await alert(stranger, 'fresh@example.org', 'something new');
  assert.equal(statusText(await full.text()), statusText(await fresh.text()).replace('fresh@example.org', email));
  await r.sink.arrival(email);
  const [note] = (await r.sink.parsed()).filter((m) => m.envelopeTo.includes(email));
  assert.match(note!.subject ?? '', /Nothing added/);
  assert.match(note!.text ?? '', new RegExp(`already has ${MAX_SUBSCRIPTIONS_PER_ADDRESS} subscriptions`));
  assert.equal((await db.selectFrom('subscriptions').select('id').where('email', '=', email).execute()).length, MAX_SUBSCRIPTIONS_PER_ADDRESS);
});
