/**
 * A member's pages in real Chromium against a real server, with the browser's back/forward cache on
 * (as in the browsers people use): after "Sign out", Back shows none of the member's pages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createAccount } from '../../src/services/accounts.ts';
import type { Store } from '../../src/store/index.ts';
import { browserUnavailable, launchBrowser, screenshot } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';

const skip = browserUnavailable();

describe("a member's pages, in Chromium with the back/forward cache on", { skip: skip ?? false }, () => {
  let browser: Browser;
  let base: string;
  let store: Store;
  let paperId: string;
  let stop: () => Promise<void>;

  before(async () => {
    const started = await startTestServer();
    base = started.server.url;
    store = started.store;
    stop = async () => { await started.server.close(); await started.store.close(); };
    const now = () => Date.now();
    await createAccount({ store, now }, { username: 'ada', email: 'ada@example.org', password: 'a long enough password', role: 'member' });
    paperId = (await store.db.selectFrom('daily_entries').select('paper_id').limit(1).executeTakeFirstOrThrow()).paper_id;
    browser = await launchBrowser({ backForwardCache: true });
  });

  after(async () => {
    await browser?.close();
    await stop?.();
  });

  async function signedIn(viewport = { width: 1100, height: 900 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(`${base}/signin`);
    await page.getByLabel('Username or e-mail').fill('ada');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    return page;
  }

  const header = async (page: Page) => (await page.locator('header').innerText()).replace(/\s+/g, ' ');

  for (const path of ['/collections', '/papers/PAPER', '/users/ada', '/account/welcome']) {
    test(`after signing out, Back from the front page does not show ${path} as the member saw it`, async () => {
      const page = await signedIn();
      const url = `${base}${path.replace('PAPER', paperId)}`;
      await page.goto(url);
      assert.match(await header(page), /ada.*Sign out/, 'signed in before');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${base}/`);
      assert.doesNotMatch(await header(page), /Sign out/, 'signed out');
      // A page restored from the back/forward cache fires no "load": wait for the navigation to
      // commit, then for whichever document it shows to be complete.
      await page.goBack({ waitUntil: 'commit' });
      await page.waitForFunction(() => document.readyState === 'complete');
      const shown = await header(page);
      const main = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
      await screenshot(page, `back-after-signout-${path.replace(/[^a-z]+/gi, '-')}`);
      assert.doesNotMatch(shown, /Sign out/, `${path}: Back shows a signed-in header: ${shown}`);
      assert.doesNotMatch(shown, /\bada\b/, `${path}: Back shows the member's name: ${shown}`);
      assert.match(shown, /Sign in/, `${path}: Back shows a visitor's page`);
      assert.doesNotMatch(main, /ada@example\.org/, `${path}: Back shows the member's address`);
      await page.context().close();
    });
  }
});
