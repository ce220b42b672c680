/**
 * Similar papers without vectors: with semantic search off, the paper's strongest terms are
 * searched as keywords, and the reason says so.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchIndex } from '../../src/search/search-index.ts';
import { describeSimilarReason, findSimilarPapers } from '../../src/discovery/similar.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { topicalRecords } from '../search/fixtures.ts';

const store = await tempStore();
await store.upsertPapers(topicalRecords(24), FIXED_NOW);
const index = await SearchIndex.open(store, { semantic: false }, true);
after(() => index.close());

test('keyword neighbours share the topic, and the reason names the shared words', async () => {
  const r = await findSimilarPapers({ store, index }, '2503.10004', 5); // topic 4: quantum error correction
  assert.equal(r.state, 'ready');
  // Its eight strongest words (quantum, qubits, surface, ...) occur only in the three other papers of its topic.
  assert.equal(r.items.length, 3);
  assert.ok(r.items.every((i) => i.id !== '2503.10004'));
  assert.ok(r.items.every((i) => (Number(i.id.slice(-5)) - 10000) % 6 === 4), r.items.map((i) => i.id).join(' '));
  assert.equal(r.items[0]!.reason.semantic, false);
  assert.match(describeSimilarReason(r.items[0]!.reason), /^shares keywords; among them: .*(quantum|qubits|surface)/);
});

test('an unknown paper and k = 0 give nothing, without errors', async () => {
  assert.deepEqual((await findSimilarPapers({ store, index }, '2501.00000', 5)).items, []);
  assert.deepEqual((await findSimilarPapers({ store, index }, '2503.10004', 0)).items, []);
});

test('before the index exists: building', async () => {
  const s = await tempStore();
  const r = await findSimilarPapers({ store: s, index: SearchIndex.detached(s) }, '2503.10004', 5);
  assert.deepEqual(r, { state: 'building', items: [] });
});
