/**
 * Renaming a collection and making it public or private, from the collections page and through the
 * API (in-process app, real SQLite): the owner only, the name rules of a new collection, the same id
 * and address after a rename, and a collection made private closed to everyone else at once; names
 * with control characters or nothing visible refused (API token names too).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';
import { openDataApp } from '../api/support.ts';
import * as S from '../../src/web/api/schemas.ts';
import { createAccount } from '../../src/services/accounts.ts';
import { listUserApiTokens } from '../../src/store/api-tokens.ts';
import { findUserByName } from '../../src/store/users.ts';

test('the owner renames a collection and makes it public then private; others see the change on their next request', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const anon = new WebClient(app, '192.0.2.90');
  assert.equal((await ada.post('/collections', { name: 'Reading list', paper: '2505.00201' })).status, 303);
  let mine = (await ada.get('/collections')).html;
  const id = /action="\/collections\/(\d+)"/.exec(mine)![1]!;
  assert.match(mine, new RegExp(`<form method="post" action="/collections/${id}" class="form">`));
  assert.match(mine, /<summary>Edit<span class="sr-only"> collection Reading list<\/span><\/summary>/);
  assert.match(mine, /<input type="text" name="name" required="" maxlength="80" value="Reading list"\/>/);
  const page = '/users/ada/collections/reading-list';
  const feed = '/feeds/collections/ada/reading-list.rss';
  assert.equal((await anon.get(page)).res.status, 404, 'private at first');
  assert.equal((await anon.get(feed)).res.status, 404);

  // Rename and publish: same id, same address.
  const saved = await ada.post(`/collections/${id}`, { name: 'Long-context reading', public: '1' });
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get('location'), `/collections#collection-${id}`);
  mine = (await ada.get('/collections')).html;
  assert.match(mine, new RegExp(`<li id="collection-${id}"><a href="${page}">Long-context reading</a> <span class="muted">\\(1 paper, public\\)</span>`));
  for (const viewer of [anon, bob]) {
    const seen = await viewer.get(page);
    assert.equal(seen.res.status, 200);
    assert.match(seen.html, /<h1>Long-context reading<\/h1>/);
    assert.match(seen.html, /Sparse attention for long documents/);
  }
  const rss = await anon.get(feed);
  assert.equal(rss.res.status, 200);
  assert.equal(rss.res.headers.get('cache-control'), 'public, no-cache', 'caches ask again each time: it may become private');
  assert.match(rss.html, /Long-context reading · a collection by ada/);
  assert.match((await bob.get('/users/ada')).html, /Long-context reading/);
  // Unticking "public" (the browser then sends no field) makes it private again, at once for everyone else.
  assert.equal((await anon.get(page)).res.status, 200, 'seen just before the change');
  assert.equal((await ada.post(`/collections/${id}`, { name: 'Long-context reading' })).status, 303);
  assert.equal((await anon.get(page)).res.status, 404);
  assert.equal((await bob.get(page)).res.status, 404);
  assert.equal((await anon.get(feed)).res.status, 404);
  assert.equal((await anon.get('/feeds/collections/ada/reading-list.atom')).res.status, 404);
  assert.doesNotMatch((await bob.get('/users/ada')).html, /Long-context reading/);
  assert.equal((await ada.get(page)).res.status, 200, 'the owner still sees it');
  const row = await store.db.selectFrom('collections').select(['id', 'slug', 'name', 'is_public']).executeTakeFirstOrThrow();
  assert.deepEqual(row, { id: Number(id), slug: 'reading-list', name: 'Long-context reading', is_public: 0 });

  // The name rules of a new collection; a new collection of the old name gets the next address.
  for (const [name, message] of [['   ', /Name the collection/], ['x'.repeat(81), /at most 80 characters/], ['bad\u0007name', /control characters/]] as const) {
    const bad = await ada.post(`/collections/${id}`, { name, public: '1' });
    assert.equal(bad.status, 422, JSON.stringify(name));
    const html = await bad.text();
    assert.match(html, message);
    assert.match(html, /role="alert"/);
  }
  assert.equal((await store.db.selectFrom('collections').select('is_public').executeTakeFirstOrThrow()).is_public, 0, 'a refused edit changes nothing');
  assert.equal((await ada.post(`/collections/${id}`, { name: '  Trimmed  ' })).status, 303);
  assert.equal((await store.db.selectFrom('collections').select('name').where('id', '=', Number(id)).executeTakeFirstOrThrow()).name, 'Trimmed');
  assert.equal((await ada.post('/collections', { name: 'Reading list' })).status, 303);
  assert.match((await ada.get('/collections')).html, /href="\/users\/ada\/collections\/reading-list-2">Reading list</);

  // Only the owner; no such collection; no form token.
  assert.equal((await bob.post(`/collections/${id}`, { name: 'Mine now', public: '1' })).status, 404);
  assert.equal((await ada.post('/collections/999999', { name: 'Nope' })).status, 404);
  assert.equal((await ada.post('/collections/abc', { name: 'Nope' })).status, 404);
  assert.equal((await ada.post(`/collections/${id}`, { name: 'No token' }, { csrf: null })).status, 403);
  assert.equal((await anon.post(`/collections/${id}`, { name: 'Anon' })).status, 401);
  assert.equal((await store.db.selectFrom('collections').select('name').where('id', '=', Number(id)).executeTakeFirstOrThrow()).name, 'Trimmed');
});

test('PATCH /api/v1/me/collections/{id}: rename, make public or private, owner only, clear 4xx', async () => {
  const t = await openDataApp();
  const token = await t.token(t.ada, 'write');
  const call = async (method: string, path: string, opts: { token?: string; body?: unknown } = {}) => t.json(path, {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const col = S.Collection.parse((await call('POST', '/api/v1/me/collections', { token, body: { name: 'Drafts' } })).body);
  await call('PUT', `/api/v1/me/collections/${col.id}/papers/2505.00202`, { token });
  assert.equal((await t.json('/api/v1/users/ada/collections/drafts')).res.status, 404);

  const published = await call('PATCH', `/api/v1/me/collections/${col.id}`, { token, body: { public: true } });
  assert.equal(published.res.status, 200);
  const p = S.Collection.parse(published.body);
  assert.equal(p.id, col.id);
  assert.equal(p.public, true);
  assert.equal(p.name, 'Drafts', 'a field left out stays');
  assert.equal(p.feeds?.rss, 'http://localhost/feeds/collections/ada/drafts.rss');
  assert.equal((await t.json('/api/v1/users/ada/collections/drafts')).res.status, 200, 'public to anyone at once');

  const renamed = S.Collection.parse((await call('PATCH', `/api/v1/me/collections/${col.id}`, { token, body: { name: 'Best of May' } })).body);
  assert.equal(renamed.name, 'Best of May');
  assert.equal(renamed.public, true);
  assert.equal(renamed.url, p.url, 'the address stays');
  const seen = S.CollectionWithPapers.parse((await t.json('/api/v1/users/ada/collections/drafts')).body);
  assert.equal(seen.name, 'Best of May');
  assert.deepEqual(seen.papers.map((x) => x.id), ['2505.00202']);

  const closed = S.Collection.parse((await call('PATCH', `/api/v1/me/collections/${col.id}`, { token, body: { public: false } })).body);
  assert.equal(closed.public, false);
  assert.equal(closed.feeds, null);
  assert.equal((await t.json('/api/v1/users/ada/collections/drafts')).res.status, 404);
  assert.equal((await t.json('/feeds/collections/ada/drafts.rss')).res.status, 404);

  const other = await createAccount({ store: t.store, now: () => Date.now() }, { username: 'eve', email: 'eve@example.org', password: 'yet another password', role: 'member' });
  const eve = await t.token(other, 'write');
  const read = await t.token(t.ada, 'read');
  const refused = async (status: number, opts: { token?: string; body?: unknown }, path = `/api/v1/me/collections/${col.id}`, message?: RegExp) => {
    const r = await call('PATCH', path, opts);
    assert.equal(r.res.status, status, `${path} ${JSON.stringify(opts.body)}`);
    assert.equal(typeof (r.body as { error?: unknown }).error, 'string');
    if (message) assert.match((r.body as { error: string }).error, message);
  };
  await refused(404, { token: eve, body: { public: true } }, undefined, /no such collection/);
  await refused(401, { body: { public: true } });
  await refused(403, { token: read, body: { public: true } });
  await refused(404, { token, body: { public: true } }, '/api/v1/me/collections/999999');
  await refused(400, { token, body: { public: true } }, '/api/v1/me/collections/abc');
  await refused(422, { token, body: {} }, undefined, /Give a new name/);
  await refused(422, { token, body: { name: '' } }, undefined, /Name the collection/);
  await refused(422, { token, body: { name: 'x'.repeat(81) } }, undefined, /at most 80/);
  const wrongType = await call('PATCH', `/api/v1/me/collections/${col.id}`, { token, body: { public: 'yes' } });
  assert.ok(wrongType.res.status >= 400 && wrongType.res.status < 500, String(wrongType.res.status));
  const [still] = S.Collections.parse((await call('GET', '/api/v1/me/collections', { token })).body).collections;
  assert.deepEqual([still?.name, still?.public], ['Best of May', false], 'refused changes changed nothing');
});

test('names with control characters (C0, DEL, C1, direction overrides) or with nothing visible are refused, in forms and the API; API token names too', async () => {
  const t = await openDataApp();
  const token = await t.token(t.ada, 'write');
  const count = async () => Number((await t.store.db.selectFrom('collections').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const post = (body: unknown) => t.json('/api/v1/me/collections', {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const cases: [string, RegExp][] = [
    ['a\u0085b', /^Collection names cannot contain control characters\.$/],
    ['a\u007fb', /^Collection names cannot contain control characters\.$/],
    ['a\u009fb', /^Collection names cannot contain control characters\.$/],
    ['\u0085', /^Collection names cannot contain control characters\.$/],
    ['Reading \u202egnp.exe', /^Collection names cannot contain control characters\.$/],
    ['a\u2067b\u2069', /^Collection names cannot contain control characters\.$/],
    ['\u200b', /^Name the collection\.$/],
    ['  \u200b\u200d\ufeff  ', /^Name the collection\.$/],
    ['\u3164', /^Name the collection\.$/],
    ['\u2800', /^Name the collection\.$/],
  ];
  for (const [name, message] of cases) {
    const r = await post({ name });
    assert.equal(r.res.status, 422, JSON.stringify(name));
    assert.match((r.body as { error: string }).error, message, JSON.stringify(name));
  }
  assert.equal(await count(), 0, 'nothing was created');
  const col = S.Collection.parse((await post({ name: 'Zero\u200bwidth inside is fine 😀' })).body);
  for (const [name, message] of cases) {
    const r = await t.json(`/api/v1/me/collections/${col.id}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name }),
    });
    assert.equal(r.res.status, 422, JSON.stringify(name));
    assert.match((r.body as { error: string }).error, message);
  }
  assert.equal((await t.store.db.selectFrom('collections').select('name').executeTakeFirstOrThrow()).name, 'Zero\u200bwidth inside is fine 😀');

  // The same rules through the forms, and for API token names.
  const { app, outboxDir, store } = await testApp();
  const ada = await memberSession(app, outboxDir, 'ada');
  for (const [name, message] of [['a\u0085b', /control characters/], ['\u200b', /Name the collection/]] as const) {
    const res = await ada.post('/collections', { name });
    assert.equal(res.status, 422);
    assert.match(await res.text(), message);
  }
  assert.equal(Number((await store.db.selectFrom('collections').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n), 0);
  for (const [name, message] of [['a\u0085b', /Token names cannot contain control characters\./], ['ci \u202ebot', /Token names cannot contain control characters\./],
    ['\u200b', /Name the token/]] as const) {
    const res = await ada.post('/settings/tokens', { name, scope: 'read', expires: '' }, { tokenPage: '/settings/tokens' });
    assert.equal(res.status, 422, JSON.stringify(name));
    assert.match(await res.text(), message);
  }
  // A refused token form comes back as it was typed, the error by it.
  const typed = await ada.post('/settings/tokens', { name: 'reading list script', scope: 'write', expires: '9x' }, { tokenPage: '/settings/tokens' });
  assert.equal(typed.status, 422);
  const form = /<form method="post" action="\/settings\/tokens"[\s\S]*?<\/form>/.exec(await typed.text())?.[0] ?? '';
  assert.match(form, /<p class="alert" role="alert" id="token-error">Expiry: a number of days/);
  assert.match(form, /name="name"[^>]*value="reading list script"[^>]*aria-describedby="token-error"/);
  assert.match(form, /value="write" checked=""/);
  assert.doesNotMatch(form, /value="read" checked=""/);
  assert.match(form, /name="expires"[^>]*value="9x"/);
  assert.deepEqual(await listUserApiTokens(store.db, (await findUserByName(store.db, 'ada'))!.id), []);
});
