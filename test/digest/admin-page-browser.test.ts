/**
 * The admin digest page in Chromium: axe-core finds nothing serious on it in a narrow window,
 * where its tables scroll sideways, and those tables take the keyboard focus.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runDigestCli } from '../../src/cli/digest.ts';
import { browserUnavailable, launchBrowser, seriousA11yViolations, signedInPage } from '../helpers/browser.ts';
import { ADMIN, startAdminDigestSite } from './admin-digest-site.ts';
import type { Running } from '../helpers/running-site.ts';

let r: Running;
before(async () => {
  ({ r } = await startAdminDigestSite());
  // One digest run, so the page has its table of runs.
  let out = '';
  assert.equal(await runDigestCli(r.config, r.config.digest, r.store, ['send', '--date', '2025-05-06'], { write: (s: string) => { out += s; } }), 0, out);
});
after(async () => r.close());

const noBrowser = browserUnavailable();
test('axe-core: nothing serious on the admin digest page in a narrow window; its scrolling tables take the keyboard focus', { skip: noBrowser ?? false }, async () => {
  const browser = await launchBrowser();
  try {
    const page = await signedInPage(browser, r.server.url, ADMIN.username, ADMIN.password, { viewport: { width: 360, height: 800 } });
    await page.goto(`${r.server.url}/admin/digests`);
    const scrolling = await page.locator('.table-wrap').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).length);
    assert.ok(scrolling >= 2, `the narrow window makes tables scroll (${scrolling})`);
    assert.deepEqual(await seriousA11yViolations(page), []);
    const regions = await page.getByRole('region', { name: 'Last digest runs' }).count();
    assert.equal(regions, 1);
    await page.getByRole('region', { name: 'Last digest runs' }).focus();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Last digest runs');
  } finally {
    await browser.close();
  }
});
