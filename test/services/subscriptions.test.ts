/**
 * Subscribing, confirming and resubscribing at the same moment from two app processes (one
 * PostgreSQL database): an address never ends up with two active subscriptions asking for the same
 * digest, so nobody gets the same e-mail twice a period.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outboxMailer } from '../../src/mail/mailer.ts';
import { signToken } from '../../src/mail/tokens.ts';
import {
  changeMemberSubscription, confirmSubscription, linkKey, manageByToken, newNonce, subscribe, type SubscriptionDeps,
} from '../../src/services/subscriptions.ts';
import type { Store } from '../../src/store/index.ts';
import { digestDb, findPendingSubscription, insertSubscription, listActiveSubscriptionsByEmail, markUnsubscribed } from '../../src/store/subscriptions.ts';
import { createMember } from '../helpers/factories.ts';
import { FIXED_NOW, tempDir, tempStore } from '../helpers/store.ts';

const ROUNDS = 20;
const trending = { period: 'daily', kind: 'trending', query: undefined } as const;

function depsOf(store: Store): SubscriptionDeps {
  return { store, mailer: outboxMailer(tempDir(), 'Paperboy <digests@paperboy.test>'), baseUrl: 'http://localhost', siteName: 'Paperboy', now: () => Date.parse(FIXED_NOW) };
}

async function activeTrending(store: Store, email: string) {
  return (await listActiveSubscriptionsByEmail(digestDb(store.db), email)).filter((s) => s.kind === 'trending');
}

test('a member who subscribes three times at once gets one digest, and is told the others were already there', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  for (let round = 0; round < ROUNDS; round++) {
    const user = await createMember(store, `ada${round}`);
    const results = await Promise.all([1, 2, 3].map((k) => subscribe(deps, { email: undefined, ...trending, ip: `10.0.${round}.${k}`, member: user })));
    assert.equal((await activeTrending(store, user.email!)).length, 1, `round ${round}: one active trending digest`);
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['already-subscribed', 'already-subscribed', 'subscribed'], `round ${round}`);
  }
});

test('confirming an e-mailed link while subscribing from account settings leaves one digest', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  const key = await linkKey(store);
  for (let round = 0; round < ROUNDS; round++) {
    const user = await createMember(store, `bea${round}`);
    const asked = await subscribe(deps, { email: user.email, ...trending, ip: `10.1.${round}.1` });
    assert.deepEqual([asked.outcome, asked.subscription], ['check-inbox', null], 'asked without signing in: the answer is in the inbox');
    const pending = (await findPendingSubscription(digestDb(store.db), user.email!))!;
    const token = signToken(key, 'confirm', pending.id, pending.tokenNonce, Date.parse(FIXED_NOW) + 3_600_000);
    await Promise.all([
      confirmSubscription(deps, token),
      subscribe(deps, { email: undefined, ...trending, ip: `10.1.${round}.2`, member: user }),
    ]);
    assert.equal((await activeTrending(store, user.email!)).length, 1, `round ${round}: one active trending digest`);
  }
});

test('resubscribing two cancelled subscriptions to the same digest at once leaves one', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  const db = digestDb(store.db);
  const key = await linkKey(store);
  for (let round = 0; round < ROUNDS; round++) {
    const user = await createMember(store, `cy${round}`);
    const ids: number[] = [];
    const nonces: string[] = [];
    for (const period of ['daily', 'weekly'] as const) {
      const s = await insertSubscription(db, { email: user.email!, userId: user.id, period, kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, FIXED_NOW);
      await markUnsubscribed(db, s.id, FIXED_NOW);
      ids.push(s.id);
      nonces.push(s.tokenNonce);
    }
    const tokens = ids.map((id, i) => signToken(key, 'manage', id, nonces[i]!));
    await Promise.all(tokens.map((token) => manageByToken(deps, token, { action: 'resubscribe', period: undefined, query: undefined })));
    assert.equal((await activeTrending(store, user.email!)).length, 1, `round ${round}: one active trending digest`);
  }
});

test('an alert changed to ask what another alert asks replaces it: one e-mail a period, not two', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  const user = await createMember(store, 'grace');
  const alert = (query: string) => subscribe(deps, { email: undefined, period: 'daily', kind: 'search', query, ip: '10.1.0.1', member: user });
  const first = (await alert('sparse attention')).subscription!;
  const second = (await alert('state space models')).subscription!;
  const changed = await changeMemberSubscription(deps, user, String(second.id), { action: 'update', period: 'weekly', query: 'sparse attention' });
  assert.equal(changed.query, 'sparse attention');
  const active = (await listActiveSubscriptionsByEmail(digestDb(store.db), user.email!)).filter((s) => s.kind === 'search');
  assert.deepEqual(active.map((s) => [s.id, s.query, s.period]), [[second.id, 'sparse attention', 'weekly']], 'the changed alert is the one left');
  assert.notEqual(first.id, second.id);
});
