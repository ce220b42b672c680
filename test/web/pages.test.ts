import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';

async function app() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  return t.app;
}

/** The titles of the cards on a page, in order. */
function cardTitles(html: string): string[] {
  return [...html.matchAll(/<h3 class="card-title"[^>]*>.*?<a href="[^"]+">(.*?)<\/a>/g)].map((m) => m[1]!);
}

test('/ shows the latest day with papers, trending first, paginated', async () => {
  const a = await app();
  const res = await a.request('/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const html = await res.text();
  assert.match(html, /Wednesday, May 7, 2025/);
  assert.deepEqual(cardTitles(html), ['A Weekly paper']);
  assert.match(html, /Published on <time datetime="2024-12-02">Dec 2, 2024<\/time>/);
  assert.match(html, /href="\/papers\/date\/2025-05-05" rel="prev"/);
  assert.match(html, /vote counts are generated demo data/);
});

test('a day page sorts by trending, most upvoted and newest, with pages', async () => {
  const a = await app();
  const trending = await (await a.request('/papers/date/2025-05-05')).text();
  assert.deepEqual(cardTitles(trending), ['Diffusion models &lt;b&gt;for&lt;/b&gt; video &amp; more', 'Sparse attention for long documents']);
  assert.match(trending, /3 papers, page 1 of 2/);
  const page2 = await (await a.request('/papers/date/2025-05-05?page=2')).text();
  assert.deepEqual(cardTitles(page2), ['Retrieval-augmented agents']);
  assert.match(trending, /<title>Daily papers: Monday, May 5, 2025 · /, 'page 1 keeps the plain title');
  assert.match(page2, /<title>Daily papers: Monday, May 5, 2025, page 2 · /, 'a later page says which it is in its title');
  const newest = await (await a.request('/papers/date/2025-05-05?sort=newest')).text();
  assert.deepEqual(cardTitles(newest), ['Retrieval-augmented agents', 'Diffusion models &lt;b&gt;for&lt;/b&gt; video &amp; more']);
  const upvoted = await (await a.request('/papers/date/2025-05-05?sort=upvotes')).text();
  assert.match(upvoted, /<span class="count">40<\/span>/);
});

test('cards show authors and count, categories, comments and upvotes; titles are escaped', async () => {
  const a = await app();
  const html = await (await a.request('/papers/date/2025-05-05?sort=upvotes&page=1')).text();
  assert.doesNotMatch(html, /<b>for<\/b>/);
  assert.match(html, />Ada Lovelace<\/a>, <a[^>]*>Alan Turing<\/a>, <a[^>]*>Grace Hopper<\/a>, <a[^>]*>Edsger Dijkstra<\/a> et al\./);
  assert.match(html, /5 authors/);
  assert.match(html, /<a class="chip" href="\/categories\/cs.CV">cs.CV<\/a>/);
  assert.match(html, /0 comments/);
});

test('week and month views, with tabs and navigation', async () => {
  const a = await app();
  const week = await (await a.request('/papers/week/2025-W19')).text();
  assert.match(week, /Week 19, 2025 \(May 5 – May 11\)/);
  assert.match(week, /4 papers/);
  // Week 19 holds every list, so there is no earlier or later week to go to.
  assert.match(week, /<span class="muted">← Previous week<\/span>/);
  assert.match(week, /<span class="muted">Next week →<\/span>/);
  const month = await (await a.request('/papers/month/2025-05')).text();
  assert.match(month, /May 2025/);
  assert.match(month, /4 papers, page 1 of 2/);
  assert.match(month, /<a href="\/papers\/month\/2025-05" aria-current="page">Monthly<\/a>/);
  const empty = await a.request('/papers/month/2024-01');
  assert.equal(empty.status, 200);
  assert.match(await empty.text(), /No papers here yet/);
});

test('New on arXiv: by day and by category', async () => {
  const a = await app();
  const latest = await (await a.request('/new')).text();
  assert.deepEqual(cardTitles(latest), ['A Weekly paper']);
  const day = await (await a.request('/new?date=2025-05-05')).text();
  assert.match(day, /3 papers/);
  const cv = await (await a.request('/new/cs.CV?date=2025-05-05')).text();
  assert.deepEqual(cardTitles(cv), ['Diffusion models &lt;b&gt;for&lt;/b&gt; video &amp; more']);
  assert.equal((await a.request('/new/math.AG')).status, 404);
});

test('paper page: authors, abstract, links, versions, BibTeX', async () => {
  const a = await app();
  const res = await a.request('/papers/2505.00202');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<h1 id="paper-title">Diffusion models &lt;b&gt;for&lt;\/b&gt; video &amp; more<\/h1>/);
  assert.match(html, /href="https:\/\/arxiv.org\/abs\/2505.00202"/);
  assert.match(html, /href="https:\/\/arxiv.org\/pdf\/2505.00202"/);
  assert.match(html, /href="https:\/\/arxiv.org\/html\/2505.00202"/);
  assert.match(html, /@misc\{lovelace2025diffusion/);
  assert.match(html, /<span class="count">40<\/span><span class="sr-only"> upvotes; sign in to upvote<\/span>/);
  assert.match(html, /12 pages/);
  assert.match(html, /href="https:\/\/doi.org\/10.1000\/xyz"/);
  assert.match(html, /Daily papers of Monday, May 5, 2025/);
  const old = await (await a.request('/papers/hep-th/9901001')).text();
  assert.match(old, /Old style strings/);
  assert.match(old, /v2<\/a> <time datetime="1999-02-01T10:00:00.000Z">Feb 1, 1999<\/time>/);
});

test('paper ids in other forms redirect to the canonical page', async () => {
  const a = await app();
  const v = await a.request('/papers/2505.00202v3');
  assert.equal(v.status, 301);
  assert.equal(v.headers.get('location'), '/papers/2505.00202');
  const old = await a.request('/papers/hep-th/9901001v2');
  assert.equal(old.status, 301);
  assert.equal(old.headers.get('location'), '/papers/hep-th/9901001');
  for (const [path, to] of [
    ['/papers/arXiv:hep-th/9901001', '/papers/hep-th/9901001'],
    ['/papers/2505.00202/', '/papers/2505.00202'],
    ['/papers/hep-th/9901001/', '/papers/hep-th/9901001'],
    ['/papers/https://arxiv.org/abs/2505.00202v2', '/papers/2505.00202'],
    ['/papers/arxiv.org/pdf/2505.00202', '/papers/2505.00202'],
    ['/papers/math.GT/0309136', '/papers/math/0309136'],
  ]) {
    const res = await a.request(path!);
    assert.equal(res.status, 301, path);
    assert.equal(res.headers.get('location'), to, path);
  }
  const none = await a.request('/papers/not/a/paper');
  assert.equal(none.status, 404);
  assert.match(await none.text(), /There is no paper at this address/);
});

test('/about explains the trending formula and counts', async () => {
  const a = await app();
  const html = await (await a.request('/about')).text();
  assert.match(html, /hotness = log10\(1 \+ upvotes\) \+ \(entered - 2020-01-01\) \/ 24 h/);
  assert.match(html, /46 \(46 generated demo votes\)/);
});

test('bad input gets a 400 page, unknown things a 404 page, never a 500 or a stack trace', async () => {
  const a = await app();
  const cases: [string, number][] = [
    ['/papers/2505.99999', 404],
    ['/papers/hep-th/9912999', 404],
    ['/papers/hep-th/9999999', 400], // month 99
    ['/papers/not-an-id', 400],
    ['/papers/2505.0', 400],
    ['/papers/%3Cscript%3Ealert(1)%3C%2Fscript%3E', 400],
    ['/papers/%E0%A4%A', 400],
    ['/papers/date/2025-02-30', 400],
    ['/papers/date/yesterday', 400],
    ['/papers/week/2025-W54', 400],
    ['/papers/week/2025-19', 400],
    ['/papers/month/2025-13', 400],
    ['/?sort=hot', 400],
    ['/?sort=', 400],
    ['/?page=0', 400],
    ['/?page=-1', 400],
    ['/?page=1.5', 400],
    ['/?page=99999999999', 400],
    ['/?page=50', 404],
    ['/new?date=2025-13-01', 400],
    ['/new/%27%3B%20DROP%20TABLE%20papers', 400],
    [`/?q=${'x'.repeat(12_000)}`, 400],
    ['/search?q=%ED%A0%80', 400], // escapes of bytes that are not UTF-8 text
    ['/?sort=%FF', 400],
    ['/no/such/page', 404],
    ['/assets/../../package.json', 404],
    ['/assets/nope.css', 404],
  ];
  for (const [path, status] of cases) {
    const res = await a.request(path);
    assert.equal(res.status, status, path.slice(0, 80));
    const body = await res.text();
    assert.match(body, /<h1>/, `${path} renders an error page`);
    assert.doesNotMatch(body, /at .*\.(ts|js):\d+/, `${path} leaks no stack trace`);
    assert.doesNotMatch(body, /<script>alert/, `${path} reflects no script`);
  }
  // The API says the same in JSON; text in other scripts, and a lone "%", are read as usual.
  const api = await a.request('/api/papers/search?q=%ED%A0%80');
  assert.equal(api.status, 400);
  assert.match(((await api.json()) as { error: string }).error, /not UTF-8 text/);
  for (const fine of ['/?sort=trending&x=caf%C3%A9%20%E4%B8%AD', '/?sort=trending&x=100%', '/?sort=trending&x=%zz']) {
    assert.equal((await a.request(fine)).status, 200, fine);
  }
  const stillThere = await a.request('/papers/2505.00202');
  assert.equal(stillThere.status, 200);

  // A well-formed label outside the years the site covers names the range; a malformed one its shape.
  const says: [string, RegExp][] = [
    ['/papers/date/1990-12-31', /&quot;1990-12-31&quot; is out of range: a date must be between 1991-01-01 and 2999-12-31\./],
    ['/new?date=1990-12-31', /&quot;1990-12-31&quot; is out of range: a date must be between 1991-01-01 and 2999-12-31\./],
    ['/papers/week/1990-W10', /is out of range: a week must be in the years 1991 to 2999/],
    ['/papers/month/3000-01', /is out of range: a month must be between 1991-01 and 2999-12/],
    ['/papers/date/2025-02-30', /&quot;2025-02-30&quot; is not a date \(expected YYYY-MM-DD\)/],
    ['/papers/week/2025-19', /is not an ISO week \(expected YYYY-Www, like 2025-W19\)/],
    ['/search?q=ok&x=%ED%A0%80', /The query string has escapes that are not UTF-8 text \(%ED%A0%80\)\./],
  ];
  for (const [path, message] of says) {
    const res = await a.request(path);
    assert.equal(res.status, 400, path);
    assert.match(await res.text(), message, path);
  }
});

test('security headers and static assets', async () => {
  const a = await app();
  const res = await a.request('/');
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const html = await res.text();
  const css = /href="(\/assets\/style\.css\?v=[0-9a-f]+)"/.exec(html)![1]!;
  const cssRes = await a.request(css);
  assert.equal(cssRes.status, 200);
  assert.match(cssRes.headers.get('cache-control') ?? '', /immutable/);
  const js = /src="(\/assets\/app\.js\?v=[0-9a-f]+)"/.exec(html)![1]!;
  assert.match(await (await a.request(js)).text(), /keydown/);
});

test('an empty store shows a helpful empty page, not an error', async () => {
  const { app: a } = await testApp();
  const res = await a.request('/');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /No daily list yet/);
  assert.equal((await a.request('/new')).status, 200);
});

test('cached pages change as soon as the data does, also when another process writes', async () => {
  const { app: a, store } = await testApp();
  await seedSmallCorpus(store);
  const before = await (await a.request('/papers/2505.00203')).text();
  assert.match(before, /<span class="count">1<\/span><span class="sr-only"> upvote;/);
  await store.seedDemoVotes(new Map([['2505.00203', 7]]), '2026-11-28T12:00:00.000Z');
  const after = await (await a.request('/papers/2505.00203')).text();
  assert.match(after, /<span class="count">7<\/span><span class="sr-only"> upvotes/);

  // A second connection to the same database, as `paperboy import` in another process would be.
  const { openStore } = await import('../../src/store/index.ts');
  const other = await openStore(store.url);
  await other.db.updateTable('papers').set({ title: 'Renamed elsewhere' }).where('id', '=', '2505.00203').execute();
  await other.close();
  // SQLite tells at once; PostgreSQL's shared counter is read every 250 ms, so allow a little longer.
  const deadline = Date.now() + (store.dialect === 'postgres' ? 1_000 : 0);
  let page = await (await a.request('/papers/2505.00203')).text();
  while (!/Renamed elsewhere/.test(page) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    page = await (await a.request('/papers/2505.00203')).text();
  }
  assert.match(page, /Renamed elsewhere/);
});

test('admin runs page: a digest run shows its own counts (enqueued, sent, ...), not empty ingest columns', async () => {
  const { app: a, store } = await testApp();
  const id = await store.startJobRun('digest', '2025-05-06 daily,weekdays', '2025-05-06T07:00:00.000Z');
  await store.finishJobRun(id, { status: 'ok', counts: { enqueued: 10, sent: 9, skipped: 1, failed: 0, unknown: 0, retrying: 0, bounced: 0, ms: 812 } }, '2025-05-06T07:00:01.000Z');
  const res = await a.request('/admin/runs', { headers: { Authorization: `Basic ${Buffer.from('admin:correct horse battery').toString('base64')}` } });
  const row = /<tr>(?:(?!<\/tr>)[\s\S])*2025-05-06 daily,weekdays[\s\S]*?<\/tr>/.exec(await res.text())?.[0] ?? '';
  const text = row.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  assert.match(text, /enqueued 10 · sent 9 · skipped 1 · failed 0 · unknown 0 · retrying 0 · bounced 0 · ms 812/);
});

test('admin runs page: password-protected, lists runs with counts and errors', async () => {
  const { app: a, store } = await testApp();
  const id = await store.startJobRun('ingest', 'oai cs 2025-05-01..', '2026-11-28T01:30:00.000Z');
  await store.finishJobRun(id, { status: 'failed', counts: { new: 12, updated: 3, errors: 1 }, error: 'arxiv/oai: page 3: <b>badResumptionToken</b>' }, '2026-11-28T01:31:00.000Z');
  assert.equal((await a.request('/admin/runs')).status, 401);
  const wrong = await a.request('/admin/runs', { headers: { Authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` } });
  assert.equal(wrong.status, 401);
  const res = await a.request('/admin/runs', { headers: { Authorization: `Basic ${Buffer.from('admin:correct horse battery').toString('base64')}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  assert.match(html, /oai cs 2025-05-01\.\./);
  assert.match(html, /<td class="status failed">failed<\/td>/);
  assert.match(html, /<td class="num">12<\/td>/);
  assert.match(html, /&lt;b&gt;badResumptionToken&lt;\/b&gt;/);
  assert.match(html, /every day at 01:30 UTC/);
});
