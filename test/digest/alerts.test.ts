/**
 * Search alerts with filters, end to end: a visitor saves a search (from the search page, form
 * filters included, or typed with year:/after:/before:/has:code/cat:), confirms by the e-mailed
 * link, and the alert that arrives at a real SMTP server lists exactly the window's papers the
 * search engine matches. Mail parsed with mailparser.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runDigestCli } from '../../src/cli/digest.ts';
import { DIGEST_DEFAULTS } from '../../src/services/digest-config.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { linksIn, pathOf, startRunning, type Running } from '../helpers/running-site.ts';

let r: Running;
before(async () => {
  r = await startRunning();
  const on55 = ['2025-05-05'];
  await r.store.importBatch({
    records: [
      paperRecord({ id: '2505.00301', title: 'Sparse attention kernels', abstract: 'Attention kernels with released code.', categories: ['cs.CL'], publishedAt: '2025-05-04T00:00:00.000Z', codeUrl: 'https://github.com/x/kernels', announcedOn: on55 }),
      paperRecord({ id: '2505.00302', title: 'Attention for vision', abstract: 'Attention maps for images.', categories: ['cs.CV'], publishedAt: '2025-05-04T00:00:00.000Z', announcedOn: on55 }),
      paperRecord({ id: '2505.00303', title: 'Attention revisited', abstract: 'An older attention paper, announced again.', categories: ['cs.CL'], publishedAt: '2023-03-01T00:00:00.000Z', announcedOn: on55 }),
      paperRecord({ id: '2505.00304', title: 'Graph transformers', abstract: 'No such word here.', categories: ['cs.LG'], publishedAt: '2025-05-04T00:00:00.000Z', codeUrl: 'https://github.com/x/graphs', announcedOn: on55 }),
      // Matches every alert below, but arXiv announced it after the window: never listed.
      paperRecord({ id: '2505.00305', title: 'Attention later', abstract: 'Attention with code, cs.CL.', categories: ['cs.CL'], publishedAt: '2025-05-06T00:00:00.000Z', codeUrl: 'https://github.com/x/later', announcedOn: ['2025-05-07'] }),
    ],
    entries: [],
  }, FIXED_NOW);
});
after(async () => r.close());

async function lastMailTo(address: string) {
  const mine = (await r.sink.parsed()).filter((m) => m.envelopeTo.includes(address));
  assert.ok(mine.length > 0, `no mail to ${address}`);
  return mine[mine.length - 1]!;
}

/** Subscribes to an alert from the subscribe page (as the search page's link opens it) and confirms by the e-mailed link. */
async function saveAlert(email: string, query: string, ip: string): Promise<void> {
  const visitor = r.client(ip);
  const before = r.sink.to(email).length;
  const res = await visitor.post('/subscribe', { email, kind: 'search', query, period: 'daily' }, { tokenPage: `/subscribe?kind=search&q=${encodeURIComponent(query)}` });
  assert.equal(res.status, 200, await res.clone().text());
  await r.sink.arrival(email, before); // the confirmation goes after the answer
  const confirm = await lastMailTo(email);
  const link = linksIn(confirm.text ?? '').find((l) => l.includes('/subscribe/confirm'))!;
  assert.ok(link, 'a confirmation link');
  const ok = await visitor.post('/subscribe/confirm', { token: new URL(link).searchParams.get('token')! }, { tokenPage: pathOf(link) });
  assert.equal(ok.status, 200);
}

/** Sends the alerts of 2025-05-06 (covering 2025-05-05) to one address; the ids of the papers it lists. */
async function alertIds(email: string): Promise<string[]> {
  let out = '';
  const code = await runDigestCli(r.config, DIGEST_DEFAULTS, r.store, ['send', '--date', '2025-05-06', '--to', email], { write: (s: string) => { out += s; } });
  assert.equal(code, 0, out);
  if (/ sent=0 /.test(out)) return [];
  const mail = await lastMailTo(email);
  assert.match(mail.subject ?? '', /^Paperboy alert: /);
  const ids = [...new Set([...(mail.text ?? '').matchAll(/\/papers\/(\d{4}\.\d{5})/g)].map((m) => m[1]!))];
  const html = [...new Set([...String(mail.html).matchAll(/\/papers\/(\d{4}\.\d{5})/g)].map((m) => m[1]!))];
  assert.deepEqual(html.sort(), [...ids].sort(), 'both parts list the same papers');
  return ids.sort();
}

test('typed filters reach the alert: has:code, year:, after:, before:, cat:, -cat:', async () => {
  const table: [string, string, string[]][] = [
    ['code@example.org', 'attention has:code', ['2505.00301']],
    ['year@example.org', 'attention year:2025 -cat:cs.CV', ['2505.00301']],
    ['after@example.org', 'attention after:2025-01-01', ['2505.00301', '2505.00302']],
    ['before@example.org', 'attention before:2024-01-01', ['2505.00303']],
    ['cat@example.org', 'cat:cs.CL', ['2505.00301', '2505.00303']],
    ['none@example.org', 'attention cat:cs.LG', []],
  ];
  let ip = 40;
  for (const [email, query, want] of table) {
    await saveAlert(email, query, `192.0.2.${ip++}`);
    assert.deepEqual(await alertIds(email), want, query);
  }
});

test('an alert saved from the search page keeps the form\'s filters', async () => {
  const page = await r.client('192.0.2.60').get('/search?q=attention&category=cs.CL&code=1');
  assert.equal(page.res.status, 200);
  const href = /href="(\/subscribe\?kind=search&amp;q=[^"]+)"/.exec(page.html)?.[1]?.replace(/&amp;/g, '&');
  assert.ok(href, 'the search page links to an alert for this search');
  const saved = new URL(href, 'http://x').searchParams.get('q')!;
  assert.equal(saved, 'attention cat:cs.CL has:code');
  const form = await r.client('192.0.2.61').get(href);
  assert.match(form.html, /value="attention cat:cs.CL has:code"/, 'the subscribe page is filled in');
  await saveAlert('page@example.org', saved, '192.0.2.62');
  assert.deepEqual(await alertIds('page@example.org'), ['2505.00301']);
});

test('a saved search with a filter the engine cannot use is refused when saved, with the reason', async () => {
  const res = await r.client('192.0.2.70').post('/subscribe', { email: 'bad@example.org', kind: 'search', query: 'attention year:20x4', period: 'daily' }, { tokenPage: '/subscribe' });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /not a year/);
});
