/**
 * Ids past what the store's integer columns hold (2,147,483,647 on PostgreSQL) in addresses, forms,
 * links and cursors: each is an id that names nothing (404, 400, or the first page of a discussion),
 * never a 500 from the database refusing the number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession } from '../helpers/web-client.ts';
import { openDataApp } from '../api/support.ts';

const BIG = ['2147483648', '99999999999', '999999999999'];

test('pages and forms with an id past 32 bits answer as for any unknown id', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const wrong: string[] = [];
  let asked = 0;
  const expect = (what: string, status: number, want: number[]) => {
    asked++;
    if (!want.includes(status)) wrong.push(`${what}: ${status}, expected ${want.join(' or ')}`);
  };
  for (const id of BIG) {
    expect(`GET ?comment=${id}`, (await ada.get(`/papers/2505.00201?comment=${id}`)).res.status, [200]);
    expect(`GET /comments/${id}/edit`, (await ada.get(`/comments/${id}/edit`)).res.status, [404]);
    expect(`GET /comments/${id}/delete`, (await ada.get(`/comments/${id}/delete`)).res.status, [404]);
    for (const action of ['edit', 'delete', 'vote', 'report']) {
      const res = await ada.post(`/comments/${id}/${action}`, { body: 'x', want: '1', reason: 'x' }, { tokenPage: '/papers/2505.00201' });
      expect(`POST /comments/${id}/${action}`, res.status, [404]);
    }
    const reply = await ada.post('/actions/comment', { paper: '2505.00201', body: 'A reply.', parent: id }, { tokenPage: '/papers/2505.00201' });
    expect(`reply to ${id}`, reply.status, [404]);
    expect(`GET /collections/${id}/delete`, (await ada.get(`/collections/${id}/delete`)).res.status, [404]);
    expect(`POST /collections/${id}`, (await ada.post(`/collections/${id}`, { name: 'x' }, { tokenPage: '/papers/2505.00201' })).status, [404]);
    expect(`POST /settings/tokens/${id}/revoke`, (await ada.post(`/settings/tokens/${id}/revoke`, {}, { tokenPage: '/settings/tokens' })).status, [404]);
    expect(`POST /settings/digests/${id}`, (await ada.post(`/settings/digests/${id}`, { action: 'unsubscribe' }, { tokenPage: '/settings' })).status, [404]);
    expect(`GET /digests/${id}/2025-05-05`, (await ada.get(`/digests/${id}/2025-05-05?token=x`)).res.status, [400, 404]);
  }
  assert.deepEqual(wrong, [], `${wrong.length} of ${asked}`);
});

test('the API with an id or cursor past 32 bits: 404 for an id that names nothing, 400 for a cursor it never gave', async () => {
  const t = await openDataApp();
  const token = await t.token(t.ada, 'write');
  const auth = { authorization: `Bearer ${token}` };
  const wrong: string[] = [];
  const expect = async (what: string, init: RequestInit & { path: string }, want: number) => {
    const { res } = await t.json(init.path, { ...init, headers: { ...auth, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    if (res.status !== want) wrong.push(`${what}: ${res.status}, expected ${want}`);
  };
  for (const id of BIG) {
    await expect(`PATCH comment ${id}`, { path: `/api/v1/comments/${id}`, method: 'PATCH', body: JSON.stringify({ body: 'x' }) }, 404);
    await expect(`DELETE comment ${id}`, { path: `/api/v1/comments/${id}`, method: 'DELETE' }, 404);
    await expect(`PATCH subscription ${id}`, { path: `/api/v1/me/subscriptions/${id}`, method: 'PATCH', body: JSON.stringify({ period: 'daily' }) }, 404);
    await expect(`DELETE subscription ${id}`, { path: `/api/v1/me/subscriptions/${id}`, method: 'DELETE' }, 404);
    await expect(`PATCH collection ${id}`, { path: `/api/v1/me/collections/${id}`, method: 'PATCH', body: JSON.stringify({ name: 'x' }) }, 404);
    await expect(`DELETE collection ${id}`, { path: `/api/v1/me/collections/${id}`, method: 'DELETE' }, 404);
    await expect(`PUT collection ${id} paper`, { path: `/api/v1/me/collections/${id}/papers/2505.00201`, method: 'PUT' }, 404);
    await expect(`DELETE collection ${id} paper`, { path: `/api/v1/me/collections/${id}/papers/2505.00201`, method: 'DELETE' }, 404);
    const cursor = Buffer.from(JSON.stringify(['2025-01-01T00:00:00.000Z', Number(id)])).toString('base64url');
    await expect(`comments cursor ${id}`, { path: `/api/v1/papers/2505.00201/comments?cursor=${cursor}` }, 400);
  }
  assert.deepEqual(wrong, []);
});
