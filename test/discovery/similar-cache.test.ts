/**
 * Similar papers are kept per index epoch: the kept answer is the one a fresh computation gives,
 * votes leave it alone, and an edited or removed paper shows as soon as the index has taken the
 * change in. A real SQLite store and a real search index with vectors (small corpus embedder).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchIndex } from '../../src/search/search-index.ts';
import { findSimilarPapers, type SimilarDeps } from '../../src/discovery/similar.ts';
import { createUser } from '../../src/store/users.ts';
import { setVote } from '../../src/store/votes.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from '../search/fixtures.ts';

const store = await tempStore();
const records = topicalRecords(36);
await store.upsertPapers(records, FIXED_NOW);
const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
after(() => index.close());

const deps: SimilarDeps = { store, index };
/** The same index without an epoch: nothing is kept, every call computes afresh (the reference). */
const fresh: SimilarDeps = {
  store,
  index: { discoveryView: () => { const v = index.discoveryView(); return v && { ...v, epoch: undefined }; }, search: (r) => index.search(r) },
};
const PAPER = '2503.10004'; // topic 4: quantum error correction

test('a kept answer is the one a fresh computation gives, and is kept', async () => {
  assert.equal(index.discoveryView()!.vectors, true);
  const first = await findSimilarPapers(deps, PAPER, 5);
  assert.equal(first.state, 'ready');
  assert.equal(first.items.length, 5);
  assert.ok(first.items.every((i) => i.reason.semantic));
  assert.deepEqual(first, await findSimilarPapers(fresh, PAPER, 5));
  assert.equal(await findSimilarPapers(deps, PAPER, 5), first, 'the second call answers from what was kept');
  // Another k or weight is another answer.
  assert.equal((await findSimilarPapers(deps, PAPER, 3)).items.length, 3);
  assert.deepEqual(await findSimilarPapers(deps, PAPER, 5, { termWeight: 0 }), await findSimilarPapers(fresh, PAPER, 5, { termWeight: 0 }));
});

test('votes do not move the epoch (similar papers do not depend on them)', async () => {
  const before = index.discoveryView()!.epoch;
  const user = await createUser(store.db, { username: 'voter', email: 'voter@example.org', passwordHash: 'x', role: 'member', verified: true }, FIXED_NOW);
  await store.transaction((trx) => setVote(trx, user.id, PAPER, true, FIXED_NOW));
  await index.refresh();
  assert.equal(index.discoveryView()!.epoch, before);
  assert.deepEqual(await findSimilarPapers(deps, PAPER, 5), await findSimilarPapers(fresh, PAPER, 5));
});

test('an edited neighbour shows once the index has the edit: no stale reason or order', async () => {
  const before = await findSimilarPapers(deps, PAPER, 5);
  const top = before.items[0]!;
  const rec = records.find((r) => r.id === top.id)!;
  // The neighbour now speaks of something else entirely.
  await store.upsertPapers([{ ...rec, title: 'Medieval monastery bookkeeping ledgers', abstract: 'Ledgers of medieval monasteries record grain, wine and wool accounts over three centuries.' }], FIXED_NOW);
  await index.papersChanged([top.id]);
  const after = await findSimilarPapers(deps, PAPER, 5);
  assert.deepEqual(after, await findSimilarPapers(fresh, PAPER, 5));
  const moved = after.items.find((i) => i.id === top.id);
  assert.ok(!moved || moved.reason.shares.length === 0, `the edited paper no longer shares words: ${JSON.stringify(moved)}`);
  assert.notDeepEqual(after, before);
});

test('a removed paper is gone from kept answers once the index has the removal', async () => {
  const before = await findSimilarPapers(deps, PAPER, 5);
  const gone = before.items[0]!.id;
  await store.db.deleteFrom('paper_categories').where('paper_id', '=', gone).execute();
  await store.db.deleteFrom('paper_authors').where('paper_id', '=', gone).execute();
  await store.db.deleteFrom('paper_versions').where('paper_id', '=', gone).execute();
  await store.db.deleteFrom('votes').where('paper_id', '=', gone).execute();
  await store.db.deleteFrom('papers').where('id', '=', gone).execute();
  await index.papersChanged([gone]);
  const after = await findSimilarPapers(deps, PAPER, 5);
  assert.ok(after.items.every((i) => i.id !== gone));
  assert.deepEqual(after, await findSimilarPapers(fresh, PAPER, 5));
});
