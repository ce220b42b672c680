/**
 * A profile lists a member's submitted and upvoted papers: a paper in both lists has a card in
 * each, and every card keeps ids of its own (its article is named by its own title).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession } from '../helpers/web-client.ts';

test('a paper both submitted and upvoted: two cards on the profile, no id twice, each named by its own title', async () => {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  const ada = await memberSession(t.app, t.outboxDir, 'ada');
  assert.equal((await ada.post('/submit', { id: 'hep-th/9901001' }, { tokenPage: '/submit' })).status, 303);
  assert.equal((await ada.post('/actions/vote', { paper: 'hep-th/9901001', want: '1' })).status, 303);
  const { html } = await ada.get('/users/ada');
  const articles = [...html.matchAll(/<article class="card" aria-labelledby="([^"]+)"[^>]*>(.*?)<\/article>/gs)];
  const ofPaper = articles.filter((m) => m[2]!.includes('href="/papers/hep-th/9901001"'));
  assert.equal(ofPaper.length, 2, 'one card in Submitted, one in Upvoted');
  for (const [, labelledBy, body] of ofPaper) {
    assert.match(body!, new RegExp(`<h3 class="card-title" id="${labelledBy}">`), 'the article is named by the title inside it');
  }
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  assert.deepEqual(twice, [], 'no id twice on the page');
  // Each card's upvote comes back to that card.
  for (const [, labelledBy, body] of ofPaper) {
    assert.match(body!, new RegExp(`name="next" value="/users/ada#${labelledBy}"`));
  }
});
