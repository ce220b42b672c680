/**
 * Caching headers of pages over HTTP: members' pages are private and vary by cookie, so no shared
 * cache in front keeps them; pages every visitor sees alike may be kept as long as the app keeps them.
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

    // A member's pages: the browser may keep them but must ask again; no shared cache may.
    for (const path of ['/', '/papers/2505.00201', '/new', '/about', '/collections', `/users/${bob!.username}`, '/account/welcome', '/collections/save?paper=2505.00201', '/search?q=attention']) {
      const res = await get(path, bob!.cookie);
      const body = await res.text();
      assert.equal(res.status, 200, path);
      assert.match(body, new RegExp(bob!.username), `${path} is bob's own view`);
      assert.equal(res.headers.get('cache-control'), 'private, no-cache', path);
      assert.ok(varyHasCookie(res), `${path}: Vary: Cookie`);
    }
    // Routes that already forbid storing keep doing so.
    for (const path of ['/settings', '/settings/tokens']) {
      const res = await get(path, bob!.cookie);
      await res.text();
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
      assert.ok(varyHasCookie(res), `${path}: Vary: Cookie`);
    }
    // A 304 for a member's page repeats that it is private.
    const first = await get('/collections', bob!.cookie);
    await first.text();
    const again = await get('/collections', bob!.cookie, { 'if-none-match': first.headers.get('etag')! });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('cache-control'), 'private, no-cache');
    assert.ok(varyHasCookie(again));

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
