/**
 * For you in real Chromium against a real server (a small corpus, the real search index): a member
 * who upvoted papers of one topic sees that topic first with reasons, marks a paper "not
 * interested" with the keyboard alone, and takes it back; axe-core finds no serious or critical
 * problems on the page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config.ts';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { createAccount } from '../../src/services/accounts.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { setVote } from '../../src/store/votes.ts';
import { browserUnavailable, launchBrowser, screenshot, seriousA11yViolations } from '../helpers/browser.ts';
import { tempDatabaseUrl, tempDir, FIXED_NOW } from '../helpers/store.ts';
import { topicalRecords } from '../search/fixtures.ts';

const skip = browserUnavailable();

describe('For you, in Chromium', { skip: skip ?? false }, () => {
  let browser: Browser;
  let server: Server;
  let store: Store;
  let page: Page;

  before(async () => {
    const dataDir = tempDir();
    // On the run's store (a PostgreSQL database in the PostgreSQL run).
    const databaseUrl = await tempDatabaseUrl(dataDir);
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', PAPERBOY_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', PAPERBOY_DEMO: 'false', PAPERBOY_INGEST_SCHEDULE: 'off' });
    store = await openStore(config.databaseUrl);
    await store.migrate(FIXED_NOW);
    await store.upsertPapers(topicalRecords(36), FIXED_NOW);
    const ada = await createAccount({ store, now: () => Date.now() }, { username: 'ada', email: 'ada@example.org', password: 'a long enough password', role: 'member' });
    // Ada upvoted three papers on quantum error correction (topic 4 of the fixtures).
    await store.transaction(async (trx) => { for (const n of [4, 10, 16]) await setVote(trx, ada.id, `2503.${10000 + n}`, true, FIXED_NOW); });
    server = await startServer(config, store, pino({ level: 'silent' }));
    // Chromium starts while the index builds (a failed launch is thrown below, once awaited).
    const launching = launchBrowser().then((b) => ({ b }), (err: unknown) => ({ err }));
    // The search index builds in the background: wait until paper pages list similar papers.
    for (let i = 0; i < 1_200; i++) {
      // (a session cookie, even an unknown one, skips the public page cache)
      const html = await (await fetch(`${server.url}/papers/2503.10004`, { headers: { cookie: 'pb_session=none' } })).text();
      if (html.includes('close in meaning')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const launched = await launching;
    if ('err' in launched) throw launched.err;
    browser = launched.b;
    page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await page.goto(`${server.url}/signin`);
    await page.getByLabel('Username or e-mail').fill('ada');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
  });

  test('the nav leads to For you; the quantum papers come first, each saying why', async () => {
    await page.getByRole('link', { name: 'For you', exact: true }).click();
    await page.waitForURL(/\/for-you/);
    const titles = await page.locator('.card-title a').allTextContents();
    assert.ok(titles.slice(0, 3).every((t) => t.startsWith('Quantum error correction codes')), titles.slice(0, 5).join(' | '));
    const reason = await page.locator('.card .reason').first().textContent();
    assert.match(reason ?? '', /Why: like (\d+ papers|a paper) you upvoted: Quantum error correction codes/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'for-you');
  });

  test('"Not interested" by keyboard: Tab to it from the card, Enter, then undo', async () => {
    const first = (await page.locator('.card-title a').first().textContent())!;
    await page.locator('.vote-button').first().focus();
    let label = '';
    for (let i = 0; i < 12 && !label.startsWith('Not interested'); i++) {
      await page.keyboard.press('Tab');
      label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');
    }
    assert.equal(label, `Not interested in "${first}"`);
    await Promise.all([page.waitForURL(/dismissed=/), page.keyboard.press('Enter')]);
    // The notice has the focus (a screen reader says it) and is on screen, where the card was.
    await page.waitForFunction(() => document.activeElement?.id === 'undo');
    assert.match((await page.locator(':focus').textContent()) ?? '', /will not be recommended again/);
    const rect = await page.locator('#undo').evaluate((el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, h: innerHeight, y: scrollY, url: location.href }; });
    assert.ok(rect.top >= 0 && rect.bottom <= rect.h, `the notice is in view: ${JSON.stringify(rect)}`);
    const titles = await page.locator('.card-title a').allTextContents();
    assert.ok(!titles.includes(first), 'the dismissed paper left the list');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'for-you-not-interested');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Undo', 'Tab goes on to Undo');
    await Promise.all([page.waitForURL((u) => !u.search.includes('dismissed')), page.keyboard.press('Enter')]);
    assert.ok((await page.locator('.card-title a').allTextContents()).includes(first), 'back after undo');
    assert.equal(new URL(page.url()).hash, `#t-${(await page.locator('.card-title').first().getAttribute('id'))!.slice(2)}`, 'at the card, first again');
  });
});
