/**
 * A newcomer joins and takes part, in real Chromium against a real server: sign up, confirm the
 * address from the outbox, upvote (with and without JavaScript), submit, comment and reply, save to
 * a collection; a curator pins; a member reports and an admin hides. No script injected by a
 * member ever runs; axe-core finds no serious or critical problems on these pages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAccount } from '../../src/services/accounts.ts';
import type { Store } from '../../src/store/index.ts';
import { browserUnavailable, launchBrowser, screenshot, seriousA11yViolations } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';
import { linksInOutbox } from '../helpers/web-client.ts';

const skip = browserUnavailable();

describe('joining and taking part, in Chromium', { skip: skip ?? false }, () => {
  let browser: Browser;
  let base: string;
  let store: Store;
  let outbox: string;
  let stop: () => Promise<void>;
  let ada: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  let unlisted: string;

  before(async () => {
    const started = await startTestServer();
    base = started.server.url;
    store = started.store;
    outbox = path.join(started.dataDir, 'outbox');
    stop = async () => { await started.server.close(); await started.store.close(); };
    await createAccount({ store, now: () => Date.now() }, { username: 'admin1', email: 'admin1@example.org', password: 'admin password 123', role: 'admin' });
    const row = await store.db.selectFrom('papers as p').leftJoin('daily_entries as d', 'd.paper_id', 'p.id').select('p.id').where('d.paper_id', 'is', null).limit(1).executeTakeFirstOrThrow();
    unlisted = row.id;
    browser = await launchBrowser();
    ada = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    page = await ada.newPage();
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  });

  after(async () => {
    await browser?.close();
    await stop?.();
  });

  async function axe(p: Page, label: string) {
    const v = await seriousA11yViolations(p);
    assert.deepEqual(v, [], `${label}: ${JSON.stringify(v, null, 1)}`);
  }

  test('sign up and confirm the address from the e-mail', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Sign up', exact: true }).click();
    await axe(page, 'sign-up page');
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('E-mail', { exact: true }).fill('ada@example.org');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/account\/welcome$/);
    assert.match(await page.locator('main').innerText(), /a link to confirm ada@example.org is on its way/);
    const [link] = await linksInOutbox(outbox, 'ada@example.org');
    const url = new URL(link!);
    await page.goto(`${base}${url.pathname}${url.search}`);
    assert.match(await page.locator('main').innerText(), /Confirm ada@example.org for the account ada\?/);
    await axe(page, 'address confirmation page');
    await page.getByRole('button', { name: 'Confirm my address' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/account/verify`);
    assert.match(await page.locator('main').innerText(), /ada@example.org is confirmed/);
    await screenshot(page, 'community-confirmed');
  });

  test('sign out and in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await axe(page, 'sign-in page');
    await page.getByLabel('Username or e-mail').fill('ada');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    assert.equal(await page.getByRole('link', { name: 'ada' }).count(), 1);
  });

  test('upvote with JavaScript: the count changes at once, and stays after a reload', async () => {
    await page.goto(`${base}/papers/date/2025-05-30`);
    const first = page.locator('article.card').first();
    const button = first.locator('button.vote-button');
    const before = Number(await first.locator('.count').innerText());
    await button.click();
    await assertEventually(async () => (await button.getAttribute('aria-pressed')) === 'true');
    assert.equal(Number(await first.locator('.count').innerText()), before + 1);
    assert.equal(page.url(), `${base}/papers/date/2025-05-30`, 'no page load');
    await page.reload();
    assert.equal(Number(await page.locator('article.card').first().locator('.count').innerText()), before + 1);
    await axe(page, 'feed, signed in');
  });

  test('upvote without JavaScript: the form posts and comes back', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await ada.storageState() });
    const p = await noJs.newPage();
    await p.goto(`${base}/papers/date/2025-05-29`);
    const card = p.locator('article.card').first();
    const before = Number(await card.locator('.count').innerText());
    const titleId = await card.locator('h3.card-title').getAttribute('id');
    await card.locator('button.vote-button').click();
    await p.waitForURL(`${base}/papers/date/2025-05-29#${titleId}`); // back at the card, not the top of the list
    assert.equal(Number(await p.locator('article.card').first().locator('.count').innerText()), before + 1);
    assert.equal(await p.locator('article.card').first().locator('button.vote-button').getAttribute('aria-pressed'), 'true');
    await noJs.close();
  });

  test('upvote a search result: the count changes at once and the paper page agrees', async () => {
    const target = await store.db.selectFrom('papers').select(['id', 'title', 'upvotes']).where('title', 'like', '% %').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    const url = `${base}/search?q=${encodeURIComponent(`"${target.title}"`)}&mode=keyword`;
    // The server builds its search index in the background after it starts.
    await assertEventually(async () => {
      await page.goto(url);
      return (await page.locator(`article.card:has(a[href="/papers/${target.id}"])`).count()) > 0;
    }, 30_000);
    const card = page.locator(`article.card:has(a[href="/papers/${target.id}"])`).first();
    const button = card.locator('button.vote-button');
    const before = Number(await card.locator('.count').innerText());
    assert.equal(before, target.upvotes);
    await button.focus();
    await page.keyboard.press('Enter');
    await assertEventually(async () => (await button.getAttribute('aria-pressed')) === 'true');
    assert.equal(Number(await card.locator('.count').innerText()), before + 1);
    assert.equal(page.url(), url, 'no page load');
    await page.goto(`${base}/papers/${target.id}`);
    assert.equal(await page.locator('button.vote-button').first().getAttribute('aria-pressed'), 'true');
    const row = await store.db.selectFrom('papers').select('upvotes').where('id', '=', target.id).executeTakeFirstOrThrow();
    assert.equal(row.upvotes, before + 1);
    await page.goto(url);
    await axe(page, 'search results, signed in');
  });

  test('submit a paper to today\'s list', async () => {
    await page.getByRole('link', { name: 'Submit', exact: true }).click();
    await axe(page, 'submit page');
    await page.getByLabel('arXiv id or link').fill(`https://arxiv.org/abs/${unlisted}v1`);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(new RegExp(`/papers/${unlisted.replace('.', '\\.')}`));
    assert.match(await page.locator('.eyebrow').innerText(), /on the Daily papers of/);
    await page.goto(`${base}/submit`);
    await page.getByLabel('arXiv id or link').fill(unlisted);
    await page.getByRole('button', { name: 'Submit' }).click();
    assert.match(await page.getByRole('alert').innerText(), /already on the list/);
  });

  test('comment (with a script that never runs) and reply', async () => {
    await page.goto(`${base}/papers/${unlisted}`);
    await page.getByLabel('Add a comment').fill('Great **work**! <script>alert("xss")</script> <img src=x onerror=alert(1)>');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    await page.waitForURL(/#c\d+$/);
    const comment = page.locator('li.comment').first();
    assert.match(await comment.locator('.comment-body').innerHTML(), /<strong>work<\/strong>/);
    assert.match(await comment.locator('.comment-body').innerText(), /<script>alert\("xss"\)<\/script>/, 'shown as text');
    await comment.locator('summary', { hasText: 'Reply' }).click();
    const longLine = `const weights = [${Array.from({ length: 40 }, (_, i) => (i / 7).toFixed(4)).join(',')}];`;
    await comment.getByLabel(/Reply to ada/).fill(`Replying to myself\n\n\`\`\`\n${longLine}\n\`\`\``);
    await comment.getByRole('button', { name: 'Reply' }).click();
    await page.waitForURL(/#c\d+$/);
    assert.equal(await page.locator('li.comment li.comment').count(), 1);
    await axe(page, 'paper page with comments');
    // On a phone a long line of code wraps: no box to scroll sideways (which keyboards could not reach).
    const wide = page.viewportSize()!;
    await page.setViewportSize({ width: 375, height: 800 });
    const code = page.locator('li.comment li.comment .comment-body pre');
    assert.ok(await code.evaluate((el) => el.scrollWidth <= el.clientWidth), 'the code block does not scroll sideways');
    assert.ok(await page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth), 'nor does the page');
    await axe(page, 'paper page with a code block, on a phone');
    await page.setViewportSize(wide);
    await screenshot(page, 'community-discussion');
    assert.deepEqual(dialogs, [], 'no script ran');
  });

  test('a refused reply comes back open under its comment, in view and focused, with the text written', async () => {
    await page.goto(`${base}/papers/${unlisted}`);
    const comment = page.locator('li.comment').first();
    await comment.locator('summary', { hasText: 'Reply' }).first().click();
    const draft = 'A reply with a control character \u0001 typed by mistake';
    await comment.getByLabel(/Reply to ada/).first().fill(draft);
    await comment.getByRole('button', { name: 'Reply' }).first().click();
    await page.waitForURL(/\/actions\/comment$/);
    const box = page.locator('textarea:focus');
    assert.match((await box.getAttribute('id')) ?? '', /^body-\d+$/, 'the reply box has the focus');
    assert.equal(await box.inputValue(), draft);
    assert.ok(await box.isVisible());
    const alert = page.getByRole('alert');
    assert.match(await alert.innerText(), /control characters/);
    assert.equal(await box.getAttribute('aria-describedby'), await alert.getAttribute('id'));
    assert.ok(await alert.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }), 'the error is in view');
    await axe(page, 'paper page with a refused reply');
  });

  test('save to a new collection and see it', async () => {
    await page.goto(`${base}/papers/${unlisted}`);
    await page.getByRole('link', { name: 'Save to a collection' }).click();
    await axe(page, 'save page');
    await page.getByLabel('Name').fill('Reading list');
    await page.getByRole('button', { name: 'Create and save' }).click();
    await page.waitForURL(/\/collections\/save\?paper=/);
    assert.equal(await page.getByRole('button', { name: /In Reading list: remove/ }).count(), 1);
    await page.goto(`${base}/users/ada/collections/reading-list`);
    assert.equal(await page.locator('article.card').count(), 1);
    await axe(page, 'collection page');
  });

  test('a member reports, the admin hides it from the moderation page; an admin pins as curator', async () => {
    const bob = await browser.newContext();
    const bp = await bob.newPage();
    bp.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await bp.goto(`${base}/signin`);
    await bp.getByLabel('Username or e-mail').fill('admin1');
    await bp.getByLabel('Password').fill('admin password 123');
    await bp.getByRole('button', { name: 'Sign in' }).click();
    await bp.waitForURL(`${base}/`);
    // The admin writes a comment, ada reports it, the admin reviews the report.
    await bp.goto(`${base}/papers/${unlisted}`);
    await bp.getByLabel('Add a comment').fill('Visit my totally legit site');
    await bp.getByRole('button', { name: 'Comment', exact: true }).click();
    await bp.waitForURL(/#c\d+$/);

    await page.goto(`${base}/papers/${unlisted}`);
    const spam = page.locator('li.comment', { hasText: 'totally legit' });
    await spam.locator('summary', { hasText: 'Report' }).click();
    await spam.getByLabel(/Why should a moderator/).fill('spam');
    await spam.getByRole('button', { name: 'Report' }).click();
    assert.match(await page.locator('main').innerText(), /A moderator will look at the comment/);

    await bp.getByRole('link', { name: 'Moderation' }).click();
    await axe(bp, 'moderation page');
    assert.match(await bp.locator('main').innerText(), /Reasons: spam/);
    await screenshot(bp, 'community-moderation');
    await bp.getByRole('button', { name: 'Hide comment' }).click();
    await bp.waitForURL(/\/admin\/moderation#reported-h$/);
    assert.match(await bp.locator('main').innerText(), /Nothing to review/);
    await page.goto(`${base}/papers/${unlisted}`);
    assert.match(await page.locator('#comments').innerText(), /hidden by a moderator/);
    assert.doesNotMatch(await page.locator('#comments').innerText(), /totally legit/);

    await bp.goto(`${base}/papers/${unlisted}`);
    await bp.getByRole('button', { name: 'Pin to top of its day' }).click();
    await bp.waitForURL(new RegExp(`/papers/${unlisted.replace('.', '\\.')}$`));
    const day = (await store.findPaperById(unlisted))!.entry!.day;
    await bp.goto(`${base}/papers/date/${day}`);
    assert.match(await bp.locator('article.card').first().innerText(), /Pinned/i);
    await bob.close();
  });

  test('settings and profile pages are accessible', async () => {
    for (const p of ['/settings', '/users/ada', '/collections']) {
      await page.goto(`${base}${p}`);
      await axe(page, p);
    }
  });
});

async function assertEventually(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('condition not met in time');
}
