/**
 * The subscribe form in real Chromium (skipped with a message when it is missing): a visitor types
 * an address with the keyboard and sends the form, for a new address, one that gets this digest
 * already, and a member's; each time the page says the same "check your inbox" with only the
 * address changed, and axe-core finds nothing of moderate impact or worse on the form or the
 * answer. The inbox, not the page, says which case it was. (A real server, real SMTP server.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { browserUnavailable, launchBrowser, moderateA11yViolations, screenshot } from '../helpers/browser.ts';
import { createMember } from '../helpers/factories.ts';
import { startRunning, type Running } from '../helpers/running-site.ts';

const skip = browserUnavailable();

describe('the subscribe form in Chromium', { skip: skip ?? false }, () => {
  let r: Running;
  let browser: Browser;
  let page: Page;

  before(async () => {
    r = await startRunning();
    // The form's defaults: trending papers, Monday to Friday.
    await insertSubscription(digestDb(r.store.db), { email: 'has@example.org', userId: null, period: 'weekdays', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
    await createMember(r.store, 'mia');
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
  });

  after(async () => {
    await browser?.close();
    await r?.close();
  });

  /** Types `email` into the form, Tabs to Subscribe and presses Enter; the answer's main text, the address taken out. */
  async function subscribeByKeyboard(email: string): Promise<string> {
    await page.goto(`${r.server.url}/subscribe`);
    await page.getByLabel('E-mail', { exact: true }).focus();
    await page.keyboard.type(email);
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    for (let i = 0; i < 8 && await focused() !== 'Subscribe'; i++) await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Subscribe', 'Tab leads from the address to the button');
    await Promise.all([page.waitForResponse((res) => res.request().method() === 'POST'), page.keyboard.press('Enter')]);
    await page.getByRole('status').waitFor();
    return (await page.locator('main').innerText()).replaceAll(email, 'X');
  }

  test('a new address, one that gets this already, and a member\'s: one answer, the reason in the inbox', async () => {
    await page.goto(`${r.server.url}/subscribe`);
    assert.deepEqual(await moderateA11yViolations(page), [], 'the form');
    const cases = [
      { email: 'new@example.org', subject: /Confirm your subscription/ },
      { email: 'has@example.org', subject: /You already get this/ },
      { email: 'mia@example.org', subject: /Confirm your subscription/ },
    ];
    const answers: string[] = [];
    for (const k of cases) {
      answers.push(await subscribeByKeyboard(k.email));
      assert.deepEqual(await moderateA11yViolations(page), [], `the answer for ${k.email}`);
    }
    await screenshot(page, 'subscribe-answer');
    assert.match(answers[0]!, /^Check your inbox\n+Check your inbox at X: /);
    assert.deepEqual(answers.slice(1), [answers[0], answers[0]], 'the same page in every case');
    for (const k of cases) {
      await r.sink.arrival(k.email);
      const [mail] = (await r.sink.parsed()).filter((m) => m.envelopeTo.includes(k.email));
      assert.match(mail!.subject ?? '', k.subject, k.email);
    }
  });
});
