/**
 * searchPaperIds (what the JSON API's search uses) finds the same papers, in the same order, as
 * searchPapers (what the search page shows), without computing cards and highlights. Real store,
 * real index with vectors.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchIndex } from '../../src/search/search-index.ts';
import { searchPaperIds, searchPapers, type SearchPapersRequest } from '../../src/search/service.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from './fixtures.ts';

const store = await tempStore();
await store.upsertPapers(topicalRecords(60), FIXED_NOW);
const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
after(() => index.close());

const requests: SearchPapersRequest[] = [
  { q: 'quantum' }, { q: 'sparse attention long documents', pageSize: 5 }, { q: 'attention', pageSize: 7, page: 2 },
  { q: 'graph networks', mode: 'keyword' }, { q: 'diffusion video', mode: 'semantic', pageSize: 50 },
  { q: 'attention', category: 'cs.CL', from: '2024-01-01', to: '2024-06-30', hasCode: true },
  { q: 'robots', sort: 'date' }, { q: 'attention', sort: 'upvotes' }, { q: 'https://arxiv.org/abs/2503.10007v2' }, { q: 'arXiv:2599.99999' },
  { q: '' }, { q: '   ' }, { q: '"error correction"' }, { q: 'quantun' }, { q: 'cat:cs.CV generation' },
];

test('the same ids in the same order as the full search, for every kind of query', async () => {
  for (const req of requests) {
    const full = await searchPapers({ store, index }, req);
    const expected = full.paperId ? [full.paperId] : full.items.map((i) => i.id);
    assert.deepEqual(await searchPaperIds({ store, index }, req), expected, JSON.stringify(req));
  }
  // Not a vacuous comparison: most of these find something.
  const found = await Promise.all(requests.map((r) => searchPaperIds({ store, index }, r)));
  assert.ok(found.filter((ids) => ids.length > 0).length >= 10);
  assert.deepEqual(await searchPaperIds({ store, index }, { q: 'https://arxiv.org/abs/2503.10007v2' }), ['2503.10007']);
});

test('up to 120 ids a call (the Hugging Face search API allows limit=120); the search page stays at 100', async () => {
  const many = await tempStore();
  await many.upsertPapers(topicalRecords(150), FIXED_NOW);
  const manyIndex = await SearchIndex.open(many, { corpusEmbedder: SMALL_EMBEDDER }, true);
  try {
    // Every topical paper's abstract says "Variant N".
    const ids = await searchPaperIds({ store: many, index: manyIndex }, { q: 'variant', pageSize: 120, mode: 'keyword' });
    assert.equal(ids.length, 120);
    assert.equal((await searchPaperIds({ store: many, index: manyIndex }, { q: 'variant', pageSize: 500, mode: 'keyword' })).length, 120);
    assert.equal((await searchPapers({ store: many, index: manyIndex }, { q: 'variant', pageSize: 120, mode: 'keyword' })).items.length, 100);
  } finally {
    await manyIndex.close();
    await many.close();
  }
});
