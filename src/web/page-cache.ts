/**
 * A cache of rendered public pages. An entry is served while the store's change token is the one
 * it was rendered under and it is younger than PAGE_CACHE_MAX_AGE_MS, so a vote or an import shows
 * on the next request, and time-relative text ("Sep 28" vs "Sep 28, 2025") is never stale for long.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** Long enough to absorb bursts on the front page; short enough for relative dates. */
export const PAGE_CACHE_MAX_AGE_MS = 60_000;
/** Entries kept (a page is 5-60 KB: at most ~30 MB). */
export const PAGE_CACHE_MAX_ENTRIES = 500;

interface Entry {
  token: string;
  at: number;
  status: number;
  body: string;
  headers: [string, string][];
}

export interface PageCacheDeps {
  changeToken(): string;
  now(): number;
}

/** Middleware for GET pages that look the same to every reader. */
export function pageCache(deps: PageCacheDeps): MiddlewareHandler {
  const entries = new Map<string, Entry>();
  return async (c, next) => {
    // HEAD goes through untouched: answering it from here would skip the headers added on the way out.
    if (c.req.method !== 'GET') return next();
    const key = c.req.url;
    const token = deps.changeToken();
    const now = deps.now();
    const hit = entries.get(key);
    if (hit && hit.token === token && now - hit.at < PAGE_CACHE_MAX_AGE_MS) {
      // Refresh its place in the LRU order.
      entries.delete(key);
      entries.set(key, hit);
      return c.body(hit.body, hit.status as 200, Object.fromEntries(hit.headers));
    }
    await next();
    const res = c.res;
    if (res.status !== 200 && res.status !== 404) return;
    if (!(res.headers.get('content-type') ?? '').startsWith('text/html')) return;
    const body = await res.clone().text();
    // The ETag is computed once here, so cache hits need no hashing by the conditional-GET layer.
    if (!res.headers.has('etag')) res.headers.set('ETag', `W/"${createHash('sha1').update(body).digest('base64url')}"`);
    entries.delete(key);
    entries.set(key, { token, at: now, status: res.status, body, headers: [...res.headers.entries()] });
    if (entries.size > PAGE_CACHE_MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  };
}
