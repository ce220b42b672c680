/**
 * Caching headers of pages over HTTP: members' pages are no-store and vary by cookie, so no cache
 * keeps them, not even the browser's back/forward cache (Back after "Sign out" must not show them);
 * pages every visitor sees alike may be kept as long as the app keeps them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { makeMembers } from '../helpers/members.ts';
import { PAGE_CACHE_MAX_AGE_MS } from '../../src/web/page-cache.ts';

const varyHasCookie = (res: Response) => (res.headers.get('vary') ?? '').split(',').some((v) => v.trim().toLowerCase() === 'cookie');

test('Cache-Control and Vary on pages, for a member and for a visitor', async () => {
  const { server, store } = await startTestServer({ PAPERBOY_DEMO: 'false', PAPERBOY_TRUST_PROXY: 'true' });
  try {
    await seedSmallCorpus(store);
    await fetch(`${server.url}/about`); // the first request makes the instance's CSRF secret
    const [bob] = await makeMembers(store, 1, 'bob');
    const get = (path: string, cookie?: string, extra: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, { redirect: 'manual', headers: { 'x-forwarded-for': '203.0.113.30', ...(cookie ? { cookie } : {}), ...extra } });

    // Every page rendered for a member, errors included: no cache may keep it, the browser's own
    // back/forward cache included.
    for (const [path, status] of [['/', 200], ['/papers/2505.00201', 200], ['/new', 200], ['/about', 200], ['/collections', 200], [`/users/${bob!.username}`, 200],
      ['/account/welcome', 200], ['/collections/save?paper=2505.00201', 200], ['/search?q=attention', 200], ['/papers/2505.99999', 404],
      ['/authors/Ada%20Lovelace', 200], ['/stats', 200], ['/docs/api', 200]] as const) {
      const res = await get(path, bob!.cookie);
      const body = await res.text();
      assert.equal(res.status, status, path);
      assert.match(body, new RegExp(bob!.username), `${path} is bob's own view`);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
      assert.ok(varyHasCookie(res), `${path}: Vary: Cookie`);
    }
    // Routes that set no-store themselves keep it.
    for (const path of ['/settings', '/settings/tokens', '/for-you']) {
      const res = await get(path, bob!.cookie);
      await res.text();
      assert.equal(res.status, 200, path);
      assert.ok((res.headers.get('cache-control') ?? '').split(',').map((v) => v.trim()).includes('no-store'), path);
      assert.ok(varyHasCookie(res), `${path}: Vary: Cookie`);
    }
    // A browser does not revalidate what it did not store, but a client that sends If-None-Match
    // anyway gets a 304 that repeats the 200's no-store.
    const first = await get('/collections', bob!.cookie);
    await first.text();
    const again = await get('/collections', bob!.cookie, { 'if-none-match': first.headers.get('etag')! });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('cache-control'), 'no-store');
    assert.ok(varyHasCookie(again));

    // Signing out tells the browser to drop what it kept of the site.
    const signout = await fetch(`${server.url}/signout`, {
      method: 'POST', redirect: 'manual',
      headers: { 'x-forwarded-for': '203.0.113.30', cookie: bob!.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ _csrf: bob!.csrf }),
    });
    assert.equal(signout.status, 303);
    assert.equal(signout.headers.get('clear-site-data'), '"cache"');

    // A visitor's pages that look the same to everyone: public, as long as the app's own page cache keeps them;
    // the same on the app's cache hit (the second request).
    for (const path of ['/', '/papers/2505.00201', '/new', '/about', '/', '/papers/2505.00201']) {
      const res = await get(path);
      const body = await res.text();
      assert.equal(res.status, 200, path);
      assert.doesNotMatch(body, new RegExp(bob!.username), `${path} is the visitors' view`);
      assert.equal(res.headers.get('cache-control'), `public, max-age=${PAGE_CACHE_MAX_AGE_MS / 1000}`, path);
      assert.ok(varyHasCookie(res), `${path}: Vary: Cookie, so a member is not served the visitors' copy`);
    }
    // A visitor's other pages (forms with a per-browser token, searches, errors) are private.
    for (const [path, status] of [['/signin', 200], ['/signup', 200], ['/search?q=attention', 200], ['/papers/2505.99999', 404], [`/search?q=${'x'.repeat(11_000)}`, 400]] as const) {
      const res = await get(path);
      await res.text();
      assert.equal(res.status, status, path);
      assert.equal(res.headers.get('cache-control'), 'private, no-cache', path);
      assert.ok(varyHasCookie(res), `${path}: Vary: Cookie`);
    }
  } finally {
    await server.close();
    await store.close();
  }
});
