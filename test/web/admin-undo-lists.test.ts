/**
 * What an admin hid or suspended can be found again: /admin/moderation lists hidden comments,
 * hidden papers and suspended accounts, each with its undo button (the existing undo routes), and
 * every admin page links to every other, /admin/digests included. Keyboard and axe-core check in
 * Chromium.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { browserUnavailable, launchBrowser, seriousA11yViolations } from '../helpers/browser.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import type { WebClient } from '../helpers/web-client.ts';
import { startRunning, type Running } from '../digest/support.ts';

let r: Running;
let admin: WebClient;
let ada: WebClient;
const ADMIN = { username: 'boss', password: 'admin password 123' };

async function account(username: string, role: 'member' | 'admin', password: string, ip: string): Promise<WebClient> {
  await createAccount({ store: r.store, now: () => Date.now() }, { username, password, email: `${username}@example.org`, role });
  const c = r.client(ip);
  assert.equal((await c.post('/signin', { login: username, password })).status, 303);
  return c;
}

before(async () => {
  r = await startRunning();
  await seedSmallCorpus(r.store);
  admin = await account(ADMIN.username, 'admin', ADMIN.password, '192.0.2.90');
  ada = await account('ada', 'member', 'a long enough password', '192.0.2.91');
  await account('bob', 'member', 'a long enough password', '192.0.2.92');
});
after(async () => r.close());

const section = (html: string, id: string) => {
  const start = html.indexOf(`aria-labelledby="${id}"`);
  assert.ok(start >= 0, `section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
};

test('hidden comments, hidden papers and suspended accounts are listed with their undo, which works from there', async () => {
  const res = await ada.post('/actions/comment', { paper: '2505.00201', body: 'Buy **cheap** pills' }, { tokenPage: '/papers/2505.00201' });
  const id = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  assert.equal((await admin.post(`/comments/${id}/moderate`, { action: 'hide' }, { tokenPage: '/admin/moderation' })).status, 303);
  assert.equal((await admin.post('/actions/curate', { paper: '2505.00202', action: 'hide' }, { tokenPage: '/admin/moderation' })).status, 303);
  assert.equal((await admin.post('/users/bob/admin', { action: 'suspend' }, { tokenPage: '/admin/moderation' })).status, 303);

  let html = (await admin.get('/admin/moderation')).html;
  const comments = section(html, 'hidden-comments-h');
  assert.match(comments, /Buy <strong>cheap<\/strong> pills/);
  assert.match(comments, new RegExp(`action="/comments/${id}/moderate"[\\s\\S]*?name="action" value="unhide"[\\s\\S]*?name="next" value="/admin/moderation#hidden-comments-h"`));
  const papers = section(html, 'hidden-papers-h');
  assert.match(papers, /Diffusion models &lt;b&gt;for&lt;\/b&gt; video &amp; more/);
  assert.match(papers, /action="\/actions\/curate"[\s\S]*?name="paper" value="2505.00202"[\s\S]*?name="action" value="unhide"/);
  const accounts = section(html, 'suspended-h');
  assert.match(accounts, /href="\/users\/bob"/);
  assert.match(accounts, /action="\/users\/bob\/admin"[\s\S]*?name="action" value="restore"[\s\S]*?name="next" value="\/admin\/moderation#suspended-h"/);

  // Each undo, as the page's forms send it, comes back to the page, and the list is empty.
  const back = async (path: string, fields: Record<string, string>) => {
    const done = await admin.post(path, { ...fields, next: '/admin/moderation' }, { tokenPage: '/admin/moderation' });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), '/admin/moderation');
  };
  await back(`/comments/${id}/moderate`, { action: 'unhide' });
  await back('/actions/curate', { paper: '2505.00202', action: 'unhide' });
  await back('/users/bob/admin', { action: 'restore' });
  html = (await admin.get('/admin/moderation')).html;
  for (const s of ['hidden-comments-h', 'hidden-papers-h', 'suspended-h']) assert.match(section(html, s), /class="empty"/, s);
  assert.match((await ada.get('/papers/2505.00201')).html, /Buy <strong>cheap<\/strong> pills/);
  assert.equal((await r.store.db.selectFrom('users').select('suspended_at').where('username', '=', 'bob').executeTakeFirstOrThrow()).suspended_at, null);
});

test('every admin page links to every other, /admin/digests included', async () => {
  const pages = ['/admin/moderation', '/admin/runs', '/admin/outbox', '/admin/digests'];
  for (const page of pages) {
    const { res, html } = await admin.get(page);
    assert.equal(res.status, 200, page);
    const nav = /<nav aria-label="Admin"[\s\S]*?<\/nav>/.exec(html)?.[0];
    assert.ok(nav, `${page} has the admin navigation`);
    for (const other of pages) assert.match(nav, new RegExp(`href="${other}"`), `${page} links ${other}`);
    assert.match(nav, new RegExp(`href="${page}" aria-current="page"`), `${page} marks itself`);
  }
});

const noBrowser = browserUnavailable();
test('axe-core and the keyboard: the undo buttons of the lists are reached with Tab and work with Enter', { skip: noBrowser ?? false }, async () => {
  const res = await ada.post('/actions/comment', { paper: '2505.00203', body: 'Spam *again*' }, { tokenPage: '/papers/2505.00203' });
  const id = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  assert.equal((await admin.post(`/comments/${id}/moderate`, { action: 'hide' }, { tokenPage: '/admin/moderation' })).status, 303);
  assert.equal((await admin.post('/actions/curate', { paper: '2505.00201', action: 'hide' }, { tokenPage: '/admin/moderation' })).status, 303);
  assert.equal((await admin.post('/users/bob/admin', { action: 'suspend' }, { tokenPage: '/admin/moderation' })).status, 303);
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 900 } })).newPage();
    await page.goto(`${r.server.url}/signin`);
    await page.fill('input[name="login"]', ADMIN.username);
    await page.fill('input[name="password"]', ADMIN.password);
    await Promise.all([page.waitForNavigation(), page.locator('main form button[type="submit"]').first().click()]);
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
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 900 } })).newPage();
    await page.goto(`${r.server.url}/signin`);
    await page.fill('input[name="login"]', ADMIN.username);
    await page.fill('input[name="password"]', ADMIN.password);
    await Promise.all([page.waitForNavigation(), page.locator('main form button[type="submit"]').first().click()]);
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
