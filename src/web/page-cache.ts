/**
 * A cache of rendered public pages, and of the site's RSS and Atom feeds. An entry is served while
 * the store's change token is the one it was rendered under and it is younger than
 * PAGE_CACHE_MAX_AGE_MS, so a vote or an import shows on the next request, and time-relative text
 * ("Sep 28" vs "Sep 28, 2025", a trending order) is never stale for long.
 *
 * Each cache is bounded twice: by entries and by the bytes of the bodies it keeps, so that a few
 * large answers (a feed of a whole arXiv day is megabytes) cannot hold much memory either. Bodies
 * are kept as the bytes sent: a hit is not encoded again (for a 1.2 MB feed, about 2 ms a request).
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** Long enough to absorb bursts on the front page; short enough for relative dates. */
export const PAGE_CACHE_MAX_AGE_MS = 60_000;
/** Entries kept (a page is 5-60 KB: at most ~30 MB). */
export const PAGE_CACHE_MAX_ENTRIES = 500;

/** What a cache keeps and how much of it. */
export interface CacheBounds {
  entries: number;
  /** Bytes of body, all entries together. */
  bytes: number;
}

/** Pages: their number is the bound that counts; the bytes only stop a pathological page. */
export const PAGE_CACHE_BOUNDS: CacheBounds = { entries: PAGE_CACHE_MAX_ENTRIES, bytes: 48_000_000 };

/**
 * Feeds: few addresses (the site's daily, weekly and New on arXiv feeds, each category's), but a New
 * on arXiv feed carries a whole day (2.8 MB for arXiv's own cs feed of 1,504 papers), so 32 MB:
 * about ten such days at once, and every feed of an ordinary instance.
 */
export const FEED_CACHE_BOUNDS: CacheBounds = { entries: 200, bytes: 32_000_000 };

export interface KeptResponse {
  token: string;
  at: number;
  status: number;
  body: Uint8Array<ArrayBuffer>;
  headers: [string, string][];
}

/** Rendered answers by key, least recently used out first when either bound is passed. */
export class KeptResponses {
  private readonly entries = new Map<string, KeptResponse>();
  private bytes = 0;

  constructor(private readonly bounds: CacheBounds, private readonly maxAgeMs = PAGE_CACHE_MAX_AGE_MS) {}

  /** The answer kept for `key` if it was made under `token` less than the maximum age before `now`. */
  get(key: string, token: string, now: number): KeptResponse | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.token !== token || now - hit.at >= this.maxAgeMs) {
      this.remove(key);
      return undefined;
    }
    // Refresh its place in the LRU order.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  /** Keeps an answer; one larger than the whole byte bound is not kept. */
  set(key: string, entry: KeptResponse): void {
    this.remove(key);
    if (entry.body.byteLength > this.bounds.bytes) return;
    this.entries.set(key, entry);
    this.bytes += entry.body.byteLength;
    while (this.entries.size > this.bounds.entries || this.bytes > this.bounds.bytes) this.remove(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of body kept. */
  get keptBytes(): number {
    return this.bytes;
  }

  private remove(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= old.body.byteLength;
  }
}

export interface PageCacheDeps {
  changeToken(): string;
  now(): number;
}

export interface PageCacheOptions {
  /** Media types kept (the Content-Type's start): HTML pages unless told otherwise. */
  types?: readonly string[];
  bounds?: CacheBounds;
}

/** Middleware for GET answers that look the same to everyone who gets them. */
export function pageCache(deps: PageCacheDeps, options: PageCacheOptions = {}): MiddlewareHandler {
  const types = options.types ?? ['text/html'];
  const kept = new KeptResponses(options.bounds ?? PAGE_CACHE_BOUNDS);
  return async (c, next) => {
    // HEAD goes through untouched: answering it from here would skip the headers added on the way out.
    if (c.req.method !== 'GET') return next();
    const key = c.req.url;
    const token = deps.changeToken();
    const now = deps.now();
    const hit = kept.get(key, token, now);
    if (hit) return c.body(hit.body, hit.status as 200, Object.fromEntries(hit.headers));
    await next();
    const res = c.res;
    if (res.status !== 200 && res.status !== 404) return;
    const type = res.headers.get('content-type') ?? '';
    if (!types.some((t) => type.startsWith(t))) return;
    const body = new Uint8Array(await res.clone().arrayBuffer());
    // The ETag is computed once here, so cache hits need no hashing by the conditional-GET layer.
    if (!res.headers.has('etag')) res.headers.set('ETag', `W/"${createHash('sha1').update(body).digest('base64url')}"`);
    kept.set(key, { token, at: now, status: res.status, body, headers: [...res.headers.entries()] });
  };
}
