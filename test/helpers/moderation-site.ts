/**
 * The site the moderation-list tests share: a running server on a small corpus, with an admin
 * (ADMIN) and two members, ada and bob, each signed in from an address of their own.
 */
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { seedSmallCorpus } from './app.ts';
import type { WebClient } from './web-client.ts';
import { startRunning, type Running } from './running-site.ts';

export const ADMIN = { username: 'boss', password: 'admin password 123' };

export async function moderationSite(): Promise<{ r: Running; admin: WebClient; ada: WebClient }> {
  const r = await startRunning();
  const account = async (username: string, role: 'member' | 'admin', password: string, ip: string): Promise<WebClient> => {
    await createAccount({ store: r.store, now: () => Date.now() }, { username, password, email: `${username}@example.org`, role });
    const c = r.client(ip);
    assert.equal((await c.post('/signin', { login: username, password })).status, 303);
    return c;
  };
  await seedSmallCorpus(r.store);
  const admin = await account(ADMIN.username, 'admin', ADMIN.password, '192.0.2.90');
  const ada = await account('ada', 'member', 'a long enough password', '192.0.2.91');
  await account('bob', 'member', 'a long enough password', '192.0.2.92');
  return { r, admin, ada };
}
