/**
 * Whose subscription is it: a member who subscribes someone else's address does not get to see,
 * change or cancel it once that person confirmed it (web settings and API alike), and deleting the
 * member's account leaves it alone. The member's own subscriptions stay theirs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiToken } from '../../src/services/open-data-tokens.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { findUserByName } from '../../src/store/users.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { linksInOutbox, memberSession, WebClient } from '../helpers/web-client.ts';

const rowOf = async (store: Awaited<ReturnType<typeof testApp>>['store'], email: string) =>
  digestDb(store.db).selectFrom('subscriptions').selectAll().where('email', '=', email).executeTakeFirst();

test('a member who subscribes another address cannot list, change or cancel it, on the web or the API; deleting the account keeps it', async () => {
  const { app, store, outboxDir } = await testApp(undefined, { now: () => Date.now() });
  await seedSmallCorpus(store);
  const erin = await memberSession(app, outboxDir, 'erin');
  const res = await erin.post('/subscribe', { email: 'henry@example.org', kind: 'search', query: 'diffusion', period: 'daily' }, { tokenPage: '/subscribe' });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /Check your inbox at henry@example.org/);
  // Henry confirms.
  const link = (await linksInOutbox(outboxDir, 'henry@example.org')).find((l) => l.includes('/subscribe/confirm'))!;
  const henry = new WebClient(app, '192.0.2.90');
  const token = new URL(link).searchParams.get('token')!;
  assert.equal((await henry.post('/subscribe/confirm', { token }, { tokenPage: new URL(link).pathname + new URL(link).search })).status, 200);
  const henrys = (await rowOf(store, 'henry@example.org'))!;
  assert.ok(henrys.confirmed_at);
  assert.equal(henrys.user_id, null, 'not linked to the member who typed the address');

  // Erin's own subscription, and an older row linked to her account for a third address.
  assert.equal((await erin.post('/settings/digests', { kind: 'trending', period: 'daily' }, { tokenPage: '/settings/digests' })).status, 303);
  const erinUser = (await findUserByName(store.db, 'erin'))!;
  const ivan = await insertSubscription(digestDb(store.db), { email: 'ivan@example.org', userId: erinUser.id, period: 'weekly', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, new Date().toISOString());

  const page = (await erin.get('/settings/digests')).html;
  assert.match(page, /the daily digest of trending papers to erin@example.org/);
  assert.doesNotMatch(page, /henry@example.org|ivan@example.org/);
  for (const id of [henrys.id, ivan.id]) {
    const change = await erin.post(`/settings/digests/${id}`, { action: 'update', period: 'weekly', query: 'cheap watches' }, { tokenPage: '/settings/digests' });
    assert.equal(change.status, 404, `settings: ${id} is not hers`);
    assert.equal((await erin.post(`/settings/digests/${id}`, { action: 'unsubscribe' }, { tokenPage: '/settings/digests' })).status, 404);
  }
  const { token: bearer } = await createApiToken({ store, now: () => Date.now() }, erinUser, { name: 'script', scope: 'write' });
  const api = (method: string, p: string, body?: unknown) => app.request(p, {
    method, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.91' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const listed = await (await api('GET', '/api/v1/me/subscriptions')).json() as { subscriptions: { id: number }[] };
  assert.equal(listed.subscriptions.length, 1, 'only her own');
  for (const id of [henrys.id, ivan.id]) {
    assert.equal((await api('PATCH', `/api/v1/me/subscriptions/${id}`, { period: 'weekly', query: 'cheap watches' })).status, 404);
    assert.equal((await api('DELETE', `/api/v1/me/subscriptions/${id}`)).status, 404);
  }
  const still = (await rowOf(store, 'henry@example.org'))!;
  assert.equal(still.query, 'diffusion');
  assert.equal(still.period, 'daily');
  assert.equal(still.unsubscribed_at, null);

  // Erin deletes her account: her own subscription goes, henry's and ivan's stay, active.
  const del = await erin.post('/settings/delete', { current: 'a long enough password', confirm: 'erin' }, { tokenPage: '/settings' });
  assert.ok(del.status === 303 || del.status === 200, `delete: ${del.status}`);
  assert.equal(await findUserByName(store.db, 'erin'), null);
  assert.equal(await rowOf(store, 'erin@example.org'), undefined);
  for (const email of ['henry@example.org', 'ivan@example.org']) {
    const row = await rowOf(store, email);
    assert.ok(row && row.confirmed_at && !row.unsubscribed_at, `${email} keeps its subscription`);
    assert.equal(row.user_id, null);
  }
});
