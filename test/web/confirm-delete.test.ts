/**
 * Deleting a collection or one's comment asks first, on a page of its own that works without
 * JavaScript (opening it deletes nothing), and says when it is done.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession } from '../helpers/web-client.ts';

async function setup() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  return t;
}

test('deleting a collection: the Delete link asks "Delete the collection?", only the post deletes, and the list says it is done', async () => {
  const { app, outboxDir } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  assert.equal((await ada.post('/collections', { name: 'To read', paper: '2505.00201', public: '1' })).status, 303);
  const list = (await ada.get('/collections')).html;
  const id = /<a href="\/collections\/(\d+)\/delete">Delete<span class="sr-only"> collection To read<\/span><\/a>/.exec(list)?.[1];
  assert.ok(id, 'Delete is a link to the question, named for the collection');
  assert.doesNotMatch(list, /action="\/collections\/\d+\/delete"/, 'no button on the list deletes at once');

  const asked = await ada.get(`/collections/${id}/delete`);
  assert.equal(asked.res.status, 200);
  assert.match(asked.html, /<title>Delete the collection “To read”\?/);
  assert.match(asked.html, /<h1>Delete the collection “To read”\?<\/h1>/);
  assert.match(asked.html, /It holds 1 paper; the papers stay on the site, only the collection goes, with its page and its feed\. This cannot be undone\./);
  assert.match(asked.html, new RegExp(`<form method="post" action="/collections/${id}/delete"[^>]*><input type="hidden" name="_csrf" value="[^"]+"/><button type="submit" class="danger">Delete collection</button><a href="/collections#collection-${id}">Cancel, keep it</a>`));
  assert.match((await ada.get('/users/ada/collections/to-read')).html, /To read/, 'asking deleted nothing');

  assert.equal((await bob.get(`/collections/${id}/delete`)).res.status, 404, "another member's collection is not there to delete");
  assert.equal((await ada.get('/collections/999999/delete')).res.status, 404);
  assert.equal((await ada.get('/collections/nope/delete')).res.status, 404);

  const done = await ada.post(`/collections/${id}/delete`, {}, { tokenPage: `/collections/${id}/delete` });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get('location'), '/collections?deleted=1');
  const after = (await ada.get('/collections?deleted=1')).html;
  assert.match(after, /<p class="success" role="status">The collection is deleted\.<\/p>/);
  assert.doesNotMatch(after, /To read/);
  assert.doesNotMatch((await ada.get('/collections')).html, /role="status"/, 'the notice is for the answer only');
});

test('deleting one\'s comment: the Delete link asks, showing the comment; only the post deletes; the discussion says it is done', async () => {
  const { app, outboxDir, store } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const posted = await ada.post('/actions/comment', { paper: '2505.00202', body: 'A **bold** claim' }, { tokenPage: '/papers/2505.00202' });
  const id = Number(/#c(\d+)$/.exec(posted.headers.get('location')!)![1]);
  const page = (await ada.get('/papers/2505.00202')).html;
  assert.match(page, new RegExp(`<a href="/comments/${id}/delete">Delete<span class="sr-only"> comment ${id} by ada</span></a>`));
  assert.doesNotMatch(page, /action="\/comments\/\d+\/delete"/, 'no button on the thread deletes at once');

  const asked = await ada.get(`/comments/${id}/delete`);
  assert.equal(asked.res.status, 200);
  assert.match(asked.html, /<h1>Delete your comment\?<\/h1>/);
  assert.match(asked.html, /Your comment on <a href="\/papers\/2505.00202">[^<]+<\/a>:/);
  assert.match(asked.html, /<strong>bold<\/strong> claim/);
  assert.match(asked.html, new RegExp(`<button type="submit" class="danger">Delete comment</button><a href="/papers/2505.00202\\?comment=${id}#c${id}">Cancel, keep it</a>`));
  assert.equal((await store.findPaperById('2505.00202'))?.commentsCount, 1, 'asking deleted nothing');

  assert.equal((await bob.get(`/comments/${id}/delete`)).res.status, 403);
  assert.equal((await ada.get('/comments/999999/delete')).res.status, 404);

  const done = await ada.post(`/comments/${id}/delete`, {}, { tokenPage: `/comments/${id}/delete` });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get('location'), `/papers/2505.00202?deleted=comment&comment=${id}#comments`);
  const after = (await ada.get('/papers/2505.00202?deleted=comment')).html;
  assert.match(after, /<h2 id="comments-h">Discussion<\/h2><p class="success" role="status">Your comment is deleted\.<\/p>/);
  assert.match(after, /comment deleted by its author/);
  assert.equal((await store.findPaperById('2505.00202'))?.commentsCount, 0);
  assert.equal((await ada.get(`/comments/${id}/delete`)).res.status, 404, 'a deleted comment is not asked about again');
});
