/**
 * Editing a collection with the keyboard only, and the mail outbox, in real Chromium against a real
 * server: rename and publish a collection, then make it private (others get a 404 at once); axe-core
 * finds no serious or critical problems on /collections (edit form open) nor on /admin/outbox with
 * long mail lines (the mail text wraps instead of scrolling sideways).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { outboxMailer } from '../../src/mail/mailer.ts';
import { createAccount } from '../../src/services/accounts.ts';
import { browserUnavailable, launchBrowser, screenshot, seriousA11yViolations, signedInPage } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';

const skip = browserUnavailable();

describe('collections and the outbox, in Chromium', { skip: skip ?? false }, () => {
  let browser: Browser;
  let base: string;
  let outbox: string;
  let stop: () => Promise<void>;

  before(async () => {
    const started = await startTestServer();
    base = started.server.url;
    outbox = path.join(started.dataDir, 'outbox');
    const store = started.store;
    stop = async () => { await started.server.close(); await started.store.close(); };
    const now = () => Date.now();
    await createAccount({ store, now }, { username: 'boss', email: 'boss@example.org', password: 'admin password 123', role: 'admin' });
    await createAccount({ store, now }, { username: 'ada', email: 'ada@example.org', password: 'a long enough password', role: 'member' });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stop?.();
  });

  const signedIn = (login: string, password: string): Promise<Page> => signedInPage(browser, base, login, password, { viewport: { width: 1100, height: 900 } });

  async function axe(p: Page, label: string) {
    const v = await seriousA11yViolations(p);
    assert.deepEqual(v, [], `${label}: ${JSON.stringify(v, null, 1)}`);
  }

  const focused = (p: Page) => p.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el ? `${el.tagName.toLowerCase()}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}:${(el.innerText || el.getAttribute('value') || '').trim().slice(0, 60)}` : '';
  });

  test('rename a collection and make it public, then private again, with the keyboard only', async () => {
    const page = await signedIn('ada', 'a long enough password');
    await page.goto(`${base}/collections`);
    await page.getByLabel('Name').fill('Reading list');
    const loaded = page.waitForEvent('framenavigated');
    await page.keyboard.press('Enter');
    await loaded;
    await page.waitForLoadState();
    const item = page.locator('li', { has: page.getByRole('link', { name: 'Reading list' }) });
    assert.match(await item.innerText(), /\(0 papers, private\)/);

    // From the Delete button, Tab reaches "Edit"; Enter opens it; the fields follow in order.
    await item.getByRole('link', { name: 'Delete collection Reading list' }).focus();
    await page.keyboard.press('Tab');
    assert.match(await focused(page), /^summary:Edit/);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'input[name=name]:Reading list');
    await axe(page, '/collections with the edit form open');
    await screenshot(page, 'collection-edit-open');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Long-context reading');
    await page.keyboard.press('Tab');
    assert.match(await focused(page), /^input\[name=public\]/);
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    assert.match(await focused(page), /^button:Save changes/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/collections#collection-\d+$/);
    const renamed = page.locator('li', { has: page.getByRole('link', { name: 'Long-context reading' }) });
    assert.match(await renamed.innerText(), /\(0 papers, public\)/);
    assert.equal(await renamed.getByRole('link', { name: 'Long-context reading', exact: true }).getAttribute('href'), '/users/ada/collections/reading-list', 'the address stays');
    await axe(page, '/collections after saving');

    const visitor = await (await browser.newContext()).newPage();
    const seen = await visitor.goto(`${base}/users/ada/collections/reading-list`);
    assert.equal(seen?.status(), 200);
    assert.equal(await visitor.getByRole('heading', { level: 1 }).innerText(), 'Long-context reading');
    assert.equal((await visitor.request.get(`${base}/feeds/collections/ada/reading-list.rss`)).status(), 200);

    // Private again: untick with the keyboard (from a fresh load, so the URL check below waits for the save).
    await page.goto(`${base}/collections`);
    await renamed.locator('summary').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.match(await focused(page), /^input\[name=public\]/);
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    assert.match(await focused(page), /^button:Save changes/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/collections#collection-\d+$/);
    assert.match(await page.locator('li', { has: page.getByRole('link', { name: 'Long-context reading' }) }).innerText(), /\(0 papers, private\)/);
    assert.equal((await visitor.goto(`${base}/users/ada/collections/reading-list`))?.status(), 404);
    assert.equal((await visitor.request.get(`${base}/feeds/collections/ada/reading-list.rss`)).status(), 404);
  });

  test('delete a collection with the keyboard: it asks first, Cancel keeps it, Delete says it is done', async () => {
    const page = await signedIn('ada', 'a long enough password');
    await page.goto(`${base}/collections`);
    await page.locator('form[action="/collections"]').getByLabel('Name').fill('Old picks');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`${base}/collections`);
    const item = () => page.locator('li', { has: page.getByRole('link', { name: 'Old picks' }) });
    await item().getByRole('link', { name: 'Delete collection Old picks' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/collections\/\d+\/delete$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Delete the collection “Old picks”?');
    await axe(page, 'the question before deleting a collection');
    await page.getByRole('link', { name: 'Cancel, keep it' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/collections#collection-\d+$/);
    assert.equal(await item().count(), 1, 'Cancel keeps it');

    await item().getByRole('link', { name: 'Delete collection Old picks' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/collections\/\d+\/delete$/);
    await page.getByRole('button', { name: 'Delete collection' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/collections?deleted=1`);
    assert.equal(await page.getByRole('status').innerText(), 'The collection is deleted.');
    assert.equal(await item().count(), 0);
    await axe(page, '/collections after deleting one');
  });

  test('the mail outbox: long lines wrap, nothing scrolls sideways, axe finds no serious problem', async () => {
    const mailer = outboxMailer(outbox, 'Paperboy <paperboy@example.org>');
    // (a link without a secret: the page masks a reset link's token, see test/web/outbox-secrets.test.ts)
    const longLink = `https://papers.example.org/search?q=${'a1b2c3d4'.repeat(40)}`;
    await mailer.send({ to: 'ada@example.org', subject: 'A mail with a long line', text: `Hello,\n\n${longLink}\n\n${'word '.repeat(120)}\n` });
    const page = await signedIn('boss', 'admin password 123');
    await page.goto(`${base}/admin/outbox`);
    const pre = page.locator('article', { hasText: 'A mail with a long line' }).locator('pre');
    assert.match(await pre.innerText(), /q=(a1b2c3d4){40}/, 'the whole link is there');
    const { scroll, client } = await pre.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    assert.ok(scroll <= client, `the mail text fits its box (${scroll} <= ${client})`);
    await axe(page, '/admin/outbox');
  });
});
