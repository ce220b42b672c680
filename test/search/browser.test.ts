/**
 * The search page in real Chromium: searching by form without JavaScript, search-as-you-type with
 * it, filters, and accessibility (axe-core: no serious or critical violations).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser, Request } from 'playwright-core';
import { SearchIndex } from '../../src/search/search-index.ts';
import { loadAssets } from '../../src/web/assets.ts';
import { mountSearchRoutes } from '../../src/web/search-routes.tsx';
import { browserUnavailable, launchBrowser, screenshot, moderateA11yViolations } from '../helpers/browser.ts';
import { testApp } from '../helpers/app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from './fixtures.ts';

const skip = browserUnavailable();
// The store is made at the top level: a temporary store is removed when the file's tests end.
const setup = skip ? null : await testApp();

describe('the search page in Chromium', { skip: skip ?? false }, () => {
  let browser: Browser;
  let base: string;
  let stop: () => Promise<void>;

  before(async () => {
    const { app, store } = setup!;
    await store.upsertPapers(topicalRecords(40), FIXED_NOW);
    const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
    const assets = await loadAssets();
    mountSearchRoutes(app, {
      store, index, clock: { now: () => Date.parse(FIXED_NOW) }, categories: ['cs.CL', 'cs.CV'], pageSize: 5,
      site: async () => ({ siteName: 'Paperboy Test', viewer: null, demo: false, assets: { css: assets.get('style.css')!.hash, js: assets.get('app.js')!.hash } }),
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stop = async () => { await index.close(); await new Promise<void>((r) => { server.close(() => r()); (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.(); }); };
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stop?.();
  });

  test('without JavaScript: the form searches, filters and pages', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/search`);
    await page.locator('main').getByLabel('Search papers').fill('quantum codes');
    await page.getByLabel('Sort').selectOption('date');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/search\?q=quantum\+codes/);
    assert.match(await page.locator('#search-status').innerText(), /^\d+ papers for quantum codes/);
    assert.ok((await page.locator('article.card mark').count()) > 0);
    await page.getByRole('link', { name: /Next page/ }).click();
    await page.waitForURL(/page=2/);
    assert.ok((await page.locator('article.card').count()) > 0);
    await context.close();
  });

  test('with JavaScript: results appear as you type', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/search`);
    await page.locator('main').getByLabel('Search papers').pressSequentially('robo', { delay: 30 });
    const live = page.locator('#search-live');
    // Each keystroke asks again: wait for the answer to the whole word typed ("ro" may be shown first).
    await live.locator('p.muted', { hasText: '“robo”' }).waitFor({ timeout: 5_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}; the box shows: ${await live.innerText().catch(() => '(nothing)')}; page errors: ${errors.join(' | ')}`);
    });
    assert.match(await live.locator('a').first().innerText(), /robots/i);
    assert.ok((await live.locator('mark').count()) > 0);
    // An unfinished word is searched as its completions, and the box says so; Enter searches what was typed.
    assert.match(await live.locator('p.muted').innerText(), /^Showing robots?\b.*: press Enter to search for “robo”$/);
    // Screen readers hear how many results there are, not the whole list at each key.
    assert.match(await page.locator('#search-live-status').innerText(), /^\d+ results? below the box: down arrow/);
    assert.equal(await live.getAttribute('aria-live'), null);
    // The arrows go into the list, through it and back to the box.
    const box = page.locator('main').getByLabel('Search papers');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('#search-live') !== null && document.activeElement?.tagName), 'A');
    const first = await page.evaluate(() => (document.activeElement as HTMLAnchorElement).href);
    if ((await live.locator('a').count()) > 1) {
      await page.keyboard.press('ArrowDown');
      assert.notEqual(await page.evaluate(() => (document.activeElement as HTMLAnchorElement).href), first);
      await page.keyboard.press('ArrowUp');
    }
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'q', 'back in the box');
    // Escape closes the list and keeps what was typed (Chromium would clear a search box).
    await page.keyboard.press('Escape');
    assert.equal(await live.isHidden(), true);
    assert.equal(await box.inputValue(), 'robo');
    await page.locator('main').getByLabel('Search papers').fill('robots');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=robots/);
    assert.ok((await page.locator('article.card').count()) > 0);
    await page.close();
  });

  test('with JavaScript: an answer still on its way after Escape, or after deleting to one letter, does not open the list again', async () => {
    const page = await browser.newPage();
    // Answers to /search/live are held back while `holding` is set, until `letThrough` is called.
    interface Held { request: Request; settled: Promise<unknown> }
    let holding = false;
    let release = () => {};
    let onHeld: (h: Held) => void = () => {};
    await page.route('**/search/live?*', async (route) => {
      if (holding) {
        const gate = new Promise<void>((r) => { release = r; });
        const request = route.request();
        // Finished, or failed when the page gives up on it (which may happen before it is let through).
        const settled = Promise.race([
          page.waitForEvent('requestfinished', (r) => r === request),
          page.waitForEvent('requestfailed', (r) => r === request),
        ]);
        onHeld({ request, settled });
        await gate;
      }
      await route.continue().catch(() => { /* the page gave up on it */ });
    });
    const hold = () => {
      holding = true;
      return new Promise<Held>((r) => { onHeld = r; });
    };
    // Lets a held answer through, and waits until the page has had it (or dropped it) and done what it does with it.
    const letThrough = async (held: Held) => {
      holding = false;
      release();
      await held.settled;
      await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
    };
    const box = page.locator('main').getByLabel('Search papers');
    const live = page.locator('#search-live');
    const status = page.locator('#search-live-status');
    await page.goto(`${base}/search`);

    await box.pressSequentially('robo', { delay: 30 });
    await live.locator('p.muted', { hasText: '“robo”' }).waitFor();
    let held = hold();
    await box.press('t');
    const late = await held;
    await box.press('Escape');
    assert.equal(await live.isHidden(), true);
    await letThrough(late);
    assert.equal(await live.isHidden(), true, 'the list stays closed after Escape');
    assert.equal(await status.innerText(), '', 'and the live region says nothing new');
    assert.equal(await box.inputValue(), 'robot');

    await box.press('s');
    await live.locator('a').first().waitFor();
    held = hold();
    await box.press('Space');
    const later = await held;
    await box.fill('r');
    assert.equal(await live.isHidden(), true);
    await letThrough(later);
    assert.equal(await live.isHidden(), true, 'the list stays closed with one letter in the box');
    assert.equal(await status.innerText(), '');
    await page.close();
  });

  test('no moderate, serious or critical accessibility violations, light and dark', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    for (const path of ['/search', '/search?q=graph+networks&category=cs.CL', '/search?q=quantun', '/search?q=zzzz+nothing']) {
      await page.goto(`${base}${path}`);
      // Moderate ones included: the two search forms (site and page) are told apart by their labels.
      assert.deepEqual(await moderateA11yViolations(page), [], path);
    }
    await page.goto(`${base}/search?q=graph+molecules`);
    await screenshot(page, 'search-results');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    assert.deepEqual(await moderateA11yViolations(page), [], 'dark');
    await screenshot(page, 'search-results-dark');
    await page.close();
  });
});
