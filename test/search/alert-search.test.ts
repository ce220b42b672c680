/**
 * Alerts match through the search engine: a saved search finds, among the papers of a digest's
 * window, the ones the search page would find with every word, filters included. Real store, real index.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchIndex } from '../../src/search/search-index.ts';
import { searchPapers } from '../../src/search/service.ts';
import { alertSearch } from '../../src/services/alert-search.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { SMALL_EMBEDDER } from './fixtures.ts';

const store = await tempStore();
await store.upsertPapers([
  paperRecord({ id: '2505.00001', title: 'Graph neural networks for molecules', abstract: 'Message passing on molecular graphs.', categories: ['cs.LG'], publishedAt: '2025-05-04T00:00:00.000Z', codeUrl: 'https://github.com/x/a' }),
  paperRecord({ id: '2505.00002', title: 'Neural graph rewriting', abstract: 'Rewriting rules learnt by a network.', categories: ['cs.CL'], publishedAt: '2025-05-04T00:00:00.000Z' }),
  paperRecord({ id: '2505.00003', title: 'A survey of graph networks', abstract: 'We survey graph networks.', authors: ['Grace Hopper', 'Ada Lovelace'], categories: ['cs.AI'], publishedAt: '2025-05-05T00:00:00.000Z' }),
  paperRecord({ id: '2505.00004', title: 'GAN training', abstract: 'Generative adversarial nets for graph drawing.', authors: ['Alan Turing'], categories: ['cs.CV'], publishedAt: '2024-12-30T00:00:00.000Z', codeUrl: 'https://github.com/x/d' }),
  // Outside the window: never in an alert, however well it matches.
  paperRecord({ id: '2505.00005', title: 'Graph neural networks again', abstract: 'Graph neural networks, graph neural networks.', categories: ['cs.LG'], publishedAt: '2025-05-04T00:00:00.000Z' }),
], FIXED_NOW);
const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
const search = alertSearch({ store, index });
const scope = { from: '2025-05-05', to: '2025-05-05', ids: ['2505.00001', '2505.00002', '2505.00003', '2505.00004'] };
after(async () => { await index.close(); await store.close(); });

test('an alert lists the window\'s papers having every word, with the search box\'s filters', async () => {
  const table: [string, string][] = [
    ['graph', '1,2,3,4'],
    ['graph neural', '1,2'], // every word, any order
    ['"graph neural"', '1'], // a phrase keeps its order
    ['graph -survey', '1,2,4'],
    ['networks', '1,2,3'], // stems: "a network" matches too
    ['graph cat:cs.LG', '1'],
    ['graph cat:cs', '1,2,3,4'], // a whole archive
    ['graph -cat:cs.CV', '1,2,3'],
    ['graph has:code', '1,4'],
    ['graph year:2025', '1,2,3'],
    ['graph before:2025-01-01', '4'],
    ['graph after:2025-05-05', '3'],
    ['author:lovelace graph', '1,2,3'], // the factory's default authors include Ada Lovelace
    ['author:"grace hopper"', '3'],
    ['author:turing -author:lovelace', '4'],
    ['cat:cs.AI', '3'], // filters alone: every paper of the window that passes
    ['molecule neural', '1'],
    ['zebrafish', ''],
  ];
  for (const [q, want] of table) {
    const ids = (await search(q, scope, 200)).map((id) => String(Number(id.slice(5)))).sort().join(',');
    assert.equal(ids, want, q);
  }
});

test('in the engine\'s order; the limit, an empty window and arXiv ids are kept', async () => {
  const ranked = await search('graph networks', scope, 200);
  const page = await searchPapers({ store, index }, { q: 'graph networks', pageSize: 100, only: new Set(scope.ids), allWords: true });
  assert.deepEqual(ranked, page.items.map((i) => i.id), 'in the search engine\'s order');
  assert.deepEqual([...ranked].sort(), ['2505.00001', '2505.00002', '2505.00003']);
  assert.equal((await search('graph', scope, 2)).length, 2);
  assert.deepEqual(await search('graph', { ...scope, ids: [] }, 200), []);
  assert.deepEqual(await search('2505.00005', scope, 200), [], 'an arXiv id outside the window finds nothing');
  assert.deepEqual(await search('2505.00002', scope, 200), ['2505.00002']);
});
