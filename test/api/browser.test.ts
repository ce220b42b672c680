/**
 * The open-data pages in real Chromium (skipped with a message when it is missing): /stats shows
 * its charts, /docs/api reads, a member creates an API token in Settings (and one whose address is
 * not confirmed is told why they cannot); axe-core finds no serious accessibility problem on any of them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { createAccount } from '../../src/services/accounts.ts';
import { hashPassword } from '../../src/services/passwords.ts';
import { createUser } from '../../src/store/users.ts';
import { browserUnavailable, launchBrowser, moderateA11yViolations, screenshot, seriousA11yViolations } from '../helpers/browser.ts';
import { NOW_MS, openDataApp } from './support.ts';

const skip = browserUnavailable();
// Made at the top level: the temporary store it opens lives until the file's tests end (an `after` registered in a hook would close it at once).
const app = skip ? null : openDataApp();

describe('open-data pages in Chromium', { skip: skip ?? false }, () => {
  let browser: Browser;
  let page: Page;
  let base: string;
  let close: () => Promise<void>;

  before(async () => {
    const t = await app!;
    await createAccount({ store: t.store, now: () => NOW_MS }, { username: 'grace', email: 'grace@example.org', password: 'a long enough password', role: 'member' });
    const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await close?.();
  });

  test('/stats shows four charts drawn on the server, and the month\'s most upvoted', async () => {
    await page.goto(`${base}/stats`);
    const charts = page.locator('figure.chart svg[role="img"]');
    assert.equal(await charts.count(), 4);
    for (let i = 0; i < 4; i++) {
      const box = await charts.nth(i).boundingBox();
      assert.ok(box && box.width > 300 && box.height > 40, `chart ${i} is drawn (${JSON.stringify(box)})`);
    }
    assert.equal(await page.locator('figure.chart svg rect').count() > 100, true, 'bars are there');
    assert.match(await page.locator('section[aria-labelledby="st-month"] table.runs tbody tr').first().innerText(), /Diffusion models <b>for<\/b> video & more\s+40/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'stats');
  });

  test('/docs/api reads as a page, with the endpoints grouped', async () => {
    await page.goto(`${base}/docs/api`);
    assert.equal(await page.locator('h1').innerText(), 'Paperboy Test for developers and agents');
    assert.ok(await page.locator('section.endpoint').count() >= 40);
    // Moderate too: each example box is a region, and regions need names a reader can tell apart.
    const v = await moderateA11yViolations(page);
    assert.deepEqual(v, [], JSON.stringify(v, null, 1));
    await screenshot(page, 'api-docs');
  });

  test('a member creates an API token in Settings and sees it once', async () => {
    await page.goto(`${base}/signin?next=/settings/tokens`);
    await page.getByLabel(/username or e-mail/i).fill('grace');
    await page.getByLabel(/password/i).fill('a long enough password');
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(/\/settings\/tokens$/);
    await page.getByLabel(/^Name/).fill('notebook');
    await page.getByLabel(/Read and write/).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByRole('textbox', { name: 'Token', exact: true }).inputValue();
    assert.match(token, /^pbt_[\w-]{43}$/);
    const me = await page.evaluate(async (t) => (await fetch('/api/v1/me', { headers: { authorization: `Bearer ${t}` } })).json(), token);
    assert.equal((me as { username: string }).username, 'grace');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'api-tokens');
  });

  test('a member whose address is not confirmed is told on the tokens page, which offers no form', async () => {
    const t = await app!;
    await createUser(t.store.db, { username: 'newbie', email: 'newbie@example.org', passwordHash: await hashPassword('a long enough password'), role: 'member', verified: false }, new Date(NOW_MS).toISOString());
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const fresh = await context.newPage();
    await fresh.goto(`${base}/signin?next=/settings/tokens`);
    await fresh.getByLabel(/username or e-mail/i).fill('newbie');
    await fresh.getByLabel(/password/i).fill('a long enough password');
    await fresh.getByRole('button', { name: /sign in/i }).click();
    await fresh.waitForURL(/\/settings\/tokens$/);
    assert.match(await fresh.locator('main').innerText(), /Confirm your e-mail address first: API tokens are for accounts whose address is confirmed/);
    assert.equal(await fresh.getByRole('button', { name: 'Create token' }).count(), 0);
    assert.deepEqual(await seriousA11yViolations(fresh), []);
    await context.close();
  });
});
