/**
 * Keyboard, focus and feedback on the site's pages, in real Chromium against a real server on the
 * demo corpus: what a member who reads and acts with the keyboard (or a screen reader) notices.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createAccount } from '../../src/services/accounts.ts';
import type { Store } from '../../src/store/index.ts';
import { ARTIFACTS_DIR, browserUnavailable, launchBrowser, moderateA11yViolations, screenshot } from '../helpers/browser.ts';
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
    decoder = await browser.newPage();
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

  test('the period tabs show a whole focus ring, set apart from the current tab, in light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${base}/papers/date/2025-05-30`);
      const tabs = page.getByRole('navigation', { name: 'Period' });
      const daily = tabs.getByRole('link', { name: 'Daily' });
      assert.equal(await daily.getAttribute('aria-current'), 'page');
      await daily.focus();
      await page.keyboard.press('Tab');
      const weekly = tabs.getByRole('link', { name: 'Weekly' });
      assert.equal(await weekly.evaluate((a) => a === document.activeElement && a.matches(':focus-visible')), true);
      const box = (await weekly.boundingBox())!;
      const colours = await page.evaluate(() => {
        const css = getComputedStyle(document.documentElement);
        return { focus: css.getPropertyValue('--focus').trim(), bg: css.getPropertyValue('--bg').trim() };
      });
      fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const shot = await page.screenshot({ path: path.join(ARTIFACTS_DIR, `tabs-focus-${scheme}.png`), clip: { x: box.x - 12, y: box.y - 12, width: box.width + 24, height: box.height + 24 } });
      const at = (dx: number, dy: number) => pixelAt(shot, 12 + dx, 12 + dy);
      const midX = Math.round(box.width / 2);
      const midY = Math.round(box.height / 2);
      // The ring: 3px wide, 2px out from the tab. Above the tab it used to be cut off by the row of tabs.
      assertColour(await at(midX, -4), colours.focus, `${scheme}: the ring shows above the tab`);
      assertColour(await at(midX, Math.round(box.height) + 3), colours.focus, `${scheme}: the ring shows below the tab`);
      // On the side of the current tab (filled with the same colour), a gap of page colour sets it apart.
      assertColour(await at(-1, midY), colours.bg, `${scheme}: a gap in the page colour between the current tab and the ring`);
      assertColour(await at(-4, midY), colours.focus, `${scheme}: the ring shows on the current tab's side`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('an upvote shows in the arrow\'s shape as well as its colour, and in forced colours', async () => {
    await page.goto(`${base}/papers/date/2025-05-31`);
    const [first, second] = [page.locator('article.card').nth(0), page.locator('article.card').nth(1)];
    const arrow = (card: typeof first) => card.locator('.vote-button .arrow').innerText();
    const unvoted = await arrow(first);
    assert.equal(await arrow(second), unvoted);
    await first.locator('button.vote-button').click();
    await first.locator('button.vote-button[aria-pressed="true"]').waitFor();
    assert.notEqual(await arrow(first), await arrow(second), 'the voted arrow has another shape at once');
    await page.reload();
    assert.equal(await first.locator('button.vote-button').getAttribute('aria-pressed'), 'true');
    const voted = await arrow(first);
    assert.notEqual(voted, unvoted, 'and after a reload');
    assert.equal(await arrow(second), unvoted);
    await page.emulateMedia({ forcedColors: 'active' });
    const frame = (card: typeof first) => card.locator('.votes').evaluate((el) => {
      const css = getComputedStyle(el);
      return `${css.borderTopWidth} ${css.borderTopStyle} ${css.borderTopColor}`;
    });
    assert.notEqual(await frame(first), await frame(second), 'in forced colours the voted box is framed apart');
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await first.screenshot({ path: path.join(ARTIFACTS_DIR, 'vote-forced-colours.png') });
    await page.emulateMedia({ forcedColors: 'none' });
    await noViolations(page, 'feed with a vote');
  });

  test('j and k go on from the card that has the focus, and leave the letters alone elsewhere', async () => {
    await page.goto(`${base}/papers/date/2025-05-30`);
    const titles = page.locator('article.card h3 a');
    assert.ok((await titles.count()) >= 4);
    const focusedTitle = () => page.evaluate(() => document.activeElement?.closest('.card-title') ? document.activeElement.textContent : null);
    await titles.nth(2).focus();
    await page.keyboard.press('j');
    assert.equal(await focusedTitle(), await titles.nth(3).innerText(), 'j from the third card goes to the fourth');
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    assert.equal(await focusedTitle(), await titles.nth(1).innerText());
    // From a control inside a card (its upvote button), j goes to the next card.
    await page.locator('article.card').nth(1).locator('button.vote-button').focus();
    await page.keyboard.press('j');
    assert.equal(await focusedTitle(), await titles.nth(2).innerText());
    // With the focus on a link of the header, the letters do nothing.
    const about = page.locator('header').getByRole('link', { name: 'About' });
    await about.focus();
    await page.keyboard.press('j');
    await page.keyboard.press(']');
    assert.equal(await about.evaluate((a) => a === document.activeElement), true, 'j leaves the focus where it is');
    assert.equal(page.url(), `${base}/papers/date/2025-05-30`, '] goes nowhere');
    // With nothing focused, j goes on from the last card it went to.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('j');
    assert.equal(await focusedTitle(), await titles.nth(3).innerText());
  });

  test('a refused sign-up: every problem said at once, and the field to fix has the focus and names the error', async () => {
    const visitor = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await visitor.goto(`${base}/signup`);
    await visitor.getByLabel('Username').fill('no');
    await visitor.getByLabel('E-mail', { exact: true }).fill('no@example.org');
    await visitor.getByLabel('Password').fill('short');
    // The browser's own checks (minlength) would stop the form before the server sees it.
    await visitor.evaluate(() => { document.querySelector<HTMLFormElement>('form[action="/signup"]')!.noValidate = true; });
    await visitor.getByRole('button', { name: 'Sign up' }).click();
    await visitor.waitForLoadState();
    const active = await visitor.evaluate(() => {
      const el = document.activeElement as HTMLInputElement;
      const described = el.getAttribute('aria-describedby');
      return { name: el.name, error: described ? document.getElementById(described)?.textContent : null };
    });
    assert.equal(active.name, 'username', 'the first field named in the error has the focus');
    assert.match(active.error ?? '', /^Username: at least 3 characters\. Password: at least 10 characters$/);
    await noViolations(visitor, 'refused sign-up');
    await visitor.close();
  });

  test('comment actions on a phone: at least 24px tall, underlined, and each named for its comment', async () => {
    const paper = (await store.db.selectFrom('daily_entries').select('paper_id').orderBy('paper_id').limit(1).executeTakeFirstOrThrow()).paper_id;
    await page.goto(`${base}/papers/${paper}`);
    for (const text of ['A first thought', 'A second thought']) {
      await page.getByLabel('Add a comment').fill(text);
      await page.getByRole('button', { name: 'Comment', exact: true }).click();
      await page.waitForURL(/#c\d+$/);
    }
    const ids = await page.locator('li.comment').evaluateAll((els) => els.map((e) => e.id.slice(1)));
    assert.ok(ids.length >= 2);
    await page.setViewportSize({ width: 375, height: 800 });
    for (const id of ids) {
      for (const [role, name] of [['link', 'Edit'], ['link', 'Delete']] as const) {
        assert.equal(await page.getByRole(role, { name: `${name} comment ${id} by kai`, exact: true }).count(), 1, `${name} names comment ${id}`);
      }
      assert.equal(await page.getByRole('button', { name: `Upvote comment ${id} by kai`, exact: true }).count(), 0, 'no Upvote on your own comment');
      assert.equal(await page.locator(`#c${id} summary`, { hasText: `Reply to comment ${id} by kai` }).count(), 1);
    }
    const controls = await page.locator('.comment-actions').first().locator(':scope > a, :scope button.link, :scope summary').evaluateAll((els) =>
      els.map((el) => ({ text: (el.textContent ?? '').trim(), height: el.getBoundingClientRect().height, underline: getComputedStyle(el).textDecorationLine })));
    assert.ok(controls.length >= 3, JSON.stringify(controls));
    for (const c of controls) {
      assert.ok(c.height >= 24, `${c.text}: ${c.height}px tall at 375px`);
      assert.equal(c.underline, 'underline', `${c.text} is underlined`);
    }
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.locator('li.comment').first().screenshot({ path: path.join(ARTIFACTS_DIR, 'comment-actions-375.png') });
    await noViolations(page, 'paper page with comments at 375px');
    await page.setViewportSize({ width: 1100, height: 900 });
  });
});

/** The colour of one pixel of a PNG, decoded by the browser itself (no image library needed). */
async function pixelAt(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  return decoder!.evaluate(async ({ data, x, y }) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${data}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
    return [r!, g!, b!] as [number, number, number];
  }, { data: png.toString('base64'), x, y });
}
let decoder: Page | undefined;

/** Asserts a pixel is (within rounding) the CSS colour `#rrggbb`. */
function assertColour(rgb: [number, number, number], hex: string, message: string): void {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  assert.ok(rgb.every((c, i) => Math.abs(c - want[i]!) <= 16), `${message} (saw rgb(${rgb.join(', ')}), expected ${hex})`);
}
