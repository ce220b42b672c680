/**
 * Pages reflow on a 375 px phone screen without scrolling sideways (WCAG 1.4.10), in real
 * Chromium on the bundled demo corpus: lists, a paper whose comment holds a long URL, and the
 * API page with its code samples and parameter tables.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserUnavailable, openSite, screenshot, seriousA11yViolations } from '../helpers/browser.ts';

const skip = browserUnavailable();

/** How far the document is wider than the screen, and the widest elements that stick out. */
async function overflow(page: Page): Promise<{ by: number; culprits: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const by = document.documentElement.scrollWidth - width;
    const culprits: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0) culprits.push(`${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''} right=${Math.round(r.right)}`);
    }
    return { by, culprits: culprits.slice(0, 8) };
  });
}

describe('pages on a 375 px screen', { skip: skip ?? false }, () => {
  let site: Awaited<ReturnType<typeof openSite>> | undefined;
  let page: Page;
  let base: string;

  before(async () => {
    site = await openSite({ width: 375, height: 800 });
    ({ page, base } = site);
  });

  after(() => site?.close());

  test('no page scrolls sideways', async () => {
    // 2505.23764's comment ends in a URL too long for the line.
    for (const path of ['/', '/papers/week/2025-W22', '/new', '/papers/2505.23764', '/docs/api', '/about', '/stats', '/search?q=benchmark']) {
      await page.goto(`${base}${path}`);
      const o = await overflow(page);
      assert.equal(o.by, 0, `${path} is ${o.by} px wider than the screen: ${o.culprits.join(', ')}`);
      // What scrolls inside the page instead (tables, code) must take the keyboard focus.
      assert.deepEqual(await seriousA11yViolations(page), [], `${path} at 375 px`);
    }
    await page.goto(`${base}/papers/2505.23764`);
    assert.match(await page.locator('.details').innerText(), /https:\/\/runsenxu\.com\/projects\/MMSI_Bench/);
    await screenshot(page, 'paper-375px');
  });
});
