/**
 * The "for you" e-mail digest: a member subscribes from settings, and the digest, sent through a
 * real SMTP server, lists new papers ranked by the same model as /for-you, each saying why.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runDigestCli } from '../../src/cli/digest.ts';
import { createAccount } from '../../src/services/accounts.ts';
import { DIGEST_DEFAULTS } from '../../src/services/digest-config.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { topicalRecords } from '../search/fixtures.ts';
import { startRunning, type Running } from '../helpers/running-site.ts';
import type { WebClient } from '../helpers/web-client.ts';

let r: Running;
let ada: WebClient;
before(async () => {
  r = await startRunning({ PAPERBOY_INGEST_SCHEDULE: 'off' });
  // 36 papers on six topics, announced on 2025-05-06 (topic = number % 6; 3 is retrieval-augmented generation).
  await r.store.upsertPapers(topicalRecords(36), FIXED_NOW);
  await createAccount({ store: r.store, now: () => Date.now() }, { username: 'ada', email: 'ada@example.org', password: 'a long enough password', role: 'member' });
  ada = r.client('192.0.2.40');
  const signin = await ada.post('/signin', { login: 'ada', password: 'a long enough password', next: '/' }, { tokenPage: '/signin' });
  assert.equal(signin.status, 303);
  // The index the server built at start-up saw no papers: build the one with these papers (as `paperboy reindex` does).
  const index = SearchIndex.detached(r.store);
  await index.rebuild();
  await index.close();
});
after(async () => r?.close());

async function send(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runDigestCli(r.config, DIGEST_DEFAULTS, r.store, ['send', ...args], { write: (s: string) => { out += s; } });
  return { code, out };
}

test('a visitor without an account cannot ask for papers picked for them', async () => {
  const visitor = r.client('192.0.2.41');
  const res = await visitor.post('/subscribe', { email: 'someone@example.org', kind: 'for-you', period: 'daily' }, { tokenPage: '/subscribe' });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /subscribe to them from your account settings/);
});

test('a member subscribes to "for you" and gets the new papers like their upvotes, each with why', async () => {
  for (const n of [3, 9, 15]) {
    const v = await ada.post('/actions/vote', { paper: `2503.${10000 + n}`, want: '1', next: '/' }, { tokenPage: '/settings/digests' });
    assert.equal(v.status, 303);
  }
  const settings = await ada.get('/settings/digests');
  assert.match(settings.html, /value="for-you"/, 'the choice is offered to members');
  const sub = await ada.post('/settings/digests', { kind: 'for-you', period: 'daily' }, { tokenPage: '/settings/digests' });
  assert.equal(sub.status, 303);
  assert.match((await ada.get('/settings/digests')).html, /papers picked for you/);

  const run = await send(['--date', '2025-05-07', '--to', 'ada@example.org']);
  assert.equal(run.code, 0, run.out);
  assert.match(run.out, /sent=1/);
  const mails = (await r.sink.parsed()).filter((m) => m.envelopeTo.includes('ada@example.org'));
  const mail = mails[mails.length - 1]!;
  assert.match(mail.subject ?? '', /^Paperboy: 10 papers for you, Tue May 6/); // the ten it lists (of 33 new ones, less the 3 upvoted)
  const text = mail.text ?? '';
  const titles = [...text.matchAll(/^\d+\. (.+)$/gm)].map((m) => m[1]!);
  assert.equal(titles.length, 10);
  assert.doesNotMatch(text, /^And \d+ more/m, 'no promise of papers the e-mail does not hold');
  assert.ok(titles.slice(0, 3).every((t) => t.startsWith('Retrieval-augmented generation')), titles.join(' | '));
  assert.ok(!titles.some((t) => /generation (3|9|15)$/.test(t)), 'upvoted papers are not sent back');
  assert.match(text, /Why: like (\d+ papers|a paper) you upvoted: Retrieval-augmented generation/);
  assert.match(String(mail.html), /Why: like/);
  assert.match(text, /subscribed to the daily digest of papers picked for you/);
  const list = mail.headers.get('list') as { unsubscribe: { url: string }; 'unsubscribe-post': { name: string } };
  assert.match(list.unsubscribe.url, /\/unsubscribe\?token=/);
  assert.equal(list['unsubscribe-post'].name, 'List-Unsubscribe=One-Click');

  // Sent once per period: a second run sends nothing new.
  const again = await send(['--date', '2025-05-07', '--to', 'ada@example.org']);
  assert.match(again.out, /sent=0/);
});
