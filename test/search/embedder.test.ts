import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CorpusEmbedder, OpenAiEmbedder, TransformersEmbedder } from '../../src/search/embedder.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { parseQuery } from '../../src/search/query.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { topicalRecords } from './fixtures.ts';
import { startEmbeddingsServer } from '../helpers/embeddings-server.ts';

const DIMS = 8;
const embeddings = await startEmbeddingsServer(DIMS);
after(() => embeddings.close());
const { baseUrl, seen } = embeddings;

describe('OpenAI-compatible embeddings endpoint (a local server)', () => {
  test('sends model, key and batches; returns unit vectors in input order', async () => {
    const e = new OpenAiEmbedder({ baseUrl, model: 'test-embed', dims: DIMS, apiKey: 'sk-test', batchSize: 2 });
    const out = await e.embedDocuments([{ title: 'Quantum codes', abstract: 'qubits' }, { title: 'Graph nets', abstract: 'molecules' }, { title: 'Robots', abstract: 'arms' }]);
    assert.equal(out.length, 3);
    assert.equal(seen.at(-1)!.body.model, 'test-embed');
    assert.equal(seen.at(-1)!.auth, 'Bearer sk-test');
    assert.deepEqual(seen.slice(-2).map((s) => s.body.input.length), [2, 1]);
    for (const v of out) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
    const q = await e.embedQuery('Quantum codes qubits');
    assert.ok(Math.abs(q.reduce((s, x, i) => s + x * out[0]![i]!, 0) - 1) < 1e-5, 'same text, same vector, order kept');
  });

  test('errors say what went wrong', async () => {
    embeddings.failNext = 503;
    await assert.rejects(new OpenAiEmbedder({ baseUrl, model: 'm', dims: DIMS }).embedQuery('x'), /answered 503: overloaded/);
    await assert.rejects(new OpenAiEmbedder({ baseUrl, model: 'm', dims: 16 }).embedQuery('x'), /8 dimensions, expected 16/);
  });

  test('semantic search through the endpoint; the saved vectors load back with the same embedder', async () => {
    const store = await tempStore();
    await store.upsertPapers(topicalRecords(24), FIXED_NOW);
    const embedder = new OpenAiEmbedder({ baseUrl, model: 'test-embed', dims: DIMS });
    const index = await SearchIndex.open(store, { embedder }, true);
    assert.equal(index.status().semantic, 'ready');
    const r = await index.search({ query: parseQuery('quantum error correction qubits'), mode: 'semantic', sort: 'relevance', offset: 0, limit: 3 });
    assert.equal(r.hits.length, 3);
    await index.close();
    const calls = seen.length;
    const again = await SearchIndex.open(store, { embedder });
    assert.equal(again.status().semantic, 'ready');
    assert.equal(seen.length, calls, 'loaded, nothing re-embedded');
    await again.close();
  });
});

describe('corpus-trained embedder', () => {
  const docs = topicalRecords(40).map((r) => ({ id: r.id, title: r.title, abstract: `${r.abstract} More text here. And another sentence follows.` }));
  const opts = { dims: 16, epochs: 2, queriesPerDoc: 2, batchSize: 8, temperature: 0.05, learningRate: 0.01, seed: 7, maxVocabulary: 1000, maxTrainingDocs: 100 };

  test('is deterministic: same corpus, same model', async () => {
    const a = await CorpusEmbedder.train(docs, opts);
    const b = await CorpusEmbedder.train([...docs].reverse(), opts);
    assert.deepEqual(Array.from(a.weights), Array.from(b.weights));
    assert.ok(a.vocabularySize > 20);
  });

  test('puts a paper nearer its own topic than others', async () => {
    const m = await CorpusEmbedder.train(docs, { ...opts, epochs: 6 });
    const q = await m.embedQuery('surface codes protect qubits');
    const sims = (await m.embedDocuments(docs)).map((v) => v.reduce((s, x, i) => s + x * q[i]!, 0));
    const best = sims.indexOf(Math.max(...sims));
    assert.match(docs[best]!.title, /Quantum/);
  });
});

describe('transformers.js embedder', () => {
  test('without the optional package it says how to install it, and never downloads', async () => {
    const e = new TransformersEmbedder({ modelDir: '/nonexistent', model: 'all-MiniLM-L6-v2', dims: 384 });
    await assert.rejects(e.embedQuery('x'), /not installed|Could not locate|local/);
  });
});
