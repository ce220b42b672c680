/**
 * A comment's upvote is a toggle: the thread shows which comments you upvoted, and the same button
 * takes the upvote back. A comment's points come from other readers: its author has no Upvote.
 */
import { test } from 'node:test';
import { setCommentVote } from '../../src/store/comments.ts';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession } from '../helpers/web-client.ts';

/** Bob's comment on a paper, and Ada who reads it; `voteForm` finds the comment's upvote form in a page. */
async function commentToVoteOn() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  const { app, outboxDir } = t;
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const posted = await bob.post('/actions/comment', { paper: '2505.00202', body: 'Worth a read' }, { tokenPage: '/papers/2505.00202' });
  const id = Number(/#c(\d+)$/.exec(posted.headers.get('location')!)![1]);
  const voteForm = (html: string) => new RegExp(`<form method="post" action="/comments/${id}/vote"[^>]*>.*?</form>`, 's').exec(html)?.[0] ?? '';
  return { ada, bob, id, voteForm, t };
}

test('upvoting a comment shows it pressed, and pressing again takes the upvote back', async () => {
  const { ada, id, voteForm, t } = await commentToVoteOn();
  const cyd = await memberSession(t.app, t.outboxDir, 'cyd');

  const before = voteForm((await ada.get('/papers/2505.00202')).html);
  assert.match(before, /name="want" value="1"/);
  assert.match(before, /aria-pressed="false"/);
  assert.match(before, /△ <\/span>Upvote/);

  assert.equal((await ada.post(`/comments/${id}/vote`, { want: '1' }, { tokenPage: '/papers/2505.00202' })).status, 303);
  const page = (await ada.get('/papers/2505.00202')).html;
  assert.match(page, new RegExp(`id="c${id}".*?<span>1 point</span>`, 's'));
  const pressed = voteForm(page);
  assert.match(pressed, /name="want" value="0"/, 'the button now takes the upvote back');
  assert.match(pressed, /aria-pressed="true"/);
  assert.match(pressed, /title="Remove your upvote"/);
  assert.match(pressed, /▲ <\/span>Upvote/, 'a filled arrow, not colour alone');
  assert.match(voteForm((await cyd.get('/papers/2505.00202')).html), /aria-pressed="false"/, "another member's upvote is not shown as yours");

  assert.equal((await ada.post(`/comments/${id}/vote`, { want: '0' }, { tokenPage: '/papers/2505.00202' })).status, 303);
  const after = (await ada.get('/papers/2505.00202')).html;
  assert.match(after, new RegExp(`id="c${id}".*?<span>0 points</span>`, 's'));
  assert.match(voteForm(after), /aria-pressed="false"/);
  assert.match(voteForm(after), /name="want" value="1"/);
});

test('an upvote without JavaScript comes back to the comment in the order the discussion was read in', async () => {
  const { ada, id, voteForm } = await commentToVoteOn();

  for (const order of ['top', 'newest'] as const) {
    const form = voteForm((await ada.get(`/papers/2505.00202?comments=${order}`)).html);
    assert.match(form, new RegExp(`<input type="hidden" name="comments" value="${order}"/>`), `${order}: the form carries the order`);
    const res = await ada.post(`/comments/${id}/vote`, { want: /value="0"/.test(form) ? '0' : '1', comments: order }, { tokenPage: `/papers/2505.00202?comments=${order}` });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/papers/2505.00202?comments=${order}&comment=${id}#c${id}`);
  }
  // The default order adds nothing to the form; an order that is not one is not carried over.
  assert.doesNotMatch(voteForm((await ada.get('/papers/2505.00202')).html), /name="comments"/);
  const odd = await ada.post(`/comments/${id}/vote`, { want: '1', comments: 'javascript:alert(1)' }, { tokenPage: '/papers/2505.00202' });
  assert.equal(odd.headers.get('location'), `/papers/2505.00202?comment=${id}#c${id}`);
});

test('the author of a comment has no Upvote on it, a vote sent anyway is refused, and an old self-upvote can be taken back', async () => {
  const { bob, id, voteForm, t: { store } } = await commentToVoteOn();

  assert.equal(voteForm((await bob.get('/papers/2505.00202')).html), '', 'no upvote form on your own comment');
  const refused = await bob.post(`/comments/${id}/vote`, { want: '1' }, { tokenPage: '/papers/2505.00202' });
  assert.equal(refused.status, 403);
  const said = await refused.text();
  assert.match(said, /That is your own comment: its points come from other readers\./);
  assert.doesNotMatch(said, /at \S+\.ts:\d+/, 'no stack trace');
  assert.match((await bob.get('/papers/2505.00202')).html, new RegExp(`id="c${id}".*?<span>0 points</span>`, 's'), 'the refused vote counted nothing');

  // An upvote the author gave before the rule: the pressed button is there to take it back, and then it is gone.
  const author = await store.db.selectFrom('comments').select('user_id').where('id', '=', id).executeTakeFirstOrThrow();
  await store.transaction((trx) => setCommentVote(trx, author.user_id!, id, true, '2025-05-07T00:00:00.000Z'));
  const old = voteForm((await bob.get('/papers/2505.00202')).html);
  assert.match(old, /aria-pressed="true"/);
  assert.match(old, /name="want" value="0"/);
  assert.equal((await bob.post(`/comments/${id}/vote`, { want: '0' }, { tokenPage: '/papers/2505.00202' })).status, 303);
  const after = (await bob.get('/papers/2505.00202')).html;
  assert.match(after, new RegExp(`id="c${id}".*?<span>0 points</span>`, 's'));
  assert.equal(voteForm(after), '');
});
