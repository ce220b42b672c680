/**
 * The shared admin password (PAPERBOY_ADMIN_PASSWORD, HTTP Basic), for an instance without an
 * active admin account yet. Like sign-in, attempts are counted per client address before the
 * password is checked (so guesses sent side by side count too) and a right one is taken back: past
 * the limit the answer is a 429 with Retry-After, for the right password as well, until the window ends.
 * A request without credentials (a browser's first visit, which brings up its password prompt) is
 * not an attempt and is not counted.
 */
import type { MiddlewareHandler } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import type { Store } from '../store/index.ts';
import { forgive, limit } from '../services/rate-limits.ts';
import { clientIp, type AppEnv } from './auth.ts';

export function adminPasswordGuard(opts: { store: Store; password: string; trustProxy: number; now: () => number }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const ip = clientIp(c, opts.trustProxy);
    const attempt = c.req.header('authorization') !== undefined;
    if (attempt) await limit(opts.store, 'adminPasswordIp', ip, opts.now()); // a 429 UserError past the limit
    return basicAuth({
      username: 'admin', password: opts.password, realm: 'Paperboy admin',
      onAuthSuccess: async () => { await forgive(opts.store, 'adminPasswordIp', ip, opts.now()); },
    })(c, next);
  };
}
