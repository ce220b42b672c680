/**
 * The reader's first pages in real Chromium, on the bundled demo corpus: the feed, date
 * navigation (mouse and keyboard), the paper page, and accessibility.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserUnavailable, openSite, moderateA11yViolations, screenshot } from '../helpers/browser.ts';

const skip = browserUnavailable();

describe('reading the daily papers in Chromium', { skip: skip ?? false }, () => {
  let site: Awaited<ReturnType<typeof openSite>> | undefined;
  let page: Page;
  let base: string;

  before(async () => {
    site = await openSite({ width: 1200, height: 900 });
    ({ page, base } = site);
  });

  after(() => site?.close());

  test('the feed shows the latest day of the demo, trending first', async () => {
    await page.goto(`${base}/`);
    assert.equal(await page.locator('h1').first().innerText().then((t) => t.includes('Daily papers')), true);
    assert.match(await page.locator('h1 .when').innerText(), /July 4, 2025/);
    const cards = page.locator('article.card');
    assert.ok((await cards.count()) >= 1);
    const counts = await page.locator('article.card .votes .count').allInnerTexts();
    assert.ok(counts.every((c) => /^\d+$/.test(c)));
    assert.match(await page.locator('.demo-banner').innerText(), /generated demo data/);
    await screenshot(page, 'feed-latest-day');
  });

  test('previous-day navigation, tabs and sort work by mouse', async () => {
    await page.goto(`${base}/papers/date/2025-05-30`);
    const first = await page.locator('article.card h3 a').first().innerText();
    await page.getByRole('link', { name: 'Most upvoted' }).click();
    await page.waitForURL(/sort=upvotes/);
    const votes = (await page.locator('article.card .votes .count').allInnerTexts()).map(Number);
    assert.deepEqual(votes, [...votes].sort((a, b) => b - a), 'most upvoted is in descending order');
    await page.getByRole('link', { name: /Previous day/ }).click();
    await page.waitForURL(/\/papers\/date\/2025-05-29\?sort=upvotes$/);
    assert.equal(await page.locator('nav.sort [aria-current="true"]').innerText(), 'Most upvoted', 'the previous day keeps the sort');
    assert.match(await page.locator('h1 .when').innerText(), /May 29, 2025/);
    await page.getByRole('link', { name: 'Weekly' }).click();
    await page.waitForURL(/\/papers\/week\/2025-W22/);
    assert.match(await page.locator('.count[role=status]').innerText(), /\d+ papers/);
    assert.ok(first.length > 0);
    await screenshot(page, 'feed-week');
  });

  test('keyboard: j moves through papers, Enter opens one, [ goes to the previous day', async () => {
    await page.goto(`${base}/papers/date/2025-05-30`);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
    const second = await page.locator('article.card h3 a').nth(1).innerText();
    assert.equal(focused, second);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/papers\/\d{4}\.\d{4,5}$/);
    assert.equal(await page.locator('h1#paper-title').innerText(), second);
    await page.goto(`${base}/papers/date/2025-05-30`);
    await page.keyboard.press('[');
    await page.waitForURL(/\/papers\/date\/2025-05-29/);
  });

  test('the paper page shows the whole paper and copies BibTeX', async () => {
    await page.goto(`${base}/papers/date/2025-05-30`);
    await page.locator('article.card h3 a').first().click();
    await page.waitForURL(/\/papers\//);
    assert.ok((await page.locator('.abstract-full').innerText()).length > 200);
    assert.equal(await page.getByRole('link', { name: 'PDF' }).getAttribute('href').then((h) => h?.startsWith('https://arxiv.org/pdf/')), true);
    assert.match(await page.locator('#bibtex').innerText(), /^@misc\{/);
    await screenshot(page, 'paper-page');
  });

  test('no moderate, serious or critical accessibility violations on the feed, a week, the paper page, About and an error page', async () => {
    for (const path of ['/', '/papers/week/2025-W22', '/papers/2505.24726', '/about', '/new/cs.CL', '/categories/cs.CL/month/2025-06', '/papers/date/2025-02-30']) {
      await page.goto(`${base}${path}`);
      // Moderate ones included: heading order (h1, then the cards' h3), the demo banner outside every landmark.
      const violations = await moderateA11yViolations(page);
      assert.deepEqual(violations, [], `${path}: ${JSON.stringify(violations, null, 1)}`);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${base}/`);
    assert.deepEqual(await moderateA11yViolations(page), [], 'dark theme');
    await screenshot(page, 'feed-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('pages read fully without JavaScript', async () => {
    const context = await site!.browser.newContext({ javaScriptEnabled: false });
    const p = await context.newPage();
    await p.goto(`${base}/papers/date/2025-05-30`);
    assert.ok((await p.locator('article.card').count()) > 0);
    await p.getByRole('link', { name: /Next day/ }).click();
    await p.waitForURL(/\/papers\/date\/2025-05-31$/);
    assert.match(await p.locator('h1 .when').innerText(), /May 31, 2025/);
    await context.close();
  });
});
