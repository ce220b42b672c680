/**
 * Without JavaScript, a form on a paper's card (upvote, remove from a collection) comes back to that
 * card in the list (its title's id as the fragment), not to the top of a long page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

const hiddenNext = (html: string, action: string, paper: string) =>
  new RegExp(`<form method="post" action="${action}"[^>]*>(?:(?!</form>).)*?name="paper" value="${paper.replace('.', '\\.')}"(?:(?!</form>).)*?name="next" value="([^"]*)"`, 's').exec(html)?.[1];

test('an upvote on a card comes back to that card, signed in or by way of signing in', async () => {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  const ada = await memberSession(t.app, t.outboxDir, 'ada');
  const { html } = await ada.get('/papers/date/2025-05-05');
  const next = hiddenNext(html, '/actions/vote', '2505.00201');
  assert.equal(next, '/papers/date/2025-05-05#t-2505-00201');
  assert.match(html, /<h3 class="card-title" id="t-2505-00201">/, 'the fragment names the card\'s title');
  const res = await ada.post('/actions/vote', { paper: '2505.00201', want: '1', next: next! });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/papers/date/2025-05-05#t-2505-00201');

  const visitor = (await new WebClient(t.app).get('/papers/date/2025-05-05')).html;
  assert.match(visitor, /href="\/signin\?next=%2Fpapers%2Fdate%2F2025-05-05%23t-2505-00201"/, 'a visitor comes back to the card after signing in');
});

test('removing a paper from a collection comes back to the card that takes its place', async () => {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  const ada = await memberSession(t.app, t.outboxDir, 'ada');
  await ada.post('/collections', { name: 'Picks', paper: '2505.00201' });
  const id = /href="\/collections\/(\d+)\/delete"/.exec((await ada.get('/collections')).html)![1]!;
  await ada.post('/actions/save', { paper: '2505.00202', collection: id, action: 'add' });
  const { html } = await ada.get('/users/ada/collections/picks');
  const ids = [...html.matchAll(/<h3 class="card-title" id="t-([\w-]+)">/g)].map((m) => m[1]!.replace('-', '.'));
  assert.equal(ids.length, 2);
  assert.equal(hiddenNext(html, '/actions/save', ids[0]!), `/users/ada/collections/picks#t-${ids[1]!.replace('.', '-')}`);
  assert.equal(hiddenNext(html, '/actions/save', ids[1]!), `/users/ada/collections/picks#t-${ids[0]!.replace('.', '-')}`, 'the last one: the card before it');
  const res = await ada.post('/actions/save', { paper: ids[0]!, collection: id, action: 'remove', next: hiddenNext(html, '/actions/save', ids[0]!)! });
  assert.equal(res.headers.get('location'), `/users/ada/collections/picks#t-${ids[1]!.replace('.', '-')}`);
});
