/**
 * What caches in front of the app (a CDN, nginx proxy_cache, Varnish, the browser) may do with HTML
 * pages. The rule follows the app's own page cache: a page the app itself shares between visitors
 * who are not signed in may be shared for as long as the app keeps it; every other page is private.
 *
 * - anonymous 200 on a shared page (front page, lists, papers, authors, categories, about):
 *   `public, max-age=60`;
 * - everything else, members' pages above all: `private, no-cache` (the browser may keep it, but
 *   asks again each time; an unchanged page costs a 304);
 * - every page: `Vary: Cookie`, since the same address shows one page to visitors and another
 *   to each member.
 *
 * A route that chose its own Cache-Control (`no-store` on settings and pages carrying tokens or
 * addresses) keeps it.
 */
import type { MiddlewareHandler } from 'hono';
import { PAGE_CACHE_MAX_AGE_MS } from './page-cache.ts';
import type { AppEnv } from './auth.ts';

/** How long a shared cache may keep a public page: as long as the app's own page cache does. */
export const SHARED_PAGE_MAX_AGE_S = PAGE_CACHE_MAX_AGE_MS / 1000;

/** Pages that look the same to every visitor who is not signed in (the app's page cache keeps these). */
export function isSharedPage(path: string): boolean {
  return path === '/' || path.startsWith('/papers/') || path === '/new' || path.startsWith('/new/') || path === '/about'
    || path.startsWith('/authors/') || path.startsWith('/categories/');
}

/** What every page that is not shared says: the browser may keep it but asks again each time. */
export const PRIVATE_PAGE = 'private, no-cache';

/** Adds Cache-Control and Vary to HTML pages on the way out (see the module comment). */
export function pageCachePolicy(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    if (!(headers.get('content-type') ?? '').startsWith('text/html')) return;
    // Through c.header, not c.res.headers.set: a response made from a plain header object may be
    // copied later (an ETag is a hash of a clone) from the headers it was made with, losing the change.
    const vary = headers.get('vary');
    if (!vary || !vary.split(',').some((v) => v.trim().toLowerCase() === 'cookie' || v.trim() === '*')) c.header('Vary', 'Cookie', { append: true });
    if (headers.has('cache-control')) return;
    const shared = !c.get('user') && c.res.status === 200 && isSharedPage(c.req.path) && !headers.has('set-cookie');
    c.header('Cache-Control', shared ? `public, max-age=${SHARED_PAGE_MAX_AGE_S}` : PRIVATE_PAGE);
  };
}
