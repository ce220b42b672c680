/**
 * /api/v1/papers/{id}/comments answers a page at a time (100 comments unless `limit` says, at most
 * 500), oldest first, with `Link: rel="next"` to the rest: a busy paper's 3,000 comments were one
 * 1.2 MB answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insertComment } from '../../src/store/comments.ts';
import * as S from '../../src/web/api/schemas.ts';
import { NOW_MS, openDataApp } from './support.ts';

const PAPER = '2505.00202';

/** 360 comments: 120 threads with two replies each; every three share a moment, so ties are broken by id. */
async function busyPaper(t: Awaited<ReturnType<typeof openDataApp>>): Promise<number[]> {
  const ids: number[] = [];
  await t.store.transaction(async (trx) => {
    for (let i = 0; i < 120; i++) {
      const when = new Date(NOW_MS - 86_400_000 + Math.floor(i / 3) * 60_000).toISOString();
      const top = await insertComment(trx, { paperId: PAPER, userId: t.ada.id, parentId: null, body: `thread ${i}` }, when);
      const reply = await insertComment(trx, { paperId: PAPER, userId: t.ada.id, parentId: top, body: `reply ${i}` }, when);
      const deeper = await insertComment(trx, { paperId: PAPER, userId: t.ada.id, parentId: reply, body: `deeper ${i}` }, when);
      ids.push(top, reply, deeper);
    }
  });
  return ids;
}

const nextOf = (res: Response) => {
  const link = res.headers.get('link');
  if (!link) return null;
  const m = /^<http:\/\/localhost([^>]+)>; rel="next"$/.exec(link);
  assert.ok(m, link);
  return m[1]!;
};

test('following Link rel="next" walks every comment exactly once, oldest first', async () => {
  const t = await openDataApp();
  const ids = await busyPaper(t);
  let url: string | null = `/api/v1/papers/${PAPER}/comments`;
  const seen: number[] = [];
  const sizes: number[] = [];
  while (url) {
    const { res, body } = await t.json(url);
    assert.equal(res.status, 200, url);
    const page = S.Comments.parse(body);
    sizes.push(page.comments.length);
    seen.push(...page.comments.map((c) => c.id));
    url = nextOf(res);
  }
  assert.deepEqual(sizes, [100, 100, 100, 60], 'pages of 100 by default');
  assert.deepEqual(seen, [...ids].sort((a, b) => a - b));

  // A limit of its own: the next links keep it.
  url = `/api/v1/papers/${PAPER}/comments?limit=7`;
  const again: number[] = [];
  while (url) {
    const { res, body } = await t.json(url);
    const page = S.Comments.parse(body);
    assert.ok(page.comments.length <= 7);
    again.push(...page.comments.map((c) => c.id));
    url = nextOf(res);
    if (url) assert.match(url, /[?&]limit=7(&|$)/);
  }
  assert.deepEqual(again, seen);

  const all = await t.json(`/api/v1/papers/${PAPER}/comments?limit=500`);
  assert.equal(S.Comments.parse(all.body).comments.length, 360);
  assert.equal(all.res.headers.get('link'), null, 'no next page after the last');
});

test('limit and cursor values the API did not offer are a 400 that says which', async () => {
  const t = await openDataApp();
  await busyPaper(t);
  const garbage = Buffer.from(JSON.stringify({ a: 1 })).toString('base64url');
  const wrongTypes = Buffer.from(JSON.stringify([1, 'x'])).toString('base64url');
  for (const [q, says] of [
    ['limit=0', /limit must be from 1 to 500/], ['limit=501', /limit must be from 1 to 500/], ['limit=abc', /limit must be a whole number/],
    ['limit=-3', /limit must be a whole number/], ['cursor=', /cursor is not one this API returned/], ['cursor=%2F%2F', /cursor is not one this API returned/],
    [`cursor=${garbage}`, /cursor is not one this API returned/], [`cursor=${wrongTypes}`, /cursor is not one this API returned/],
    ['cursor=!!!', /cursor is not one this API returned/], [`cursor=${'A'.repeat(201)}`, /cursor is not one this API returned/],
  ] as const) {
    const { res, body } = await t.json(`/api/v1/papers/${PAPER}/comments?${q}`);
    assert.equal(res.status, 400, q);
    assert.match((body as { error: string }).error, says, q);
  }
});
