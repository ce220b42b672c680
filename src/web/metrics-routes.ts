/**
 * Request metrics (a middleware that wraps every request) and the /metrics endpoint.
 *
 * Who may read /metrics: with a metrics token configured, whoever sends it as a bearer token;
 * without one, only a client on this machine that is not relayed by a proxy (a loopback socket
 * and no X-Forwarded-For / Forwarded / X-Real-IP header, because a reverse proxy on the same
 * machine connects from loopback on behalf of anyone).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context, Env, Hono, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { collectProcessMetrics, httpDuration, httpInFlight, httpRequests, methodLabel, renderMetrics } from '../metrics.ts';

/** The route label of a request: the pattern of the route that answers it, or `unmatched`. */
export function routeLabel(c: Context): string {
  let routes;
  try {
    routes = matchedRoutes(c);
  } catch {
    return 'unmatched';
  }
  // Middleware registered with use('*') or use('/admin/*') is not the route; the first handler route is.
  const route = routes.find((r) => !(r.method === 'ALL' && r.path.endsWith('*')));
  return route?.path ?? 'unmatched';
}

/** Counts and times every request by method, route pattern and status. Register first. */
export function requestMetrics(): MiddlewareHandler {
  // Label children by key: looking them up by label object on every request costs more than the rest.
  const timers = new Map<string, { observe(v: number): void }>();
  const counters = new Map<string, { inc(): void }>();
  return async (c, next) => {
    const started = performance.now();
    httpInFlight.inc();
    try {
      await next();
    } finally {
      httpInFlight.dec();
      const method = methodLabel(c.req.method);
      const route = routeLabel(c);
      const status = String(c.res?.status ?? 500);
      const key = `${method} ${route}`;
      let timer = timers.get(key);
      if (!timer) timers.set(key, timer = httpDuration.labels(method, route));
      timer.observe((performance.now() - started) / 1000);
      let counter = counters.get(`${key} ${status}`);
      if (!counter) counters.set(`${key} ${status}`, counter = httpRequests.labels(method, route, status));
      counter.inc();
    }
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** Mounts GET /metrics (Prometheus text format) with the access rule described above. */
export function mountMetrics<E extends Env>(app: Hono<E>, opts: { token: string | null }): void {
  collectProcessMetrics();
  app.get('/metrics', async (c) => {
    c.header('Cache-Control', 'no-store');
    if (opts.token) {
      const auth = c.req.header('authorization') ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(auth);
      if (!m || !sameSecret(m[1]!.trim(), opts.token)) {
        c.header('WWW-Authenticate', 'Bearer realm="metrics"');
        return c.text('metrics: send the metrics token as "Authorization: Bearer TOKEN"\n', 401);
      }
    } else {
      const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
      const remote = env?.incoming?.socket?.remoteAddress ?? '';
      const proxied = PROXY_HEADERS.some((h) => c.req.header(h) !== undefined);
      if (!LOOPBACK.test(remote) || proxied) {
        return c.text('metrics: only served to this machine; set PAPERBOY_METRICS_TOKEN to scrape from elsewhere\n', 403);
      }
    }
    const { contentType, body } = await renderMetrics();
    return c.body(body, 200, { 'Content-Type': contentType });
  });
}
