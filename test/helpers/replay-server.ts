/**
 * A real HTTP server on 127.0.0.1 that replays recorded responses by route (path + query) and
 * injects faults per request: an HTTP status with Retry-After, a dropped connection, a
 * truncated body, malformed XML, a slow response, an HTML error page. It records every request
 * (method, url, headers, time on the injected clock) so tests can assert rate limits and headers.
 *
 * @example
 * const server = await startReplayServer({ clock, routes: [{ path: '/api/query', body: xml }] });
 * server.injectFault({ kind: 'status', status: 503, retryAfter: '7' });
 * // ... run the client against server.url ...
 * await server.close();
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A recorded response served for matching requests. */
export interface ReplayRoute {
  /** Default GET. */
  method?: string;
  /** URL path, e.g. `/oai`. */
  path: string;
  /**
   * Query parameters the request must have, all and only these (order-insensitive, values
   * decoded). Omit to match any query.
   */
  query?: Record<string, string>;
  /** Default 200. */
  status?: number;
  /** Default `content-type: application/xml; charset=utf-8`. */
  headers?: Record<string, string>;
  body: string | Buffer;
}

/** A fault applied to the next request that matches (then used up). */
export type Fault =
  /** Answer with this status (and Retry-After, a seconds count or an HTTP date) instead of the route. */
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  /** Send headers and the first `afterBytes` of the body (default half), then destroy the socket. */
  | { kind: 'drop'; afterBytes?: number }
  /** Send only the first `keepBytes` of the body (default half) as a complete response. */
  | { kind: 'truncate'; keepBytes?: number }
  /** Send the route's body with its first closing tag misspelt, so it is not well-formed. */
  | { kind: 'malformed' }
  /** Wait `delayMs` of real time before answering (the client's timeout may fire first). */
  | { kind: 'slow'; delayMs: number }
  /** Answer with an HTML error page (status default 200, as a misconfigured proxy does). */
  | { kind: 'html'; status?: number };

/** Which requests a fault applies to; omit to apply to the next request of any kind. */
export interface FaultMatch {
  path?: string;
  query?: Record<string, string>;
}

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** `clock.now()` when the request arrived. */
  at: number;
  /** The fault applied to it, if any. */
  fault: Fault['kind'] | null;
}

export interface ReplayServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  addRoute(route: ReplayRoute): void;
  injectFault(fault: Fault, match?: FaultMatch): void;
  /** Faults injected but not yet used. */
  pendingFaults(): number;
  /** Drops the faults not yet used: later requests are answered plainly. */
  clearFaults(): void;
  /** Most requests that were open at the same time (1 for a client that serialises). */
  maxInFlight(): number;
  close(): Promise<void>;
}

export interface ReplayServerOptions {
  routes?: ReplayRoute[];
  /** Stamps recorded requests; the tests' fake clock. Default `Date`. */
  clock?: { now(): number };
}

const HTML_ERROR_PAGE = `<!DOCTYPE html>
<html lang="en"><head><title>503 Service Temporarily Unavailable</title></head>
<body><h1>Service Temporarily Unavailable</h1><p>arXiv is undergoing maintenance.</p></body></html>
`;

/** Starts a replay server on an ephemeral port of 127.0.0.1. */
export async function startReplayServer(options: ReplayServerOptions = {}): Promise<ReplayServer> {
  const routes: ReplayRoute[] = [...(options.routes ?? [])];
  const faults: { fault: Fault; match: FaultMatch | undefined }[] = [];
  const requests: RecordedRequest[] = [];
  const clock = options.clock ?? Date;
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let maxInFlight = 0;

  const server = http.createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(parsed.searchParams);
    const method = req.method ?? 'GET';
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const faultIndex = faults.findIndex((f) => matches(f.match, parsed.pathname, query));
    const fault = faultIndex >= 0 ? faults.splice(faultIndex, 1)[0]!.fault : null;
    requests.push({
      method,
      url: req.url ?? '/',
      path: parsed.pathname,
      query,
      headers: req.headers,
      at: clock.now(),
      fault: fault?.kind ?? null,
    });

    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      res.writeHead(fault.status, headers).end(fault.body ?? `${fault.status} injected`);
      return;
    }
    if (fault?.kind === 'html') {
      res.writeHead(fault.status ?? 200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML_ERROR_PAGE);
      return;
    }
    const route = routes.find(
      (r) =>
        (r.method ?? 'GET') === method &&
        r.path === parsed.pathname &&
        (r.query === undefined || sameQuery(r.query, query)),
    );
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`no route for ${method} ${req.url}`);
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/xml; charset=utf-8', ...route.headers };
    const etag = headerValue(headers, 'etag');
    const lastModified = headerValue(headers, 'last-modified');
    const fresh = etag
      ? req.headers['if-none-match'] === etag
      : lastModified !== undefined && req.headers['if-modified-since'] === lastModified;
    if (fresh) {
      const validators: Record<string, string> = {};
      if (etag) validators.etag = etag;
      if (lastModified) validators['last-modified'] = lastModified;
      res.writeHead(304, validators).end();
      return;
    }
    const body = Buffer.isBuffer(route.body) ? route.body : Buffer.from(route.body, 'utf8');
    const status = route.status ?? 200;

    switch (fault?.kind) {
      case 'drop': {
        const n = fault.afterBytes ?? Math.floor(body.length / 2);
        res.writeHead(status, { ...headers, 'content-length': String(body.length) });
        res.write(body.subarray(0, n), () => res.socket?.destroy());
        return;
      }
      case 'truncate': {
        const cut = body.subarray(0, fault.keepBytes ?? Math.floor(body.length / 2));
        res.writeHead(status, { ...headers, 'content-length': String(cut.length) }).end(cut);
        return;
      }
      case 'malformed': {
        const broken = body.toString('utf8').replace(/<\/([A-Za-z][\w:.-]*)>/, '</$1-broken>');
        res.writeHead(status, headers).end(broken);
        return;
      }
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) res.writeHead(status, headers).end(body);
        }, fault.delayMs);
        timers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
        return;
      }
      default:
        res.writeHead(status, { ...headers, 'content-length': String(body.length) }).end(body);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    addRoute: (route) => routes.push(route),
    injectFault: (fault, match) => faults.push({ fault, match }),
    pendingFaults: () => faults.length,
    clearFaults: () => { faults.length = 0; },
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function matches(match: FaultMatch | undefined, path: string, query: Record<string, string>): boolean {
  if (!match) return true;
  if (match.path !== undefined && match.path !== path) return false;
  return match.query === undefined || sameQuery(match.query, query);
}

function sameQuery(want: Record<string, string>, got: Record<string, string>): boolean {
  const keys = Object.keys(want);
  return keys.length === Object.keys(got).length && keys.every((k) => got[k] === want[k]);
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}
