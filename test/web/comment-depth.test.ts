/**
 * A long chain of replies (each member answering the last reply) renders: replies are indented
 * MAX_THREAD_DEPTH levels, and deeper ones are shown in order under the last indented comment,
 * each naming the comment it answers. 1,500 nested replies made the paper's page a 500 for everyone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insertComment } from '../../src/store/comments.ts';
import { MAX_THREAD_DEPTH } from '../../src/web/pages/paper.tsx';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { createMember } from '../helpers/factories.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { WebClient } from '../helpers/web-client.ts';

const PAPER = '2505.00201';

/** How deep the page's comment lists nest: the most `<ul class="comments">` open at once. */
function listDepth(html: string): number {
  let open = 0;
  let most = 0;
  for (const m of html.matchAll(/<ul class="comments">|<\/ul>/g)) {
    if (m[0] === '</ul>') { if (open > 0) open--; } else most = Math.max(most, ++open);
  }
  return most;
}

test('a chain of 1,500 replies: the page answers, indents a few levels, and shows the rest in order, each naming what it answers', async () => {
  const { app, store } = await testApp();
  await seedSmallCorpus(store);
  const ada = await createMember(store, 'ada');
  const bob = await createMember(store, 'bob');
  const ids: number[] = [];
  await store.transaction(async (trx) => {
    let parentId: number | null = null;
    for (let i = 0; i < 1_500; i++) {
      const at = new Date(Date.parse(FIXED_NOW) - (1_500 - i) * 60_000).toISOString();
      parentId = await insertComment(trx, { paperId: PAPER, userId: (i % 2 ? bob : ada).id, parentId, body: `reply number ${i}` }, at);
      ids.push(parentId);
    }
  });
  const res = await new WebClient(app).get(`/papers/${PAPER}`);
  assert.equal(res.res.status, 200);
  const html = res.html;
  // The comments list itself, then one list per indented level of replies.
  assert.equal(listDepth(html), 1 + MAX_THREAD_DEPTH);
  const shown = [...html.matchAll(/reply number (\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(shown, Array.from({ length: 1_500 }, (_, i) => i), 'every reply, oldest first, each once');
  // Down to the last indented level a reply sits under what it answers; past it, it says what that is.
  const said = (i: number) => new RegExp(`id="c${ids[i]}"><p class="meta">.*?</p>`).exec(html)![0];
  assert.doesNotMatch(said(MAX_THREAD_DEPTH), /in reply to/, 'the last indented level: under its parent');
  assert.match(said(MAX_THREAD_DEPTH + 1), new RegExp(`<a href="#c${ids[MAX_THREAD_DEPTH]}" class="muted">in reply to ${MAX_THREAD_DEPTH % 2 ? 'bob' : 'ada'}</a>`));
  assert.match(said(1_499), new RegExp(`<a href="#c${ids[1_498]}" class="muted">in reply to ada</a>`));
});

test('a short thread nests as written, with no "in reply to"', async () => {
  const { app, store } = await testApp();
  await seedSmallCorpus(store);
  const ada = await createMember(store, 'ada');
  await store.transaction(async (trx) => {
    const top = await insertComment(trx, { paperId: PAPER, userId: ada.id, parentId: null, body: 'first' }, FIXED_NOW);
    const reply = await insertComment(trx, { paperId: PAPER, userId: ada.id, parentId: top, body: 'second' }, FIXED_NOW);
    await insertComment(trx, { paperId: PAPER, userId: ada.id, parentId: reply, body: 'third' }, FIXED_NOW);
    await insertComment(trx, { paperId: PAPER, userId: ada.id, parentId: null, body: 'another' }, FIXED_NOW);
  });
  const html = (await new WebClient(app).get(`/papers/${PAPER}`)).html;
  assert.equal(listDepth(html), 3);
  assert.doesNotMatch(html, /in reply to/);
});
