/**
 * A member's pages in real Chromium against a real server, with the browser's back/forward cache on
 * (as in the browsers people use): after "Sign out", Back shows none of the member's pages; on a
 * phone the API tokens page does not scroll sideways; For you and a collection's page keep their
 * headings in order (axe-core finds nothing of moderate impact or worse, on a desktop and a phone);
 * a used password-reset link says so at once and leads to a new request; deleting an account ends
 * on a page that says it is deleted; a collection of one paper says "1 paper".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createAccount } from '../../src/services/accounts.ts';
import { addToCollection, insertCollection } from '../../src/store/collections.ts';
import type { Store } from '../../src/store/index.ts';
import { browserUnavailable, launchBrowser, moderateA11yViolations, screenshot, signedInPage } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';
import { linksInOutbox } from '../helpers/web-client.ts';

const skip = browserUnavailable({ backForwardCache: true });

describe("a member's pages, in Chromium", { skip: skip ?? false }, () => {
  let browser: Browser;
  let base: string;
  let store: Store;
  let paperId: string;
  let outbox: string;
  let stop: () => Promise<void>;

  before(async () => {
    const started = await startTestServer();
    base = started.server.url;
    store = started.store;
    outbox = path.join(started.dataDir, 'outbox');
    stop = async () => { await started.server.close(); await started.store.close(); };
    const now = () => Date.now();
    const ada = await createAccount({ store, now }, { username: 'ada', email: 'ada@example.org', password: 'a long enough password', role: 'member' });
    await createAccount({ store, now }, { username: 'cyd', email: 'cyd@example.org', password: 'a long enough password', role: 'member' });
    await createAccount({ store, now }, { username: 'bea', email: 'bea@example.org', password: 'a long enough password', role: 'member' });
    paperId = (await store.db.selectFrom('daily_entries').select('paper_id').limit(1).executeTakeFirstOrThrow()).paper_id;
    const at = new Date().toISOString();
    const reading = await insertCollection(store.db, { userId: ada.id, name: 'Reading list', slug: 'reading-list', isPublic: true }, at);
    await addToCollection(store.db, reading, paperId, at);
    browser = await launchBrowser({ backForwardCache: true });
  });

  after(async () => {
    await browser?.close();
    await stop?.();
  });

  const signedIn = (viewport = { width: 1100, height: 900 }): Promise<Page> => signedInPage(browser, base, 'ada', 'a long enough password', { viewport });

  const header = async (page: Page) => (await page.locator('header').innerText()).replace(/\s+/g, ' ');

  test('the back/forward cache is on in this browser: Back brings a visitor\'s page back as it was left', async () => {
    // Else the tests below could not fail: Back would load every page anew whatever its headers said.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/about`);
    await page.evaluate(() => { (window as unknown as { leftAs: string }).leftAs = 'the same document'; });
    await page.goto(`${base}/`);
    await page.goBack({ waitUntil: 'commit' });
    await page.waitForFunction(() => document.readyState === 'complete');
    assert.equal(await page.evaluate(() => (window as unknown as { leftAs?: string }).leftAs ?? 'a new document'), 'the same document');
    await context.close();
  });

  for (const where of ['/collections', '/papers/PAPER', '/users/ada', '/account/welcome']) {
    test(`after signing out, Back from the front page does not show ${where} as the member saw it`, async () => {
      const page = await signedIn();
      const url = `${base}${where.replace('PAPER', paperId)}`;
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
      await screenshot(page, `back-after-signout-${where.replace(/[^a-z]+/gi, '-')}`);
      assert.doesNotMatch(shown, /Sign out/, `${where}: Back shows a signed-in header: ${shown}`);
      assert.doesNotMatch(shown, /\bada\b/, `${where}: Back shows the member's name: ${shown}`);
      assert.match(shown, /Sign in/, `${where}: Back shows a visitor's page`);
      assert.doesNotMatch(main, /ada@example\.org/, `${where}: Back shows the member's address`);
      await page.context().close();
    });
  }

  test('the API tokens page with a token listed does not scroll sideways on a 390 px phone', async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await page.goto(`${base}/settings/tokens`);
    await page.getByLabel('Name').fill('reading list script');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.waitForLoadState('load');
    await page.goto(`${base}/settings/tokens`);
    assert.equal(await page.getByRole('button', { name: 'Revoke reading list script' }).count(), 1);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    await screenshot(page, 'tokens-phone');
    assert.ok(scrollWidth <= innerWidth, `the page is ${scrollWidth} px wide in a ${innerWidth} px window`);
    // The table itself may scroll inside its box.
    const v = await moderateA11yViolations(page);
    assert.deepEqual(v, [], JSON.stringify(v, null, 1));
    await page.context().close();
  });

  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    test(`For you and a collection's page have their headings in order (${viewport.width} px)`, async () => {
      const page = await signedIn(viewport);
      for (const path of ['/for-you?period=month', '/users/ada/collections/reading-list']) {
        await page.goto(`${base}${path}`);
        assert.ok(await page.locator('.card-title').count() > 0, `${path} lists papers`);
        const v = await moderateA11yViolations(page);
        assert.deepEqual(v, [], `${path}: ${JSON.stringify(v, null, 1)}`);
        const levels = await page.evaluate(() => Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4')).map((h) => Number(h.tagName[1])));
        levels.forEach((l, i) => assert.ok(i === 0 || l <= levels[i - 1]! + 1, `${path}: heading levels ${levels.join(', ')}`));
      }
      await page.context().close();
    });
  }

  test('"Not interested" marks are listed in settings and taken back from the keyboard', async () => {
    const page = await signedIn({ width: 1280, height: 800 });
    await page.goto(`${base}/for-you?period=month`);
    const first = page.getByRole('button', { name: /^Not interested in "/ }).first();
    const title = (await first.getAttribute('aria-label'))!.replace(/^Not interested in "(.*)"$/, '$1');
    await first.click();
    // The link appears once the list has come back with the mark (clicks wait for it).
    await page.getByRole('link', { name: 'See the papers you marked not interested' }).click();
    await page.waitForURL(/\/settings\/not-interested$/);
    assert.equal(await page.getByRole('link', { name: title }).count(), 1);
    const v = await moderateA11yViolations(page);
    assert.deepEqual(v, [], JSON.stringify(v, null, 1));
    await screenshot(page, 'not-interested');
    await page.getByRole('button', { name: `Take back "not interested" for "${title}"` }).focus();
    await page.keyboard.press('Enter');
    // The same address comes back: wait for the new page's text, not for a load that already happened.
    await page.locator('main p', { hasText: /^None\./ }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole('link', { name: title }).count(), 0);
    await page.context().close();
  });

  test('a used reset link says at once that it does not work any more, and leads to a new one', async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await page.goto(`${base}/account/forgot`);
    await page.getByLabel('E-mail', { exact: true }).fill('bea@example.org');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.waitForLoadState('load');
    let link: string | undefined;
    for (let i = 0; i < 50 && !link; i++) { // the e-mail leaves after the answer
      link = (await linksInOutbox(outbox, 'bea@example.org')).find((l) => l.includes('/account/reset'));
      if (!link) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(link, 'the reset e-mail arrived');
    const url = `${base}${new URL(link).pathname}${new URL(link).search}`;
    await page.goto(url);
    await page.getByLabel('New password').fill('a brand new password');
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await page.waitForURL(/\/settings/);

    const again = await page.goto(url);
    assert.equal(again?.status(), 400);
    assert.equal(await page.locator('h1').innerText(), 'This reset link does not work any more');
    assert.match(await page.getByRole('alert').innerText(), /it was used, or it expired/);
    assert.equal(await page.getByLabel('New password').count(), 0, 'no form that cannot work');
    const v = await moderateA11yViolations(page);
    assert.deepEqual(v, [], JSON.stringify(v, null, 1));
    await screenshot(page, 'reset-link-used');
    await page.getByRole('link', { name: 'Ask for a new reset link' }).click();
    await page.waitForURL(`${base}/account/forgot`);
    await page.context().close();
  });

  test('deleting an account ends on a page that says so, signed out', async () => {
    const page = await signedInPage(browser, base, 'cyd', 'a long enough password', { viewport: { width: 1100, height: 900 } });
    await page.goto(`${base}/settings`);
    await page.getByLabel('Type your username (cyd)').fill('cyd');
    await page.locator('form[action="/settings/delete"]').getByLabel('Current password').fill('a long enough password');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator('h1').innerText(), 'Account deleted');
    assert.match(await page.getByRole('status').innerText(), /Your account is deleted/);
    assert.equal(new URL(page.url()).search, '', 'a page of its own, with nothing taken from the address');
    assert.doesNotMatch(await header(page), /Sign out/);
    const v = await moderateA11yViolations(page);
    assert.deepEqual(v, [], JSON.stringify(v, null, 1));
    await screenshot(page, 'account-deleted');
    assert.equal((await page.goto(`${base}/users/cyd`))?.status(), 404, 'the profile is gone');
    await page.context().close();
  });

  test('a collection of one paper says "1 paper" on every page that counts it', async () => {
    const page = await signedIn();
    const text = async () => (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    await page.goto(`${base}/collections`);
    assert.match(await text(), /Reading list \(1 paper, public\)/);
    await page.goto(`${base}/users/ada`);
    assert.match(await text(), /Reading list \(1 paper\)/);
    await page.goto(`${base}/users/ada/collections/reading-list`);
    assert.match(await text(), /A public collection by ada, 1 paper\./);
    for (const path of ['/collections', '/users/ada', '/users/ada/collections/reading-list']) {
      await page.goto(`${base}${path}`);
      assert.doesNotMatch(await text(), /\b1 papers\b/, path);
    }
    await page.context().close();
  });

  test('a comment written on a page opened before signing in again is refused, then sent with "Send it again" from the keyboard', async () => {
    const page = await signedIn();
    await page.goto(`${base}/papers/${paperId}`);
    // Signing in again elsewhere in this browser (another window): the open page's token is stale now.
    const token = /name="_csrf" value="([^"]+)"/.exec(await (await page.request.get(`${base}/settings`)).text())![1]!;
    const again = await page.request.post(`${base}/signin`, { form: { _csrf: token, login: 'ada', password: 'a long enough password' }, maxRedirects: 0 });
    assert.equal(again.status(), 303, 'signed in again');

    const words = `Read it twice & "kept" it ${Date.now()}`;
    await page.locator('#body-new').fill(words);
    await Promise.all([page.waitForURL(`${base}/actions/comment`), page.getByRole('button', { name: 'Comment', exact: true }).click()]);
    assert.equal(await page.locator('h1').innerText(), 'Send this form again?');
    assert.deepEqual(await moderateA11yViolations(page), []);
    await screenshot(page, 'expired-form-send-again');

    const button = page.getByRole('button', { name: 'Send it again' });
    await button.focus();
    await Promise.all([page.waitForURL(new RegExp(`/papers/${paperId.replace('.', '\\.')}\\?.*#c\\d+$`)), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('.comment', { hasText: words }).count(), 1, 'the comment is on the page, once');
    await page.context().close();
  });
});
