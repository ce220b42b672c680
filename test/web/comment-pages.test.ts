/**
 * A busy paper's discussion comes a page of threads at a time: each page shows its threads with
 * every reply, "More comments" leads to the next in the same order, and links to a comment (after
 * posting a reply, from profiles and the moderation queue, `?comment=`) land on the page holding it.
 * A paper with 3,000 comments made a 1.9 MB page that took a quarter of a second or more to build.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insertComment } from '../../src/store/comments.ts';
import type { Store } from '../../src/store/index.ts';
import { COMMENT_THREADS_PER_PAGE } from '../../src/web/pages/paper.tsx';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { createMember } from '../helpers/factories.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

const PAPER = '2505.00202';
const THREADS = 120; // two full pages and a part
const at = (minutes: number) => new Date(Date.parse(FIXED_NOW) - 10_000 * 60_000 + minutes * 60_000).toISOString();

/** 120 threads, written a minute apart, each with a reply and a reply to that: 360 comments. */
async function busyPaper(store: Store): Promise<{ threads: number[]; replies: number[][] }> {
  const ada = await createMember(store, 'ada');
  const bob = await createMember(store, 'bob');
  const threads: number[] = [];
  const replies: number[][] = [];
  await store.transaction(async (trx) => {
    for (let i = 0; i < THREADS; i++) {
      const top = await insertComment(trx, { paperId: PAPER, userId: ada.id, parentId: null, body: `thread ${i}` }, at(i));
      const reply = await insertComment(trx, { paperId: PAPER, userId: bob.id, parentId: top, body: `reply ${i}a` }, at(THREADS + i));
      const deeper = await insertComment(trx, { paperId: PAPER, userId: ada.id, parentId: reply, body: `reply ${i}b` }, at(2 * THREADS + i));
      threads.push(top);
      replies.push([reply, deeper]);
    }
  });
  return { threads, replies };
}

/** The threads a page shows, by number, in its order. */
const threadsShown = (html: string) => [...html.matchAll(/<p>thread (\d+)<\/p>/g)].map((m) => Number(m[1]));
const commentIds = (html: string) => [...html.matchAll(/<li class="comment" id="c(\d+)">/g)].map((m) => Number(m[1]));
const moreLink = (html: string) => /<a href="([^"]+)" rel="next">More comments<\/a>/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? null;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function setup() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  return { ...t, ...(await busyPaper(t.store)) };
}

test('a paper with 360 comments: 50 threads a page with all their replies, "More comments" to the next, every comment once', async () => {
  const { app } = await setup();
  const web = new WebClient(app);
  const first = await web.get(`/papers/${PAPER}`);
  assert.equal(first.res.status, 200);
  assert.equal(COMMENT_THREADS_PER_PAGE, 50);
  assert.deepEqual(threadsShown(first.html), range(0, 50), 'the first 50 threads, oldest first');
  assert.match(first.html, /<p>reply 49b<\/p>/, 'with their replies');
  assert.doesNotMatch(first.html, /<p>reply 50a<\/p>/);
  assert.match(first.html, /<p class="count">360 comments<\/p>/, 'the count is the paper\'s total');
  assert.equal(moreLink(first.html), `/papers/${PAPER}?page=2#comments`);

  // Following "More comments" walks every thread and every comment once.
  const seen = [...commentIds(first.html)];
  const threads = [...threadsShown(first.html)];
  let next = moreLink(first.html);
  let pages = 1;
  while (next) {
    const page = await web.get(next);
    assert.equal(page.res.status, 200);
    pages++;
    seen.push(...commentIds(page.html));
    threads.push(...threadsShown(page.html));
    if (pages === 2) assert.match(page.html, /rel="prev">Previous comments<\/a>/);
    next = moreLink(page.html);
  }
  assert.equal(pages, 3);
  assert.deepEqual(threads, range(0, THREADS));
  assert.equal(seen.length, 3 * THREADS);
  assert.equal(new Set(seen).size, 3 * THREADS);
});

test('the order holds across pages: newest first, and top by points', async () => {
  const { app, store, threads } = await setup();
  const web = new WebClient(app);
  const newest = await web.get(`/papers/${PAPER}?comments=newest`);
  assert.deepEqual(threadsShown(newest.html), range(70, 120).reverse());
  assert.equal(moreLink(newest.html), `/papers/${PAPER}?comments=newest&page=2#comments`);
  assert.deepEqual(threadsShown((await web.get(moreLink(newest.html)!)).html), range(20, 70).reverse());

  // Two late threads with points lead the top order; the rest follow oldest first.
  await store.db.updateTable('comments').set({ score: 5 }).where('id', '=', threads[110]!).execute();
  await store.db.updateTable('comments').set({ score: 2 }).where('id', '=', threads[90]!).execute();
  const top = await web.get(`/papers/${PAPER}?comments=top`);
  assert.deepEqual(threadsShown(top.html), [110, 90, ...range(0, 48)]);
  const topNext = await web.get(moreLink(top.html)!);
  assert.deepEqual(threadsShown(topNext.html), range(48, 90).concat(range(91, 99)));
});

test('a link to a comment lands on the page holding its thread, in the order asked for', async () => {
  const { app, threads, replies } = await setup();
  const web = new WebClient(app);
  const deep = replies[80]![1]!;
  const page = await web.get(`/papers/${PAPER}?comment=${deep}`);
  assert.equal(page.res.status, 200);
  assert.match(page.html, new RegExp(`<li class="comment" id="c${deep}">`));
  assert.match(page.html, /Threads, page 2 of 3/);
  // Newest first, thread 80 is the 40th: on the first page.
  const newest = await web.get(`/papers/${PAPER}?comments=newest&comment=${threads[80]}`);
  assert.match(newest.html, /Threads, page 1 of 3/);
  assert.match(newest.html, new RegExp(`<li class="comment" id="c${threads[80]}">`));
  // The member's profile links the comment so.
  assert.match((await web.get('/users/bob')).html, new RegExp(`href="/papers/${PAPER}\\?comment=${replies[110]![0]}#c${replies[110]![0]}"`));
});

test('a reply to a thread on a later page comes back to it; a refused one shows its form there', async () => {
  const { app, outboxDir, threads } = await setup();
  const kai = await memberSession(app, outboxDir, 'kai');
  const posted = await kai.post('/actions/comment', { paper: PAPER, body: 'late reply', parent: String(threads[110]) }, { tokenPage: `/papers/${PAPER}` });
  assert.equal(posted.status, 303);
  const location = posted.headers.get('location')!;
  const id = Number(/#c(\d+)$/.exec(location)![1]);
  assert.equal(location, `/papers/${PAPER}?comment=${id}#c${id}`);
  const landed = await kai.get(location);
  assert.match(landed.html, new RegExp(`<li class="comment" id="c${id}">`));
  assert.match(landed.html, /Threads, page 3 of 3/);

  const refused = await kai.post('/actions/comment', { paper: PAPER, body: '   ', parent: String(threads[100]) }, { tokenPage: `/papers/${PAPER}` });
  assert.equal(refused.status, 422);
  const html = await refused.text();
  assert.match(html, /Threads, page 3 of 3/);
  assert.match(html, new RegExp(`<textarea id="body-${threads[100]}"[^>]*autofocus`), 'the reply form under its comment, with the focus');
  assert.doesNotMatch(html, /in the box for a new comment below/);

  // Deleting that reply comes back to its page, which says so.
  const deleted = await kai.post(`/comments/${id}/delete`, {}, { tokenPage: `/comments/${id}/delete` });
  assert.equal(deleted.status, 303);
  const back = await kai.get(deleted.headers.get('location')!);
  assert.match(back.html, /Your comment is deleted\./);
  assert.match(back.html, /Threads, page 3 of 3/);
});

test('page and comment values that make no sense show the first page, never an error', async () => {
  const { app } = await setup();
  const web = new WebClient(app);
  for (const q of ['page=0', 'page=4', 'page=-1', 'page=abc', 'page=1e3', 'page=99999999999999999999', 'page=',
    'comment=abc', 'comment=999999', 'comment=0', 'comment=99999999999999999999999', 'comments=sideways&page=zz']) {
    const res = await web.get(`/papers/${PAPER}?${q}`);
    assert.equal(res.res.status, 200, q);
    assert.deepEqual(threadsShown(res.html), range(0, 50), q);
  }
});
