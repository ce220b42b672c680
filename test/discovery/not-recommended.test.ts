/**
 * What the site does not recommend: papers arXiv withdrew (similar papers, For you's candidates),
 * papers curators hid (For you's candidates), and neighbours "by meaning" for a paper whose vector
 * says nothing (no word the embedder knows). Real store, real index with the small corpus embedder.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchIndex } from '../../src/search/search-index.ts';
import { findSimilarPapers } from '../../src/discovery/similar.ts';
import { listPeriodPapers } from '../../src/store/discovery.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { paperRecord } from '../helpers/factories.ts';
import { SMALL_EMBEDDER, topicalRecords } from '../search/fixtures.ts';

const store = await tempStore();
const topical = topicalRecords(54); // over 50 papers: words met once are not in the embedder's vocabulary
const twin = (id: string, from: (typeof topical)[number], extra: Partial<(typeof topical)[number]> = {}) =>
  paperRecord({ ...from, id, title: `${from.title} again`, ...extra });
await store.upsertPapers([
  ...topical,
  twin('2503.20001', topical[4]!, { withdrawn: true }), // topic 4's text, withdrawn
  twin('2503.20002', topical[4]!), // topic 4's text, hidden from the list below
  paperRecord({ id: '2503.20003', title: 'Σύνθεση 视频扩散模型', abstract: '' }), // no word the embedder knows
], FIXED_NOW);
await store.importBatch({ records: [], entries: [{ paperId: '2503.20002', day: '2025-05-06', submittedAt: FIXED_NOW }] }, FIXED_NOW);
await store.db.updateTable('daily_entries').set({ hidden: 1 }).where('paper_id', '=', '2503.20002').execute();
const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
after(() => index.close());

test('similar papers leave out papers arXiv withdrew, however close their text', async () => {
  const r = await findSimilarPapers({ store, index }, '2503.10004', 10);
  const ids = r.items.map((i) => i.id);
  assert.ok(ids.includes('2503.20002'), `the twin that is not withdrawn is there: ${ids.join(' ')}`);
  assert.ok(!ids.includes('2503.20001'), ids.join(' '));
});

test('a paper with no word the embedder knows gets no neighbours "by meaning"', async () => {
  const r = await findSimilarPapers({ store, index }, '2503.20003', 6);
  assert.equal(r.state, 'ready');
  assert.ok(r.items.every((i) => !i.reason.semantic), JSON.stringify(r.items));
  assert.deepEqual(r.items, [], 'nothing on the site shares its words');
});

test('For you\'s candidates of a period leave out withdrawn papers and papers hidden from the list', async () => {
  const ids = (await listPeriodPapers(store.db, '2025-05-01', '2025-05-31', 100)).map((p) => p.id);
  assert.ok(ids.includes('2503.10004'));
  assert.ok(!ids.includes('2503.20001'), 'withdrawn');
  assert.ok(!ids.includes('2503.20002'), 'hidden, though arXiv announced it');
  assert.equal(ids.length, 55, '54 papers of the topics and the one with no known word');
});
