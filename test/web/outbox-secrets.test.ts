/**
 * /admin/outbox does not hand an admin the links that act for other people: the secret of every
 * password-reset, address-confirmation and subscription link (confirm, manage, unsubscribe, web
 * version) is masked on the page, while the .eml files in the outbox folder keep the whole links.
 * Each mail is made by the product's own flows (in-process app, real SQLite, real outbox folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { createAccount } from '../../src/services/accounts.ts';
import { runDigest } from '../../src/services/digest.ts';
import { folderTransport } from '../../src/mail/transport.ts';
import { maskLinkSecrets } from '../../src/mail/mailer.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

/** Every `token` value of every link in the outbox files (text, HTML and headers, decoded). */
async function tokensOnDisk(dir: string): Promise<string[]> {
  const tokens = new Set<string>();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
    const mail = await simpleParser(fs.readFileSync(path.join(dir, f)));
    const all = [mail.text ?? '', typeof mail.html === 'string' ? mail.html : '', ...mail.headerLines.map((h) => h.line)].join('\n');
    for (const m of all.matchAll(/[?&](?:amp;)?token=([A-Za-z0-9._~%-]+)/g)) tokens.add(m[1]!);
  }
  return [...tokens];
}

/**
 * Every long value in the links of the outbox files' text and HTML, whatever carries it: a query
 * value under any name or a path segment of 16 or more characters. Found without knowing where
 * the product puts its secrets, so a link that carried one elsewhere than `token=` shows up here.
 */
async function longLinkValuesOnDisk(dir: string): Promise<string[]> {
  const values = new Set<string>();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
    const mail = await simpleParser(fs.readFileSync(path.join(dir, f)));
    const body = [mail.text ?? '', typeof mail.html === 'string' ? mail.html : ''].join('\n').replaceAll('&amp;', '&');
    for (const [link] of body.matchAll(/https?:\/\/[^\s"'<>)]+/g)) {
      const url = new URL(link);
      for (const v of [...url.searchParams.values(), ...url.pathname.split('/').map(decodeURIComponent)]) if (v.length >= 16) values.add(v);
    }
  }
  return [...values];
}

test('the outbox page masks the secret of every link that acts for its recipient; the files keep it', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  // Address confirmation (sign-up), then a change of address and a password reset for ada.
  const ada = await memberSession(app, outboxDir, 'ada', '198.51.100.31');
  assert.equal((await ada.post('/settings/email', { current: 'a long enough password', email: 'ada.new@example.org' }, { tokenPage: '/settings' })).status < 500, true);
  const stranger = new WebClient(app, '198.51.100.32');
  assert.equal((await stranger.post('/account/forgot', { email: 'ada@example.org' }, { tokenPage: '/account/forgot' })).status, 200);
  // A subscription's confirmation, and a digest with its manage, unsubscribe and web links.
  assert.equal((await stranger.post('/subscribe', { email: 'reader@example.org', kind: 'trending', period: 'daily' }, { tokenPage: '/subscribe' })).status, 200);
  assert.equal((await ada.post('/settings/digests', { kind: 'trending', period: 'weekly' }, { tokenPage: '/settings/digests' })).status, 303);
  const report = await runDigest({
    store, transport: folderTransport(outboxDir), siteName: 'Paperboy Test', baseUrl: 'http://localhost', mailFrom: 'P <p@localhost>', unsubscribeMailto: null, now: () => Date.now(),
  }, { date: '2025-05-06', weeklyDay: 2, only: 'weekly' });
  assert.equal(report.sent, 1);

  const secrets = await tokensOnDisk(outboxDir);
  assert.ok(secrets.length >= 7, `the files keep the links (found ${secrets.length} tokens)`);
  for (const s of secrets) assert.ok(s.length >= 16, s);

  await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'root-admin', email: 'admin@example.org', password: 'admin password 123', role: 'admin' });
  const admin = new WebClient(app, '192.0.2.201');
  assert.equal((await admin.post('/signin', { login: 'root-admin', password: 'admin password 123' })).status, 303);
  const { res, html } = await admin.get('/admin/outbox');
  assert.equal(res.status, 200);
  for (const s of secrets) assert.ok(!html.includes(s), `the page shows no link secret (${s.slice(0, 8)}…)`);
  const longValues = await longLinkValuesOnDisk(outboxDir);
  assert.ok(longValues.length >= secrets.length, 'the token values are among the long link values');
  for (const v of longValues) assert.ok(!html.includes(v) && !html.includes(encodeURIComponent(v)), `the page shows no long link value (${v.slice(0, 8)}…)`);
  for (const p of ['/account/reset?token=[hidden]', '/account/verify?token=[hidden]', '/subscribe/confirm?token=[hidden]',
    '/subscriptions/manage?token=[hidden]', '/unsubscribe?token=[hidden]']) assert.ok(html.includes(`http://localhost${p}`), `${p} is shown masked`);
  assert.match(html, /Reset your Paperboy Test password/, 'the rest of the mail is shown');
  assert.match(html, /The files in the outbox folder keep the whole links/, 'the page says what it masks and where the links are');

  // Neither the other admin pages nor the digest preview carry a secret of these mails.
  for (const page of ['/admin/digests', '/admin/runs', '/admin/moderation', '/admin/digests/preview.eml?date=2025-05-06&period=weekly']) {
    const body = await (await admin.request(page)).text();
    for (const s of secrets) assert.ok(!body.includes(s), `${page} shows no link secret`);
  }
});

test('maskLinkSecrets: the token value goes, up to where a URL ends; other text stays', () => {
  assert.equal(maskLinkSecrets('open https://x.org/account/reset?token=AbC-_.~%2F9 now'), 'open https://x.org/account/reset?token=[hidden] now');
  assert.equal(maskLinkSecrets('<https://x.org/u?a=1&token=abc>, (https://x.org/u?TOKEN=abc)'), '<https://x.org/u?a=1&token=[hidden]>, (https://x.org/u?TOKEN=[hidden])');
  assert.equal(maskLinkSecrets('href="https://x.org/m?token=abc&amp;done=1"'), 'href="https://x.org/m?token=[hidden]&amp;done=1"');
  assert.equal(maskLinkSecrets('https://x.org/m?x=1&amp;token=abc#top'), 'https://x.org/m?x=1&amp;token=[hidden]#top');
  assert.equal(maskLinkSecrets('a token= in prose, mytoken=abc, https://x.org/papers/2505.00201'), 'a token= in prose, mytoken=abc, https://x.org/papers/2505.00201');
});
