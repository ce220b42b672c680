/**
 * Author pages, following authors, category pages and their feeds, and keywords on pages and in
 * the APIs, through the whole app in-process on a real SQLite file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFeed } from '@rowanmanning/feed-parser';
import { refreshKeywords } from '../../src/services/keywords.ts';
import { listFollowedAuthors } from '../../src/store/follows.ts';
import { findUserByName } from '../../src/store/users.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

const now = () => FIXED_NOW;

/** The small corpus, plus a name shared by two groups with no co-author in common, and odd names. */
async function setup() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  await t.store.importBatch({
    records: [
      paperRecord({ id: '2505.00301', title: 'Protein folding with graph networks', categories: ['q-bio.BM'], authors: ['Wei Zhang', 'Li Na'], publishedAt: '2025-03-01T00:00:00.000Z' }),
      paperRecord({ id: '2505.00302', title: 'Protein docking', categories: ['q-bio.BM'], authors: ['Chen Bo', 'Wei Zhang', 'Li Na'], publishedAt: '2025-04-01T00:00:00.000Z' }),
      paperRecord({ id: '2505.00303', title: 'Dark matter halos', categories: ['astro-ph.CO'], authors: ['Wei Zhang', 'Maria Rossi'], publishedAt: '2025-05-01T00:00:00.000Z' }),
      paperRecord({ id: '2505.00304', title: 'A/B testing at scale', categories: ['cs.CL'], authors: ['Team A/B', '<script>alert(1)</script>'], publishedAt: '2025-05-02T00:00:00.000Z' }),
    ],
    entries: [],
  }, FIXED_NOW);
  return t;
}

test('an author page: papers newest first with votes, total upvotes, co-authors linked, one page for one name', async () => {
  const { app } = await setup();
  const res = await app.request('/authors/Ada%20Lovelace');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<h1>Ada Lovelace<\/h1>/);
  assert.match(html, /Papers on this site by everyone named Ada Lovelace: arXiv gives names, not people, and affiliations are not known\./);
  assert.doesNotMatch(html, /may belong to several people/, 'all of Ada\'s papers share Alan Turing');
  // The factory gives every paper Ada Lovelace and Alan Turing: five papers, 5 + 40 + 1 upvotes.
  assert.match(html, /<strong>5<\/strong> papers · <strong>46<\/strong> upvotes in total/);
  const ids = [...html.matchAll(/<h3 class="card-title"[^>]*>.*?href="\/papers\/([^"]+)"/gs)].map((m) => m[1]);
  assert.deepEqual(ids, ['2505.00203', '2505.00202'], 'page 1 of 3 (two a page), newest publication first; same day: by id, descending');
  assert.match(html, /class="count">40</, 'cards carry their votes');
  assert.match(html, /<a href="\/authors\/Alan%20Turing">Alan Turing<\/a> <span class="muted">\(5 papers\)<\/span>/);
  assert.match(html, /<a href="\/authors\/Grace%20Hopper">Grace Hopper<\/a> <span class="muted">\(1 paper\)<\/span>/);
  assert.match(html, /Page 1 of 3/);

  const last = await (await app.request('/authors/Ada%20Lovelace?page=3')).text();
  assert.match(last, /<title>Ada Lovelace, page 3 · /, 'the title says which page');
  assert.match(html, /<title>Ada Lovelace · /);
  assert.deepEqual([...last.matchAll(/<h3 class="card-title"[^>]*>.*?href="\/papers\/([^"]+)"/gs)].map((m) => m[1]), ['hep-th/9901001']);
  assert.equal((await app.request('/authors/Ada%20Lovelace?page=4')).status, 404);
  assert.equal((await app.request('/authors/Ada%20Lovelace?page=abc')).status, 400);
  for (const other of ['/authors/ada%20lovelace', '/authors/ADA%20%20Lovelace', '/authors/Ada%20Lovelace%20', '/authors/ada%20lovelace?page=2']) {
    const res = await app.request(other);
    assert.equal(res.status, 302, other);
    assert.equal(res.headers.get('location'), `/authors/Ada%20Lovelace${other.includes('?') ? '?page=2' : ''}`, other);
  }
  assert.equal((await app.request('/authors/Ada%20Lovelacex')).status, 404, 'only case and spaces are forgiven');
});

test('a name whose papers share no co-author is said to be possibly several people', async () => {
  const { app } = await setup();
  const html = await (await app.request('/authors/Wei%20Zhang')).text();
  assert.match(html, /These papers fall into 2 groups that share no co-author, so the name may belong to several people\./);
  assert.match(html, /<strong>3<\/strong> papers/);
});

test('author names on paper pages and cards link to their pages; category chips to category pages', async () => {
  const { app } = await setup();
  const paper = await (await app.request('/papers/2505.00201')).text();
  assert.match(paper, /<a href="\/authors\/Barbara%20Liskov">Barbara Liskov<\/a>/);
  assert.match(paper, /<a class="chip" href="\/categories\/cs.CL">cs.CL<\/a>/);
  const feed = await (await app.request('/papers/date/2025-05-05')).text();
  assert.match(feed, /<span class="authors"><a href="\/authors\/Ada%20Lovelace">Ada Lovelace<\/a>, <a href="\/authors\/Alan%20Turing">Alan Turing<\/a>, <a href="\/authors\/Grace%20Hopper">Grace Hopper<\/a>, <a href="\/authors\/Edsger%20Dijkstra">Edsger Dijkstra<\/a> et al\.<\/span>/);
  assert.match(feed, /href="\/categories\/cs.CV"/);
});

test('hostile author names: 4xx or 404, escaped when real, never a 500', async () => {
  const { app } = await setup();
  const cases: [string, number][] = [
    ['/authors/Nobody%20At%20All', 404],
    ['/authors/%00', 400],
    ['/authors/a%00b', 400],
    ['/authors/a%C2%85b', 400], // a C1 control character (U+0085)
    ['/authors/a%7Fb', 400],
    [`/authors/${'x'.repeat(10_000)}`, 400],
    [`/authors/${encodeURIComponent('名'.repeat(3000))}`, 400],
    ['/authors/%E0%A4%A', 404],
    ['/authors/%', 404],
    ['/authors/..%2F..%2Fetc%2Fpasswd', 404],
    ['/authors/a/b/c', 404],
    ['/authors/%20', 400],
    ['/authors/Ada%0ALovelace', 400], // a line break inside a name (the route matched no name with one: a 404 page)
    ['/authors/Ada%20Lovelace%0A', 302], // around it, white space is trimmed: to the name
    [`/authors/${encodeURIComponent('<img src=x onerror=alert(1)>')}`, 404],
  ];
  for (const [path, status] of cases) {
    const res = await app.request(path);
    assert.equal(res.status, status, path.slice(0, 60));
    const body = await res.text();
    assert.doesNotMatch(body, /<img src=x|Error:|at .*\.ts:\d+/, path.slice(0, 60));
  }
  const slash = await app.request(`/authors/${encodeURIComponent('Team A/B')}`);
  assert.equal(slash.status, 200, 'a name with a slash has its page');
  const script = await app.request(`/authors/${encodeURIComponent('<script>alert(1)</script>')}`);
  assert.equal(script.status, 200);
  const html = await script.text();
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /<h1>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h1>/);
});

test('follow and unfollow an author: CSRF-checked POSTs that work without JavaScript; listed in settings; an alert link', async () => {
  const { app, store, outboxDir } = await setup();
  const anon = await (await app.request('/authors/Ada%20Lovelace')).text();
  assert.match(anon, /href="\/signin\?next=%2Fauthors%2FAda%2520Lovelace">Sign in to follow Ada Lovelace<\/a>/);
  assert.match(anon, /href="\/subscribe\?kind=search&amp;q=author%3A%22Ada%20Lovelace%22">Get an e-mail alert for new papers by Ada Lovelace<\/a>/);
  const subscribe = await (await app.request('/subscribe?kind=search&q=author%3A%22Ada%20Lovelace%22')).text();
  assert.match(subscribe, /author:&quot;Ada Lovelace&quot;/, 'the alert form comes filled in');

  const stranger = new WebClient(app);
  assert.equal((await stranger.post('/actions/follow', { author: 'Ada Lovelace', want: '1' })).status, 401);

  const ada = await memberSession(app, outboxDir, 'reader');
  const user = (await findUserByName(store.db, 'reader'))!;
  const page = await ada.get('/authors/Ada%20Lovelace');
  assert.match(page.html, /<button type="submit" class="primary" aria-pressed="false">Follow Ada Lovelace<\/button>/);

  assert.equal((await ada.post('/actions/follow', { author: 'Ada Lovelace', want: '1' }, { csrf: null })).status, 403, 'no CSRF token');
  assert.equal((await ada.post('/actions/follow', { author: 'Ada Lovelace', want: '1' }, { csrf: 'forged' })).status, 403);
  assert.deepEqual(await listFollowedAuthors(store.db, user.id), []);

  const followed = await ada.post('/actions/follow', { author: 'Ada Lovelace', want: '1', next: '/authors/Ada%20Lovelace' });
  assert.equal(followed.status, 303);
  assert.equal(followed.headers.get('location'), '/authors/Ada%20Lovelace?follow=followed');
  const after = await ada.get('/authors/Ada%20Lovelace?follow=followed');
  assert.match(after.html, /You follow this author now\./);
  assert.match(after.html, /aria-pressed="true">Unfollow Ada Lovelace<\/button>/);
  assert.equal((await ada.post('/actions/follow', { author: 'Ada Lovelace', want: '1' })).status, 303, 'following twice is fine');
  await ada.post('/actions/follow', { author: 'Wei Zhang', want: '1', next: '/papers/2505.00301' });
  assert.deepEqual((await listFollowedAuthors(store.db, user.id)).map((a) => a.name).sort(), ['Ada Lovelace', 'Wei Zhang']);

  assert.match((await ada.get('/settings')).html, /<a href="\/settings\/following">See the authors you follow<\/a>/);
  const list = await ada.get('/settings/following');
  assert.equal(list.res.status, 200);
  assert.match(list.html, /<a href="\/authors\/Ada%20Lovelace">Ada Lovelace<\/a>/);
  assert.match(list.html, /<a href="\/authors\/Wei%20Zhang">Wei Zhang<\/a>/);
  assert.match(list.html, /q=author%3A%22Wei%20Zhang%22">E-mail alert<\/a>/);

  assert.equal((await ada.post('/actions/follow', { author: 'Nobody At All', want: '1' })).status, 404);
  assert.equal((await ada.post('/actions/follow', { author: 'x'.repeat(400), want: '1' })).status, 400);
  assert.equal((await ada.post('/actions/follow', { want: '1' })).status, 400);

  const json = await ada.post('/actions/follow', { author: 'Wei Zhang', want: '0' }, { accept: 'application/json' });
  assert.equal(json.status, 200);
  assert.deepEqual(await json.json(), { author: 'Wei Zhang', following: false });
  const unfollowed = await ada.post('/actions/follow', { author: 'Ada Lovelace', want: '0', next: '/settings/following' });
  assert.equal(unfollowed.headers.get('location'), '/settings/following');
  assert.deepEqual(await listFollowedAuthors(store.db, user.id), []);
  assert.match((await ada.get('/settings/following')).html, /You follow no one yet/);
  const signedOut = await new WebClient(app).get('/settings/following');
  assert.equal(signedOut.res.status, 303);

  // A name typed in another case or spacing follows (and unfollows) the spelling the papers use, as
  // the author's page does for its address.
  const typed = await ada.post('/actions/follow', { author: 'ada  LOVELACE', want: '1' }, { accept: 'application/json' });
  assert.equal(typed.status, 200);
  assert.deepEqual(await typed.json(), { author: 'Ada Lovelace', following: true });
  assert.deepEqual((await listFollowedAuthors(store.db, user.id)).map((a) => a.name), ['Ada Lovelace']);
  await ada.post('/actions/follow', { author: 'ada lovelace', want: '0' });
  assert.deepEqual(await listFollowedAuthors(store.db, user.id), []);
});

test('category pages: the category\'s own trending list with day, week and month views, sorts, pages, feeds; 404 and 400', async () => {
  const { app } = await setup();
  const res = await app.request('/categories/cs.CL');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /Daily papers in cs.CL<span class="when">Monday, May 5, 2025<\/span>/);
  assert.match(html, /3 papers, page 1 of 2/, 'the three cs.CL papers of May 5 (two a page)');
  const ids = [...html.matchAll(/<h3 class="card-title"[^>]*>.*?href="\/papers\/([^"]+)"/gs)].map((m) => m[1]);
  assert.deepEqual(ids, ['2505.00202', '2505.00201'], 'trending: most upvoted of the day first');
  assert.match(html, /href="\/categories\/cs.CL\/week\/2025-W19"/);
  assert.match(html, /href="\/categories\/cs.CL\/month\/2025-05"/);
  assert.match(html, /href="\/new\/cs.CL">everything new on arXiv in cs.CL<\/a>/);
  assert.match(html, /<link rel="alternate" type="application\/rss\+xml" title="Trending in cs.CL · Paperboy Test \(RSS\)" href="\/feeds\/categories\/cs.CL.rss"/);

  const cv = await (await app.request('/categories/cs.CV/date/2025-05-05')).text();
  assert.match(cv, /1 paper</, 'a cross-listed paper counts');
  const lg = await (await app.request('/categories/cs.LG')).text();
  assert.match(lg, /Wednesday, May 7, 2025/, 'the latest day with papers of the category');
  assert.match(lg, /<span class="muted">← Previous day<\/span>/, 'no earlier day has cs.LG papers');
  const week = await (await app.request('/categories/cs.CL/week/2025-W19?sort=newest&page=2')).text();
  assert.match(week, /page 2 of 2/);
  const empty = await app.request('/categories/q-bio.BM');
  assert.equal(empty.status, 200, 'a category with papers but none on a list');
  assert.match(await empty.text(), /No paper in q-bio.BM has been on a daily list yet/, 'the category has none, not the site');

  const cases: [string, number][] = [
    ['/categories/zz.ZZ', 404], ['/categories/not%20a%20category', 400], ['/categories/cs.CL/date/2025-02-30', 400],
    ['/categories/cs.CL/week/2025-W60', 400], ['/categories/cs.CL?sort=hot', 400], ['/categories/cs.CL?page=0', 400],
    ['/categories/cs.CL?page=9', 404], ['/categories/cs.CL/year/2025', 404],
  ];
  for (const [path, status] of cases) assert.equal((await app.request(path)).status, status, path);
});

test('category feeds: RSS and Atom of the category\'s trending list; 404 as JSON for an unknown category', async () => {
  const { app } = await setup();
  for (const format of ['rss', 'atom']) {
    const res = await app.request(`/feeds/categories/cs.CL.${format}`);
    assert.equal(res.status, 200, format);
    assert.match(res.headers.get('content-type')!, format === 'rss' ? /application\/rss\+xml/ : /application\/atom\+xml/);
    const feed = parseFeed(await res.text());
    assert.equal(feed.title, 'Trending in cs.CL · Paperboy Test');
    assert.deepEqual(feed.items.map((i) => i.url), ['2505.00202', '2505.00201', '2505.00203'].map((id) => `http://localhost/papers/${id}`));
  }
  const dated = parseFeed(await (await app.request('/feeds/categories/cs.LG.rss?date=2025-05-07')).text());
  assert.equal(dated.items.length, 1);
  const missing = await app.request('/feeds/categories/zz.ZZ.rss');
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: 'No papers in zz.ZZ yet.' });
  assert.equal((await app.request('/feeds/categories/cs.CL.rss?date=2025-13-40')).status, 400);
  const spec = await (await app.request('/openapi.json')).json() as { paths: Record<string, unknown> };
  assert.ok(spec.paths['/feeds/categories/{category}.rss'], 'described in the OpenAPI document');
});

test('keywords: computed for new and changed papers only, shown as chips and marks, exported as ai_keywords and keywords', async () => {
  const { app, store } = await setup();
  const first = await refreshKeywords(store, { now });
  assert.equal(first.papers, 9);
  assert.ok(first.keywords > 0);
  assert.equal((await refreshKeywords(store, { now })).papers, 0, 'nothing changed, nothing to do');

  await store.upsertPapers([paperRecord({
    id: '2505.00203', title: 'Retrieval-augmented agents for tool use', categories: ['cs.CL'], announcedOn: ['2025-05-05'],
    abstract: 'Retrieval-augmented agents call tools. We study tool use by retrieval-augmented agents on web tasks.',
  })], FIXED_NOW);
  assert.equal((await refreshKeywords(store, { now })).papers, 1, 'only the changed paper');

  const html = await (await app.request('/papers/2505.00203')).text();
  assert.match(html, /<ul class="chips keywords" aria-label="Keywords \(each searches the site\)">/);
  assert.match(html, /<a class="chip" href="\/search\?q=%22retrieval-augmented%20agents%22">retrieval-augmented agents<\/a>/);
  assert.match(html, /<mark class="kw" title="keyword: retrieval-augmented agents">Retrieval-augmented agents<\/mark> /);
  assert.match(html, /by <mark class="kw" title="keyword: retrieval-augmented agents">retrieval-augmented agents<\/mark> on/, "every occurrence");
  const abstract = /<p class="abstract-full">(.*?)<\/p>/s.exec(html)![1]!.replace(/<[^>]+>/g, '');
  assert.equal(abstract, 'Retrieval-augmented agents call tools. We study tool use by retrieval-augmented agents on web tasks.', 'the abstract is whole');

  const hf = await (await app.request('/api/papers/2505.00203')).json() as { ai_keywords?: string[] };
  assert.ok(hf.ai_keywords?.includes('retrieval-augmented agents'), JSON.stringify(hf.ai_keywords));
  const daily = await (await app.request('/api/daily_papers?date=2025-05-05')).json() as { paper: { id: string; ai_keywords?: string[] } }[];
  assert.ok(daily.every((r) => Array.isArray(r.paper.ai_keywords) && r.paper.ai_keywords.length > 0));
  const v1 = await (await app.request('/api/v1/papers/2505.00203')).json() as { keywords: string[] };
  assert.deepEqual(v1.keywords, hf.ai_keywords);

  // A paper without keywords yet: the field is left out (Hugging Face's way), the v1 list is empty.
  await store.upsertPapers([paperRecord({ id: '2505.00999', title: 'Fresh paper', categories: ['cs.CL'] })], FIXED_NOW);
  const fresh = await (await app.request('/api/papers/2505.00999')).json() as Record<string, unknown>;
  assert.equal('ai_keywords' in fresh, false);
  assert.deepEqual((await (await app.request('/api/v1/papers/2505.00999')).json() as { keywords: string[] }).keywords, []);
});
