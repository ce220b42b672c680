/**
 * Rate limits on the public pages a bot can make expensive: search runs a ranked query over the
 * whole corpus on every request (tens of milliseconds of CPU each), so one address may not ask
 * faster than a person types. Counted in the database like the other limits, so every app
 * process shares them. The JSON API has its own limits (api/http.ts).
 */
import type { MiddlewareHandler } from 'hono';
import { limit, type RuleName } from '../services/rate-limits.ts';
import type { Store } from '../store/index.ts';
import { clientIp, type AppEnv } from './auth.ts';

/** Counts each GET under `path` against `rule` for the client's address. */
export function perAddress(store: Store, rule: RuleName, trustProxy: number, now: () => number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') await limit(store, rule, clientIp(c, trustProxy), now());
    return next();
  };
}
