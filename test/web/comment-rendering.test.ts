/**
 * Comments read the same everywhere: the moderation queue and the profile render a comment's
 * Markdown with the renderer of the paper page (raw HTML off), not as raw asterisks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

test('the moderation queue and the profile render comment Markdown, escaping HTML', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'root-admin', email: 'admin@example.org', password: 'admin password 123', role: 'admin' });
  const admin = new WebClient(app, '192.0.2.220');
  assert.equal((await admin.post('/signin', { login: 'root-admin', password: 'admin password 123' })).status, 303);
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const body = 'Nice **paper** <b>raw</b> and `code`';
  const res = await ada.post('/actions/comment', { paper: '2505.00201', body }, { tokenPage: '/papers/2505.00201' });
  const id = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  assert.equal((await bob.post(`/comments/${id}/report`, { reason: 'spam' })).status, 200);

  const paper = (await bob.get('/papers/2505.00201')).html;
  assert.match(paper, /Nice <strong>paper<\/strong> &lt;b&gt;raw&lt;\/b&gt; and <code>code<\/code>/, 'as the paper page shows it');
  for (const [where, html] of [['moderation', (await admin.get('/admin/moderation')).html], ['profile', (await bob.get('/users/ada')).html]] as const) {
    assert.match(html, /Nice <strong>paper<\/strong> &lt;b&gt;raw&lt;\/b&gt; and <code>code<\/code>/, where);
    assert.doesNotMatch(html, /\*\*paper\*\*/, where);
    assert.doesNotMatch(html, /<b>raw<\/b>/, where);
  }
});

test('the profile cuts a long comment before rendering it', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const long = `*Start* ${'word '.repeat(100)}tail-end-marker`;
  assert.equal((await ada.post('/actions/comment', { paper: '2505.00201', body: long }, { tokenPage: '/papers/2505.00201' })).status, 303);
  const html = (await ada.get('/users/ada')).html;
  assert.match(html, /<em>Start<\/em> word/);
  assert.doesNotMatch(html, /tail-end-marker/);
  assert.match(html, /word…/);
});
