/**
 * Other sites may show the open data: the API's thumbnails and avatars, the vote sparkline, and
 * the JSON and feeds, are sent `Cross-Origin-Resource-Policy: cross-origin`; pages stay
 * `same-origin`. Checked on the headers, then in real Chromium from a page on another origin
 * (skipped with a message when Chromium is missing).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { browserUnavailable, launchBrowser } from '../helpers/browser.ts';
import { openDataApp } from './support.ts';

const PUBLIC = [
  '/api/papers/2505.00210/thumbnail.svg', '/api/avatars/ada.svg', '/stats/votes.svg?paper=2505.00201',
  '/api/daily_papers?date=2025-05-05', '/api/papers/2505.00201', '/feeds/daily.rss?date=2025-05-05', '/feeds/daily.atom?date=2025-05-05', '/openapi.json',
];
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

const skip = browserUnavailable();
const app = skip ? null : openDataApp();

describe('in Chromium, from a page on another origin', { skip: skip ?? false }, () => {
  let browser: Browser;
  let api: string;
  let other: string;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    const t = await app!;
    const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    // Another site: a blank page on another host name and port.
    const site = http.createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<!doctype html><title>elsewhere</title>'); });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', () => resolve()));
    other = `http://localhost:${(site.address() as AddressInfo).port}`;
    closers.push(() => new Promise<void>((resolve) => site.close(() => resolve())));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    for (const close of closers) await close();
  });

  test('its <img> tags show the thumbnail, the avatar and the sparkline; no-cors fetches of the API and feeds load, of a page do not', async () => {
    const page = await browser.newPage();
    await page.goto(`${other}/`);
    const widths = await page.evaluate(async (srcs: string[]) => Promise.all(srcs.map((src) => new Promise<number>((resolve) => {
      const img = new Image();
      img.onload = () => resolve(img.naturalWidth);
      img.onerror = () => resolve(0);
      img.src = src;
    }))), PUBLIC.slice(0, 3).map((p) => api + p));
    for (const [i, w] of widths.entries()) assert.ok(w > 0, `${PUBLIC[i]} shown on another site (naturalWidth ${w})`);
    const loads = await page.evaluate(async (urls: string[]) => Promise.all(urls.map((u) => fetch(u, { mode: 'no-cors' }).then(() => 'loaded', () => 'blocked'))),
      [...PUBLIC.slice(3), '/signin'].map((p) => api + p));
    assert.deepEqual(loads, [...PUBLIC.slice(3).map(() => 'loaded'), 'blocked']);
    await page.close();
  });
});
