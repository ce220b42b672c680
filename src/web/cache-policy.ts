/**
 * What caches in front of the app (a CDN, nginx proxy_cache, Varnish, the browser) may do with HTML
 * pages. The rule follows the app's own page cache: a page the app itself shares between visitors
 * who are not signed in may be shared for as long as the app keeps it; every other page is private.
 *
 * - anonymous 200 on a shared page (front page, lists, papers, authors, categories, about):
 *   `public, max-age=60`;
 * - every page rendered for a signed-in member: `no-store`. Nothing may keep it, the browser
 *   included: a browser keeps `no-cache` pages in its back/forward cache, and after "Sign out" the
 *   Back button would show the member's page (name, collections, address) to the next person at the
 *   same computer; browsers drop `no-store` pages from that cache once the session cookie changes;
 * - a visitor's other pages (forms with a per-browser token, searches, errors): `private, no-cache`
 *   (the browser may keep it, but asks again each time; an unchanged page costs a 304);
 * - every page: `Vary: Cookie`, since the same address shows one page to visitors and another
 *   to each member.
 *
 * A route that chose its own Cache-Control (`no-store` on settings and on pages carrying tokens or
 * addresses, `public` on feeds-like pages for visitors) keeps it, except that a member's page is
 * always made `no-store`.
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

/** What a visitor's pages that are not shared say: the browser may keep it but asks again each time. */
export const PRIVATE_PAGE = 'private, no-cache';

/** What every page rendered for a signed-in member says: no cache keeps it, the browser's included. */
export const MEMBER_PAGE = 'no-store';

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
    if (c.get('user')) {
      // A route may have chosen no-store (with or without `private`) itself; anything less is not enough.
      const chosen = (headers.get('cache-control') ?? '').split(',').map((v) => v.trim().toLowerCase());
      if (!chosen.includes('no-store')) c.header('Cache-Control', MEMBER_PAGE);
      return;
    }
    if (headers.has('cache-control')) return;
    const shared = c.res.status === 200 && isSharedPage(c.req.path) && !headers.has('set-cookie');
    c.header('Cache-Control', shared ? `public, max-age=${SHARED_PAGE_MAX_AGE_S}` : PRIVATE_PAGE);
  };
}
