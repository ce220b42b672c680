/**
 * Similar papers and For you through the whole app in-process: a real SQLite store, a real search
 * index (small corpus embedder), members who sign up, vote and dismiss through forms with CSRF.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import pino from 'pino';
import { SearchIndex } from '../../src/search/search-index.ts';
import { similarSearch } from '../../src/discovery/similar.ts';
import { createApp } from '../../src/web/app.tsx';
import { loadAssets } from '../../src/web/assets.ts';
import { outboxMailer } from '../../src/mail/mailer.ts';
import type { Store } from '../../src/store/index.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';
import { withMailSent } from '../helpers/app.ts';
import { AfterAnswer } from '../../src/services/after-answer.ts';
import { FIXED_NOW, tempDir, tempStore } from '../helpers/store.ts';
import { paperRecord } from '../helpers/factories.ts';
import { SMALL_EMBEDDER, topicalRecords } from '../search/fixtures.ts';

async function discoveryApp(store: Store, index: SearchIndex | null, followed: Record<string, string[]> = {}) {
  const outboxDir = path.join(tempDir(), 'outbox');
  const afterAnswer = new AfterAnswer((err) => { throw err; });
  const app = withMailSent(createApp({
    store,
    config: {
      siteName: 'Paperboy Test', pageSize: 10, categories: ['cs.CL', 'cs.CV'], production: false, adminPassword: null, ingestAt: null,
      baseUrl: 'http://localhost', submitQuota: 3, trustProxy: 1, outboxDir,
    },
    mailer: outboxMailer(outboxDir, 'Paperboy Test <no-reply@localhost>'),
    secret: 'test-secret-for-csrf-signing',
    arxiv: null,
    assets: await loadAssets(),
    clock: { now: () => Date.parse(FIXED_NOW) },
    logger: pino({ level: 'silent' }),
    searchIndex: index,
    search: index ? { search: async () => [], ...similarSearch({ store, index }) } : null,
    discovery: {
      listFollowedAuthors: async (userId) => {
        const u = await store.db.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirst();
        return followed[u?.username ?? ''] ?? [];
      },
    },
    afterAnswer,
  }), afterAnswer);
  return { app, outboxDir };
}

const store = await tempStore();
// 36 papers on six topics (topic = number % 6), all announced on 2025-05-06; one with an empty abstract.
await store.upsertPapers([
  ...topicalRecords(36),
  paperRecord({ id: '2505.09999', title: 'Untitled note', abstract: '', authors: ['Nobody'], announcedOn: ['2025-05-06'] }),
], FIXED_NOW);
const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
after(() => index.close());
const { app, outboxDir } = await discoveryApp(store, index, { grace: ['Yann LeCun'] });
const topicOf = (id: string) => (Number(id.slice(-5)) - 10000) % 6;
const idOf = (n: number) => `2503.${10000 + n}`;

const cardIds = (html: string) => [...html.matchAll(/<h3 class="card-title"[^>]*><span class="sr-only">\d+\. <\/span><a href="\/papers\/([^"]+)"/g)].map((m) => m[1]!);

describe('similar papers', () => {
  test('every paper page lists papers of its topic, each with why', async () => {
    const res = await app.request(`/papers/${idOf(2)}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    const section = html.slice(html.indexOf('id="similar-h"'));
    const ids = [...section.matchAll(/<li><a href="\/papers\/([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(ids.length, 6);
    assert.ok(!ids.includes(idOf(2)), 'not itself');
    const same = ids.filter((id) => id.startsWith('2503.') && topicOf(id) === 2).length;
    assert.ok(same >= 4, `most neighbours share the topic (${same} of 6: ${ids.join(' ')})`);
    assert.match(section, /Why: close in meaning; shares: [^<]*diffusion/);
  });

  test('while the index is being built the page says so instead of failing', async () => {
    const s = await tempStore();
    await s.upsertPapers(topicalRecords(3), FIXED_NOW);
    const { app: a } = await discoveryApp(s, SearchIndex.detached(s));
    const html = await (await a.request(`/papers/${idOf(1)}`)).text();
    assert.match(html, /Similar papers appear here once the search index is ready/);
  });

  test('a paper with an empty abstract still gets a section and no error', async () => {
    const res = await app.request('/papers/2505.09999');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /id="similar-h"/);
  });

  test('the API gives the neighbours with their reasons; bad ids and limits are 4xx', async () => {
    const res = await app.request(`/api/v1/papers/${idOf(4)}/similar?limit=5`);
    assert.equal(res.status, 200);
    const body = await res.json() as { papers: { id: string; reason?: string }[] };
    assert.equal(body.papers.length, 5);
    assert.ok(body.papers.every((p) => p.id !== idOf(4) && /^close in meaning/.test(p.reason ?? '')), JSON.stringify(body.papers.map((p) => p.reason)));
    assert.equal((await app.request('/api/v1/papers/not-an-id/similar')).status, 400);
    assert.equal((await app.request('/api/v1/papers/2501.99999/similar')).status, 404);
    assert.equal((await app.request(`/api/v1/papers/${idOf(4)}/similar?limit=0`)).status, 400);
  });
});

describe('For you', () => {
  test('visitors are sent to sign in; members see the link in the navigation', async () => {
    const res = await app.request('/for-you');
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location') ?? '', /^\/signin\?next=%2Ffor-you/);
    const day = await app.request('/for-you?period=day');
    assert.equal(day.headers.get('location'), `/signin?next=${encodeURIComponent('/for-you?period=day')}`, 'back to the same period after signing in');
    const ada = await memberSession(app, outboxDir, 'ada');
    assert.match((await ada.get('/')).html, /<a href="\/for-you"[^>]*>For you<\/a>/);
  });

  test('a member with no history sees trending and a prompt to upvote', async () => {
    const bob = await memberSession(app, outboxDir, 'bob');
    const { res, html } = await bob.get('/for-you?period=week');
    assert.equal(res.status, 200);
    assert.match(html, /Until then, here is what is trending/);
    assert.equal(cardIds(html).length, 30);
  });

  let carol: WebClient;
  test('after upvoting papers of one topic, that topic comes first, each card saying why', async () => {
    carol = await memberSession(app, outboxDir, 'carol');
    for (const n of [3, 9, 15]) {
      const r = await carol.post('/actions/vote', { paper: idOf(n), want: '1', next: '/for-you' });
      assert.equal(r.status, 303);
    }
    const { html } = await carol.get('/for-you?period=week');
    const ids = cardIds(html);
    assert.ok(!ids.includes(idOf(3)), 'upvoted papers are not recommended again');
    assert.deepEqual(ids.slice(0, 3).map(topicOf), [3, 3, 3], ids.join(' '));
    assert.match(html, /Why:<\/strong> like (\d+ papers|a paper) you upvoted: Retrieval-augmented generation \d+/);
    assert.match(html, /shares terms: [^<]*retrieval/);
    assert.match(html, /Ranked by a model of the 3 papers you upvoted or saved/);
  });

  test('without JavaScript, a card\'s forms come back to their place in the list, not to its top', async () => {
    const { html } = await carol.get('/for-you?period=week');
    const ids = cardIds(html);
    const t = (id: string) => `t-${id.replace(/[^\w]/g, '-')}`;
    const formNext = (action: string, id: string) => new RegExp(`<form method="post" action="${action}"[^>]*>(?:(?!</form>).)*?name="paper" value="${id.replace('.', '\\.')}"(?:(?!</form>).)*?name="next" value="([^"]*)"`, 's').exec(html)?.[1]?.replaceAll('&amp;', '&');
    const notInterestedNext = (id: string) => formNext('/actions/not-interested', id);
    // The dismissed card leaves the list: the page comes back at the notice (with its Undo) that takes its place.
    assert.equal(notInterestedNext(ids[0]!), '/for-you?period=week&at=0#undo');
    assert.equal(notInterestedNext(ids.at(-1)!), `/for-you?period=week&at=${ids.length - 1}#undo`);
    const voteNext = formNext('/actions/vote', ids[4]!);
    assert.equal(voteNext, `/for-you?period=week#${t(ids[4]!)}`, 'an upvote comes back to its own card');
    const place = (page: string, marker: string) => { const i = page.indexOf(marker); assert.ok(i >= 0, `${marker} is on the page`); return i; };
    for (const i of [0, 3, ids.length - 1]) {
      const res = await carol.post('/actions/not-interested', { paper: ids[i]!, next: notInterestedNext(ids[i]!)! });
      const location = res.headers.get('location')!;
      assert.equal(location, `/for-you?period=week&at=${i}&dismissed=${encodeURIComponent(ids[i]!)}#undo`);
      const after = (await carol.get(location)).html;
      const notice = place(after, 'id="undo"');
      if (i > 0) assert.ok(place(after, `id="${t(ids[i - 1]!)}"`) < notice, `${i}: the notice comes after the card before the dismissed one`);
      if (i < ids.length - 1) assert.ok(notice < place(after, `id="${t(ids[i + 1]!)}"`), `${i}: and before the card after it`);
      // Undo comes back to the card, in its place again.
      const undoNext = /id="undo"(?:(?!<\/form>).)*?name="next" value="([^"]*)"/s.exec(after)?.[1];
      assert.equal(undoNext, `/for-you?period=week#${t(ids[i]!)}`);
      await carol.post('/actions/not-interested', { paper: ids[i]!, want: '0', next: undoNext! });
    }
    // A place that is not one puts the notice above the list, as a link without one does.
    for (const at of ['99', '-1', 'x', '30', '']) {
      await carol.post('/actions/not-interested', { paper: ids[2]!, next: '/for-you?period=week' });
      const { res, html: page } = await carol.get(`/for-you?period=week&at=${at}&dismissed=${encodeURIComponent(ids[2]!)}`);
      assert.equal(res.status, 200, `at=${at}`);
      assert.ok(place(page, 'id="undo"') < place(page, '<div class="cards">'), `at=${at}: the notice is above the list`);
      await carol.post('/actions/not-interested', { paper: ids[2]!, want: '0', next: '/for-you?period=week' });
    }
  });

  test('"Not interested" needs the form token, a paper id and a known paper', async () => {
    const target = cardIds((await carol.get('/for-you?period=week')).html)[0]!;
    assert.equal((await carol.post('/actions/not-interested', { paper: target }, { csrf: null })).status, 403);
    assert.equal((await carol.post('/actions/not-interested', { paper: 'nonsense' })).status, 400);
    assert.equal((await carol.post('/actions/not-interested', { paper: '2501.99999' })).status, 404);
    assert.equal((await new WebClient(app).post('/actions/not-interested', { paper: target }, { tokenPage: '/signin' })).status, 401);
  });

  test('"Not interested" removes the paper, offers an undo, and lowers papers like it', async () => {
    const before = cardIds((await carol.get('/for-you?period=week')).html);
    const target = before[0]!;
    const res = await carol.post('/actions/not-interested', { paper: target, next: '/for-you?period=week' });
    assert.equal(res.status, 303);
    const location = res.headers.get('location')!;
    assert.equal(location, `/for-you?period=week&dismissed=${encodeURIComponent(target)}`);
    const { html } = await carol.get(location);
    assert.ok(!cardIds(html).includes(target), 'gone from the list');
    assert.match(html, /will not be recommended again/);
    assert.match(html, /Ranked by a model of the 3 papers you upvoted or saved and the 1 you marked not interested/);
    const undo = await carol.post('/actions/not-interested', { paper: target, want: '0', next: '/for-you?period=week' });
    assert.equal(undo.headers.get('location'), '/for-you?period=week');
    assert.ok(cardIds((await carol.get('/for-you?period=week')).html).includes(target), 'back after undo');
    // Marks are listed in settings, each to take back.
    await carol.post('/actions/not-interested', { paper: target, next: '/for-you?period=week' });
    assert.match((await carol.get('/for-you?period=week')).html, /<a href="\/settings\/not-interested">See the papers you marked not interested<\/a>/);
    const list = (await carol.get('/settings/not-interested')).html;
    assert.match(list, new RegExp(`<a href="/papers/${target.replace('.', '\\.')}">[^<]+</a><span class="muted"> marked`));
    const takeBack = await carol.post('/actions/not-interested', { paper: target, want: '0', next: '/settings/not-interested' });
    assert.equal(takeBack.headers.get('location'), '/settings/not-interested');
    assert.match((await carol.get('/settings/not-interested')).html, /<p>None\./);
    assert.match((await carol.get('/settings')).html, /<a href="\/settings\/not-interested">/);
    assert.equal((await app.request('/settings/not-interested')).status, 303, 'visitors are sent to sign in');
    // A link naming a paper the member did not mark offers no undo (after the undo above, none is marked).
    assert.doesNotMatch((await carol.get(location)).html, /will not be recommended again/);
    // A next= with a #fragment keeps the notice: the paper goes into the query, before the fragment.
    const hashed = await carol.post('/actions/not-interested', { paper: target, next: '/for-you?period=week#top' });
    assert.equal(hashed.headers.get('location'), `/for-you?period=week&dismissed=${encodeURIComponent(target)}#top`);
    await carol.post('/actions/not-interested', { paper: target, want: '0', next: '/for-you?period=week' });
  });

  test('papers by followed authors are boosted and say so', async () => {
    const grace = await memberSession(app, outboxDir, 'grace');
    // Following alone is something to rank by, and the page says it is what it ranks by.
    assert.match((await grace.get('/for-you?period=month')).html, /Ranked by a model of the 1 author you follow, among/);
    await grace.post('/actions/vote', { paper: idOf(1), want: '1', next: '/for-you' });
    const { html } = await grace.get('/for-you?period=month');
    assert.match(html, /by Yann LeCun, whom you follow/);
    assert.match(html, /Ranked by a model of the 1 paper you upvoted or saved and the 1 author you follow, among/);
  });

  test('30 papers a page: the next page goes on where the first ended, a page past the end is a 404', async () => {
    const first = (await carol.get('/for-you?period=week')).html;
    const second = (await carol.get('/for-you?period=week&page=2')).html;
    const [a, b] = [cardIds(first), cardIds(second)];
    assert.equal(a.length, 30);
    assert.ok(b.length > 0 && b.every((id) => !a.includes(id)), 'no paper on both pages');
    assert.match(first, /<a href="\/for-you\?period=week&amp;page=2" rel="next">Next page/);
    assert.match(second, /<a href="\/for-you\?period=week" rel="prev">← Previous page/);
    assert.match(second, /<span class="sr-only">31\. <\/span>/, 'numbered on from the first page');
    assert.match(first, /<title>For you · /);
    assert.match(second, /<title>For you, page 2 · /, 'the title says which page');
    assert.equal((await carol.get('/for-you?period=week&page=3')).res.status, 404);
    for (const bad of ['0', '-1', 'abc', '1.5', '21']) assert.equal((await carol.get(`/for-you?period=week&page=${bad}`)).res.status, 400, bad);
  });

  test('a bad period is a 400 page; day and month work', async () => {
    const r = await carol.get('/for-you?period=year');
    assert.equal(r.res.status, 400);
    assert.match(r.html, /is not a period: use day, week or month/);
    assert.equal((await carol.get('/for-you?period=day')).res.status, 200);
    assert.equal((await carol.get('/for-you?period=month')).res.status, 200);
  });
});
