/**
 * The admin digest page's site, shared by its HTTP tests (admin-page.test.ts) and its Chromium
 * check (admin-page-browser.test.ts): a running server, subscriptions of every kind (one address
 * bounced), and an admin signed in over HTTP.
 */
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription, markAddressBounced, type SubscriptionKind } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { createMember } from '../helpers/factories.ts';
import type { WebClient } from '../helpers/web-client.ts';
import { startRunning, type Running } from '../helpers/running-site.ts';

export const ADMIN = { username: 'boss', password: 'admin password 123' };
export const MAILTO = 'leave@paperboy.test';

export async function startAdminDigestSite(): Promise<{ r: Running; admin: WebClient }> {
  // No PAPERBOY_MAIL_FROM: the default sender is the one to compare.
  const r = await startRunning({ PAPERBOY_MAIL_FROM: undefined, PAPERBOY_UNSUBSCRIBE_MAILTO: MAILTO } as unknown as Record<string, string>);
  await seedSmallCorpus(r.store);
  const db = digestDb(r.store.db);
  const add = (email: string, kind: SubscriptionKind, userId: number | null = null, query: string | null = null) =>
    insertSubscription(db, { email, userId, period: 'daily', kind, query, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  await add('reader@example.org', 'trending');
  await add('alerts@example.org', 'search', null, 'attention');
  await add('other-alerts@example.org', 'search', null, 'diffusion');
  const member = await createMember(r.store, 'picky');
  await add('picky@example.org', 'for-you', member.id);
  await add('gone@example.org', 'trending');
  await markAddressBounced(db, 'gone@example.org', '550 5.1.1 No such user here, and a long explanation of why that keeps going on and on', new Date().toISOString());
  await createAccount({ store: r.store, now: () => Date.now() }, { ...ADMIN, email: 'boss@example.org', role: 'admin' });
  const admin = r.client('192.0.2.80');
  assert.equal((await admin.post('/signin', { login: ADMIN.username, password: ADMIN.password })).status, 303);
  return { r, admin };
}
