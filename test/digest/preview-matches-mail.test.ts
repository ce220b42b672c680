/**
 * The admin digest preview shows the papers as the e-mail does: the same categories (the mail lists
 * at most three) and the same cut of the abstract, and its upvote counts read "1 upvote" with no
 * "sign in" wording to the signed-in admin.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import type { WebClient } from '../helpers/web-client.ts';
import { startRunning, type Running } from '../helpers/running-site.ts';

let r: Running;
let admin: WebClient;
const LONG = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ') + ' and the end of a long abstract.';

before(async () => {
  r = await startRunning();
  await seedSmallCorpus(r.store);
  // A paper in five categories with a long abstract, and one with a single upvote.
  await r.store.db.updateTable('papers').set({ abstract: LONG }).where('id', '=', '2505.00202').execute();
  const more = ['cs.AI', 'cs.LG', 'stat.ML'];
  await r.store.db.insertInto('paper_categories').values(more.map((category, i) => ({ paper_id: '2505.00202', category, is_primary: 0, position: 2 + i }))).execute();
  await insertSubscription(digestDb(r.store.db), { email: 'reader@example.org', userId: null, period: 'daily', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  await createAccount({ store: r.store, now: () => Date.now() }, { username: 'boss', password: 'admin password 123', email: 'boss@example.org', role: 'admin' });
  admin = r.client('192.0.2.81');
  assert.equal((await admin.post('/signin', { login: 'boss', password: 'admin password 123' })).status, 303);
});
after(async () => r.close());

function cardOf(html: string, id: string): string {
  const start = html.indexOf(`<article class="card" aria-labelledby="t-${id.replace(/[./]/g, '-')}"`);
  assert.ok(start >= 0, `the card of ${id}`);
  return html.slice(start, html.indexOf('</article>', start));
}

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

test('preview cards carry the categories and abstract of the e-mail', async () => {
  const { res, html } = await admin.get('/admin/digests?date=2025-05-06&period=daily');
  assert.equal(res.status, 200);
  const text = decode(/<pre[^>]*>([\s\S]*?)<\/pre>/.exec(html)![1]!);
  const block = text.split('\n\n').find((b) => b.includes('/papers/2505.00202'));
  assert.ok(block, 'the paper is in the mail');
  const mailLines = block.split('\n').map((l) => l.trim());
  const mailCategories = mailLines[1]!.split(' · ').at(-1)!.split(', ');
  assert.deepEqual(mailCategories, ['cs.CV', 'cs.CL', 'cs.AI'], 'the mail lists three');
  const card = cardOf(html, '2505.00202');
  const chips = [...card.matchAll(/class="chip"[^>]*>([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(chips, mailCategories);
  const abstract = decode(/<p class="abstract">([^<]*)<\/p>/.exec(card)![1]!);
  assert.equal(abstract, mailLines[2], 'the same cut of the abstract');
  assert.ok(abstract.length < LONG.length);
});

test('preview upvote counts are counted nouns, without "sign in" for the admin', async () => {
  const { html } = await admin.get('/admin/digests?date=2025-05-06&period=daily');
  const card = cardOf(html, '2505.00203'); // one upvote
  assert.match(card, /<span class="count">1<\/span><span class="sr-only"> upvote<\/span>/);
  assert.doesNotMatch(html, /sign in to upvote/i);
  assert.doesNotMatch(html, /\b1 upvotes\b|>1<\/span><span class="sr-only"> upvotes/);
});
