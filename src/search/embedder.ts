/**
 * Embedders: text to unit vectors for semantic search.
 *
 * - `CorpusEmbedder` (the default): trained on the instance's own papers when the index is built,
 *   deterministic, nothing downloaded. A bag-of-words encoder (idf-weighted sum of learnt word
 *   vectors, normalised) trained contrastively with the inverse cloze task (Lee et al. 2019): a
 *   sentence or title of a paper should find the rest of that paper among the others in its batch.
 *   Measured on SciFact it ranks better alone than LSA of the same size (docs/search.md).
 * - `OpenAiEmbedder`: any OpenAI-compatible `/v1/embeddings` endpoint.
 * - `TransformersEmbedder`: transformers.js with a model folder on disk (optional dependency;
 *   never fetches from a hub).
 */
import { gaussian, seededRandom } from './linalg.ts';
import { analyze } from './text.ts';
import { packStrings, type PackedStrings } from './segment.ts';

export interface EmbedInput {
  title: string;
  abstract: string;
}

export interface Embedder {
  /** Identifies the model: vectors from different names do not mix. */
  readonly name: string;
  readonly dims: number;
  embedDocuments(docs: readonly EmbedInput[]): Promise<Float32Array[]>;
  embedQuery(text: string): Promise<Float32Array>;
}

export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

// -------------------------------------------------------------------------------------------------
// The corpus-trained embedder.

export interface CorpusEmbedderOptions {
  dims: number;
  /** Most frequent terms given a vector; rarer ones are left to keyword search. */
  maxVocabulary: number;
  /** Papers sampled for training (deterministically, by id hash); all papers are embedded. */
  maxTrainingDocs: number;
  /** Pseudo-queries drawn from each training paper per epoch. */
  queriesPerDoc: number;
  epochs: number;
  batchSize: number;
  /** Softmax temperature of the contrastive loss. */
  temperature: number;
  learningRate: number;
  seed: number;
}

/** Measured on SciFact (docs/search.md): 256 dims and 4 epochs of 4 pseudo-queries a paper. */
export const DEFAULT_CORPUS_EMBEDDER: CorpusEmbedderOptions = {
  dims: 256,
  maxVocabulary: 60_000,
  maxTrainingDocs: 25_000,
  queriesPerDoc: 4,
  epochs: 4,
  batchSize: 256,
  temperature: 0.05,
  learningRate: 0.01,
  seed: 7,
};

/**
 * Whether a paper may be in the training sample of `max` out of `total` papers: a cheap first cut
 * (by id hash, with room to spare) so a build need not hold every paper's text; train() then keeps
 * the `max` lowest hashes.
 */
export function mayTrainOn(id: string, total: number, max: number): boolean {
  if (total <= max) return true;
  return hash32(id) / 4294967296 < Math.min(1, (1.3 * max) / total);
}

/** A document for training: its id (for the sample), title and abstract. */
export interface TrainingDoc extends EmbedInput {
  id: string;
}

interface Bag {
  idx: Int32Array;
  w: Float32Array;
}

const SENTENCE_SPLIT = /(?<=[.!?])\s+(?=[A-Z(\d])/;

/** FNV-1a: a stable hash for sampling papers by id. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class CorpusEmbedder implements Embedder {
  readonly name: string;
  private readonly termIndex = new Map<string, number>();

  constructor(
    readonly dims: number,
    readonly vocabulary: PackedStrings,
    /** Inverse document frequency of each vocabulary term. */
    readonly idf: Float32Array,
    /** Word vectors, vocabulary x dims. */
    readonly weights: Float32Array,
  ) {
    this.name = `corpus-ict-${dims}`;
    for (let i = 0; i < idf.length; i++) this.termIndex.set(vocabulary.text.slice(vocabulary.offsets[i]!, vocabulary.offsets[i + 1]!), i);
  }

  get vocabularySize(): number { return this.idf.length; }

  /** A normalised idf-weighted bag of the terms the model knows. */
  private bag(terms: readonly string[]): Bag {
    const counts = new Map<number, number>();
    for (const t of terms) {
      const i = this.termIndex.get(t);
      if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    const idx = new Int32Array(counts.size);
    const w = new Float32Array(counts.size);
    let k = 0;
    let n = 0;
    for (const [i, c] of counts) {
      idx[k] = i;
      w[k] = (1 + Math.log(c)) * this.idf[i]!;
      n += w[k]! * w[k]!;
      k++;
    }
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < w.length; j++) w[j]! /= n;
    return { idx, w };
  }

  private encode(b: Bag, out: Float32Array): number {
    out.fill(0);
    const d = this.dims;
    const e = this.weights;
    for (let k = 0; k < b.idx.length; k++) {
      const o = b.idx[k]! * d;
      const w = b.w[k]!;
      for (let j = 0; j < d; j++) out[j] = out[j]! + w * e[o + j]!;
    }
    let n = 0;
    for (let j = 0; j < d; j++) n += out[j]! * out[j]!;
    n = Math.sqrt(n);
    if (n > 0) for (let j = 0; j < d; j++) out[j]! /= n;
    return n || 1;
  }

  /** Document terms: the title counts twice, as in keyword search. */
  static documentTerms(doc: EmbedInput): string[] {
    const title = analyze(doc.title);
    return [...title, ...title, ...analyze(doc.abstract)];
  }

  embedDocumentSync(doc: EmbedInput): Float32Array {
    const out = new Float32Array(this.dims);
    this.encode(this.bag(CorpusEmbedder.documentTerms(doc)), out);
    return out;
  }

  embedTermsSync(terms: readonly string[]): Float32Array {
    const out = new Float32Array(this.dims);
    this.encode(this.bag(terms), out);
    return out;
  }

  async embedDocuments(docs: readonly EmbedInput[]): Promise<Float32Array[]> {
    return docs.map((d) => this.embedDocumentSync(d));
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return this.embedTermsSync(analyze(text));
  }

  /**
   * Trains the model on a corpus. Deterministic: the same papers and options give the same model.
   * `onProgress(done, total)` is called after each batch.
   */
  static async train(
    corpus: Iterable<TrainingDoc>, opts: CorpusEmbedderOptions = DEFAULT_CORPUS_EMBEDDER,
    onProgress?: (done: number, total: number) => void,
  ): Promise<CorpusEmbedder> {
    // Sample by id hash (stable whatever the order), keeping the lowest hashes.
    const sample: { h: number; doc: TrainingDoc }[] = [];
    for (const doc of corpus) sample.push({ h: hash32(doc.id), doc });
    sample.sort((a, b) => a.h - b.h || (a.doc.id < b.doc.id ? -1 : 1));
    const docs = sample.slice(0, opts.maxTrainingDocs).map((s) => s.doc);

    const tokenized = docs.map((d) => ({
      title: analyze(d.title),
      sentences: d.abstract.split(SENTENCE_SPLIT).map((s) => analyze(s)).filter((s) => s.length > 2),
    }));
    const df = new Map<string, number>();
    for (const d of tokenized) for (const t of new Set([...d.title, ...d.sentences.flat()])) df.set(t, (df.get(t) ?? 0) + 1);
    const n = Math.max(1, docs.length);
    const vocabList = [...df].filter(([, c]) => c >= 2 || n < 50)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, opts.maxVocabulary)
      .map(([t]) => t)
      .sort();
    const idf = Float32Array.from(vocabList, (t) => Math.log(1 + (n - df.get(t)! + 0.5) / (df.get(t)! + 0.5)));
    const dims = opts.dims;
    const rand = seededRandom(opts.seed);
    const weights = new Float32Array(vocabList.length * dims);
    for (let i = 0; i < weights.length; i++) weights[i] = gaussian(rand) * 0.1;
    const model = new CorpusEmbedder(dims, packStrings(vocabList), idf, weights);
    if (vocabList.length === 0) return model;
    await model.fit(tokenized, opts, rand, onProgress);
    return model;
  }

  /** Contrastive training (in-batch negatives, Adam on the rows a batch touches). */
  private async fit(
    docs: { title: string[]; sentences: string[][] }[], opts: CorpusEmbedderOptions, rand: () => number,
    onProgress?: (done: number, total: number) => void,
  ): Promise<void> {
    const D = this.dims;
    const B = opts.batchSize;
    const tau = opts.temperature;
    const lr = opts.learningRate;
    const m1 = new Float32Array(this.weights.length);
    const m2 = new Float32Array(this.weights.length);
    let step = 0;
    const usable = docs.filter((d) => d.sentences.length >= 2);
    const perEpoch = Math.floor((usable.length * opts.queriesPerDoc) / B);
    const totalSteps = perEpoch * opts.epochs;
    if (usable.length < 4) return;
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const examples: [Bag, Bag][] = [];
      for (const d of usable) {
        for (let r = 0; r < opts.queriesPerDoc; r++) {
          let query: string[];
          let rest: string[];
          if (rand() < 0.25 && d.title.length > 0) {
            query = d.title;
            rest = d.sentences.flat();
          } else {
            const s = Math.floor(rand() * d.sentences.length);
            query = d.sentences[s]!;
            // Usually the sentence is taken out of its paper, sometimes left in (exact matches count too).
            rest = [...d.title, ...d.title, ...d.sentences.filter((_, k) => k !== s || rand() < 0.1).flat()];
          }
          examples.push([this.bag(query), this.bag(rest)]);
        }
      }
      for (let i = examples.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [examples[i], examples[j]] = [examples[j]!, examples[i]!];
      }
      const effectiveB = Math.min(B, examples.length);
      for (let s = 0; s + effectiveB <= examples.length; s += effectiveB) {
        const batch = examples.slice(s, s + effectiveB);
        const nb = batch.length;
        const q = batch.map(() => new Float32Array(D));
        const p = batch.map(() => new Float32Array(D));
        const qn = batch.map(([x], i) => this.encode(x, q[i]!));
        const pn = batch.map(([, x], i) => this.encode(x, p[i]!));
        const gq = batch.map(() => new Float32Array(D));
        const gp = batch.map(() => new Float32Array(D));
        const logits = new Float64Array(nb);
        for (let i = 0; i < nb; i++) {
          let max = -Infinity;
          const qi = q[i]!;
          for (let j = 0; j < nb; j++) {
            const pj = p[j]!;
            let dot = 0;
            for (let k = 0; k < D; k++) dot += qi[k]! * pj[k]!;
            logits[j] = dot / tau;
            if (logits[j]! > max) max = logits[j]!;
          }
          let z = 0;
          for (let j = 0; j < nb; j++) { logits[j] = Math.exp(logits[j]! - max); z += logits[j]!; }
          const gqi = gq[i]!;
          for (let j = 0; j < nb; j++) {
            const g = (logits[j]! / z - (i === j ? 1 : 0)) / tau / nb;
            if (g === 0) continue;
            const pj = p[j]!;
            const gpj = gp[j]!;
            for (let k = 0; k < D; k++) { gqi[k] = gqi[k]! + g * pj[k]!; gpj[k] = gpj[k]! + g * qi[k]!; }
          }
        }
        // Back through the normalisation and the weighted sum, into the rows used.
        const grads = new Map<number, Float32Array>();
        const back = (b: Bag, x: Float32Array, g: Float32Array, norm: number) => {
          let dot = 0;
          for (let k = 0; k < D; k++) dot += g[k]! * x[k]!;
          for (let k = 0; k < D; k++) g[k] = (g[k]! - dot * x[k]!) / norm;
          for (let t = 0; t < b.idx.length; t++) {
            let row = grads.get(b.idx[t]!);
            if (!row) grads.set(b.idx[t]!, (row = new Float32Array(D)));
            const w = b.w[t]!;
            for (let k = 0; k < D; k++) row[k] = row[k]! + w * g[k]!;
          }
        };
        batch.forEach(([bq, bp], i) => { back(bq, q[i]!, gq[i]!, qn[i]!); back(bp, p[i]!, gp[i]!, pn[i]!); });
        step++;
        const c1 = 1 - 0.9 ** step;
        const c2 = 1 - 0.999 ** step;
        const e = this.weights;
        for (const [row, g] of grads) {
          const o = row * D;
          for (let k = 0; k < D; k++) {
            const a = (m1[o + k] = 0.9 * m1[o + k]! + 0.1 * g[k]!);
            const v = (m2[o + k] = 0.999 * m2[o + k]! + 0.001 * g[k]! * g[k]!);
            e[o + k] = e[o + k]! - (lr * (a / c1)) / (Math.sqrt(v / c2) + 1e-8);
          }
        }
        onProgress?.(step, totalSteps);
        // Let a server answer requests between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
}

// -------------------------------------------------------------------------------------------------
// An OpenAI-compatible endpoint.

export interface OpenAiEmbedderOptions {
  /** Base URL up to and including /v1, e.g. http://127.0.0.1:8080/v1 */
  baseUrl: string;
  model: string;
  dims: number;
  apiKey?: string | undefined;
  /** Inputs per request. */
  batchSize?: number;
  /** How long a batch of papers may take (default 30 s). */
  timeoutMs?: number;
  /** How long a query may take (default 5 s): a search waits this long before it falls back to keywords. */
  queryTimeoutMs?: number;
  /** Prefixes some models expect ("query: ", "passage: "). */
  queryPrefix?: string;
  documentPrefix?: string;
  fetch?: typeof fetch;
}

export class OpenAiEmbedder implements Embedder {
  readonly name: string;
  readonly dims: number;
  constructor(private readonly opts: OpenAiEmbedderOptions) {
    this.name = `openai:${opts.model}`;
    this.dims = opts.dims;
  }

  private async request(input: string[], timeoutMs: number): Promise<Float32Array[]> {
    const url = `${this.opts.baseUrl.replace(/\/+$/, '')}/embeddings`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    const res = await (this.opts.fetch ?? fetch)(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: this.opts.model, input }),
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((err: Error) => {
      throw new Error(`search/embedder: ${url} did not answer: ${err.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (err.cause as Error | undefined)?.message ?? err.message}`);
    });
    if (!res.ok) throw new Error(`search/embedder: ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const body = (await res.json()) as { data?: { embedding?: number[]; index?: number }[] };
    if (!Array.isArray(body.data) || body.data.length !== input.length) {
      throw new Error(`search/embedder: ${url} returned ${body.data?.length ?? 'no'} embeddings for ${input.length} inputs`);
    }
    const out = new Array<Float32Array>(input.length);
    body.data.forEach((d, i) => {
      const v = d.embedding;
      if (!Array.isArray(v) || v.length !== this.dims) {
        throw new Error(`search/embedder: ${url} returned a vector of ${Array.isArray(v) ? v.length : 'no'} dimensions, expected ${this.dims}`);
      }
      out[d.index ?? i] = normalize(Float32Array.from(v));
    });
    return out;
  }

  async embedDocuments(docs: readonly EmbedInput[]): Promise<Float32Array[]> {
    const texts = docs.map((d) => `${this.opts.documentPrefix ?? ''}${d.title}\n\n${d.abstract}`.slice(0, 8_000));
    const size = this.opts.batchSize ?? 64;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += size) out.push(...(await this.request(texts.slice(i, i + size), this.opts.timeoutMs ?? 30_000)));
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return (await this.request([`${this.opts.queryPrefix ?? ''}${text}`.slice(0, 8_000)], this.opts.queryTimeoutMs ?? 5_000))[0]!;
  }
}

// -------------------------------------------------------------------------------------------------
// transformers.js with a local model folder (optional dependency).

/** The package name, kept in a variable so the type checker does not require it to be installed. */
const TRANSFORMERS_PACKAGE = '@huggingface/transformers';

export interface TransformersEmbedderOptions {
  /** Folder holding model folders (transformers.js `localModelPath`). */
  modelDir: string;
  /** The model folder's name inside modelDir, e.g. `all-MiniLM-L6-v2`. */
  model: string;
  dims: number;
  /** Prefixes some models expect ("query: ", "passage: "). */
  queryPrefix?: string;
  documentPrefix?: string;
}

type FeatureExtractor = (texts: string[], o: { pooling: 'mean'; normalize: boolean }) => Promise<{ data: Float32Array; dims: number[] }>;

export class TransformersEmbedder implements Embedder {
  readonly name: string;
  readonly dims: number;
  private extractor: Promise<FeatureExtractor> | null = null;
  constructor(private readonly opts: TransformersEmbedderOptions) {
    this.name = `transformers:${opts.model}`;
    this.dims = opts.dims;
  }

  private load(): Promise<FeatureExtractor> {
    this.extractor ??= (async () => {
      let mod: { env: Record<string, unknown>; pipeline: (task: string, model: string, o: object) => Promise<FeatureExtractor> };
      try {
        mod = await import(TRANSFORMERS_PACKAGE);
      } catch {
        throw new Error(`search/embedder: ${TRANSFORMERS_PACKAGE} is not installed (npm install --ignore-scripts ${TRANSFORMERS_PACKAGE}); see docs/search.md`);
      }
      mod.env.allowRemoteModels = false; // never fetch weights from a hub
      mod.env.allowLocalModels = true;
      mod.env.localModelPath = this.opts.modelDir;
      return mod.pipeline('feature-extraction', this.opts.model, { local_files_only: true });
    })();
    return this.extractor;
  }

  private async run(texts: string[]): Promise<Float32Array[]> {
    const extract = await this.load();
    const out = await extract(texts, { pooling: 'mean', normalize: true });
    const d = out.dims[out.dims.length - 1]!;
    if (d !== this.dims) throw new Error(`search/embedder: model ${this.opts.model} gives ${d} dimensions, expected ${this.dims}`);
    return texts.map((_, i) => out.data.slice(i * d, (i + 1) * d));
  }

  async embedDocuments(docs: readonly EmbedInput[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < docs.length; i += 16) {
      out.push(...(await this.run(docs.slice(i, i + 16).map((d) => `${this.opts.documentPrefix ?? ''}${d.title}. ${d.abstract}`))));
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return (await this.run([`${this.opts.queryPrefix ?? ''}${text}`]))[0]!;
  }
}
