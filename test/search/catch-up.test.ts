/**
 * A new instance's index is built while its store is empty, then papers arrive (an import, the first
 * ingests): semantic search is off rather than answering in id order, and once the papers added
 * outnumber the index (and reach CATCH_UP_MIN_PAPERS) the server builds it again by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/search/query.ts';
import { CATCH_UP_MIN_PAPERS, SearchIndex } from '../../src/search/search-index.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from './fixtures.ts';

test('an index built on an empty store has semantic search off, and builds itself again once the papers added outnumber it', async (t) => {
  const store = await tempStore();
  const logs: string[] = [];
  const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER, buildInWorker: false, log: (m) => logs.push(m) }, true);
  t.after(() => index.close());
  const first = index.status();
  assert.equal(first.semantic, 'off', 'an embedder that learnt no words does not rank by meaning');
  index.startFollowing(60_000); // the timer marks a server's index; the test calls refresh() itself

  const papers = topicalRecords(CATCH_UP_MIN_PAPERS);
  await store.upsertPapers(papers.slice(0, -1), FIXED_NOW);
  await index.refresh();
  await index.ready();
  assert.equal(index.status().generation, first.generation, `${CATCH_UP_MIN_PAPERS - 1} papers: not yet`);
  assert.equal(index.status().semantic, 'off');
  const keyword = await index.search({ query: parseQuery('quantum qubits'), mode: 'keyword', sort: 'relevance', offset: 0, limit: 5 });
  assert.match(keyword.hits[0]!.id, /^2503\./, 'the papers are searchable by their words meanwhile');

  await store.upsertPapers(papers.slice(-1), FIXED_NOW);
  await index.refresh();
  await index.ready();
  const rebuilt = index.status();
  assert.ok(rebuilt.generation > first.generation, 'built again');
  assert.equal(rebuilt.semantic, 'ready');
  assert.equal(rebuilt.papers, CATCH_UP_MIN_PAPERS);
  assert.ok(logs.some((m) => m.includes(`${CATCH_UP_MIN_PAPERS} papers changed or added since the index was built, which holds 0`)), logs.join('\n'));
  const byMeaning = await index.search({ query: parseQuery('protecting qubits from noise'), mode: 'semantic', sort: 'relevance', offset: 0, limit: 5 });
  const titles = new Map(papers.map((p) => [p.id, p.title]));
  assert.ok(byMeaning.hits.slice(0, 3).every((h) => titles.get(h.id)!.startsWith('Quantum error correction')), byMeaning.hits.map((h) => titles.get(h.id)).join(' | '));

  // Now it holds them all: a few more papers are added to it live, without another build.
  await store.upsertPapers([paperRecord({ id: '2504.00001', title: 'Zebrafish fins regrow', abstract: 'Zebrafish regenerate their fins.' })], FIXED_NOW);
  await index.refresh();
  await index.ready();
  assert.equal(index.status().generation, rebuilt.generation);
  assert.equal(index.status().papers, CATCH_UP_MIN_PAPERS + 1);
});
