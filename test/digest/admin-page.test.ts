/**
 * The admin digest page: its subscriber counts cover every kind, and its preview carries the
 * headers real digests carry (the configured sender and unsubscribe mailbox). In Chromium:
 * admin-page-browser.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { runDigestCli } from '../../src/cli/digest.ts';
import type { WebClient } from '../helpers/web-client.ts';
import { startAdminDigestSite } from './admin-digest-site.ts';
import type { Running } from '../helpers/running-site.ts';

let r: Running;
let admin: WebClient;

before(async () => { ({ r, admin } = await startAdminDigestSite()); });
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
