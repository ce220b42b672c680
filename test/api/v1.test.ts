/**
 * /api/v1 through the whole app: lists, papers, search, and what members do with tokens (votes,
 * comments, collections, submissions, subscriptions); tokens' scopes, revocation and expiry;
 * bad input; rate limits and their headers; CORS; ETag and 304.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { createApiToken, revokeToken } from '../../src/services/open-data-tokens.ts';
import * as S from '../../src/web/api/schemas.ts';
import { NOW_MS, openDataApp, type OpenDataTest } from './support.ts';

type Json = Record<string, unknown>;

function caller(t: OpenDataTest) {
  return async (method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    return t.json(path, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  };
}

test('lists: a day, a week, a month, a category, pages; past the end is a 404', async () => {
  const t = await openDataApp();
  const { res, body } = await t.json('/api/v1/daily?date=2025-05-05');
  assert.equal(res.status, 200);
  const list = S.PaperList.parse(body);
  assert.deepEqual(list.window, { period: 'day', label: '2025-05-05', from: '2025-05-05', to: '2025-05-05' });
  assert.equal(list.total, 3);
  assert.equal(list.pages, 2, 'the instance page size (2) by default');
  assert.deepEqual(list.papers.map((p) => p.id), ['2505.00202', '2505.00201']);
  assert.equal(list.prev, null, 'no list before the first day');
  assert.equal(list.next, '2025-05-06', 'the nearest day with a list');
  assert.deepEqual(list.papers[1]!.authors, ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov']);
  const page2 = S.PaperList.parse((await t.json('/api/v1/daily?date=2025-05-05&page=2')).body);
  assert.deepEqual(page2.papers.map((p) => p.id), ['2505.00203']);
  const past = await t.json('/api/v1/daily?date=2025-05-05&page=3');
  assert.equal(past.res.status, 404);
  assert.match((past.body as Json).error as string, /page 3 of 2/);
  const week = S.PaperList.parse((await t.json('/api/v1/daily?week=2025-W19&per_page=10&sort=upvotes')).body);
  assert.deepEqual(week.papers.map((p) => p.id), ['2505.00202', '2505.00201', '2505.00203', '2505.00204', '2505.00210']);
  const month = S.PaperList.parse((await t.json('/api/v1/daily?month=2025-05&category=cs.CV')).body);
  assert.deepEqual(month.papers.map((p) => p.id), ['2505.00202']);
  const latest = S.PaperList.parse((await t.json('/api/v1/daily')).body);
  assert.equal(latest.window?.label, '2025-05-07', 'without a window: the latest day with a list');
  // With a category and no window: the category's page as data, its latest day with papers, not the site's.
  const cv = S.PaperList.parse((await t.json('/api/v1/daily?category=cs.CV')).body);
  assert.deepEqual([cv.window?.label, cv.papers.map((p) => p.id)], ['2025-05-05', ['2505.00202']]);
  assert.equal((await t.json('/api/v1/daily?category=math.AG')).res.status, 404, 'a category with no papers, as its page');

  const news = S.PaperList.parse((await t.json('/api/v1/new?category=cs.CL&date=2025-05-05&per_page=10')).body);
  assert.deepEqual(news.papers.map((p) => p.id).sort(), ['2505.00201', '2505.00202', '2505.00203']);
  assert.equal((await t.json('/api/v1/new?category=math.AG')).res.status, 404);
});

test('a paper in full, its comments, similar papers, its vote history; unknown papers are 404s', async () => {
  const t = await openDataApp();
  const { res, body } = await t.json('/api/v1/papers/hep-th%2F9901001');
  assert.equal(res.status, 200);
  const p = S.PaperDetail.parse(body);
  assert.deepEqual(p.versions.map((v) => v.version), [1, 2]);
  assert.equal(p.url, 'http://localhost/papers/hep-th/9901001');
  assert.equal(p.links.pdf, 'https://arxiv.org/pdf/hep-th/9901001');
  assert.equal(p.daily, null);
  const similar = S.Papers.parse((await t.json('/api/v1/papers/2505.00210/similar?limit=2')).body);
  assert.deepEqual(similar.papers.map((x) => x.id), ['2505.00201', '2505.00202']);
  const history = S.VoteHistory.parse((await t.json('/api/v1/papers/2505.00202/votes?days=7')).body);
  assert.equal(history.days.length, 7);
  assert.equal(history.to, '2026-11-28');
  assert.equal(history.total, 40);
  assert.equal(history.days.at(-1)!.total, 40, 'the demo votes were cast on the day the corpus was seeded');
  const comments = S.Comments.parse((await t.json('/api/v1/papers/2505.00202/comments')).body);
  assert.deepEqual(comments.comments, []);
  for (const path of ['/api/v1/papers/2401.00001', '/api/v1/papers/2401.00001/comments', '/api/v1/papers/2401.00001/votes', '/api/v1/papers/2401.00001/similar']) {
    assert.equal((await t.json(path)).res.status, 404, path);
  }
  delete (t.search as { similar?: unknown }).similar;
  const unavailable = await t.json('/api/v1/papers/2505.00210/similar');
  assert.equal(unavailable.res.status, 503, 'an engine without similar papers');
  assert.match((unavailable.body as Json).error as string, /Similar papers are not available/);
});

test('search passes its filters to the engine in the search language; bad filters are 400s', async () => {
  const t = await openDataApp();
  const { res, body } = await t.json('/api/v1/search?q=attention&category=cs.CL&from=2025-05-01&to=2025-05-31&limit=3');
  assert.equal(res.status, 200);
  const r = S.SearchResults.parse(body);
  assert.equal(r.papers.length, 3);
  assert.deepEqual(t.search!.queries, ['attention cat:cs.CL after:2025-05-01 before:2025-06-01']);
  for (const [url, re] of [
    ['/api/v1/search', /q/], ['/api/v1/search?q=%20%20', /q/], ['/api/v1/search?q=x&from=2025-13-01', /from/],
    ['/api/v1/search?q=x&from=2025-05-02&to=2025-05-01', /from must not be after to/], ['/api/v1/search?q=x&category=CS%20CL', /category/],
    ['/api/v1/search?q=x&limit=101', /limit/],
  ] as const) {
    const bad = await t.json(url);
    assert.equal(bad.res.status, 400, url);
    assert.match((bad.body as Json).error as string, re, url);
  }
});

test('writes need a write token: none is 401, a read token is 403, a revoked or expired one is 401', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const read = await t.token(t.ada, 'read');
  const write = await t.token(t.ada, 'write');
  const none = await call('PUT', '/api/v1/papers/2505.00203/vote');
  assert.equal(none.res.status, 401);
  assert.match((none.body as Json).error as string, /needs an API token/);
  const readOnly = await call('PUT', '/api/v1/papers/2505.00203/vote', { token: read });
  assert.equal(readOnly.res.status, 403);
  assert.match((readOnly.body as Json).error as string, /can only read/);
  assert.equal((await call('GET', '/api/v1/me', { token: read })).res.status, 200, 'a read token reads');
  const ok = await call('PUT', '/api/v1/papers/2505.00203/vote', { token: write });
  assert.equal(ok.res.status, 200);

  const me = S.Me.parse((await call('GET', '/api/v1/me', { token: write })).body);
  assert.equal(me.username, 'ada');
  assert.equal(me.token.scope, 'write');
  assert.equal((await call('GET', '/api/v1/me')).res.status, 401);

  const tokens = await t.store.db.withTables<{ api_tokens: { id: number; name: string } }>().selectFrom('api_tokens').select(['id', 'name']).execute();
  await revokeToken({ store: t.store, now: () => NOW_MS }, t.ada, tokens.find((x) => x.name === 'test write')!.id);
  const revoked = await call('GET', '/api/v1/me', { token: write });
  assert.equal(revoked.res.status, 401);
  assert.match((revoked.body as Json).error as string, /revoked or expired/);

  const { token: shortLived } = await createApiToken({ store: t.store, now: () => NOW_MS }, t.ada, { name: 'a day', scope: 'read', expiresInDays: '1' });
  assert.equal((await call('GET', '/api/v1/me', { token: shortLived })).res.status, 200);
  const later = await openDataApp({ now: () => NOW_MS + 2 * 86_400_000 });
  const { token: stale } = await createApiToken({ store: later.store, now: () => NOW_MS }, later.ada, { name: 'old', scope: 'read', expiresInDays: '1' });
  assert.equal((await caller(later)('GET', '/api/v1/me', { token: stale })).res.status, 401, 'expired');
  // The API never reads the site's session cookie.
  assert.equal((await call('GET', '/api/v1/me', { headers: { cookie: 'pb_session=anything' } })).res.status, 401);
});

test('someone else\'s credential is no token: a public read answers as to anyone, a write or a private read is a 401 that says why', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const hf = { authorization: 'Bearer hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345678' };
  const basic = { authorization: 'Basic dXNlcjpwYXNz' };
  for (const headers of [hf, basic]) {
    assert.equal((await call('GET', '/api/v1/papers/2505.00210', { headers })).res.status, 200);
    for (const [method, path] of [['PUT', '/api/v1/papers/2505.00203/vote'], ['GET', '/api/v1/me'], ['GET', '/api/v1/me/collections']] as const) {
      const r = await call(method, path, { headers });
      assert.equal(r.res.status, 401, `${method} ${path}`);
      assert.match((r.body as Json).error as string, headers === hf ? /needs a Paperboy API token \(pbt_\.\.\.\); the Bearer token sent is not one/ : /sent as Authorization: Bearer <token>/);
      assert.equal(r.res.headers.get('www-authenticate'), `Bearer realm="api", error="${headers === hf ? 'invalid_token' : 'invalid_request'}"`);
    }
  }
  // A token with Paperboy's prefix that is not live is refused even where none is needed: its owner should learn it is dead.
  const dead = await call('GET', '/api/v1/papers/2505.00210', { token: 'pbt_' + 'x'.repeat(43) });
  assert.equal(dead.res.status, 401);
  assert.match((dead.body as Json).error as string, /revoked or expired/);
  assert.equal((await call('GET', '/api/v1/papers/2505.00210', { token: 'pbt_short' })).res.status, 401, 'a malformed pbt_ token');
  assert.equal((await call('GET', '/api/v1/papers/2505.00210', { token: await t.token(t.ada, 'read') })).res.status, 200);
});

test('a live Paperboy token sent in another form is a 401 that says how to send it, never an anonymous answer', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const token = await t.token(t.ada, 'read');
  assert.equal((await call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).res.status, 200);
  for (const authorization of [token, `Token ${token}`, `token=${token}`, `Bearer\t${token}`, `Bearer ${token.toUpperCase()}`]) {
    for (const path of ['/api/v1/papers/2505.00210', '/api/v1/me']) {
      const r = await call('GET', path, { headers: { authorization } });
      assert.equal(r.res.status, 401, `${JSON.stringify(authorization.replace(token, 'TOKEN'))} on ${path}`);
      assert.equal(r.res.headers.get('www-authenticate'), 'Bearer realm="api", error="invalid_request"');
    }
  }
  const r = await call('GET', '/api/v1/papers/2505.00210', { headers: { authorization: token } });
  assert.match((r.body as Json).error as string, /as it was issued, as "Authorization: Bearer pbt_\.\.\."/);
});

test('a 401 carries its Bearer challenge (no error code when no credentials were sent); a read token asking to write gets insufficient_scope', async () => {
  const t = await openDataApp();
  const call = caller(t);
  for (const [method, path] of [['PUT', '/api/v1/papers/2505.00203/vote'], ['GET', '/api/v1/me'], ['POST', '/api/v1/papers/2505.00203/comments']] as const) {
    const r = await call(method, path);
    assert.equal(r.res.status, 401, `${method} ${path}`);
    assert.equal(r.res.headers.get('www-authenticate'), 'Bearer realm="api"', `${method} ${path}`);
  }
  const readOnly = await call('PUT', '/api/v1/papers/2505.00203/vote', { token: await t.token(t.ada, 'read') });
  assert.equal(readOnly.res.status, 403);
  assert.equal(readOnly.res.headers.get('www-authenticate'), 'Bearer realm="api", error="insufficient_scope", scope="write"');
});

test('votes with a token: once per member, counts exact, seen by both APIs and the history', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const token = await t.token(t.ada, 'write');
  assert.deepEqual((await call('PUT', '/api/v1/papers/2505.00203/vote', { token })).body, { voted: true, upvotes: 2 });
  assert.deepEqual((await call('PUT', '/api/v1/papers/2505.00203v2/vote', { token })).body, { voted: true, upvotes: 2 }, 'again counts once');
  assert.equal(((await t.json('/api/papers/2505.00203')).body as Json).upvotes, 2);
  assert.equal(S.PaperDetail.parse((await t.json('/api/v1/papers/2505.00203')).body).upvotes, 2);
  assert.equal(S.VoteHistory.parse((await t.json('/api/v1/papers/2505.00203/votes')).body).days.at(-1)!.votes, 2);
  assert.deepEqual((await call('DELETE', '/api/v1/papers/2505.00203/vote', { token })).body, { voted: false, upvotes: 1 });
  assert.equal((await call('PUT', '/api/v1/papers/2401.00001/vote', { token })).res.status, 404);
  assert.equal((await call('PUT', '/api/v1/papers/nonsense/vote', { token })).res.status, 400);
});

test('comments with a token: post, reply, edit your own only, delete; bad bodies are 400, 415, 413 or 422', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const ada = await t.token(t.ada, 'write');
  const bobUser = await createAccount({ store: t.store, now: () => NOW_MS }, { username: 'bob', email: 'bob@example.org', password: 'another long password', role: 'member' });
  const bob = await t.token(bobUser, 'write');
  const posted = await call('POST', '/api/v1/papers/2505.00202/comments', { token: ada, body: { body: 'Nice **result**.' } });
  assert.equal(posted.res.status, 201);
  const { id, url } = S.Created.parse(posted.body);
  assert.equal(url, `http://localhost/papers/2505.00202?comment=${id}#c${id}`);
  const reply = await call('POST', '/api/v1/papers/2505.00202/comments', { token: bob, body: { body: 'Agreed', parentId: id } });
  assert.equal(reply.res.status, 201);
  assert.equal((await call('PATCH', `/api/v1/comments/${id}`, { token: bob, body: { body: 'hijacked' } })).res.status, 403);
  assert.equal((await call('PATCH', `/api/v1/comments/${id}`, { token: ada, body: { body: 'Edited' } })).res.status, 200);
  assert.equal((await call('DELETE', `/api/v1/comments/${id}`, { token: bob })).res.status, 403);
  assert.equal((await call('DELETE', `/api/v1/comments/${id}`, { token: ada })).res.status, 204);
  const thread = S.Comments.parse((await t.json('/api/v1/papers/2505.00202/comments')).body).comments;
  assert.deepEqual(thread.map((c) => [c.author, c.state, c.body, c.parentId]), [['ada', 'deleted', null, null], ['bob', 'visible', 'Agreed', id]]);

  const bad: [unknown, number, RegExp][] = [
    [{ body: '   ' }, 422, /Write something/],
    [{ body: 'x'.repeat(10_001) }, 422, /at most 10,000/],
    [{ body: 42 }, 400, /body/],
    [{}, 400, /body/],
    [{ body: 'ok', parentId: 'one' }, 400, /parentId/],
    [{ body: 'orphan', parentId: 999999 }, 404, /replying to does not exist/],
  ];
  for (const [body, status, re] of bad) {
    const r = await call('POST', '/api/v1/papers/2505.00202/comments', { token: ada, body });
    assert.equal(r.res.status, status, JSON.stringify(body));
    assert.match((r.body as Json).error as string, re);
  }
  const notJson = await t.json('/api/v1/papers/2505.00202/comments', { method: 'POST', headers: { authorization: `Bearer ${ada}`, 'content-type': 'text/plain' }, body: 'hi' });
  assert.equal(notJson.res.status, 415);
  const broken = await t.json('/api/v1/papers/2505.00202/comments', { method: 'POST', headers: { authorization: `Bearer ${ada}`, 'content-type': 'application/json' }, body: '{"body": ' });
  assert.equal(broken.res.status, 400);
  assert.match((broken.body as Json).error as string, /not valid JSON/);
  const huge = await t.json('/api/v1/papers/2505.00202/comments', { method: 'POST', headers: { authorization: `Bearer ${ada}`, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'x'.repeat(70_000) }) });
  assert.equal(huge.res.status, 413);
  assert.equal((await call('PATCH', '/api/v1/comments/abc', { token: ada, body: { body: 'x' } })).res.status, 400);
});

test('collections with a token: private ones stay private; add and remove papers; public ones list their papers', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const token = await t.token(t.ada, 'write');
  const created = await call('POST', '/api/v1/me/collections', { token, body: { name: 'Reading list' } });
  assert.equal(created.res.status, 201);
  const col = S.Collection.parse(created.body);
  assert.equal(col.public, false);
  assert.equal(col.feeds, null);
  assert.equal((await call('PUT', `/api/v1/me/collections/${col.id}/papers/2505.00201`, { token })).res.status, 204);
  assert.equal((await call('PUT', `/api/v1/me/collections/${col.id}/papers/2505.00202`, { token })).res.status, 204);
  assert.equal((await call('DELETE', `/api/v1/me/collections/${col.id}/papers/2505.00201`, { token })).res.status, 204);
  assert.deepEqual(S.Collections.parse((await t.json('/api/v1/users/ada/collections')).body).collections, [], 'anonymous: no private collections');
  assert.equal(S.Collections.parse((await call('GET', '/api/v1/users/ada/collections', { token })).body).collections.length, 1);
  assert.equal((await t.json('/api/v1/users/ada/collections/reading-list')).res.status, 404);
  const mine = S.CollectionWithPapers.parse((await call('GET', '/api/v1/users/ada/collections/reading-list', { token })).body);
  assert.deepEqual(mine.papers.map((p) => p.id), ['2505.00202']);

  const pub = S.Collection.parse((await call('POST', '/api/v1/me/collections', { token, body: { name: 'Best of May', public: true } })).body);
  assert.equal(pub.feeds?.rss, 'http://localhost/feeds/collections/ada/best-of-may.rss');
  await call('PUT', `/api/v1/me/collections/${pub.id}/papers/hep-th%2F9901001`, { token });
  const public_ = await t.json('/api/v1/users/ada/collections/best-of-may');
  const seen = S.CollectionWithPapers.parse(public_.body);
  assert.deepEqual(seen.papers.map((p) => p.id), ['hep-th/9901001']);
  // Its owner may make it private at any moment: no cache may serve it without asking again.
  assert.equal(public_.res.headers.get('cache-control'), 'public, no-cache');
  assert.equal((await t.json('/api/v1/users/ada/collections')).res.headers.get('cache-control'), 'public, no-cache');
  assert.equal((await call('GET', '/api/v1/users/ada/collections', { token })).res.headers.get('cache-control'), 'private, no-cache');

  const other = await createAccount({ store: t.store, now: () => NOW_MS }, { username: 'eve', email: 'eve@example.org', password: 'yet another password', role: 'member' });
  const eve = await t.token(other, 'write');
  assert.equal((await call('PUT', `/api/v1/me/collections/${col.id}/papers/2505.00203`, { token: eve })).res.status, 404, 'not yours');
  assert.equal((await call('DELETE', `/api/v1/me/collections/${col.id}`, { token: eve })).res.status, 404);
  assert.equal((await call('DELETE', `/api/v1/me/collections/${col.id}`, { token })).res.status, 204);
  assert.equal((await call('POST', '/api/v1/me/collections', { token, body: { name: '' } })).res.status, 422);
  assert.equal((await t.json('/api/v1/users/nobody/collections')).res.status, 404);
});

test('submissions and subscriptions with a token', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const token = await t.token(t.ada, 'write');
  const sub = await call('POST', '/api/v1/submissions', { token, body: { id: 'arXiv:hep-th/9901001v2' } });
  assert.equal(sub.res.status, 201);
  assert.deepEqual(S.Submission.parse(sub.body), { paperId: 'hep-th/9901001', day: '2026-11-28', fetched: false, url: 'http://localhost/papers/hep-th/9901001' });
  const listed = (await t.json('/api/daily_papers?date=2026-11-28')).body as Json[];
  assert.equal(((listed[0]!.submittedBy) as Json).user, 'ada');
  assert.equal((await call('POST', '/api/v1/submissions', { token, body: { id: 'hep-th/9901001' } })).res.status, 409);
  assert.equal((await call('POST', '/api/v1/submissions', { token, body: { id: 'not an id' } })).res.status, 422);
  const js = await call('POST', '/api/v1/submissions', { token, body: { id: '2505.00299', codeUrl: 'javascript:alert(1)' } });
  assert.equal(js.res.status, 422);
  assert.match((js.body as Json).error as string, /http/);

  const created = await call('POST', '/api/v1/me/subscriptions', { token, body: { kind: 'trending', period: 'weekly' } });
  assert.equal(created.res.status, 201);
  const result = S.SubscribeResult.parse(created.body);
  assert.equal(result.outcome, 'subscribed', 'a confirmed address is subscribed at once');
  const id = result.subscription!.id;
  const list = S.Subscriptions.parse((await call('GET', '/api/v1/me/subscriptions', { token })).body);
  assert.deepEqual(list.subscriptions.map((s) => [s.id, s.period, s.state]), [[id, 'weekly', 'active']]);
  assert.equal(S.SubscriptionSchema.parse((await call('PATCH', `/api/v1/me/subscriptions/${id}`, { token, body: { period: 'daily' } })).body).period, 'daily');
  assert.equal((await call('DELETE', `/api/v1/me/subscriptions/${id}`, { token })).res.status, 204);
  assert.deepEqual(S.Subscriptions.parse((await call('GET', '/api/v1/me/subscriptions', { token })).body).subscriptions, [], 'cancelled ones are no longer listed');
  assert.equal((await call('DELETE', `/api/v1/me/subscriptions/${id}`, { token })).res.status, 204, 'again (a client retrying): as the first time');
  assert.equal((await call('DELETE', '/api/v1/me/subscriptions/999', { token })).res.status, 404);
  // Another member's ended subscription is still none of ours.
  const bob = await createAccount({ store: t.store, now: () => NOW_MS }, { username: 'bob', email: 'bob@example.org', password: 'a long enough password', role: 'member' });
  assert.equal((await call('DELETE', `/api/v1/me/subscriptions/${id}`, { token: await t.token(bob, 'write') })).res.status, 404);
  assert.equal((await call('POST', '/api/v1/me/subscriptions', { token, body: { kind: 'search' } })).res.status, 422);
  assert.equal((await call('POST', '/api/v1/me/subscriptions', { token, body: { period: 'hourly' } })).res.status, 400);
});

test('rate limits: 120 a minute per address without a token, counted per token with one; RateLimit headers; 429 with Retry-After', async () => {
  const t = await openDataApp();
  const ip = { 'x-forwarded-for': '203.0.113.50' };
  let last: Response | null = null;
  for (let i = 1; i <= 120; i++) {
    last = (await t.json('/api/papers/2505.00201', { headers: ip })).res;
    assert.equal(last.status, 200, `request ${i}`);
  }
  assert.equal(last!.headers.get('ratelimit-limit'), '120');
  assert.equal(last!.headers.get('ratelimit-remaining'), '0');
  assert.equal(last!.headers.get('ratelimit-reset'), '60');
  assert.equal(last!.headers.get('ratelimit-policy'), '120;w=60');
  const over = await t.json('/api/papers/2505.00201', { headers: ip });
  assert.equal(over.res.status, 429);
  assert.equal(over.res.headers.get('retry-after'), '60');
  assert.match((over.body as Json).error as string, /Too many requests: at most 120 a minute from one network address/);
  assert.equal((await t.json('/feeds/daily.rss', { headers: ip })).res.status, 429, 'feeds share the address\'s budget');
  assert.equal((await t.json('/api/papers/2505.00201', { headers: { 'x-forwarded-for': '203.0.113.51' } })).res.status, 200, 'another address is not affected');
  const token = await t.token(t.ada, 'read');
  const withToken = await t.json('/api/papers/2505.00201', { headers: { ...ip, authorization: `Bearer ${token}` } });
  assert.equal(withToken.res.status, 200, 'a token has its own budget');
  assert.equal(withToken.res.headers.get('ratelimit-limit'), '600');
  assert.equal(withToken.res.headers.get('ratelimit-remaining'), '599');
  const guess = await t.json('/api/papers/2505.00201', { headers: { ...ip, authorization: 'Bearer pbt_guess' } });
  assert.equal(guess.res.status, 429, 'invalid tokens count against the address');
});

test('CORS for reads: any origin may read, preflights allow GET with a token header, not writes', async () => {
  const t = await openDataApp();
  const res = await t.app.request('/api/daily_papers', { headers: { origin: 'https://elsewhere.example' } });
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('access-control-expose-headers')!, /RateLimit-Remaining/);
  assert.match(res.headers.get('access-control-expose-headers')!, /Link/);
  const pre = await t.app.request('/api/v1/papers/2505.00201', {
    method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
  });
  assert.equal(pre.status, 204);
  assert.match(pre.headers.get('access-control-allow-headers')!, /Authorization/i);
  assert.doesNotMatch(pre.headers.get('access-control-allow-methods')!, /PUT|POST|DELETE/);
  const feed = await t.app.request('/feeds/daily.rss', { headers: { origin: 'https://reader.example' } });
  assert.equal(feed.headers.get('access-control-allow-origin'), '*');
  const page = await t.app.request('/papers/2505.00201', { headers: { origin: 'https://elsewhere.example' } });
  assert.equal(page.headers.get('access-control-allow-origin'), null, 'pages are not opened to other origins');
});

test('ETag and 304: a repeat request with If-None-Match gets no body until the data changes', async () => {
  const t = await openDataApp();
  const first = await t.json('/api/v1/papers/2505.00203', { headers: { origin: 'https://elsewhere.example' } });
  const etag = first.res.headers.get('etag');
  assert.match(etag!, /^W\/"[\w-]+"$/);
  assert.equal(first.res.headers.get('cache-control'), 'public, max-age=60');
  const again = await t.app.request('/api/v1/papers/2505.00203', { headers: { 'if-none-match': etag!, origin: 'https://elsewhere.example', 'x-forwarded-for': '198.51.100.77' } });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), '');
  assert.equal(again.headers.get('etag'), etag);
  assert.equal(again.headers.get('access-control-allow-origin'), '*', 'a cross-origin revalidation still passes CORS');
  // Labelled as the answer it stands for: left out, the HTTP server would label the 304 text/plain.
  assert.equal(again.headers.get('content-type'), first.res.headers.get('content-type'));
  const token = await t.token(t.ada, 'write');
  await caller(t)('PUT', '/api/v1/papers/2505.00203/vote', { token });
  const changed = await t.json('/api/v1/papers/2505.00203', { headers: { 'if-none-match': etag! } });
  assert.equal(changed.res.status, 200);
  assert.notEqual(changed.res.headers.get('etag'), etag);
  const mine = await t.json('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(mine.res.headers.get('cache-control'), 'private, no-cache', 'answers to a token are not for shared caches');
  const hf = await t.json('/api/daily_papers?date=2025-05-05');
  const hf304 = await t.app.request('/api/daily_papers?date=2025-05-05', { headers: { 'if-none-match': hf.res.headers.get('etag')! } });
  assert.equal(hf304.status, 304);
});

test('stats as JSON: per-day counts over the window ending on the latest day with data, top categories, the month\'s most upvoted', async () => {
  const t = await openDataApp();
  const s = S.Stats.parse((await t.json('/api/v1/stats')).body);
  assert.equal(s.papersPerDay?.to, '2025-05-07');
  assert.equal(s.papersPerDay?.days.length, 60);
  assert.deepEqual(s.papersPerDay?.days.filter((d) => d.n > 0), [{ day: '2025-05-05', n: 3 }, { day: '2025-05-06', n: 1 }, { day: '2025-05-07', n: 1 }]);
  assert.deepEqual(s.listedPerDay?.days.filter((d) => d.n > 0), [{ day: '2025-05-05', n: 3 }, { day: '2025-05-06', n: 1 }, { day: '2025-05-07', n: 1 }]);
  assert.deepEqual(s.votesPerDay?.days.filter((d) => d.n > 0), [{ day: '2026-11-28', n: 46 }]);
  assert.deepEqual(s.topCategories.slice(0, 2), [{ category: 'cs.CL', n: 4 }, { category: 'cs.CV', n: 1 }]);
  assert.equal(s.topOfMonth?.month, '2025-05');
  assert.deepEqual(s.topOfMonth?.papers.map((p) => [p.id, p.upvotes]).slice(0, 3), [['2505.00202', 40], ['2505.00201', 5], ['2505.00203', 1]]);
  assert.equal(S.Stats.parse((await t.json('/api/v1/stats?month=2025-04')).body).topOfMonth?.papers.length, 0);
  assert.equal((await t.json('/api/v1/stats?month=May')).res.status, 400);
});

test('stats are reused while the data stands, and a vote shows at once, on the page and in the API alike', async () => {
  const t = await openDataApp();
  const votes = async () => S.Stats.parse((await t.json('/api/v1/stats')).body).votesPerDay?.days.at(-1)?.n;
  assert.equal(await votes(), 46);
  assert.equal(await votes(), 46);
  const added = await t.store.seedDemoVotes(new Map([['2505.00203', 5]]), new Date(NOW_MS).toISOString());
  assert.ok(added > 0);
  assert.equal(await votes(), 46 + added, 'the new votes count at once');
  const page = await (await t.app.request('/stats')).text();
  assert.match(page, new RegExp(`${46 + added} votes over 60 entries`), 'the chart of upvotes per day says so too');
});

test('ended rate-limit windows are pruned as requests come in; live ones stay', async () => {
  const t = await openDataApp();
  const { hitRateLimit } = await import('../../src/store/users.ts');
  await hitRateLimit(t.store.db, 'api:ip:old', 60, NOW_MS - 3 * 86_400_000);
  await hitRateLimit(t.store.db, 'signInIp:somewhere', 900, NOW_MS - 600_000);
  const keys = async () => (await t.store.db.selectFrom('rate_limits').select('key').execute()).map((r) => r.key).sort();
  assert.deepEqual(await keys(), ['api:ip:old', 'signInIp:somewhere']);
  await t.json('/api/papers/2505.00201', { headers: { 'x-forwarded-for': '198.51.100.1' } });
  assert.deepEqual(await keys(), ['api:ip:198.51.100.1', 'signInIp:somewhere']);
});

test('HEAD answers like GET without a body', async () => {
  const t = await openDataApp();
  const res = await t.app.request('/api/papers/2505.00201', { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^application\/json/);
  assert.equal(await res.text(), '');
});

test('a known path under the wrong method is a 405 with Allow and a JSON error; an unknown path stays a JSON 404', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const write = await t.token(t.ada, 'write');
  const cases: [string, string, string, string?][] = [
    ['POST', '/api/v1/papers/2505.00203/vote', 'PUT, DELETE', write],
    ['GET', '/api/v1/papers/2505.00203/vote', 'PUT, DELETE'],
    ['DELETE', '/api/daily_papers', 'GET, HEAD'],
    ['PUT', '/api/papers/2505.00210', 'GET, HEAD'],
    ['POST', '/api/v1/me', 'GET, HEAD', write],
    ['DELETE', '/api/v1/me/collections', 'GET, HEAD, POST', write],
    ['POST', '/feeds/daily.rss', 'GET, HEAD'],
    ['POST', '/feeds/new/cs.CL.rss', 'GET, HEAD'],
    ['POST', '/search.rss', 'GET, HEAD'],
    ['POST', '/openapi.json', 'GET, HEAD'],
  ];
  for (const [method, path, allow, token] of cases) {
    const r = await call(method, path, { token, headers: { accept: 'application/json' } });
    assert.equal(r.res.status, 405, `${method} ${path}`);
    assert.equal(r.res.headers.get('allow'), allow, `${method} ${path}`);
    assert.match(r.res.headers.get('content-type')!, /^application\/json/);
    assert.match((r.body as Json).error as string, new RegExp(`does not answer ${method}: use `), `${method} ${path}`);
  }
  assert.match(((await call('POST', '/api/v1/papers/2505.00203/vote', { token: write })).body as Json).error as string, /use PUT or DELETE\./);
  for (const method of ['PUT', 'PATCH', 'GET', 'DELETE']) {
    const r = await call(method, '/mcp');
    assert.equal(r.res.status, 405, `${method} /mcp`);
    assert.equal(r.res.headers.get('allow'), 'POST');
    assert.match(r.res.headers.get('content-type')!, /^application\/json/);
    assert.match(((r.body as Json).error as Json).message as string, /send JSON-RPC requests with POST/);
  }
  for (const [method, path] of [['GET', '/api/v1/nothing-here'], ['POST', '/api/v1/nothing-here'], ['GET', '/feeds/nothing.rss'], ['GET', '/api/v1/papers/2505.00203/vote/extra']]) {
    const r = await call(method!, path!);
    assert.equal(r.res.status, 404, `${method} ${path}`);
    assert.match((r.body as Json).error as string, /no such endpoint/);
  }
  // The right method still reaches the endpoint.
  assert.equal((await call('PUT', '/api/v1/papers/2505.00203/vote', { token: write })).res.status, 200);
  assert.equal((await call('GET', '/openapi.json')).res.status, 200);
});

test('small contract points: a missing q or field is said in words, JSON is told by its media type, an existing subscription is a 200', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const write = await t.token(t.ada, 'write');
  // A missing q gets the same answer as an empty one, in the API's own words.
  for (const path of ['/api/v1/search?limit=5', '/api/v1/search?q=', '/search.rss', '/search.atom?q=%20']) {
    const r = await call('GET', path);
    assert.equal(r.res.status, 400, path);
    assert.equal((r.body as Json).error, 'Query: q: say what to look for', path);
  }
  // Wrong or missing fields in a body: no zod wording.
  const noBody = await call('POST', '/api/v1/papers/2505.00202/comments', { token: write, body: {} });
  assert.equal(noBody.res.status, 400);
  assert.equal((noBody.body as Json).error, 'Body: body is missing');
  const wrongType = await call('POST', '/api/v1/papers/2505.00202/comments', { token: write, body: { body: 5 } });
  assert.equal((wrongType.body as Json).error, 'Body: body should be a string, not a number');
  const array = await call('POST', '/api/v1/papers/2505.00202/comments', { token: write, body: [] });
  assert.equal((array.body as Json).error, 'Body: should be an object, not an array');

  // The media type is compared whole; +json types (RFC 6839) and parameters are fine.
  const post = (type: string) => t.json('/api/v1/papers/2505.00202/comments', {
    method: 'POST', headers: { authorization: `Bearer ${write}`, 'content-type': type }, body: JSON.stringify({ body: `Sent as ${type}` }),
  });
  for (const type of ['application/jsonx', 'application/json-seq', 'text/json', 'application/x-json', 'application/+json']) {
    assert.equal((await post(type)).res.status, 415, type);
  }
  for (const type of ['application/json', 'Application/JSON; charset=utf-8', 'application/merge-patch+json', 'application/vnd.api+json ; charset=UTF-8']) {
    assert.equal((await post(type)).res.status, 201, type);
  }

  // Subscribing twice: created once (201), then nothing created (200, already-subscribed).
  const first = await call('POST', '/api/v1/me/subscriptions', { token: write, body: { kind: 'trending', period: 'daily' } });
  assert.equal(first.res.status, 201);
  assert.equal(S.SubscribeResult.parse(first.body).outcome, 'subscribed');
  const again = await call('POST', '/api/v1/me/subscriptions', { token: write, body: { kind: 'trending', period: 'daily' } });
  assert.equal(again.res.status, 200);
  assert.equal(S.SubscribeResult.parse(again.body).outcome, 'already-subscribed');
});

/** zod's phrases, which no 400 may show. */
const ZOD_PHRASES = /Invalid (input|option|string|number)|Too (big|small)|expected|received|<=|>=/;

test('a 400 says what a field must be in plain words: a choice, a length, a number', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const write = await t.token(t.ada, 'write');
  const cases: [string, string, unknown, string][] = [
    ['POST', '/api/v1/me/subscriptions', { period: 'monthly' }, 'Body: period must be one of daily, weekdays or weekly'],
    ['POST', '/api/v1/me/subscriptions', { period: 'daily', kind: 'foo' }, 'Body: kind must be trending or search'],
    ['GET', `/api/v1/stats?month=${'2'.repeat(41)}`, undefined, 'Query: month must be at most 40 characters'],
    ['GET', `/api/v1/daily?week=${'W'.repeat(41)}`, undefined, 'Query: week must be at most 40 characters'],
    ['POST', '/api/v1/papers/2505.00202/comments', { body: 'Hi', parentId: 0 }, 'Body: parentId must be more than 0'],
    ['POST', '/api/v1/papers/2505.00202/comments', { body: 'Hi', parentId: 1.5 }, 'Body: parentId must be a whole number'],
    ['POST', '/api/v1/me/collections', { name: 'Reading', public: 'yes' }, 'Body: public should be true or false, not a string'],
  ];
  for (const [method, path, body, expected] of cases) {
    const r = await call(method, path, { token: write, ...(body !== undefined ? { body } : {}) });
    assert.equal(r.res.status, 400, `${method} ${path}`);
    const error = (r.body as Json).error as string;
    assert.equal(error, expected);
    assert.doesNotMatch(error, ZOD_PHRASES);
  }
});

test('a saved search may be as long through the API as on the subscribe form: 300 characters, not 301', async () => {
  const t = await openDataApp();
  const call = caller(t);
  const token = await t.token(t.ada, 'write');
  const created = await call('POST', '/api/v1/me/subscriptions', { token, body: { kind: 'search', period: 'daily', query: 'a'.repeat(300) } });
  assert.equal(created.res.status, 201);
  const sub = S.SubscribeResult.parse(created.body).subscription!;
  assert.equal(sub.query, 'a'.repeat(300));
  const tooLong = await call('POST', '/api/v1/me/subscriptions', { token, body: { kind: 'search', period: 'daily', query: 'b'.repeat(301) } });
  assert.equal(tooLong.res.status, 400);
  assert.equal((tooLong.body as Json).error, 'Body: query must be at most 300 characters');

  const changed = await call('PATCH', `/api/v1/me/subscriptions/${sub.id}`, { token, body: { period: 'daily', query: 'c'.repeat(300) } });
  assert.equal(changed.res.status, 200);
  assert.equal(S.SubscriptionSchema.parse(changed.body).query, 'c'.repeat(300));
  const changedTooLong = await call('PATCH', `/api/v1/me/subscriptions/${sub.id}`, { token, body: { period: 'daily', query: 'd'.repeat(301) } });
  assert.equal(changedTooLong.res.status, 400);
  assert.equal((changedTooLong.body as Json).error, 'Body: query must be at most 300 characters');
});
