/**
 * An external embedder chosen by the settings (PAPERBOY_EMBEDDER=openai), against a local
 * OpenAI-compatible endpoint: the server, `paperboy reindex` and `paperboy search` use it, and
 * search keeps answering, by keywords and saying so, while it is down.
 */
import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../src/config.ts';
import { runReindex } from '../../src/cli/reindex.ts';
import { runSearchCli } from '../../src/cli/search.ts';
import { OpenAiEmbedder, type OpenAiEmbedderOptions } from '../../src/search/embedder.ts';
import { parseQuery } from '../../src/search/query.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { startEmbeddingsServer } from '../helpers/embeddings-server.ts';
import { paperRecord } from '../helpers/factories.ts';
import { startTestServer } from '../helpers/server.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { topicalRecords } from './fixtures.ts';

const embeddings = await startEmbeddingsServer(8);
after(() => embeddings.close());
beforeEach(() => { embeddings.failWith = null; embeddings.hang = false; });

const settings: Pick<Config, 'embedder' | 'searchEngine'> = {
  searchEngine: 'memory',
  embedder: { kind: 'openai', url: embeddings.baseUrl, model: 'test-embed', dims: 8, apiKey: null, queryPrefix: 'query: ', documentPrefix: 'passage: ' },
};
const inputs = () => embeddings.seen.flatMap((s) => s.body.input);
/** The local endpoint's embedder, as the settings above make it (no prefixes unless given). */
const endpointEmbedder = (extra: Partial<OpenAiEmbedderOptions> = {}) => new OpenAiEmbedder({ baseUrl: embeddings.baseUrl, model: 'test-embed', dims: 8, ...extra });

/** A store holding 12 papers of the test topics. */
async function topicalStore() {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(12), FIXED_NOW);
  return store;
}

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c) => { text += c; });
  return { stream: s, text: () => text };
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('serve with PAPERBOY_EMBEDDER=openai', () => {
  test('papers and queries go to the endpoint, with their prefixes; while it is down, search answers by keywords and says so', async () => {
    const { server, store } = await startTestServer({
      PAPERBOY_DEMO: 'false', PAPERBOY_EMBEDDER: 'openai', PAPERBOY_EMBEDDER_URL: embeddings.baseUrl, PAPERBOY_EMBEDDER_MODEL: 'test-embed',
      PAPERBOY_EMBEDDER_DIMENSIONS: '8', PAPERBOY_EMBEDDER_QUERY_PREFIX: 'query: ', PAPERBOY_EMBEDDER_DOCUMENT_PREFIX: 'passage: ',
    });
    try {
      await store.upsertPapers(topicalRecords(24), FIXED_NOW);
      const page = async (q: string) => {
        const res = await fetch(`${server.url}/search?${new URLSearchParams({ q })}`);
        assert.equal(res.status, 200);
        return res.text();
      };
      await until('the new papers to be searchable', async () => (await page('surface codes qubits')).includes('href="/papers/2503.10004"'));
      // Found by keywords at once; embedded once the index has taken them up (a build may still be finishing).
      await until('the new papers to be embedded with the document prefix', async () => inputs().some((t) => t.startsWith('passage: Quantum error correction codes')));
      assert.ok(inputs().includes('query: surface codes qubits'), 'the query embedded with the query prefix');
      assert.doesNotMatch(await page('surface codes qubits'), /unavailable right now/);

      embeddings.failWith = 503;
      for (const mode of ['hybrid', 'semantic']) {
        const res = await fetch(`${server.url}/search?${new URLSearchParams({ q: 'surface codes qubits', mode })}`);
        assert.equal(res.status, 200, mode);
        const html = await res.text();
        assert.match(html, /Search by meaning is unavailable right now \(the embedding service did not answer\); these are keyword results\./, mode);
        assert.doesNotMatch(html, /still being prepared/, mode);
        assert.match(html, /<mark>Surface<\/mark> <mark>codes<\/mark> protect <mark>qubits<\/mark>/, `${mode}: keyword results, marked`);
      }
      const api = await fetch(`${server.url}/api/papers/search?q=surface+codes`);
      assert.equal(api.status, 200);
      assert.ok(((await api.json()) as unknown[]).length > 0, 'the JSON API answers by keywords too');

      // A paper added meanwhile is found by its words at once.
      await store.upsertPapers([paperRecord({ id: '2504.00001', title: 'Braiding anyons for topological qubits', abstract: 'Anyons braid.' })], FIXED_NOW);
      await until('the paper added while the endpoint is down', async () => (await page('anyons')).includes('href="/papers/2504.00001"'));
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe('the in-memory index with an external embedder', () => {
  test('papers changed while the endpoint is down get their vectors once it answers again', async () => {
    const store = await topicalStore();
    const embedder = endpointEmbedder();
    const index = await SearchIndex.open(store, { embedder, vectorRetryMs: 100 }, true);
    try {
      assert.equal(index.status().semantic, 'ready');
      embeddings.failWith = 503;
      await store.upsertPapers([paperRecord({ id: '2504.00001', title: 'Braiding anyons for topological qubits', abstract: 'Anyons braid.' })], FIXED_NOW);
      await index.refresh();
      const keyword = await index.search({ query: parseQuery('anyons'), mode: 'keyword', sort: 'relevance', offset: 0, limit: 5 });
      assert.deepEqual(keyword.hits.map((h) => h.id), ['2504.00001'], 'searchable by its words at once');
      assert.equal(index.discoveryView()!.vectorOf('2504.00001'), null, 'no vector yet');
      const hybrid = await index.search({ query: parseQuery('anyons qubits'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });
      assert.equal(hybrid.mode, 'keyword');
      assert.equal(hybrid.semanticUnavailable, true);

      embeddings.failWith = null;
      await index.refresh();
      assert.equal(index.discoveryView()!.vectorOf('2504.00001'), null, 'not asked again before the retry time');
      await sleep(150);
      await index.refresh();
      assert.ok(index.discoveryView()!.vectorOf('2504.00001'), 'embedded once the endpoint answers');
      const semantic = await index.search({ query: parseQuery('anyons braiding'), mode: 'semantic', sort: 'relevance', offset: 0, limit: 20 });
      assert.equal(semantic.mode, 'semantic');
      assert.ok(semantic.hits.some((h) => h.id === '2504.00001'));
    } finally {
      await index.close();
      await store.close();
    }
  });

  test('a first build the endpoint fails serves keywords with semantic search off, until a reindex saves vectors', async () => {
    const store = await topicalStore();
    embeddings.failWith = 503;
    const logs: string[] = [];
    const index = await SearchIndex.open(store, { embedder: endpointEmbedder(), log: (m) => logs.push(m) }, true);
    try {
      assert.ok(logs.some((l) => /search: build failed: .*answered 503/.test(l)), logs.join('\n'));
      assert.deepEqual([index.status().state, index.status().semantic], ['ready', 'off']);
      const r = await index.search({ query: parseQuery('quantum qubits'), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 5 });
      assert.equal(r.mode, 'keyword');
      assert.ok(r.hits.length > 0);

      embeddings.failWith = null;
      assert.equal(await runReindex(store, [], sink().stream, sink().stream, settings), 0);
      await index.refresh();
      assert.equal(index.status().semantic, 'ready', 'the saved index is taken up');
    } finally {
      await index.close();
      await store.close();
    }
  });

  test('a query the endpoint does not answer in time falls back to keywords', async () => {
    const store = await topicalStore();
    const embedder = endpointEmbedder({ queryTimeoutMs: 200 });
    const index = await SearchIndex.open(store, { embedder }, true);
    try {
      embeddings.hang = true;
      const r = await index.search({ query: parseQuery('quantum qubits'), mode: 'semantic', sort: 'relevance', offset: 0, limit: 5 });
      assert.equal(r.mode, 'keyword');
      assert.equal(r.semanticUnavailable, true);
      assert.ok(r.hits.length > 0);
    } finally {
      await index.close();
      await store.close();
    }
  });

  test('saved vectors of another size are not used with a model of the same name', async () => {
    const store = await topicalStore();
    const first = await SearchIndex.open(store, { embedder: endpointEmbedder() }, true);
    await first.close();
    const logs: string[] = [];
    const again = await SearchIndex.open(store, { embedder: endpointEmbedder({ dims: 16 }), log: (m) => logs.push(m) });
    try {
      assert.ok(logs.some((l) => /no vectors for the configured embedder; semantic search is off until paperboy reindex/.test(l)), logs.join('\n'));
      const r = await again.search({ query: parseQuery('quantum qubits'), mode: 'semantic', sort: 'relevance', offset: 0, limit: 5 });
      assert.equal(r.mode, 'keyword');
    } finally {
      await again.close();
      await store.close();
    }
  });
});

describe('paperboy reindex and search with PAPERBOY_EMBEDDER=openai', () => {
  test('reindex embeds every paper through the endpoint; search embeds the query there', async () => {
    const store = await topicalStore();
    try {
      const before = embeddings.seen.length;
      const out = sink();
      assert.equal(await runReindex(store, [], out.stream, sink().stream, settings), 0);
      assert.match(out.text(), /^reindex done papers=12 semantic=ready generation=1 ms=\d+\n$/);
      assert.equal(embeddings.seen.slice(before).flatMap((s) => s.body.input).filter((t) => t.startsWith('passage: ')).length, 12);

      const json = sink();
      assert.equal(await runSearchCli(store, ['surface codes', '--json', '--mode', 'semantic'], json.stream, sink().stream, settings), 0);
      const r = JSON.parse(json.text()) as { mode: string; items: { title: string }[]; notes: string[] };
      assert.equal(r.mode, 'semantic');
      assert.ok(inputs().includes('query: surface codes'));

      embeddings.failWith = 503;
      const down = sink();
      assert.equal(await runSearchCli(store, ['surface codes', '--mode', 'semantic'], down.stream, sink().stream, settings), 0);
      assert.match(down.text(), /note: Search by meaning is unavailable right now/);
      assert.match(down.text(), /Quantum error correction codes/);
    } finally {
      await store.close();
    }
  });

  test('a reindex the endpoint fails leaves the saved index as it was', async () => {
    const store = await topicalStore();
    try {
      assert.equal(await runReindex(store, [], sink().stream, sink().stream, settings), 0);
      embeddings.failWith = 503;
      await assert.rejects(runReindex(store, [], sink().stream, sink().stream, settings), /answered 503: overloaded/);
      embeddings.failWith = null;
      const index = await SearchIndex.open(store, { embedder: endpointEmbedder() });
      try {
        assert.deepEqual([index.status().generation, index.status().semantic, index.status().papers], [1, 'ready', 12]);
      } finally {
        await index.close();
      }
    } finally {
      await store.close();
    }
  });
});
