/**
 * A busy discussion in Chromium: "More comments" is reached and followed with the keyboard alone,
 * the pages pass axe, and an old link to a comment on a later page (`#c123`) still lands on it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createAccount } from '../../src/services/accounts.ts';
import { insertComment } from '../../src/store/comments.ts';
import { browserUnavailable, openSite, screenshot, seriousA11yViolations } from '../helpers/browser.ts';

const skip = browserUnavailable();

describe('a discussion in pages, in Chromium', { skip: skip ?? false }, () => {
  let page: Page;
  let base: string;
  let close: () => Promise<void>;
  let paper: string;
  const threads: number[] = [];

  before(async () => {
    const site = await openSite({ width: 1100, height: 900 });
    ({ page, base, close } = site);
    const store = site.started.store;
    paper = (await store.db.selectFrom('papers').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow()).id;
    const ada = await createAccount({ store, now: () => Date.now() }, { username: 'ada', email: 'ada@example.org', password: 'a long enough password', role: 'member' });
    const base0 = Date.now() - 86_400_000;
    await store.transaction(async (trx) => {
      for (let i = 0; i < 60; i++) {
        threads.push(await insertComment(trx, { paperId: paper, userId: ada.id, parentId: null, body: `thread ${i}` }, new Date(base0 + i * 60_000).toISOString()));
      }
    });
  });

  after(async () => {
    await close?.();
  });

  async function axe(label: string) {
    const v = await seriousA11yViolations(page);
    assert.deepEqual(v, [], `${label}: ${JSON.stringify(v, null, 1)}`);
  }

  test('"More comments" is reached with Tab and followed with Enter, to the next threads; axe finds nothing', async () => {
    await page.goto(`${base}/papers/${paper}`);
    await axe('first page of the discussion');
    let reached = false;
    for (let i = 0; i < 600 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.textContent === 'More comments');
    }
    assert.ok(reached, 'Tab reaches "More comments"');
    await Promise.all([page.waitForURL(/[?&]page=2#comments$/), page.keyboard.press('Enter')]);
    assert.equal(await page.locator(`#c${threads[50]}`).count(), 1, 'the 51st thread is on the next page');
    assert.equal(await page.locator(`#c${threads[0]}`).count(), 0);
    assert.ok(await page.locator('#comments').evaluate((el) => el.getBoundingClientRect().top < window.innerHeight), 'the page opens at the discussion');
    await axe('second page of the discussion');
    await screenshot(page, 'comments-page-2');
  });

  test('an old link to a comment on the second page (#c123) lands on it', async () => {
    const id = threads[55]!;
    await page.goto(`${base}/papers/${paper}#c${id}`);
    await page.waitForURL(new RegExp(`[?&]comment=${id}#c${id}$`));
    await page.locator(`#c${id}`).waitFor();
    assert.ok(await page.locator(`#c${id}`).evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }), 'scrolled to the comment');
  });
});
