/**
 * Every admin page, as an admin uses it, in real Chromium with something on each: reported and
 * hidden comments, a hidden paper, a suspended account, digest runs with a failed delivery and a
 * stopped address, ingestion runs (one failed, one interrupted) and mail in the outbox. axe-core
 * finds nothing moderate or worse, at desktop width and on a 390 px phone, where no page scrolls
 * sideways; every button and link is reached with Tab alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { runDigestCli } from '../../src/cli/digest.ts';
import { loadConfig } from '../../src/config.ts';
import { createAccount } from '../../src/services/accounts.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription, markAddressBounced } from '../../src/store/subscriptions.ts';
import type { Store } from '../../src/store/index.ts';
import { browserUnavailable, launchBrowser, moderateA11yViolations, screenshot, signedInPage } from '../helpers/browser.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { startTestServer } from '../helpers/server.ts';
import { WebClient } from '../helpers/web-client.ts';

const skip = browserUnavailable();
const ADMIN = { username: 'boss', password: 'admin password 123' };
const PAGES = ['/admin/moderation', '/admin/digests', '/admin/runs', '/admin/outbox'] as const;

/** How far the document is wider than the screen, and what sticks out. */
async function overflow(page: Page): Promise<{ by: number; culprits: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const culprits: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && !el.closest('.table-wrap')) culprits.push(`${el.tagName.toLowerCase()}.${String(el.className)} right=${Math.round(r.right)}`);
    }
    return { by: document.documentElement.scrollWidth - width, culprits: culprits.slice(0, 8) };
  });
}

describe('the admin pages, populated, in Chromium', { skip: skip ?? false }, () => {
  let browser: Browser;
  let base: string;
  let store: Store;
  let stop: () => Promise<void>;

  before(async () => {
    const started = await startTestServer({ PAPERBOY_DEMO: 'false' });
    base = started.server.url;
    store = started.store;
    stop = async () => { await started.server.close(); await started.store.close(); };
    await seedSmallCorpus(store);
    const http = { request: (p: string, init: RequestInit = {}) => fetch(`${base}${p}`, { ...init, redirect: 'manual' }) };
    const member = async (username: string, role: 'member' | 'admin', ip: string, password = 'a long enough password') => {
      await createAccount({ store, now: () => Date.now() }, { username, password, email: `${username}@example.org`, role });
      const c = new WebClient(http, ip);
      assert.equal((await c.post('/signin', { login: username, password })).status, 303);
      return c;
    };
    const admin = await member(ADMIN.username, 'admin', '192.0.2.10', ADMIN.password);
    const ada = await member('ada', 'member', '192.0.2.11');
    const bob = await member('bob', 'member', '192.0.2.12');
    await member('eve_has_a_long_user_name_29ch', 'member', '192.0.2.13');

    // Reported comments (one with a long unbroken URL), a hidden one, a hidden paper, a suspended account.
    const comment = async (body: string) => {
      const res = await ada.post('/actions/comment', { paper: '2505.00201', body }, { tokenPage: '/papers/2505.00201' });
      return Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
    };
    const spam = await comment('Visit https://example.org/a/very/long/path/that/never/breaks/anywhere/at/all/on/a/phone/screen/whatever/happens/next');
    const rude = await comment('You are **all** wrong');
    const hidden = await comment('Something to hide');
    for (const id of [spam, rude]) {
      assert.equal((await bob.post(`/comments/${id}/report`, { reason: 'spam' }, { tokenPage: '/papers/2505.00201' })).status, 200);
    }
    assert.equal((await admin.post(`/comments/${hidden}/moderate`, { action: 'hide' }, { tokenPage: '/admin/moderation' })).status, 303);
    assert.equal((await admin.post('/actions/curate', { paper: '2505.00202', action: 'hide' }, { tokenPage: '/admin/moderation' })).status, 303);
    assert.equal((await admin.post('/users/eve_has_a_long_user_name_29ch/admin', { action: 'suspend' }, { tokenPage: '/admin/moderation' })).status, 303);

    // Digests: one sent to the outbox folder, a failed delivery, an address stopped after a 5xx.
    const db = digestDb(store.db);
    const add = (email: string) => insertSubscription(db, { email, userId: null, period: 'daily', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
    await add('reader@example.org');
    await add('broken@example.org');
    for (const gone of ['gone@example.org', 'left@example.org']) {
      await add(gone);
      await markAddressBounced(db, gone, '550 5.1.1 No such user here, and a long explanation of why that keeps going on and on', new Date().toISOString());
    }
    // The server's own settings: no SMTP, so mail goes to its outbox folder.
    const config = loadConfig({ PAPERBOY_DATA_DIR: started.dataDir, PAPERBOY_BASE_URL: base });
    let out = '';
    assert.equal(await runDigestCli(config, config.digest, store, ['send', '--date', '2025-05-06'], { write: (s: string) => { out += s; } }), 0, out);
    await db.updateTable('outbox').set({ status: 'failed', last_error: '451 4.3.0 Try again later, the queue is full' })
      .where('subscription_id', 'in', db.selectFrom('subscriptions').select('id').where('email', '=', 'broken@example.org')).execute();

    // Ingestion runs: a good one, a failed one, an interrupted one.
    const ok = await store.startJobRun('ingest', 'rss', '2025-05-06T06:00:00.000Z');
    await store.finishJobRun(ok, { status: 'ok', counts: { new: 12, updated: 3, unchanged: 40, skipped: 0, errors: 0, pages: 2, seconds: 9 } }, '2025-05-06T06:00:09.000Z');
    const bad = await store.startJobRun('ingest', 'oai', '2025-05-07T06:00:00.000Z');
    await store.finishJobRun(bad, { status: 'failed', counts: { new: 0, updated: 0, pages: 1 }, error: 'arxiv/oai: HTTP 503 from https://oaipmh.arxiv.org/oai?verb=ListRecords&metadataPrefix=arXiv&from=2025-05-06 after 5 attempts' }, '2025-05-07T06:10:00.000Z');
    const cut = await store.startJobRun('ingest', 'backfill', '2025-05-08T06:00:00.000Z');
    await store.interruptJobRun(cut, 'interrupted: the process stopped (SIGTERM)', '2025-05-08T06:01:00.000Z');

    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stop?.();
  });

  const signedIn = (width: number): Promise<Page> => signedInPage(browser, base, ADMIN.username, ADMIN.password, { viewport: { width, height: 900 } });

  test('axe-core finds nothing moderate or worse on any admin page, wide and on a phone, light and dark, and none scrolls sideways at 390 px', async () => {
    for (const [width, colorScheme] of [[1200, 'light'], [1200, 'dark'], [390, 'light']] as const) {
      const page = await signedIn(width);
      await page.emulateMedia({ colorScheme });
      for (const p of PAGES) {
        await page.goto(`${base}${p}`);
        // The dark scheme changes colours only: the light pass at the same width has run every rule.
        const v = await moderateA11yViolations(page, { coloursOnly: colorScheme === 'dark' });
        assert.deepEqual(v, [], `${p} at ${width} px, ${colorScheme}: ${JSON.stringify(v, null, 1)}`);
        if (width === 390) {
          const o = await overflow(page);
          assert.equal(o.by, 0, `${p} is ${o.by} px wider than a 390 px screen: ${o.culprits.join(', ')}`);
          // An error stays readable: its column is not squeezed into a strip a word or two wide.
          const narrowest = await page.locator('td.err').evaluateAll((els) => Math.min(...els.filter((e) => e.textContent).map((e) => e.getBoundingClientRect().width)));
          assert.ok(narrowest >= 180, `${p}: an error column ${Math.round(narrowest)} px wide at 390 px`);
          await screenshot(page, `admin${p.replaceAll('/', '-')}-390px`);
        }
      }
      await page.context().close();
    }
  });

  test('every control on each admin page is reached with Tab, and each has a name that says what it acts on', async () => {
    const page = await signedIn(1200);
    for (const p of PAGES) {
      await page.goto(`${base}${p}`);
      const controls = await page.locator('main a[href], main button, main input:not([type="hidden"]), main select, main textarea, main [tabindex="0"]').count();
      const reached = new Set<string>();
      for (let i = 0; i < controls + 40; i++) {
        await page.keyboard.press('Tab');
        const key = await page.evaluate(() => {
          const el = document.activeElement;
          if (!el || !el.closest('main')) return null;
          return `${el.tagName}|${el.getAttribute('href') ?? ''}|${(el as HTMLElement).innerText ?? ''}|${el.getAttribute('aria-label') ?? ''}|${[...document.querySelectorAll('main *')].indexOf(el)}`;
        });
        if (key) reached.add(key);
      }
      assert.equal(reached.size, controls, `${p}: Tab reaches ${reached.size} of ${controls} controls`);
      // A screen reader's list of buttons tells one row's from another's.
      const names = await page.locator('main button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? (e as HTMLElement).innerText.trim()));
      const twice = names.filter((n, i) => names.indexOf(n) !== i);
      assert.deepEqual(twice, [], `${p}: buttons with the same name: ${names.join(' | ')}`);
    }
    await page.context().close();
  });
});
