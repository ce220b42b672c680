/**
 * Other sites may show the open data: the API's thumbnails and avatars, the vote sparkline, and
 * the JSON and feeds, are sent `Cross-Origin-Resource-Policy: cross-origin`; pages stay
 * `same-origin`. Checked on the headers here, and in real Chromium from a page on another origin
 * in cross-origin-browser.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CROSS_ORIGIN_IMAGES, CROSS_ORIGIN_DATA, openDataApp } from './support.ts';

const PUBLIC = [...CROSS_ORIGIN_IMAGES, ...CROSS_ORIGIN_DATA];
const PAGES = ['/', '/papers/2505.00201', '/signin', '/docs/api', '/stats'];

test('Cross-Origin-Resource-Policy: cross-origin on the public API, feeds and images, same-origin on pages', async () => {
  const t = await openDataApp();
  for (const p of PUBLIC) {
    const res = await t.app.request(p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin', p);
  }
  // Errors of the API too: a client on another origin should see why.
  assert.equal((await t.app.request('/api/daily_papers?date=nope')).headers.get('cross-origin-resource-policy'), 'cross-origin');
  for (const p of PAGES) {
    const res = await t.app.request(p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin', p);
  }
});
