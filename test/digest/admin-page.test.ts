/**
 * The admin digest page: its subscriber counts cover every kind, its preview carries the headers
 * real digests carry (the configured sender and unsubscribe mailbox), and axe-core finds nothing
 * serious on it in a narrow window, where its tables scroll sideways.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { runDigestCli } from '../../src/cli/digest.ts';
import { createAccount } from '../../src/services/accounts.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription, markAddressBounced, type SubscriptionKind } from '../../src/store/subscriptions.ts';
import { browserUnavailable, launchBrowser, seriousA11yViolations, signedInPage } from '../helpers/browser.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { createMember } from '../helpers/factories.ts';
import type { WebClient } from '../helpers/web-client.ts';
import { startRunning, type Running } from './support.ts';

let r: Running;
let admin: WebClient;
const ADMIN = { username: 'boss', password: 'admin password 123' };
const MAILTO = 'leave@paperboy.test';

before(async () => {
  // No PAPERBOY_MAIL_FROM: the default sender is the one to compare.
  r = await startRunning({ PAPERBOY_MAIL_FROM: undefined, PAPERBOY_UNSUBSCRIBE_MAILTO: MAILTO } as unknown as Record<string, string>);
  await seedSmallCorpus(r.store);
  const db = digestDb(r.store.db);
  const add = (email: string, kind: SubscriptionKind, userId: number | null = null, query: string | null = null) =>
    insertSubscription(db, { email, userId, period: 'daily', kind, query, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  await add('reader@example.org', 'trending');
  await add('alerts@example.org', 'search', null, 'attention');
  await add('other-alerts@example.org', 'search', null, 'diffusion');
  const member = await createMember(r.store, 'picky');
  await add('picky@example.org', 'for-you', member.id);
  await add('gone@example.org', 'trending');
  await markAddressBounced(db, 'gone@example.org', '550 5.1.1 No such user here, and a long explanation of why that keeps going on and on', new Date().toISOString());
  await createAccount({ store: r.store, now: () => Date.now() }, { ...ADMIN, email: 'boss@example.org', role: 'admin' });
  admin = r.client('192.0.2.80');
  assert.equal((await admin.post('/signin', { login: ADMIN.username, password: ADMIN.password })).status, 303);
});
after(async () => r.close());

test('the subscriber breakdown counts "for you" subscriptions too', async () => {
  const { res, html } = await admin.get('/admin/digests');
  assert.equal(res.status, 200);
  const line = html.replace(/\s+/g, ' ').match(/(\d+) active \(([^)]*)\)/);
  assert.ok(line, 'the breakdown');
  assert.equal(line[1], '4');
  assert.match(line[2]!, /1 trending, 2 search alerts, 1 for you$/);
  const kinds = [...line[2]!.split(';')[1]!.matchAll(/(\d+) [a-z]/g)].reduce((n, m) => n + Number(m[1]), 0);
  assert.equal(kinds, 4, 'the kinds add up to the active subscriptions');
});

test('the preview has the sender and List-Unsubscribe of the digest actually sent', async () => {
  assert.equal(r.config.mailFrom, `Paperboy <no-reply@${new URL(r.config.baseUrl).hostname}>`, 'the default sender is at the host of the base URL');
  let out = '';
  const code = await runDigestCli(r.config, r.config.digest, r.store, ['send', '--date', '2025-05-06', '--to', 'reader@example.org'], { write: (s: string) => { out += s; } });
  assert.equal(code, 0, out);
  const sent = (await r.sink.parsed()).find((m) => m.envelopeTo.includes('reader@example.org'));
  assert.ok(sent, out);
  const res = await admin.request('/admin/digests/preview.eml?date=2025-05-06&period=daily');
  assert.equal(res.status, 200);
  const preview = await simpleParser(Buffer.from(await res.arrayBuffer()));
  assert.equal((preview.from as { text: string }).text, (sent.from as { text: string }).text);
  assert.equal((preview.from as { value: { address: string }[] }).value[0]!.address, `no-reply@${new URL(r.config.baseUrl).hostname}`);
  const listOf = (m: typeof sent) => m.headers.get('list') as { unsubscribe: { url: string; mail?: string } };
  assert.match(listOf(sent).unsubscribe.mail ?? '', /^leave@paperboy\.test\?subject=unsubscribe%20\d+\./);
  assert.match(listOf(preview as typeof sent).unsubscribe.mail ?? '', /^leave@paperboy\.test\?subject=unsubscribe%20\d+\./, 'the preview shows the mailto: too');
  assert.equal(preview.subject, sent.subject);
});

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
