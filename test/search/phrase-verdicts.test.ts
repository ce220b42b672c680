/**
 * Phrase searches keep what they learnt from the papers' text (does this paper have the phrase?)
 * until the index's text changes: later pages, the other sort orders and the same search again do
 * not read the same abstracts again, find exactly what a fresh index finds, and a paper written
 * meanwhile (new, or edited to gain or lose the phrase) is found or dropped on the next search.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin } from 'kysely';
import { SearchIndex, type SearchRequest } from '../../src/search/search-index.ts';
import { parseQuery } from '../../src/search/query.ts';
import type { Store } from '../../src/store/index.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';

const store: Store = await tempStore();
/** Reads of papers' abstracts through `counted`, the store the index below uses. */
let textReads = 0;
const counter: KyselyPlugin = {
  transformQuery(args) {
    if (args.node.kind === 'SelectQueryNode' && JSON.stringify(args.node).includes('"abstract"')) textReads++;
    return args.node;
  },
  transformResult: async (args) => args.result,
};
const counted: Store = Object.create(store, { db: { value: store.db.withPlugin(counter) } }) as Store;

const day = (n: number) => `2025-0${1 + (n % 9)}-1${n % 10}T00:00:00.000Z`;
const paper = (n: number, abstract: string, version = 1) => paperRecord({
  id: `2505.${String(20000 + n).padStart(5, '0')}`,
  title: `Study ${n} of message passing`,
  abstract,
  publishedAt: day(n),
  updatedAt: version === 1 ? day(n) : '2025-10-01T00:00:00.000Z',
  versions: [{ version, submittedAt: day(n) }],
});
// 30 papers with "graph neural networks" in this order, 30 with both words the other way round, 10 with neither.
await store.upsertPapers([
  ...Array.from({ length: 10 }, (_, i) => paper(60 + i, `Crystal growth in furnaces, case ${i}.`)),
  ...Array.from({ length: 30 }, (_, i) => paper(i, `We train graph neural networks on molecules, case ${i}.`)),
  ...Array.from({ length: 30 }, (_, i) => paper(30 + i, `A neural model reads each graph of molecules, case ${i}.`)),
], FIXED_NOW);
const index = await SearchIndex.open(counted, { semantic: false, buildInWorker: false }, true);
after(async () => { await index.close(); });

const req = (q: string, o: Partial<SearchRequest> = {}): SearchRequest => ({ query: parseQuery(q), mode: 'keyword', sort: 'relevance', offset: 0, limit: 10, ...o });
const found = (r: { hits: { id: string }[]; total: number; totalExact: boolean }) => ({ ids: r.hits.map((h) => h.id), total: r.total, exact: r.totalExact });
/** What an index that has checked nothing yet finds (loaded from the same store). */
async function fresh(q: string, o: Partial<SearchRequest> = {}) {
  const other = await SearchIndex.open(store, { semantic: false, buildInWorker: false }, true);
  try { return found(await other.search(req(q, o))); } finally { await other.close(); }
}

describe('phrase searches', () => {
  test('later pages, other sort orders and the same search again read no abstract again, and find what a fresh index finds', async () => {
    textReads = 0;
    const first = found(await index.search(req('"graph neural"')));
    assert.ok(textReads > 0, 'the first search checks the phrase on the text');
    assert.equal(first.total, 30);
    assert.equal(first.ids.length, 10);
    textReads = 0;
    const pages = [
      found(await index.search(req('"graph neural"', { offset: 10 }))),
      found(await index.search(req('"graph neural"', { offset: 20 }))),
      found(await index.search(req('"graph neural"', { sort: 'date' }))),
      found(await index.search(req('"graph neural"', { sort: 'upvotes', offset: 10 }))),
      found(await index.search(req('molecules "graph neural"', { limit: 40 }))),
      found(await index.search(req('"graph neural"'))),
    ];
    assert.equal(textReads, 0, 'the papers already checked for this phrase are not read again');
    assert.deepEqual(pages[5], first, 'the same search again finds the same');
    assert.deepEqual(pages, [
      await fresh('"graph neural"', { offset: 10 }),
      await fresh('"graph neural"', { offset: 20 }),
      await fresh('"graph neural"', { sort: 'date' }),
      await fresh('"graph neural"', { sort: 'upvotes', offset: 10 }),
      await fresh('molecules "graph neural"', { limit: 40 }),
      await fresh('"graph neural"'),
    ]);
    assert.equal(new Set([first.ids, pages[0]!.ids, pages[1]!.ids].flat()).size, 30, 'three pages, no paper twice');
    assert.equal(pages[4]!.total, 30);
  });

  test('a paper that gains the phrase, one that loses it and a new one are seen by the next search', async () => {
    await index.search(req('"graph neural"', { limit: 50 }));
    await index.search(req('"graph neural"', { sort: 'date', limit: 50 }));
    const losing = paper(0, 'We train neural networks on each graph of molecules, case 0.', 2);
    const gaining = paper(30, 'A graph neural model reads molecules, case 0.', 2);
    const added = paper(99, 'Graph neural networks for crystals.');
    await store.upsertPapers([losing, gaining, added], FIXED_NOW);
    await index.refresh();
    for (const sort of ['relevance', 'date'] as const) {
      const r = found(await index.search(req('"graph neural"', { sort, limit: 50 })));
      assert.equal(r.total, 31, sort);
      assert.ok(!r.ids.includes(losing.id), `${sort}: the edited paper without the phrase is gone`);
      assert.ok(r.ids.includes(gaining.id), `${sort}: the edited paper with the phrase is found`);
      assert.ok(r.ids.includes(added.id), `${sort}: the new paper is found`);
      assert.deepEqual(r, await fresh('"graph neural"', { sort, limit: 50 }));
    }
  });
});
