/**
 * Discovery in real Chromium against a real server on the demo corpus: a member goes from a
 * paper's author link to the author page and follows the author with the keyboard alone (no
 * mouse), sees it listed in settings, and opens a category page; axe-core finds no serious or
 * critical problems on these pages. Screenshots land in test-artifacts/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createAccount } from '../../src/services/accounts.ts';
import type { Store } from '../../src/store/index.ts';
import { browserUnavailable, launchBrowser, screenshot, seriousA11yViolations } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';

const skip = browserUnavailable();

describe('following an author and category pages, in Chromium', { skip: skip ?? false }, () => {
  let browser: Browser;
  let base: string;
  let store: Store;
  let stop: () => Promise<void>;
  let page: Page;
  let paperId: string;
  let author: string;

  before(async () => {
    const started = await startTestServer();
    base = started.server.url;
    store = started.store;
    stop = async () => { await started.server.close(); await started.store.close(); };
    await createAccount({ store, now: () => Date.now() }, { username: 'reader', email: 'reader@example.org', password: 'a long enough password', role: 'member' });
    // A listed demo paper whose first author has more than one paper here.
    const row = await store.db.selectFrom('paper_authors as a')
      .innerJoin('daily_entries as d', 'd.paper_id', 'a.paper_id')
      .select(['a.paper_id', 'a.name'])
      .where('a.position', '=', 0)
      .where('a.name', 'in', store.db.selectFrom('paper_authors').select('name').groupBy('name').having((eb) => eb.fn.countAll(), '>', 1))
      .orderBy('a.paper_id').limit(1).executeTakeFirstOrThrow();
    paperId = row.paper_id;
    author = row.name;
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
  });

  after(async () => {
    await browser?.close();
    await stop?.();
  });

  async function axe(label: string) {
    const v = await seriousA11yViolations(page);
    assert.deepEqual(v, [], `${label}: ${JSON.stringify(v, null, 1)}`);
  }

  /** Presses Tab until the focused element's text matches, as a keyboard user would; fails after `max` presses. */
  async function tabTo(text: RegExp, max = 80): Promise<void> {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
      if (text.test(focused)) return;
    }
    assert.fail(`no focusable element matching ${text} within ${max} Tab presses`);
  }

  test('sign in, open a paper, follow its author with the keyboard', async () => {
    await page.goto(`${base}/signin`);
    await page.getByLabel('Username or e-mail').fill('reader');
    await page.getByLabel('Password').fill('a long enough password');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/`);

    await page.goto(`${base}/papers/${paperId}`);
    await axe('paper page with author links and keywords');
    const chips = await page.locator('ul.keywords a.chip').count();
    assert.ok(chips > 0, 'the demo paper has keyword chips');
    assert.ok(await page.locator('.abstract-full mark.kw').count() > 0, 'keywords are marked in the abstract');

    await tabTo(new RegExp(`^${author.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/authors/${encodeURIComponent(author)}`);
    await page.getByRole('heading', { level: 1, name: author }).waitFor();
    await axe('author page');

    await tabTo(new RegExp(`^Follow ${author.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?follow=followed$/);
    await page.getByRole('status').filter({ hasText: 'You follow this author now.' }).waitFor();
    const button = page.getByRole('button', { name: `Unfollow ${author}` });
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    await axe('author page, following');
    await screenshot(page, 'discovery-author-followed');
  });

  test('the authors followed are listed in settings, with an e-mail alert link each', async () => {
    await page.goto(`${base}/settings`);
    await page.getByRole('link', { name: 'See the authors you follow' }).click();
    await page.getByRole('heading', { level: 1, name: 'Authors you follow' }).waitFor();
    assert.equal(await page.getByRole('link', { name: author, exact: true }).count(), 1);
    const alert = await page.getByRole('link', { name: 'E-mail alert' }).getAttribute('href');
    assert.equal(alert, `/subscribe?kind=search&q=${encodeURIComponent(`author:"${author}"`)}`);
    await axe('followed authors');
    await screenshot(page, 'discovery-following');
  });

  test('a category chip leads to the category\'s own trending list', async () => {
    await page.goto(`${base}/papers/${paperId}`);
    const chip = page.locator('dl.details a.chip').first();
    const category = (await chip.textContent())!.trim();
    await chip.click();
    await page.waitForURL(`${base}/categories/${category}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`Daily papers in ${category.replace('.', '\\.')}`) }).waitFor();
    assert.ok(await page.locator('ol.cards > li').count() > 0);
    await page.getByRole('link', { name: 'Weekly' }).click();
    await page.waitForURL(new RegExp(`/categories/${category.replace('.', '\\.')}/week/\\d{4}-W\\d{2}$`));
    await axe('category page, week');
    await screenshot(page, 'discovery-category-week');
  });
});
