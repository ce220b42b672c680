/**
 * Contract tests of the Hugging Face-compatible endpoints: field names, types and nesting as
 * huggingface.co returns them, read the way the huggingface_hub client reads them (its PaperInfo
 * and User constructors and parse_datetime are mirrored in `readPaperInfo` below), pagination,
 * and the 400/404 cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HfDailyRow, HfPaper } from '../../src/web/api/schemas.ts';
import { openDataApp } from './support.ts';

/** huggingface_hub's parse_datetime: `%Y-%m-%dT%H:%M:%S.%fZ` after padding the fraction; anything else raises. */
function parseDatetime(s: unknown): Date {
  assert.equal(typeof s, 'string', `a timestamp is a string, got ${JSON.stringify(s)}`);
  assert.match(s as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, `parse_datetime would raise on ${String(s)}`);
  return new Date(s as string);
}

type Json = Record<string, unknown>;

/** What huggingface_hub's PaperInfo(**row) reads, and fails on (KeyError, TypeError, ValueError). */
function readPaperInfo(row: Json) {
  const paper = (row.paper ?? {}) as Json;
  const id = (row.id ?? paper.id) as string;
  const authors = (paper.authors ?? row.authors) as Json[] | undefined;
  const publishedAt = paper.publishedAt ?? row.publishedAt;
  const submittedAt = row.publishedAt ?? row.submittedOnDailyAt;
  const submittedBy = (row.submittedBy ?? row.submittedOnDailyBy) as Json | null | undefined;
  return {
    id,
    authors: authors ? authors.map((a) => { assert.equal(typeof a, 'object'); return a.name as string; }) : null,
    publishedAt: publishedAt ? parseDatetime(publishedAt) : null,
    title: row.title as string,
    summary: (paper.summary ?? row.summary) as string,
    upvotes: (paper.upvotes ?? row.upvotes) as number,
    discussionId: (paper.discussionId ?? row.discussionId) as string,
    comments: (row.numComments ?? 0) as number,
    submittedAt: submittedAt ? parseDatetime(submittedAt) : null,
    submittedBy: submittedBy ? { username: submittedBy.user as string, fullname: submittedBy.fullname as string, avatarUrl: submittedBy.avatarUrl as string } : null,
  };
}

const PAPER_KEYS = ['authors', 'discussionId', 'id', 'publishedAt', 'summary', 'title', 'upvotes'];
const ROW_KEYS = ['isAuthorParticipating', 'numComments', 'paper', 'publishedAt', 'submittedBy', 'summary', 'thumbnail', 'title', 'upvotes'];
const USER_KEYS = ['_id', 'avatarUrl', 'fullname', 'isPro', 'name', 'type', 'user'];

test('GET /api/daily_papers?date=: a bare array of rows, every field named and typed as Hugging Face returns it', async () => {
  const t = await openDataApp();
  const { res, body } = await t.json('/api/daily_papers?date=2025-05-06');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^application\/json/);
  assert.ok(Array.isArray(body), 'a bare JSON array, not an object');
  const rows = body as Json[];
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.deepEqual(Object.keys(row).sort(), ROW_KEYS);
  HfDailyRow.parse(row);
  assert.equal(row.title, 'Tokenizers & <friends>: a "study"', 'text as is: JSON needs no HTML escaping');
  assert.equal(row.summary, (row.paper as Json).summary);
  assert.equal(row.publishedAt, '2025-05-06T07:30:00.000Z', 'the row\'s publishedAt is when it entered the list');
  assert.equal(row.numComments, 0);
  assert.equal(row.isAuthorParticipating, false);
  assert.equal(row.thumbnail, 'http://localhost/api/papers/2505.00210/thumbnail.svg');
  assert.deepEqual(Object.keys(row.submittedBy as Json).sort(), USER_KEYS);
  assert.equal((row.submittedBy as Json).user, 'ada');
  assert.equal((row.submittedBy as Json).type, 'user');
  assert.match((row.submittedBy as Json)._id as string, /^[0-9a-f]{24}$/);

  const paper = row.paper as Json;
  assert.deepEqual(Object.keys(paper).sort(), [...PAPER_KEYS, 'githubRepo', 'projectPage', 'submittedOnDailyAt', 'submittedOnDailyBy'].sort());
  assert.equal(paper.id, '2505.00210');
  assert.equal(paper.publishedAt, '2025-05-06T00:00:00.000Z', 'paper.publishedAt is the arXiv date, with milliseconds and Z');
  assert.equal(paper.submittedOnDailyAt, '2025-05-06T07:30:00.000Z');
  assert.deepEqual(paper.authors, [
    { _id: (paper.authors as Json[])[0]!._id, name: 'Émile Zola', hidden: false },
    { _id: (paper.authors as Json[])[1]!._id, name: 'Ada Lovelace', hidden: false },
  ]);
  assert.notEqual((paper.authors as Json[])[0]!._id, (paper.authors as Json[])[1]!._id);
  assert.equal(paper.githubRepo, 'https://github.com/example/tok');
  assert.equal(paper.projectPage, 'https://example.org/tok');
  assert.match(paper.discussionId as string, /^[0-9a-f]{24}$/);

  const info = readPaperInfo(row);
  assert.equal(info.id, '2505.00210');
  assert.deepEqual(info.authors, ['Émile Zola', 'Ada Lovelace']);
  assert.equal(info.submittedAt?.toISOString(), '2025-05-06T07:30:00.000Z');
  assert.equal(info.submittedBy?.username, 'ada');

  // The avatar the user object points at is there.
  const avatar = await t.app.request(new URL((row.submittedBy as Json).avatarUrl as string).pathname);
  assert.equal(avatar.status, 200);
  assert.match(avatar.headers.get('content-type')!, /^image\/svg\+xml/);
  const thumb = await t.app.request(new URL(row.thumbnail as string).pathname);
  assert.equal(thumb.status, 200);
  assert.match(await thumb.text(), /Tokenizers &amp; &lt;friends&gt;/);
});

test('rows of a list without submitters (imported lists) have submittedBy null, and huggingface_hub reads them', async () => {
  const t = await openDataApp();
  const { body } = await t.json('/api/daily_papers?date=2025-05-05&sort=publishedAt');
  const rows = body as Json[];
  assert.deepEqual(rows.map((r) => (r.paper as Json).id), ['2505.00203', '2505.00202', '2505.00201'], 'publishedAt: newest on the list first');
  for (const row of rows) {
    HfDailyRow.parse(row);
    assert.equal(row.submittedBy, null);
    assert.equal('submittedOnDailyBy' in (row.paper as Json), false);
    readPaperInfo(row);
  }
  assert.deepEqual(rows.map((r) => r.upvotes), [1, 40, 5]);
  assert.deepEqual(rows.map((r) => (r.paper as Json).upvotes), [1, 40, 5]);
  const trending = (await t.json('/api/daily_papers?date=2025-05-05&sort=trending')).body as Json[];
  assert.deepEqual(trending.map((r) => (r.paper as Json).id), ['2505.00202', '2505.00201', '2505.00203']);
});

test('week, month and submitter filters; p and limit paginate with a Link rel="next" header', async () => {
  const t = await openDataApp();
  const week = (await t.json('/api/daily_papers?week=2025-W19')).body as Json[];
  assert.deepEqual(week.map((r) => (r.paper as Json).id).sort(), ['2505.00201', '2505.00202', '2505.00203', '2505.00204', '2505.00210']);
  const votes = week.map((r) => r.upvotes as number);
  assert.deepEqual(votes, [...votes].sort((a, b) => b - a), 'over a week, trending ranks by upvotes');
  assert.equal((week[0]!.paper as Json).id, '2505.00202');
  const month = (await t.json('/api/daily_papers?month=2025-05&limit=100')).body as Json[];
  assert.equal(month.length, 5);
  assert.deepEqual(((await t.json('/api/daily_papers?month=2025-04')).body as Json[]), []);
  const mine = (await t.json('/api/daily_papers?month=2025-05&submitter=ada')).body as Json[];
  assert.deepEqual(mine.map((r) => (r.paper as Json).id), ['2505.00210']);
  assert.deepEqual((await t.json('/api/daily_papers?submitter=nobody')).body, []);

  const first = await t.json('/api/daily_papers?week=2025-W19&limit=2&sort=publishedAt');
  assert.equal((first.body as Json[]).length, 2);
  const link = first.res.headers.get('link');
  assert.ok(link, 'a Link header when there are more rows');
  const m = /^<([^>]+)>; rel="next"$/.exec(link!);
  assert.ok(m, link!);
  const next = new URL(m![1]!);
  assert.equal(next.origin, 'http://localhost');
  assert.equal(next.searchParams.get('p'), '1');
  assert.equal(next.searchParams.get('week'), '2025-W19');
  assert.equal(next.searchParams.get('sort'), 'publishedAt');
  const seen = new Set((first.body as Json[]).map((r) => (r.paper as Json).id));
  let url: string | null = next.pathname + next.search;
  let pages = 1;
  while (url) {
    const page = await t.json(url);
    for (const r of page.body as Json[]) {
      assert.ok(!seen.has((r.paper as Json).id as string), 'no row twice across pages');
      seen.add((r.paper as Json).id as string);
    }
    const l = page.res.headers.get('link');
    url = l ? new URL(/^<([^>]+)>/.exec(l)![1]!).pathname + new URL(/^<([^>]+)>/.exec(l)![1]!).search : null;
    pages++;
  }
  assert.equal(pages, 3);

  // A parameter given twice: the answer uses the first value, and so does its next page.
  const twice = await t.json('/api/daily_papers?week=2025-W19&week=2025-W20&limit=2');
  assert.equal((twice.body as Json[]).length, 2);
  const twiceNext = new URL(/^<([^>]+)>/.exec(twice.res.headers.get('link')!)![1]!);
  assert.deepEqual(twiceNext.searchParams.getAll('week'), ['2025-W19']);
  // An empty submitter is a mistake, as an empty date is, not a filter that matches no one.
  const empty = await t.json('/api/daily_papers?submitter=');
  assert.equal(empty.res.status, 400);
  assert.match((empty.body as Json).error as string, /submitter: say whose papers/);
  assert.equal(seen.size, 5);
  const past = await t.json('/api/daily_papers?week=2025-W19&limit=2&p=9');
  assert.equal(past.res.status, 200);
  assert.deepEqual(past.body, [], 'a page past the end is empty, as on Hugging Face');
  assert.equal(past.res.headers.get('link'), null);
});

test('bad parameters are 400s with a JSON error that names the parameter, never 500s', async () => {
  const t = await openDataApp();
  const cases: [string, RegExp][] = [
    ['/api/daily_papers?date=2025-13-01', /date/],
    ['/api/daily_papers?date=yesterday', /date/],
    ['/api/daily_papers?date=2025-02-30', /^date "2025-02-30" is not a date \(expected YYYY-MM-DD\)\.$/],
    // Well-formed, outside the range: the message names the range, not the format.
    ['/api/daily_papers?date=1990-12-31', /^date "1990-12-31" is out of range: a date must be between 1991-01-01 and 2999-12-31\.$/],
    ['/api/daily_papers?date=9999-12-31', /^date "9999-12-31" is out of range: a date must be between 1991-01-01 and 2999-12-31\.$/],
    ['/api/daily_papers?week=1990-W05', /^week "1990-W05" is out of range: a week must be in the years 1991 to 2999\.$/],
    ['/api/daily_papers?month=3000-01', /^month "3000-01" is out of range: a month must be between 1991-01 and 2999-12\.$/],
    ['/api/v1/daily?date=1900-01-01', /between 1991-01-01 and 2999-12-31/],
    ['/api/daily_papers?week=2025-W54', /week/],
    ['/api/daily_papers?week=2025-19', /week/],
    ['/api/daily_papers?month=2025-5', /month/],
    ['/api/daily_papers?date=2025-05-05&week=2025-W19', /one of date, week and month/],
    ['/api/daily_papers?limit=0', /limit/],
    ['/api/daily_papers?limit=101', /limit/],
    ['/api/daily_papers?limit=ten', /limit/],
    ['/api/daily_papers?p=-1', /p must/],
    ['/api/daily_papers?p=1.5', /p must/],
    ['/api/daily_papers?p=10001', /p must/],
    ['/api/daily_papers?sort=upvotes', /sort/],
    [`/api/daily_papers?submitter=${'x'.repeat(41)}`, /submitter/],
    [`/api/papers/search?q=${'q'.repeat(251)}`, /q: at most 250/],
    ['/api/papers/search?q=attention&limit=121', /limit/],
    ['/api/papers/search?q=attention&limit=0', /limit/],
    ['/api/papers?cursor=not-a-cursor!', /cursor/],
    ['/api/papers?cursor=bm90IGpzb24', /cursor/],
    [`/api/papers?cursor=${Buffer.from('["2025-01-01T00:00:00.000Z","<script>"]').toString('base64url')}`, /cursor/],
    ['/api/papers?limit=500', /limit/],
    ['/api/papers/not-an-id', /not an arXiv id/],
    ['/api/papers/9999.99999999', /not an arXiv id/],
  ];
  for (const [url, message] of cases) {
    const { res, body } = await t.json(url);
    assert.equal(res.status, 400, `${url}: ${JSON.stringify(body)}`);
    assert.match(res.headers.get('content-type')!, /^application\/json/, url);
    assert.deepEqual(Object.keys(body as Json), ['error'], url);
    assert.match((body as Json).error as string, message, url);
  }
});

test('GET /api/papers/{id}: the paper object at the top level; any id form; 404 for an unknown paper', async () => {
  const t = await openDataApp();
  const { res, body } = await t.json('/api/papers/2505.00202');
  assert.equal(res.status, 200);
  HfPaper.parse(body);
  const p = body as Json;
  assert.equal(p.id, '2505.00202');
  assert.equal(p.title, 'Diffusion models <b>for</b> video & more');
  assert.equal(p.upvotes, 40);
  assert.equal(p.submittedOnDailyAt, '2025-05-05T09:00:00.000Z');
  assert.equal('githubRepo' in p, false, 'optional fields are left out when unknown, not null');
  const info = readPaperInfo(p);
  assert.equal(info.id, '2505.00202');
  assert.equal(info.upvotes, 40);

  for (const form of ['2505.00202v3', 'arXiv:2505.00202', encodeURIComponent('https://arxiv.org/abs/2505.00202v1')]) {
    const other = await t.json(`/api/papers/${form}`);
    assert.equal(other.res.status, 200, form);
    assert.equal((other.body as Json).id, '2505.00202', form);
  }
  const old = await t.json('/api/papers/hep-th%2F9901001');
  assert.equal(old.res.status, 200);
  assert.equal((old.body as Json).id, 'hep-th/9901001');
  assert.equal('submittedOnDailyAt' in (old.body as Json), false, 'a paper on no list has no submittedOnDailyAt');
  HfPaper.parse(old.body);

  const missing = await t.json('/api/papers/2401.00001');
  assert.equal(missing.res.status, 404);
  assert.deepEqual(missing.body, { error: 'arXiv:2401.00001 is not on this site.' });
});

test('GET /api/papers/search: rows shaped like daily rows, from the search engine; without q, the newest Daily papers', async () => {
  const t = await openDataApp();
  const { res, body } = await t.json('/api/papers/search?q=Sparse%20attention');
  assert.equal(res.status, 200);
  const rows = body as Json[];
  assert.deepEqual(rows.map((r) => (r.paper as Json).id), ['2505.00201']);
  rows.forEach((r) => { HfDailyRow.parse(r); readPaperInfo(r); });
  assert.deepEqual(t.search!.queries, ['Sparse attention']);
  const offList = (await t.json('/api/papers/search?q=strings')).body as Json[];
  assert.equal((offList[0]!.paper as Json).id, 'hep-th/9901001');
  assert.equal(offList[0]!.publishedAt, '1999-01-04T00:00:00.000Z', 'a paper on no list: the row\'s date is arXiv\'s');
  assert.equal(((await t.json('/api/papers/search?q=attention&limit=2')).body as Json[]).length, 2);
  const none = await t.json('/api/papers/search');
  assert.equal(none.res.status, 200);
  assert.equal((none.body as Json[])[0] && ((none.body as Json[])[0]!.paper as Json).id, '2505.00204', 'newest on a list first');

  const noEngine = await openDataApp({ search: false });
  const unavailable = await noEngine.json('/api/papers/search?q=attention');
  assert.equal(unavailable.res.status, 503);
  assert.match((unavailable.body as Json).error as string, /Search is not available/);
});

test('GET /api/papers: every paper by publication date, newest first, cursor-paginated through Link until the end', async () => {
  const t = await openDataApp();
  const ids: string[] = [];
  let url: string | null = '/api/papers?limit=2';
  let pages = 0;
  while (url && pages < 10) {
    const { res, body } = await t.json(url);
    assert.equal(res.status, 200);
    for (const p of body as Json[]) {
      HfPaper.parse(p);
      ids.push(p.id as string);
    }
    const link = res.headers.get('link');
    url = link ? (() => { const u = new URL(/^<([^>]+)>; rel="next"$/.exec(link)![1]!); return u.pathname + u.search; })() : null;
    pages++;
  }
  assert.equal(pages, 3);
  assert.deepEqual(ids, ['2505.00210', '2505.00203', '2505.00202', '2505.00201', '2505.00204', 'hep-th/9901001']);
});

test('reads need no token and no User-Agent; a Paperboy token that is not valid is a 401, someone else\'s credential is set aside', async () => {
  const t = await openDataApp();
  const res = await t.app.request('/api/daily_papers?date=2025-05-05');
  assert.equal(res.status, 200);
  const anonymous = await res.json();
  const bad = await t.json('/api/daily_papers', { headers: { authorization: 'Bearer pbt_not-a-real-token' } });
  assert.equal(bad.res.status, 401);
  assert.match(bad.res.headers.get('www-authenticate')!, /^Bearer realm="api", error="invalid_token"/);
  assert.match((bad.body as Json).error as string, /not valid/);
  // huggingface_hub sends the user's own Hugging Face token to whatever endpoint it is given; a
  // proxy in front of the site may pass on its Basic credentials. Neither is Paperboy's: public
  // reads answer as they do without them.
  for (const authorization of ['Bearer hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345678', 'bearer hf_x', 'Bearer', 'Basic dXNlcjpwYXNz']) {
    for (const path of ['/api/daily_papers?date=2025-05-05', '/api/papers/2505.00210', '/api/papers/search?q=tokenizers', '/api/papers?limit=1', '/api/v1/daily?date=2025-05-06', '/feeds/daily.rss']) {
      const r = await t.json(path, { headers: { authorization } });
      assert.equal(r.res.status, 200, `${authorization} ${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.res.headers.get('ratelimit-limit'), '120', 'counted as anonymous');
    }
    assert.deepEqual((await t.json('/api/daily_papers?date=2025-05-05', { headers: { authorization } })).body, anonymous);
  }
});
