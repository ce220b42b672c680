/**
 * Another site showing the open data, in real Chromium (skipped with a message when Chromium is
 * missing): a page on another origin shows the API's images and may fetch its JSON and feeds
 * without CORS, but not a page (the headers themselves: cross-origin.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { browserUnavailable, launchBrowser } from '../helpers/browser.ts';
import { CROSS_ORIGIN_DATA, CROSS_ORIGIN_IMAGES, openDataApp } from './support.ts';

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
    }))), CROSS_ORIGIN_IMAGES.map((p) => api + p));
    for (const [i, w] of widths.entries()) assert.ok(w > 0, `${CROSS_ORIGIN_IMAGES[i]} shown on another site (naturalWidth ${w})`);
    const loads = await page.evaluate(async (urls: string[]) => Promise.all(urls.map((u) => fetch(u, { mode: 'no-cors' }).then(() => 'loaded', () => 'blocked'))),
      [...CROSS_ORIGIN_DATA, '/signin'].map((p) => api + p));
    assert.deepEqual(loads, [...CROSS_ORIGIN_DATA.map(() => 'loaded'), 'blocked']);
    await page.close();
  });
});
