/**
 * Keyboard, focus and feedback on the site's pages, in real Chromium against a real server on the
 * demo corpus: what a member who reads and acts with the keyboard (or a screen reader) notices.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createAccount } from '../../src/services/accounts.ts';
import type { Store } from '../../src/store/index.ts';
import { browserUnavailable, launchBrowser, moderateA11yViolations, screenshot } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';

const skip = browserUnavailable();

describe('keyboard, focus and feedback, in Chromium', { skip: skip ?? false }, () => {
  let browser: Browser;
  let base: string;
  let store: Store;
  let stop: () => Promise<void>;
  let page: Page;

  before(async () => {
    const started = await startTestServer();
    base = started.server.url;
    store = started.store;
    stop = async () => { await started.server.close(); await started.store.close(); };
    await createAccount({ store, now: () => Date.now() }, { username: 'kai', email: 'kai@example.org', password: 'a long enough password', role: 'member' });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await page.goto(`${base}/signin`);
    await page.getByLabel('Username or e-mail').fill('kai');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
  });

  after(async () => {
    await browser?.close();
    await stop?.();
  });

  async function noViolations(p: Page, label: string) {
    const v = await moderateA11yViolations(p);
    assert.deepEqual(v, [], `${label}: ${JSON.stringify(v, null, 1)}`);
  }

  const focused = (p: Page) => p.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}` : '';
  });

  test('upvote with the keyboard: Enter votes, Enter again takes it back, and focus stays on the button', async () => {
    await page.goto(`${base}/papers/date/2025-05-30`);
    const card = page.locator('article.card').first();
    const button = card.locator('button.vote-button');
    const before = Number(await card.locator('.count').innerText());
    // j puts focus on the first card's title; the vote button comes just before it.
    await page.keyboard.press('j');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(page), 'button.vote-button');
    await page.keyboard.press('Enter');
    await button.and(page.locator('[aria-pressed="true"]')).waitFor();
    assert.equal(Number(await card.locator('.count').innerText()), before + 1);
    assert.equal(await focused(page), 'button.vote-button', 'focus stays on the button after the vote');
    assert.equal(await button.getAttribute('title'), 'Remove your upvote');
    await page.keyboard.press('Enter');
    await button.and(page.locator('[aria-pressed="false"]')).waitFor();
    assert.equal(Number(await card.locator('.count').innerText()), before, 'the second Enter takes the vote back');
    assert.equal(await focused(page), 'button.vote-button');
    assert.equal(await button.getAttribute('title'), 'Upvote');
    await page.keyboard.press('Space');
    await button.and(page.locator('[aria-pressed="true"]')).waitFor();
    assert.equal(Number(await card.locator('.count').innerText()), before + 1, 'Space votes as well');
    await page.reload();
    assert.equal(Number(await page.locator('article.card').first().locator('.count').innerText()), before + 1, 'the server counted the same');
    await noViolations(page, 'feed after voting');
  });
});
