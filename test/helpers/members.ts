/**
 * Many signed-in members for load and crash runs, made straight in the store a server uses (the
 * server sees them on its next request): each with a session cookie, its CSRF token and its own
 * client address (sent as X-Forwarded-For to a server with PAPERBOY_TRUST_PROXY=true, as behind a
 * load balancer, so per-address limits count per member as they would in production).
 */
import { createHmac } from 'node:crypto';
import { createSession } from '../../src/services/accounts.ts';
import { hashPassword } from '../../src/services/passwords.ts';
import type { Store } from '../../src/store/index.ts';
import { createUser } from '../../src/store/users.ts';

export interface Member {
  id: number;
  username: string;
  cookie: string;
  csrf: string;
  ip: string;
}

/** Makes `n` confirmed members named `${prefix}NNNN`; needs the server to have started once (it makes the CSRF secret). */
export async function makeMembers(store: Store, n: number, prefix = 'load'): Promise<Member[]> {
  const now = new Date().toISOString();
  const row = await store.db.selectFrom('instance_secrets').select('value').where('name', '=', 'csrf').executeTakeFirst();
  if (!row) throw new Error('members: start the server once first (it makes the CSRF secret)');
  const secret = row.value;
  const passwordHash = await hashPassword('a long enough password');
  const out: Member[] = [];
  for (let i = 0; i < n; i++) {
    const username = `${prefix}${String(i).padStart(4, '0')}`;
    const user = await createUser(store.db, { username, email: `${username}@example.org`, passwordHash, role: 'member', verified: true }, now);
    const { token } = await createSession({ store, now: () => Date.now() } as never, user);
    out.push({
      id: user.id, username, cookie: `pb_session=${token}`,
      csrf: createHmac('sha256', secret).update(`csrf:${token}`).digest('base64url'),
      ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    });
  }
  return out;
}
