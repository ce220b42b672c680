/**
 * Layout details people notice, in real Chromium on the bundled demo corpus: the /stats charts keep
 * every label inside the picture and give their numbers as a table (readable on a 375 px phone);
 * under forced colours (Windows High Contrast) the current Daily/Weekly/Monthly tab is still told
 * apart; a collection name without spaces does not make a phone page scroll sideways; the admin's
 * role picker and "Set role" sit on one line; the "Sign up" pill has room around its text; the skip
 * link's and the Revoke button's focus rings are drawn whole.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createAccount } from '../../src/services/accounts.ts';
import { addToCollection, insertCollection } from '../../src/store/collections.ts';
import { browserUnavailable, launchBrowser, screenshot, seriousA11yViolations, signedInPage } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';

const skip = browserUnavailable();
/** 80 characters, the longest name a collection may have, and no space to break it at. */
const LONG_NAME = 'Supercalifragilisticexpialidocious_reading_list_for_multimodal_spatial_reasoning';
const PASSWORD = 'a long enough password';
/** The focus ring: a 3 px outline 2 px away from the element (style.css `:focus-visible`). */
const RING = 5;

describe('layout details, in Chromium', { skip: skip ?? false }, () => {
  let browser: Browser;
  let base: string;
  let paperId: string;
  let stop: () => Promise<void>;

  before(async () => {
    assert.equal(LONG_NAME.length, 80);
    const started = await startTestServer();
    base = started.server.url;
    const store = started.store;
    stop = async () => { await started.server.close(); await started.store.close(); };
    const now = () => Date.now();
    const ada = await createAccount({ store, now }, { username: 'ada', email: 'ada@example.org', password: PASSWORD, role: 'member' });
    await createAccount({ store, now }, { username: 'boss', email: 'boss@example.org', password: PASSWORD, role: 'admin' });
    paperId = (await store.db.selectFrom('daily_entries').select('paper_id').limit(1).executeTakeFirstOrThrow()).paper_id;
    const at = new Date().toISOString();
    const long = await insertCollection(store.db, { userId: ada.id, name: LONG_NAME, slug: 'long-name', isPublic: true }, at);
    await addToCollection(store.db, long, paperId, at);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stop?.();
  });

  const open = async (viewport: { width: number; height: number }, login?: string): Promise<Page> =>
    (login ? signedInPage(browser, base, login, PASSWORD, { viewport }) : (await browser.newContext({ viewport })).newPage());

  const sideways = (page: Page) => page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));

  for (const viewport of [{ width: 1280, height: 800 }, { width: 375, height: 800 }]) {
    test(`/stats at ${viewport.width} px: every chart label lies inside its chart, and each chart's numbers are in a table`, async () => {
      const page = await open(viewport);
      await page.goto(`${base}/stats`);
      const charts = page.locator('figure.chart');
      assert.equal(await charts.count(), 4);
      for (let i = 0; i < 4; i++) {
        const chart = charts.nth(i);
        const name = await chart.locator('svg > title').textContent();
        const outside = await chart.evaluate((fig) => {
          const box = fig.querySelector('svg')!.getBoundingClientRect();
          return Array.from(fig.querySelectorAll('svg text')).flatMap((t) => {
            const r = t.getBoundingClientRect();
            return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5
              ? [`"${t.textContent}" at ${Math.round(r.left - box.left)}..${Math.round(r.right - box.left)} of 0..${Math.round(box.width)}`] : [];
          });
        });
        assert.deepEqual(outside, [], `${name}: labels outside the chart`);

        // The numbers behind the bars (otherwise only in tooltips) are a table under the chart.
        const bars = await chart.locator('svg rect title').allTextContents();
        assert.ok(bars.length > 0, `${name} has bars`);
        const section = chart.locator('xpath=ancestor::section[1]');
        const figures = section.locator('details', { has: page.locator('summary', { hasText: 'Figures as a table' }) });
        assert.equal(await figures.count(), 1, `${name}: a "Figures as a table" under the chart`);
        await figures.locator('summary').click();
        const rows = await figures.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((c) => (c as HTMLElement).innerText.trim())));
        assert.deepEqual(rows.map(([label, value]) => `${label}: ${value}`), bars.map((b) => b.replace(/ \w+$/, '')), `${name}: the table has the chart's numbers`);
        const size = await figures.locator('tbody td').first().evaluate((td) => parseFloat(getComputedStyle(td).fontSize));
        assert.ok(size >= 12, `${name}: the table's text is ${size} px`);
      }
      assert.deepEqual(await seriousA11yViolations(page), []);
      const { scrollWidth, innerWidth } = await sideways(page);
      assert.ok(scrollWidth <= innerWidth, `/stats with the tables open is ${scrollWidth} px wide in a ${innerWidth} px window`);
      await screenshot(page, `stats-figures-${viewport.width}`);
      await page.context().close();
    });
  }

  test('under forced colours, the current period tab is marked by more than its background', async () => {
    const page = await open({ width: 1280, height: 800 }, 'ada');
    await page.emulateMedia({ forcedColors: 'active' });
    for (const path of ['/papers/week/2025-W22', '/for-you?period=week']) {
      await page.goto(`${base}${path}`);
      const marks = await page.getByRole('navigation', { name: 'Period' }).locator('a').evaluateAll((as) => as.map((a) => {
        const s = getComputedStyle(a);
        return { current: a.getAttribute('aria-current') === 'page', mark: [s.borderBottomStyle, s.borderBottomWidth, s.outlineStyle, s.textDecorationLine, s.boxShadow].join(' ') };
      }));
      const current = marks.filter((m) => m.current);
      const others = marks.filter((m) => !m.current);
      assert.equal(current.length, 1, path);
      assert.ok(others.length >= 1, path);
      for (const o of others) assert.notEqual(current[0]!.mark, o.mark, `${path}: the current tab looks like the others under forced colours (${o.mark})`);
    }
    await screenshot(page, 'tabs-forced-colors');
    await page.context().close();
  });

  test('a collection name of 80 letters without a space does not make a 375 px page scroll sideways', async () => {
    const page = await open({ width: 375, height: 800 }, 'ada');
    const wide: string[] = [];
    for (const path of ['/collections', '/users/ada', '/users/ada/collections/long-name', `/collections/save?paper=${paperId}`]) {
      await page.goto(`${base}${path}`);
      assert.match(await page.locator('main').innerText(), new RegExp(LONG_NAME), `${path} shows the name`);
      if (path === '/collections') await page.locator('summary', { hasText: 'Edit' }).first().click();
      const { scrollWidth, innerWidth } = await sideways(page);
      if (scrollWidth > innerWidth) wide.push(`${path} is ${scrollWidth} px wide in a ${innerWidth} px window`);
    }
    assert.deepEqual(wide, []);
    await page.goto(`${base}/collections`);
    await page.locator('summary', { hasText: 'Edit' }).first().click();
    await screenshot(page, 'collections-long-name-375');
    await page.context().close();
  });

  test('admin: the role picker and "Set role" are on one line', async () => {
    const page = await open({ width: 1280, height: 800 }, 'boss');
    await page.goto(`${base}/users/ada`);
    const select = await page.getByLabel('Role').boundingBox();
    const button = await page.getByRole('button', { name: 'Set role' }).boundingBox();
    assert.ok(select && button);
    assert.ok(button.x > select.x + select.width - 1, `"Set role" at x=${button.x} is not after the picker (${select.x}..${select.x + select.width})`);
    assert.ok(Math.abs(button.y + button.height / 2 - (select.y + select.height / 2)) < select.height / 2, `"Set role" at y=${button.y}, the picker at y=${select.y}`);
    await page.context().close();
  });

  test('the header "Sign up" pill has room on either side of its text', async () => {
    const page = await open({ width: 1280, height: 800 });
    await page.goto(`${base}/`);
    const pad = await page.locator('header a.button-link', { hasText: 'Sign up' }).evaluate((a) => {
      const s = getComputedStyle(a);
      return [parseFloat(s.paddingLeft), parseFloat(s.paddingRight)];
    });
    assert.ok(pad[0]! >= 6 && pad[1]! >= 6, `padding ${pad.join(' and ')} px`);
    await page.context().close();
  });

  test('the skip link shows its whole focus ring, inside the window', async () => {
    const page = await open({ width: 375, height: 800 });
    await page.goto(`${base}/`);
    await page.keyboard.press('Tab');
    const box = await page.getByRole('link', { name: 'Skip to content' }).evaluate((a) => {
      if (document.activeElement !== a) return null;
      const r = a.getBoundingClientRect();
      return { top: r.top, left: r.left };
    });
    assert.ok(box, 'Tab reaches the skip link first');
    assert.ok(box.top >= RING && box.left >= RING, `the link is at ${box.top} px from the top: its ring is cut off`);
    await page.context().close();
  });

  test("on a phone, a token's Revoke button is in view with its whole focus ring when Tab reaches it", async () => {
    const page = await open({ width: 375, height: 800 }, 'ada');
    await page.goto(`${base}/settings/tokens`);
    await page.getByLabel('Name').fill('reading list script');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.waitForLoadState('load');
    // 520 px: the table is a little wider than its box, and Chromium does not scroll a button it
    // shows a sliver of when it takes the focus.
    for (const width of [375, 520]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${base}/settings/tokens`);
      const revoke = page.getByRole('button', { name: 'Revoke reading list script' });
      await page.getByRole('button', { name: 'Create token' }).focus();
      await page.keyboard.press('Tab');
      assert.ok(await revoke.evaluate((b) => b === document.activeElement), 'Tab goes from "Create token" to Revoke');
      const { button, box } = await revoke.evaluate((b) => ({ button: b.getBoundingClientRect().toJSON() as DOMRect, box: b.closest('.table-wrap')!.getBoundingClientRect().toJSON() as DOMRect }));
      assert.ok(button.right + RING <= box.right + 0.5 && button.left - RING >= box.left - 0.5,
        `${width} px: Revoke at ${Math.round(button.left)}..${Math.round(button.right)}, the table's box ${Math.round(box.left)}..${Math.round(box.right)}: the ring is cut off`);
      await screenshot(page, `tokens-revoke-focus-${width}`);
    }
    await page.context().close();
  });
});
