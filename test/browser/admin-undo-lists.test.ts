/**
 * The moderation lists of /admin/moderation in Chromium: their undo buttons are reached with Tab
 * and work with Enter, Older is reached with Tab and an undo on page 2 comes back to page 2, a cut
 * comment on a profile links the whole one; axe-core finds nothing serious on the way. (The lists
 * themselves, through HTTP: test/web/admin-undo-lists.test.ts.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserUnavailable, launchBrowser, seriousA11yViolations, signedInPage } from '../helpers/browser.ts';
import { ADMIN, moderationSite } from '../helpers/moderation-site.ts';
import type { WebClient } from '../helpers/web-client.ts';
import type { Running } from '../helpers/running-site.ts';

let r: Running;
let admin: WebClient;
let ada: WebClient;

before(async () => {
  ({ r, admin, ada } = await moderationSite());
});
after(async () => r?.close());

const noBrowser = browserUnavailable();
test('axe-core and the keyboard: the undo buttons of the lists are reached with Tab and work with Enter', { skip: noBrowser ?? false }, async () => {
  const res = await ada.post('/actions/comment', { paper: '2505.00203', body: 'Spam *again*' }, { tokenPage: '/papers/2505.00203' });
  const id = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  assert.equal((await admin.post(`/comments/${id}/moderate`, { action: 'hide' }, { tokenPage: '/admin/moderation' })).status, 303);
  assert.equal((await admin.post('/actions/curate', { paper: '2505.00201', action: 'hide' }, { tokenPage: '/admin/moderation' })).status, 303);
  assert.equal((await admin.post('/users/bob/admin', { action: 'suspend' }, { tokenPage: '/admin/moderation' })).status, 303);
  const browser = await launchBrowser();
  try {
    const page = await signedInPage(browser, r.server.url, ADMIN.username, ADMIN.password, { viewport: { width: 1000, height: 900 } });
    await page.goto(`${r.server.url}/admin/moderation`);
    assert.deepEqual(await seriousA11yViolations(page), []);
    // Tab from the top until the "Restore bob" button has the focus, then press Enter.
    let found = false;
    for (let i = 0; i < 80 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.textContent?.trim() === 'Restore bob');
    }
    assert.ok(found, 'the restore button is reached with Tab');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(new URL(page.url()).pathname, '/admin/moderation');
    assert.equal(await page.getByRole('button', { name: 'Restore bob' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Unhide/ }).count(), 2, 'the hidden comment and paper are still listed');
    assert.deepEqual(await seriousA11yViolations(page), []);
  } finally {
    await browser.close();
  }
});

test('axe-core and the keyboard on a long list and on a profile: Older is reached with Tab, an undo on page 2 comes back to page 2, a cut comment links the whole one', { skip: noBrowser ?? false }, async () => {
  await r.store.db.insertInto('users').values(Array.from({ length: 105 }, (_, i) => ({
    username: `idle${String(i).padStart(3, '0')}`, email: null, role: 'member', is_demo: 0, votes_public: 1, created_at: '2025-01-01T00:00:00.000Z', suspended_at: '2025-02-01T00:00:00.000Z',
  }))).execute();
  const long = `A *long* comment with [a link](https://example.org/a) and \`code\`: ${'many words here '.repeat(20)}`;
  assert.equal((await ada.post('/actions/comment', { paper: '2505.00201', body: long }, { tokenPage: '/papers/2505.00201' })).status, 303);
  const browser = await launchBrowser();
  try {
    const page = await signedInPage(browser, r.server.url, ADMIN.username, ADMIN.password, { viewport: { width: 1000, height: 900 } });
    await page.goto(`${r.server.url}/admin/moderation`);
    const older = page.getByRole('link', { name: 'Older suspended accounts' });
    await older.focus();
    assert.ok(await older.evaluate((el) => getComputedStyle(el).outlineStyle !== 'none' || getComputedStyle(el).boxShadow !== 'none'), 'the focused link shows its focus');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    const page2 = new URL(page.url());
    assert.match(page2.search, /^\?accounts=older~/);
    assert.equal(page2.hash, '#suspended-h');
    assert.equal(await page.getByRole('link', { name: 'Newer suspended accounts' }).count(), 1);
    assert.deepEqual(await seriousA11yViolations(page), []);
    const restore = page.getByRole('button', { name: /^Restore idle/ }).first();
    const name = (await restore.innerText()).replace('Restore ', '');
    await restore.focus();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(new URL(page.url()).search, page2.search, 'back on page 2');
    assert.equal(await page.getByRole('button', { name: `Restore ${name}` }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Newer suspended accounts' }).count(), 1);

    await page.goto(`${r.server.url}/users/ada`);
    const more = page.getByRole('link', { name: 'Read the whole comment on Sparse attention for long documents' });
    assert.equal(await more.count(), 1);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await more.focus();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    // The page holding the comment's thread (the discussion comes in pages), at the comment.
    assert.match(page.url(), /\/papers\/2505\.00201\?comment=(\d+)#c\1$/);
  } finally {
    await browser.close();
  }
});
