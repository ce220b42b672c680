/**
 * HTTP plumbing shared by the JSON APIs, the feeds and the MCP endpoint: JSON errors, Bearer
 * tokens, rate limits with RateLimit headers, and conditional GET (ETag / Last-Modified, 304).
 */
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { UserError } from '../../services/errors.ts';
import { NotFoundError } from '../../services/feed.ts';
import { authenticateToken, TOKEN_PREFIX, type TokenDeps } from '../../services/open-data-tokens.ts';
import type { ApiToken } from '../../store/api-tokens.ts';
import { hitRateLimit, pruneRateLimits } from '../../store/users.ts';
import type { User } from '../../store/users.ts';
import type { AppEnv } from '../auth.ts';
import { storeFault, STORE_FAULT_RETRY_SECONDS, type StoreFault } from '../store-faults.ts';

export type ApiEnv = {
  Variables: AppEnv['Variables'] & {
    /** The member a valid Bearer token belongs to; null without a token. Cookies never count here. */
    apiUser: User | null;
    apiToken: ApiToken | null;
    /**
     * A credential that is not Paperboy's, ignored where no token is needed: `bearer` (a Bearer
     * value without the pbt_ prefix, such as a Hugging Face token) or `scheme` (Basic, say).
     */
    foreignCredential: 'bearer' | 'scheme' | null;
  };
};

/** An error answered as `{"error": message}` with its status. */
export class ApiError extends Error {
  constructor(readonly status: ContentfulStatusCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** The JSON answer to any error thrown under the API: a clear message, never a stack trace. */
export function jsonError(err: Error, c: Context, log: (err: Error, path: string, fault: StoreFault | null) => void): Response {
  if (err instanceof ApiError) return c.json({ error: err.message }, err.status, err.headers);
  if (err instanceof UserError) {
    const headers: Record<string, string> = err.retryAfterSeconds ? { 'Retry-After': String(err.retryAfterSeconds) } : {};
    if (err.status === 401) Object.assign(headers, bearerChallenge('invalid_token'));
    return c.json({ error: err.message }, err.status, headers);
  }
  if (err instanceof NotFoundError) return c.json({ error: `There is no such page: ${err.message}.` }, 404);
  const fault = storeFault(err, { reading: c.req.method === 'GET' || c.req.method === 'HEAD' });
  log(err, c.req.path, fault);
  if (fault) return c.json({ error: fault.message }, fault.status, fault.status === 503 ? { 'Retry-After': String(STORE_FAULT_RETRY_SECONDS) } : {});
  return c.json({ error: 'The server could not answer this request. It has been logged; please try again.' }, 500);
}

// --- Rate limits -------------------------------------------------------------------------------

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/**
 * Requests per minute. Anonymous callers are counted per IP address: enough for a script paging
 * through a month of lists, low enough that one client cannot crowd out the rest. A token is
 * counted per token, with more room, since it names who to ask to slow down.
 */
export const API_RATE_LIMITS = {
  anonymous: { limit: 120, windowSeconds: 60 },
  token: { limit: 600, windowSeconds: 60 },
} satisfies Record<string, RateLimitRule>;

/**
 * Counts one request against `key` (shared by every app process through the store) and sets the
 * RateLimit headers; throws a 429 ApiError with Retry-After past the limit.
 */
export async function countRequest(c: Context, deps: TokenDeps, key: string, rule: RateLimitRule): Promise<void> {
  const now = deps.now();
  const { count, resetAtMs } = await hitRateLimit(deps.store.db, key, rule.windowSeconds, now);
  const reset = Math.max(1, Math.ceil((resetAtMs - now) / 1000));
  const headers = {
    'RateLimit-Limit': String(rule.limit),
    'RateLimit-Remaining': String(Math.max(0, rule.limit - count)),
    'RateLimit-Reset': String(reset),
    'RateLimit-Policy': `${rule.limit};w=${rule.windowSeconds}`,
  };
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  if (count > rule.limit) {
    throw new ApiError(429, `Too many requests: at most ${rule.limit} a minute ${key.startsWith('api:token:') ? 'per token' : 'from one network address'}. Try again in ${reset} s.`, { ...headers, 'Retry-After': String(reset) });
  }
}

/** How often a process deletes ended rate-limit windows, in ms: the API adds a row per client a minute. */
const PRUNE_EVERY_MS = 10 * 60 * 1000;
/** Windows that started longer ago than this have ended under every rule (the longest is a day), in seconds. */
const PRUNE_OLDER_THAN_S = 2 * 86_400;

/** The challenge of a 401 (RFC 6750, 3): `error` only when credentials were sent. */
export function bearerChallenge(error?: 'invalid_request' | 'invalid_token'): Record<string, string> {
  return { 'WWW-Authenticate': `Bearer realm="api"${error ? `, error="${error}"` : ''}` };
}

/** The token prefix at the start of the header or of a word in it, in any case. */
const MISPLACED_TOKEN_RE = new RegExp(`(?:^|[\\s:=])${TOKEN_PREFIX}`, 'i');

/**
 * What an Authorization header carries: nothing, a Paperboy token (a Bearer value with the pbt_
 * prefix, well-formed or not), a Paperboy token sent in another form, or someone else's credential. Clients such as huggingface_hub send
 * their own service's token to every host they are pointed at, and a proxy in front of the site
 * may pass on its Basic credentials; neither is meant for Paperboy.
 */
export function readCredential(
  header: string | undefined,
): { kind: 'none' } | { kind: 'paperboy'; value: string } | { kind: 'misplaced' } | { kind: 'foreign'; type: 'bearer' | 'scheme' } {
  if (header === undefined) return { kind: 'none' };
  const text = header.trim();
  const bearer = /^Bearer(?:[ ]+(.*))?$/is.exec(text);
  const value = (bearer?.[1] ?? '').trim();
  if (bearer && value.startsWith(TOKEN_PREFIX)) return { kind: 'paperboy', value };
  // A Paperboy token in another form (no scheme, "Token pbt_...", a tab, upper case) is still
  // meant for Paperboy: answering it as anonymous would hide its owner's private data without a word.
  if (MISPLACED_TOKEN_RE.test(text)) return { kind: 'misplaced' };
  return bearer ? { kind: 'foreign', type: 'bearer' } : { kind: 'foreign', type: 'scheme' };
}

/**
 * Reads the Bearer token (if any) and counts the request: per token when it is valid, per IP
 * address otherwise. A Paperboy token (pbt_...) that is malformed, unknown, revoked or expired is
 * a 401 (counted against the address, so guessing tokens is slow): its owner should learn it is
 * dead. Someone else's credential (see readCredential) is set aside: the request is answered as
 * anonymous, and endpoints that need a token say it is not one. Every ten minutes, ended windows
 * are deleted.
 */
export function apiAccess(deps: TokenDeps, ipOf: (c: Context) => string, rules = API_RATE_LIMITS): MiddlewareHandler<ApiEnv> {
  let prunedAt = 0;
  return async (c, next) => {
    c.set('apiUser', null);
    c.set('apiToken', null);
    c.set('foreignCredential', null);
    if (c.req.method === 'OPTIONS') return next();
    const now = deps.now();
    if (now - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = now;
      await pruneRateLimits(deps.store.db, Math.floor(now / 1000) - PRUNE_OLDER_THAN_S);
    }
    const credential = readCredential(c.req.header('authorization'));
    if (credential.kind === 'misplaced') {
      await countRequest(c, deps, `api:ip:${ipOf(c)}`, rules.anonymous);
      throw new ApiError(401, `Send the token exactly as it was issued, as "Authorization: Bearer ${TOKEN_PREFIX}...".`, bearerChallenge('invalid_request'));
    }
    if (credential.kind === 'paperboy') {
      let auth;
      try {
        auth = await authenticateToken(deps, credential.value);
      } catch (err) {
        await countRequest(c, deps, `api:ip:${ipOf(c)}`, rules.anonymous);
        throw err;
      }
      c.set('apiUser', auth.user);
      c.set('apiToken', auth.token);
      await countRequest(c, deps, `api:token:${auth.token.id}`, rules.token);
    } else {
      if (credential.kind === 'foreign') c.set('foreignCredential', credential.type);
      await countRequest(c, deps, `api:ip:${ipOf(c)}`, rules.anonymous);
    }
    await next();
  };
}

// --- Conditional GET ---------------------------------------------------------------------------

/**
 * Headers a 304 repeats from the 200 it stands for (RFC 9110, 15.4.5), plus CORS and rate limits,
 * and Content-Type: without it the HTTP server labels the 304 text/plain, and a cache that updates
 * its stored headers from a 304 (RFC 9111, 4.3.4) would relabel the stored page, feed or JSON.
 */
const KEPT_ON_304 = ['cache-control', 'content-location', 'content-type', 'date', 'etag', 'expires', 'vary', 'last-modified'];
const KEPT_PREFIXES_ON_304 = ['access-control-', 'ratelimit'];

function etagMatches(etag: string, ifNoneMatch: string): boolean {
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').map((t) => t.trim()).some((t) => t === '*' || t.replace(/^W\//, '') === bare);
}

/**
 * ETag (a hash of the body) and Last-Modified (when the handler set it) on successful GETs, and
 * a bodiless 304 when the request's If-None-Match (or, without it, If-Modified-Since) shows the
 * client already has this version. Streams (Server-Sent Events) pass through.
 */
export function conditionalGet(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || c.res.status !== 200) return;
    if ((c.res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return;
    let etag = c.res.headers.get('etag');
    if (!etag) {
      const body = new Uint8Array(await c.res.clone().arrayBuffer());
      etag = `W/"${createHash('sha1').update(body).digest('base64url')}"`;
      c.res.headers.set('ETag', etag);
    }
    const ifNoneMatch = c.req.header('if-none-match');
    const ifModifiedSince = c.req.header('if-modified-since');
    const lastModified = c.res.headers.get('last-modified');
    const fresh = ifNoneMatch !== undefined
      ? etagMatches(etag, ifNoneMatch)
      : ifModifiedSince !== undefined && lastModified !== null && Date.parse(lastModified) <= Date.parse(ifModifiedSince);
    if (!fresh) return;
    const kept = new Headers();
    for (const [name, value] of c.res.headers) {
      if (KEPT_ON_304.includes(name) || KEPT_PREFIXES_ON_304.some((p) => name.startsWith(p))) kept.set(name, value);
    }
    await c.res.body?.cancel();
    c.res = undefined as unknown as Response; // drop the 200's headers rather than merge them into the 304
    c.res = new Response(null, { status: 304, headers: kept });
  };
}

/** An HTTP date (RFC 9110) for Last-Modified, to the second. */
export function httpDate(iso: string | number): string {
  return new Date(typeof iso === 'number' ? iso : Date.parse(iso)).toUTCString();
}
