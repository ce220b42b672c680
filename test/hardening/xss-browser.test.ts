/**
 * Stored and reflected XSS, checked where it matters: in real Chromium against a real server.
 * A corpus of payloads goes into every text a member controls (comments, collection names,
 * search, submissions and their links, sign-up names); every page showing them is opened with
 * the Content-Security-Policy bypassed, so escaping alone must hold. Any dialog, any
 * `window.__xss`, any console message from a payload fails the test. The policy is the second
 * line: script that does reach a page (an inline script, an inline handler) is checked to be
 * blocked by it. (Opening every page again with the policy on would add nothing: a policy only
 * ever stops script, so what ran on no page without it runs on none with it.)
 */
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createAccount, createSession } from '../../src/services/accounts.ts';
import { outboxMailer } from '../../src/mail/mailer.ts';
import type { Store } from '../../src/store/index.ts';
import { getOrCreateSecret } from '../../src/store/users.ts';
import { browserUnavailable, launchBrowser } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';

const skip = browserUnavailable();

/** Each payload, if it ran, would open a dialog or set window.__xss. */
const PAYLOADS = [
  '<script>alert("xss1")</script>',
  '"><img src=x onerror="window.__xss=1;alert(2)">',
  "'><svg onload=alert(3)>",
  '<iframe src="javascript:alert(4)"></iframe>',
  '[click](javascript:alert(5))',
  '![x](x" onerror="alert(6))',
  '<a href="javascript:alert(7)">a</a>',
  '</textarea><script>alert(8)</script>',
  '</title><script>alert(9)</script>',
  '<details open ontoggle=alert(10)>',
  '"onmouseover="alert(11)" autofocus onfocus="alert(11)',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(12)>',
  '{{constructor.constructor("alert(13)")()}}',
  '<base href="https://evil.example/">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(14)">',
];

describe('no script from member input runs, in Chromium', { skip: skip ?? false }, () => {
  let browser: Browser;
  let base: string;
  let store: Store;
  let stop: () => Promise<void>;
  let session: string;
  let csrf: string;
  const paperId = '2505.00201';

  async function post(path: string, fields: Record<string, string>): Promise<number> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: `pb_session=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
    await res.text();
    return res.status;
  }

  before(async () => {
    const started = await startTestServer({ PAPERBOY_DEMO: 'false' });
    base = started.server.url;
    store = started.store;
    stop = async () => { await started.server.close(); await started.store.close(); };
    const { paperRecord } = await import('../helpers/factories.ts');
    await store.importBatch({
      records: [paperRecord({ id: paperId, title: 'A paper to discuss', categories: ['cs.CL'], announcedOn: ['2025-05-05'] }), paperRecord({ id: '2505.00202', title: 'Another', categories: ['cs.CL'], announcedOn: ['2025-05-05'] })],
      entries: [{ paperId, day: '2025-05-05', submittedAt: '2025-05-05T08:00:00.000Z' }],
    }, new Date().toISOString());
    const now = () => Date.now();
    const user = await createAccount({ store, now }, { username: 'mallory', email: 'mallory@example.org', password: 'a long enough password', role: 'admin' });
    session = (await createSession({ store, now, mailer: outboxMailer(started.dataDir, 'x@localhost'), baseUrl: base, siteName: 'x' }, user)).token;
    const secret = await getOrCreateSecret(store.db, 'csrf', () => 'unused: the server made the secret', new Date().toISOString());
    csrf = createHmac('sha256', secret).update(`csrf:${session}`).digest('base64url');
    browser = await launchBrowser();

    for (const p of PAYLOADS) {
      assert.ok((await post('/actions/comment', { paper: paperId, body: `Comment ${p}` })) < 400, `comment ${p}`);
      await post('/collections', { name: p.slice(0, 80), public: '1' });
    }
    assert.ok((await post('/actions/links', { paper: paperId, code: 'javascript:alert(15)', project: 'https://ok.example/"><script>alert(16)</script>' })) < 500);
  });

  after(async () => {
    await browser?.close();
    await stop?.();
  });

  async function visit(page: Page, url: string, events: string[]): Promise<void> {
    await page.goto(url);
    await page.waitForLoadState('load');
    // Hover and focus everything a payload could have hung a handler on.
    await page.evaluate(() => { for (const el of document.querySelectorAll('a, img, svg, details, input, textarea')) el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })); });
    const flagged = await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? 0);
    if (flagged) events.push(`window.__xss set on ${url}`);
  }

  test('stored and reflected payloads stay text (CSP bypassed: escaping alone)', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    await context.addCookies([{ name: 'pb_session', value: session, url: base }]);
    const page = await context.newPage();
    const events: string[] = [];
    page.on('dialog', async (d) => { events.push(`dialog: ${d.message()}`); await d.dismiss(); });
    page.on('console', (m) => { if (/xss|alert/i.test(m.text())) events.push(`console: ${m.text()}`); });
    // The hook itself works: a script that does run is caught.
    await page.goto(`${base}/about`);
    await page.evaluate(() => alert('probe'));
    assert.deepEqual(events.splice(0), ['dialog: probe']);
    const slugs = await store.db.selectFrom('collections').select('slug').execute();
    const pages = [
      `/papers/${paperId}`, `/papers/${paperId}?comments=newest`, '/collections', '/users/mallory', `/collections/save?paper=${paperId}`, '/admin/moderation', '/',
      ...slugs.slice(0, 5).map((s) => `/users/mallory/collections/${encodeURIComponent(s.slug)}`),
      ...PAYLOADS.map((p) => `/search?q=${encodeURIComponent(p)}`),
      ...PAYLOADS.slice(0, 4).map((p) => `/submit?id=${encodeURIComponent(p)}`),
      ...PAYLOADS.slice(0, 4).map((p) => `/new/${encodeURIComponent(p)}`),
    ];
    for (const p of pages) await visit(page, `${base}${p}`, events);
    // The comment text arrived as text.
    await page.goto(`${base}/papers/${paperId}`);
    assert.ok((await page.content()).includes('Comment &lt;script&gt;alert("xss1")&lt;/script&gt;') || (await page.textContent('body'))!.includes('alert("xss1")'));

    // Reflected through forms, typed in as a person would.
    for (const p of PAYLOADS.slice(0, 6)) {
      await page.goto(`${base}/submit`);
      await page.locator('input[name="id"]').fill(p);
      await Promise.all([page.waitForLoadState('load'), page.locator('form:has(input[name="id"]) button[type="submit"]').click()]);
      await page.goto(`${base}/search`);
      await page.locator('#search-q').fill(p);
      await page.locator('#search-q').press('Enter');
      await page.waitForLoadState('load');
    }
    const anon = await browser.newContext({ bypassCSP: true });
    const signup = await anon.newPage();
    signup.on('dialog', async (d) => { events.push(`dialog: ${d.message()}`); await d.dismiss(); });
    for (const p of PAYLOADS.slice(0, 6)) {
      await signup.goto(`${base}/signup`);
      const form = signup.locator('form:has(input[name="username"])');
      await form.locator('input[name="username"]').evaluate((el, v) => { (el as HTMLInputElement).removeAttribute('maxlength'); (el as HTMLInputElement).value = v; }, p);
      await form.locator('input[name="email"]').fill('x@example.org');
      await form.locator('input[name="password"]').fill('a long enough password');
      await Promise.all([signup.waitForLoadState('load'), form.locator('button[type="submit"]').click()]);
    }
    await anon.close();
    await context.close();
    assert.deepEqual(events, []);
  });

  test('the CSP blocks script that reaches a page: an inline script and an inline handler do not run, and the browser reports the violations', async () => {
    /** Puts an inline script and an image with an inline error handler into the page, as an escaping bug would; what ran. */
    async function inject(bypassCSP: boolean): Promise<{ ran: number[]; violations: string[] }> {
      const context = await browser.newContext({ bypassCSP });
      await context.addCookies([{ name: 'pb_session', value: session, url: base }]);
      const page = await context.newPage();
      await page.goto(`${base}/papers/${paperId}`);
      const result = await page.evaluate(async () => {
        const w = window as unknown as { __ran?: number[] };
        w.__ran = [];
        const violations: string[] = [];
        document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
        const script = document.createElement('script');
        script.textContent = 'window.__ran.push(1)';
        document.body.append(script);
        const img = document.createElement('img');
        img.setAttribute('onerror', 'window.__ran.push(2)');
        img.src = 'data:,not-an-image';
        document.body.append(img);
        // The handler (or its violation) comes with the image's error event; violations are reported
        // in tasks of their own: wait until both scripts ran or were both refused (2 s at most).
        for (let i = 0; i < 40 && w.__ran.length < 2 && violations.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
        return { ran: w.__ran, violations };
      });
      await context.close();
      return result;
    }
    // Without the policy both run: the check would see script that got through.
    assert.deepEqual((await inject(true)).ran.sort(), [1, 2]);
    const withPolicy = await inject(false);
    assert.deepEqual(withPolicy.ran, [], 'nothing ran under the policy');
    assert.ok(withPolicy.violations.length >= 2 && withPolicy.violations.every((d) => d.startsWith('script-src')), `violations: ${withPolicy.violations.join(', ')}`);
  });
});
