/**
 * Moderation through the whole app (in-process, real SQLite): once an admin hides a comment it is
 * handled; members cannot put it back in the queue by reporting it again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { listReportedComments, reportComment, setCommentHidden } from '../../src/store/comments.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

test('a comment a moderator hid cannot be reported again: 404, and the queue stays empty', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'mod-admin', email: 'mod@example.org', password: 'admin password 123', role: 'admin' });
  const admin = new WebClient(app, '192.0.2.210');
  assert.equal((await admin.post('/signin', { login: 'mod-admin', password: 'admin password 123' })).status, 303);
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const erin = await memberSession(app, outboxDir, 'erin');
  const res = await ada.post('/actions/comment', { paper: '2505.00201', body: 'Buy cheap pills' }, { tokenPage: '/papers/2505.00201' });
  const id = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  assert.equal((await bob.post(`/comments/${id}/report`, { reason: 'spam' })).status, 200);
  assert.equal((await admin.post(`/comments/${id}/moderate`, { action: 'hide', next: '/admin/moderation' })).status, 303);
  assert.match((await admin.get('/admin/moderation')).html, /Nothing to review/);

  const again = await erin.post(`/comments/${id}/report`, { reason: 'again' });
  assert.equal(again.status, 404);
  assert.match(await again.text(), /That comment does not exist, or a moderator has hidden it/);
  const queue = (await admin.get('/admin/moderation')).html;
  assert.match(queue, /Nothing to review/, 'the hidden comment is not back in the queue');
  const [reported, hidden] = queue.split('<h2 id="hidden-comments-h">');
  assert.doesNotMatch(reported!, /Buy cheap pills/, 'not among the reported comments');
  assert.match(hidden!, /Buy cheap pills/, 'listed with the hidden ones, to be unhidden');

  // Unhidden, it can be reported like any other.
  assert.equal((await admin.post(`/comments/${id}/moderate`, { action: 'unhide', next: '/admin/moderation' })).status, 303);
  assert.equal((await erin.post(`/comments/${id}/report`, { reason: 'still spam' })).status, 200);
  assert.match((await admin.get('/admin/moderation')).html, /Reasons: still spam/);
});

test('the report is recorded only while the comment is shown, checked in the same statement as the insert', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const res = await ada.post('/actions/comment', { paper: '2505.00202', body: 'Off topic' }, { tokenPage: '/papers/2505.00202' });
  const id = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  const erin = await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'erin2', email: 'erin2@example.org', password: 'a long enough password', role: 'member' });
  // Hidden between the service's check and the insert: nothing is recorded.
  await store.transaction((trx) => setCommentHidden(trx, id, '2505.00202', true, FIXED_NOW));
  assert.equal(await reportComment(store.db, id, erin.id, 'late', FIXED_NOW), false);
  assert.deepEqual(await listReportedComments(store.db, 'older', null, 10), []);
  await store.transaction((trx) => setCommentHidden(trx, id, '2505.00202', false, FIXED_NOW));
  assert.equal(await reportComment(store.db, id, erin.id, 'now shown', FIXED_NOW), true);
  assert.equal(await reportComment(store.db, id, erin.id, 'twice', FIXED_NOW), false, 'one report per member');
  assert.deepEqual((await listReportedComments(store.db, 'older', null, 10)).map((c) => [c.id, c.reasons]), [[id, ['now shown']]]);
});

test('report reasons are kept on one line without control characters, and one with nothing visible is none', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const cal = await memberSession(app, outboxDir, 'cal');
  const res = await ada.post('/actions/comment', { paper: '2505.00201', body: 'Buy cheap pills' }, { tokenPage: '/papers/2505.00201' });
  const id = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  assert.equal((await bob.post(`/comments/${id}/report`, { reason: 'spam\u0085\u0007and\u007fmore' })).status, 200);
  assert.equal((await cal.post(`/comments/${id}/report`, { reason: '\u200b \u2800' })).status, 200);
  const reasons = (await store.db.selectFrom('comment_reports').select('reason').orderBy('reason').execute()).map((r) => r.reason);
  assert.deepEqual(reasons.sort(), [null, 'spam and more'].sort());
});
