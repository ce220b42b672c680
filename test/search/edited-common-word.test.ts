/**
 * A word every paper has, once one of the papers was edited (its old posting stays in the index
 * until segments merge): the search still lists what it counts. It showed "6 results" and none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idf } from '../../src/search/bm25.ts';
import { parseQuery } from '../../src/search/query.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';

const paper = (n: number, version = 1) => paperRecord({
  id: `2505.${String(20000 + n).padStart(5, '0')}`, title: `Graph study ${n}${version > 1 ? ', revised' : ''}`, abstract: `A graph method, case ${n}.`,
  versions: [{ version, submittedAt: '2025-05-05T00:00:00.000Z' }],
});

test('a word in every paper, after one paper was edited: every paper is listed, as counted', async () => {
  const store = await tempStore();
  await store.upsertPapers([0, 1, 2, 3, 4, 5].map((n) => paper(n)), FIXED_NOW);
  const index = await SearchIndex.open(store, { semantic: false, buildInWorker: false }, true);
  try {
    const search = () => index.search({ query: parseQuery('graph'), mode: 'keyword', sort: 'relevance', offset: 0, limit: 10 });
    assert.equal((await search()).hits.length, 6);
    await store.upsertPapers([paper(0, 2)], FIXED_NOW);
    await index.refresh();
    const after = await search();
    assert.equal(after.total, 6);
    assert.equal(after.hits.length, 6, 'listed as counted');
    assert.ok(after.hits.some((h) => h.id === '2505.20000'), 'the edited paper too');
  } finally {
    await index.close();
  }
});

test('idf is positive whatever the document frequency says', () => {
  assert.ok(idf(6, 6) > 0);
  assert.equal(idf(6, 7), idf(6, 6), 'a frequency over the count is taken as the count');
  assert.ok(idf(1000, 1) > idf(1000, 10));
});
