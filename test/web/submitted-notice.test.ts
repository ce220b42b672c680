/**
 * After submitting a paper, its page says so: a status line naming the day's list it is on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

test('the paper page after a submission says it is on today\'s Daily papers', async () => {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  const ada = await memberSession(t.app, t.outboxDir, 'ada');
  const res = await ada.post('/submit', { id: 'hep-th/9901001' }, { tokenPage: '/submit' });
  assert.equal(res.status, 303);
  const location = res.headers.get('location')!;
  assert.equal(location, '/papers/hep-th/9901001?submitted=1');
  const today = FIXED_NOW.slice(0, 10);
  const { html } = await ada.get(location);
  const notice = /<p class="success" role="status">(.*?)<\/p>/s.exec(html)?.[1];
  assert.ok(notice, 'a status line');
  assert.match(notice, new RegExp(`^Submitted: the paper is on the <a href="/papers/date/${today}">Daily papers of [A-Z][a-z]+day, [A-Z][a-z]+ \\d{1,2}, \\d{4}</a>\\.$`));
  assert.doesNotMatch((await ada.get('/papers/hep-th/9901001')).html, /role="status">Submitted/, 'only on the page the submission leads to');
  assert.doesNotMatch((await new WebClient(t.app).get(location)).html, /role="status">Submitted/, 'not for a visitor following the address');
});
