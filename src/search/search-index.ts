/**
 * The live search index of a store: a large segment built by `paperboy reindex` (or in the
 * background on first start) and saved in the store, plus a small segment of papers added or
 * changed since, rebuilt within a second of each change. It follows the store's change log
 * (migration 002), so papers imported by another process become searchable within seconds too.
 *
 * Modes: keyword (BM25F with MaxScore pruning), semantic (embedder + int8 SIMD vector scan), and
 * hybrid (keyword candidates re-ranked with the semantic similarity; the default, measured best).
 */
import { Worker } from 'node:worker_threads';
import type { Store } from '../store/index.ts';
import { DEFAULT_BM25, idf, stepWeight, type Bm25Params } from './bm25.ts';
import { pickCompletions } from './engine.ts';
import { CorpusEmbedder, DEFAULT_CORPUS_EMBEDDER, mayTrainOn, type CorpusEmbedderOptions, type Embedder } from './embedder.ts';
import {
  corpusEmbedderFrom, corpusEmbedderParts, segmentFrom, segmentParts, vectorParts, vectorsFrom, wordVectorParts, wordVectorsFrom,
} from './persist.ts';
import { dotProduct, neighbourSmoothing } from './fusion.ts';
import { hasFilters, type ParsedQuery } from './query.ts';
import {
  AUTHOR_TERM, CATEGORY_TERM, FLAG_HAS_CODE, NO_DAY, Segment, SegmentBuilder, dayNumber, type Hits, type IndexDoc, type TermList,
} from './segment.ts';
import {
  findIndexMeta, latestChangeSeq, listChangesAfter, listIndexDocsAfter, listIndexDocsByIds, listPaperTexts, listUpvotes, loadIndexParts, saveIndex, IndexReplacedError,
} from './store-io.ts';
import { correctWords } from './suggest.ts';
import { KeptMap } from '../domain/kept.ts';
import { addSentenceShare, sentenceTerms } from './passage.ts';
import { addSynonymShare, distinctQueryWords, paperWords, type PaperWords } from './synonyms.ts';
import { analyze, isIdentifier, nameTokens, stemsStartingWith, stemWord, surfaceWords } from './text.ts';
import { VectorIndex } from './vector-index.ts';
import { loadWordVectors, WORD_VECTOR_SOURCE, WordVectors } from './word-vectors.ts';

export type SearchMode = 'keyword' | 'semantic' | 'hybrid';
export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'keyword', 'semantic'];
/** The mode that measured best on SciFact (docs/search.md, BENCHMARKS.md). */
export const DEFAULT_MODE: SearchMode = 'hybrid';
export type SearchSort = 'relevance' | 'date' | 'upvotes';
export const SEARCH_SORTS: readonly SearchSort[] = ['relevance', 'date', 'upvotes'];

/** Results a query can page through: deeper pages are not useful and would cost pruning. */
export const MAX_RESULTS = 1_000;
/** Keyword candidates the hybrid mode re-ranks. */
export const RERANK_DEPTH = 100;
/**
 * Hybrid score = BM25 / best BM25 + SEMANTIC_WEIGHT * (cosine - lowest) / (highest - lowest), over
 * the candidates. Tuned on the SciFact train split (docs/search.md).
 */
export const HYBRID_SEMANTIC_WEIGHT = 0.3;
/**
 * Then each of the best SENTENCE_DEPTH papers gains SENTENCE_WEIGHT x the share of the query's
 * weight that its best single sentence (or its title) holds (src/search/passage.ts): a finding is
 * stated in one sentence. Tuned on the SciFact train split (docs/search.md).
 */
export const SENTENCE_DEPTH = 30;
export const SENTENCE_WEIGHT = 0.4;
/** Papers whose sentences (and words, for SYNONYM_WEIGHT) the index keeps between searches (a few KiB each). */
const SENTENCE_CACHE_SIZE = 4_000;
/**
 * Then the same papers gain up to SYNONYM_WEIGHT for the query's weight they hold through
 * near-synonyms of query words they lack (src/search/synonyms.ts, with pretrained word vectors;
 * cosine above SYNONYM_THRESHOLD), scaled over them so that the highest share gets the whole
 * weight. Tuned on the SciFact train split (docs/search.md).
 */
export const SYNONYM_WEIGHT = 0.2;
export const SYNONYM_THRESHOLD = 0.6;
/**
 * After the hybrid re-scoring, each of the best SMOOTHING_DEPTH papers moves towards the scores of
 * its SMOOTHING_NEIGHBOURS most similar papers among them, by SMOOTHING_WEIGHT (score regularisation,
 * Diaz 2005): a paper like several other good answers is likelier a good answer itself.
 * Tuned on the SciFact train split (docs/search.md).
 */
export const SMOOTHING_DEPTH = 20;
export const SMOOTHING_NEIGHBOURS = 5;
export const SMOOTHING_WEIGHT = 0.2;
/**
 * Query terms that mix letters and digits ("nlrp3", "p62", "h100", "llama2") name one thing: a
 * gene, a protein, a model, a chip. Their weight is multiplied by IDENTIFIER_BOOST (tuned on the
 * SciFact train split; in 5-fold cross-validation it won in every fold of the keyword-only tuning
 * and in 4 of 5 of the hybrid one).
 */
export const IDENTIFIER_BOOST = 2.2;
/**
 * Query terms are weighted by idf * (1 + BURSTINESS * ln(cf / df)): a word that, where it occurs,
 * occurs often (a topic word: "qubit", "protein") counts more than one spread thinly over many
 * papers ("result", "show"). Church & Gale's burstiness; tuned on the SciFact train split.
 */
export const BURSTINESS = 0.6;
/** Counting matches exactly costs one pass over the postings: above this many, estimate. */
export const EXACT_COUNT_MAX_POSTINGS = 400_000;
/** Change-log rows applied per refresh step. */
const CHANGES_PER_STEP = 5_000;
/** Terms whose document frequency discovery keeps remembered (a few MB). */
const DF_MEMO = 200_000;
/** How often the live index looks at the change log, in ms. */
export const REFRESH_INTERVAL_MS = 1_000;
/**
 * A following index is built again in the background (as on a first start, in a worker) once the
 * papers added since it was built outnumber those it holds, and number at least this many: an
 * index built on an empty store (a new instance that then imports or ingests) has an embedder that
 * learnt no words, and a small segment as large as the index is rebuilt on every change. Doubling
 * keeps the rebuilds' total work in proportion to the papers.
 */
export const CATCH_UP_MIN_PAPERS = 1_000;
/** After a catch-up build failed, the index in use serves this long before the next one is tried. */
const CATCH_UP_RETRY_MS = 10 * 60_000;
/** How long changed papers wait before an external embedder that failed on them is asked again. */
const VECTOR_RETRY_MS = 60_000;
/**
 * A failed build (the database went away, an external embedder down, a worker that died) is tried
 * again after BUILD_RETRY_MS, then after twice as long each time, up to BUILD_RETRY_MAX_MS.
 */
export const BUILD_RETRY_MS = 30_000;
export const BUILD_RETRY_MAX_MS = 10 * 60_000;
/** Papers read per batch when building. */
const BUILD_BATCH = 2_000;
/**
 * A phrase query whose words are in at most this many papers checks them all against the text, for
 * an exact count that stays the same from page to page (reading and checking 680 abstracts of the
 * demo took about 55 ms on the 2-CPU machine, against 3-8 ms for the first few dozen).
 */
const PHRASE_EXACT_MAX = 1_000;
/** A phrase query checks at most this many candidates against the text. */
const MAX_PHRASE_CHECKS = 2_000;
/**
 * Whether a paper has a phrase, kept for this many (phrase, paper) pairs (about 130 bytes each, so
 * at most about 7 MiB; 25 searches' worth of MAX_PHRASE_CHECKS) until the index's text changes:
 * later pages, the feed and the same search again do not read and split the same abstracts again
 * (a phrase of common words in an order few papers use checks 2,000 of them on every page).
 */
const PHRASE_VERDICTS = 50_000;

export interface SearchRequest {
  query: ParsedQuery;
  mode: SearchMode;
  sort: SearchSort;
  offset: number;
  limit: number;
  /** Only these papers may be found (a digest's window); unset: every paper. */
  only?: ReadonlySet<string> | undefined;
  /** Relevance order, but only papers with every word of the query (an alert's matching rule). */
  allWords?: boolean | undefined;
}

export interface SearchHit {
  id: string;
  score: number;
}

export interface SearchOutcome {
  hits: SearchHit[];
  /** Matching papers (exact, or an estimate when `totalExact` is false). */
  total: number;
  totalExact: boolean;
  /** The mode that ran (semantic falls back to keyword while the model is being prepared). */
  mode: SearchMode;
  /** True when semantic or hybrid was asked for and ran as keyword because the embedder failed. */
  semanticUnavailable?: boolean;
  /** Index terms of the query, for highlighting. */
  terms: string[];
}

export interface IndexStatus {
  /**
   * `retrying`: there is no index yet because the build failed; another starts in `retryInSeconds` (or
   * sooner, when another process saves an index meanwhile).
   */
  state: 'empty' | 'building' | 'retrying' | 'ready';
  /** 0..1 while building. */
  progress: number;
  papers: number;
  semantic: 'ready' | 'building' | 'off';
  /** The saved generation in use (0 before the first save). */
  generation: number;
  /** While a failed build waits to be tried again: seconds until it starts. */
  retryInSeconds?: number;
}

export interface SearchIndexOptions {
  /** An external embedder; default: the corpus-trained one, trained at build time. */
  embedder?: Embedder | null;
  /** False turns semantic search off (keyword only). */
  semantic?: boolean;
  corpusEmbedder?: Partial<CorpusEmbedderOptions>;
  bm25?: Bm25Params;
  /** Logs one line per build, load and refresh. */
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Ranking constants, for tuning (eval-search); defaults are the tuned ones above. */
  tuning?: { semanticWeight?: number; burstiness?: number; identifierBoost?: number; smoothingWeight?: number; sentenceWeight?: number; synonymWeight?: number; synonymThreshold?: number };
  /**
   * Where open() builds an index the store does not have yet: in a worker thread (the default, so
   * a server keeps answering quickly meanwhile), or in this thread (`false`; always so with an
   * external embedder, which cannot be handed to a worker, and for in-memory stores).
   */
  buildInWorker?: boolean;
  /** How long changed papers wait before an external embedder that failed on them is asked again (default 60 s). */
  vectorRetryMs?: number;
  /** How long a failed build waits before it is tried again, the first time and at most (default BUILD_RETRY_MS, BUILD_RETRY_MAX_MS). */
  buildRetryMs?: { first: number; max: number };
  /** Called during a build once the keyword index is ready, before the embedder is trained; the build waits for it. */
  onKeywordIndex?: (base: Segment, watermark: number) => void | Promise<void>;
}

/** What discovery reads from the index (see SearchIndex.discoveryView). */
export interface DiscoveryView {
  /** True when paper vectors are available. */
  vectors: boolean;
  /** Live papers in the index (for idf). */
  papers: number;
  /** Papers having an index term. */
  df(term: string): number;
  /**
   * Moves whenever the papers' text, their vectors or the term statistics change (a new
   * generation, or changed papers applied from the change log); not on votes. What is derived from
   * a view alone (similar papers) can be kept while it stays the same. Absent: do not keep.
   */
  epoch?: number;
  /** A paper's vector, or null when it has none (not indexed yet, or no vectors). */
  vectorOf(id: string): Float32Array | null;
  /** Papers nearest to a vector, best first, at most k, leaving out those `skip` says. */
  nearest(query: ArrayLike<number>, k: number, skip?: (id: string) => boolean): SearchHit[];
}

/** `ts` when this module runs from its TypeScript source (through tsx), `js` when compiled (as `npm test` runs it). */
const SOURCE_EXTENSION = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

/** What open() hands a build worker (src/search/build-worker.ts). */
export interface BuildJob {
  databaseUrl: string;
  options: Pick<SearchIndexOptions, 'semantic' | 'corpusEmbedder' | 'bm25' | 'tuning'>;
}

/** What a build worker reports. */
export type BuildMessage =
  | { type: 'progress'; progress: number; phase: BuildProgress['phase'] }
  | { type: 'keyword'; parts: Map<string, Uint8Array>; info: Record<string, unknown>; watermark: number }
  | { type: 'log'; msg: string }
  | { type: 'done'; generation: number }
  | { type: 'error'; message: string };

export interface BuildProgress {
  phase: 'reading' | 'indexing' | 'training' | 'embedding' | 'saving';
  done: number;
  total: number;
}

/** A build's progress as one share, 0..1: indexing half of it, training 30%, embedding 20%. */
export function buildFraction(p: BuildProgress): number {
  const f = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  switch (p.phase) {
    case 'reading': case 'indexing': return 0.5 * f;
    case 'training': return 0.5 + 0.3 * f;
    case 'embedding': return 0.8 + 0.2 * f;
    case 'saving': return 1;
  }
}

/** One built generation: the large segment and its vectors. */
interface Generation {
  generation: number;
  watermark: number;
  base: Segment;
  embedder: Embedder | null;
  vectors: VectorIndex | null;
  /** Pretrained vectors of the index's words (word-vectors.ts), or null when the package is missing or semantic search is off. */
  words: WordVectors | null;
}

/** What the re-ranking reads of a candidate paper: its sentences' terms, and its words with vectors (null without word vectors). */
interface CandidateText {
  sentences: string[][];
  words: PaperWords | null;
}

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SearchIndex {
  private gen: Generation | null = null;
  /** See DiscoveryView.epoch: moved by install() and rebuildDelta(), the only places text, vectors or df change. */
  private epoch = 0;
  private readonly texts = new KeptMap<string, CandidateText>(SENTENCE_CACHE_SIZE);
  /** JSON of a phrase's stems + paper id -> whether the paper's title or abstract has the phrase (see havingPhrases). */
  private readonly phraseVerdicts = new KeptMap<string, boolean>(PHRASE_VERDICTS);
  /** Papers added or changed since the generation was built, by id. */
  private deltaDocs = new Map<string, IndexDoc>();
  private delta: Segment | null = null;
  /** Vector slots of delta papers. */
  private deltaSlots = new Map<string, number>();
  private watermark = 0;
  private building: Promise<void> | null = null;
  private worker: Worker | null = null;
  /** Set by close(): a build stopped from now on was interrupted, it did not fail. */
  private closing = false;
  private buildProgress = 0;
  private refreshing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pending = new Set<string>();
  /** The first build failed (an external embedder down): semantic search is off, not "building". */
  private buildFailed = false;
  /** Builds failed in a row, and when the next one starts (while one is waited for). */
  private buildFailures = 0;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** No catch-up build (see CATCH_UP_MIN_PAPERS) before this time: the last one failed. */
  private catchUpAfter = 0;
  /** The saved generation last tried while there is no index (so an unreadable one is tried once, not every second). */
  private triedGeneration = 0;
  /** Changed papers the (external) embedder failed on, tried again from vectorsRetryAt. */
  private vectorsPending = new Set<string>();
  private vectorsRetryAt = 0;
  /** When a failing embedder was last logged at query time (once a minute is enough). */
  private queryFailureLoggedAt = 0;
  private readonly params: Bm25Params;
  private readonly log: NonNullable<SearchIndexOptions['log']>;

  private constructor(readonly store: Store, private readonly opts: SearchIndexOptions) {
    this.params = opts.bm25 ?? DEFAULT_BM25;
    this.log = opts.log ?? (() => {});
  }

  /** True when the store's saved index has vectors (semantic and hybrid search use them). */
  static async savedHasVectors(store: Store): Promise<boolean> {
    const meta = await findIndexMeta(store.db);
    if (!meta) return false;
    try {
      return (JSON.parse(meta.info) as { embedder?: unknown }).embedder != null;
    } catch {
      return false;
    }
  }

  /** An index that neither loads nor builds until asked (rebuild()): for evaluation and the CLI. */
  static detached(store: Store, opts: SearchIndexOptions = {}): SearchIndex {
    return new SearchIndex(store, opts);
  }

  /** Loads the store's saved index; null when there is none it can use (nothing is built then). */
  static async loadSavedIndex(store: Store, opts: SearchIndexOptions = {}): Promise<SearchIndex | null> {
    const index = new SearchIndex(store, opts);
    if (!(await index.loadSaved())) return null;
    await index.refresh();
    return index;
  }

  /**
   * Opens the store's index: loads the saved one, or (none saved) starts building it in the
   * background and returns at once; searches answer `building` until it is ready.
   * With `wait`, resolves only when the index is ready.
   */
  static async open(store: Store, opts: SearchIndexOptions = {}, wait = false): Promise<SearchIndex> {
    const index = new SearchIndex(store, opts);
    if (await index.loadSaved()) {
      await index.refresh();
    } else {
      index.startBuild();
      if (wait) await index.building;
    }
    return index;
  }

  /**
   * Builds in the background (a worker thread when it can). A failure leaves keyword search on if
   * the keyword index had arrived, and the build is tried again later (scheduleBuildRetry).
   */
  private startBuild(): void {
    this.building = this.runBuild().then(() => { this.buildFailures = 0; }, (err: Error) => {
      if (this.closing) { this.log('search: build interrupted by the shutdown; the next start builds again'); return; }
      this.buildFailed = true; // keyword search goes on if it can; semantic is off until an index with vectors is installed
      this.scheduleBuildRetry(`search: build failed: ${err.message}`);
    }).finally(() => { this.building = null; });
  }

  /** Waits (longer after each failure in a row, up to a bound), then loads an index saved meanwhile or builds again. */
  private scheduleBuildRetry(why: string): void {
    const { first, max } = this.opts.buildRetryMs ?? { first: BUILD_RETRY_MS, max: BUILD_RETRY_MAX_MS };
    const delay = Math.min(max, first * 2 ** Math.min(this.buildFailures, 30));
    this.buildFailures++;
    this.retryAt = Date.now() + delay;
    this.log(`${why}; ${this.gen ? 'keyword search goes on, ' : ''}building again in ${Math.max(1, Math.round(delay / 1000))} s`);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => { void this.retryBuild(); }, delay);
    this.retryTimer.unref();
  }

  private async retryBuild(): Promise<void> {
    this.retryTimer = null;
    this.retryAt = 0;
    if (this.closing || this.building) return;
    try {
      if (this.gen?.vectors || (await this.takeUpSaved())) return;
    } catch (err) {
      this.scheduleBuildRetry(`search: the saved index could not be looked up (${(err as Error).message})`);
      return;
    }
    this.log(`search: building the index again (attempt ${this.buildFailures + 1})`);
    this.buildFailed = false; // vectors are on their way again
    this.startBuild();
  }

  /**
   * While a failed build waits: loads the index another process (or `paperboy reindex`) saved
   * meanwhile, if there is one not tried yet. True when loaded.
   */
  private async takeUpSaved(): Promise<boolean> {
    const meta = await findIndexMeta(this.store.db);
    if (!meta || meta.generation === this.triedGeneration || meta.generation === this.gen?.generation) return false;
    this.triedGeneration = meta.generation;
    if (!(await this.loadSaved())) return false;
    this.log(`search: took up the index saved meanwhile (generation ${this.gen!.generation}) instead of building again`);
    return true;
  }

  private useWorker(): boolean {
    return this.opts.buildInWorker !== false && !this.opts.embedder && this.store.location !== ':memory:';
  }

  /** One build, in a worker thread when it can be (useWorker), else on this thread. */
  private runBuild(): Promise<void> {
    return this.useWorker() ? this.buildInWorker() : this.rebuild();
  }

  /**
   * Builds and saves a generation in a worker thread (src/search/build-worker.ts), then loads it.
   * Meanwhile this thread serves: "being built", then keyword search once the worker hands the
   * keyword index over.
   */
  private buildInWorker(): Promise<void> {
    const job: BuildJob = {
      databaseUrl: this.store.url, // the worker opens its own connection to the same database
      options: { semantic: this.opts.semantic, corpusEmbedder: this.opts.corpusEmbedder, bm25: this.opts.bm25, tuning: this.opts.tuning },
    };
    const started = Date.now();
    this.buildProgress = 0;
    return new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
        workerData: { entry: new URL(`./build-worker.${SOURCE_EXTENSION}`, import.meta.url).href, ...job },
      });
      this.worker = worker;
      let saved = false;
      let failure: string | null = null;
      worker.on('message', (m: BuildMessage) => {
        switch (m.type) {
          case 'progress': this.buildProgress = m.progress; break;
          case 'log': this.log(m.msg); break;
          case 'error': failure = m.message; break;
          case 'done': saved = true; break;
          case 'keyword':
            if (!this.gen) {
              this.install({ generation: 0, watermark: m.watermark, base: segmentFrom('kw', m.parts, m.info), embedder: null, vectors: null, words: null });
              void this.refresh().catch((err: Error) => this.log(`search: refresh failed: ${err.message}`));
            }
            break;
        }
      });
      worker.on('error', (err) => { failure ??= err.message; });
      worker.on('exit', (code) => {
        this.worker = null;
        if (!saved) { reject(new Error(failure ?? `the build worker stopped (exit code ${code})`)); return; }
        void (async () => {
          if (!(await this.loadSaved())) throw new Error('the built index could not be loaded');
          this.log(`search: index built in a worker thread and loaded ms=${Date.now() - started}`);
          await this.refresh();
        })().then(resolve, reject);
      });
    });
  }

  /** Keeps the index current by reading the change log every `intervalMs` (timer does not hold the process). */
  startFollowing(intervalMs = REFRESH_INTERVAL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => { void this.refresh().catch((err: Error) => this.log(`search: refresh failed: ${err.message}`)); }, intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.worker?.terminate();
    await this.building?.catch(() => {});
    await this.refreshing?.catch(() => {});
  }

  /** Tells the index these papers were added or changed (the change log would also tell it, within a second). */
  async papersChanged(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.pending.add(id);
    await this.refresh();
  }

  status(): IndexStatus {
    const papers = this.gen ? this.gen.base.docCount - this.gen.base.deletedCount + (this.delta?.docCount ?? 0) : 0;
    const retrying = !this.gen && !this.building && this.retryTimer !== null;
    return {
      state: this.gen ? 'ready' : this.building ? 'building' : retrying ? 'retrying' : 'empty',
      progress: this.gen ? 1 : this.building ? this.buildProgress : 0,
      papers,
      semantic: this.semanticOff() ? 'off' : this.gen?.vectors ? 'ready' : this.buildFailed ? 'off' : 'building',
      generation: this.gen?.generation ?? 0,
      ...(this.retryTimer !== null && !this.building ? { retryInSeconds: Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000)) } : {}),
    };
  }

  private semanticOff(): boolean {
    return this.opts.semantic === false;
  }

  /** Resolves when a build in progress (if any) is done. */
  async ready(): Promise<void> {
    await this.building;
  }

  // -----------------------------------------------------------------------------------------------
  // Building, saving, loading

  /**
   * Builds a new generation from every paper in the store, saves it, and switches to it. Papers
   * changed meanwhile are picked up from the change log afterwards.
   */
  async rebuild(onProgress?: (p: BuildProgress) => void): Promise<void> {
    const started = Date.now();
    this.buildProgress = 0;
    const watermark = await latestChangeSeq(this.store.db);
    const total = Math.max(1, Number((await this.store.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
    const builder = new SegmentBuilder();
    const training: { id: string; title: string; abstract: string }[] = [];
    const embedderOpts = { ...DEFAULT_CORPUS_EMBEDDER, ...this.opts.corpusEmbedder };
    const trainAll = !this.semanticOff() && !this.opts.embedder;
    let after = '';
    for (;;) {
      const batch = await listIndexDocsAfter(this.store.db, after, BUILD_BATCH);
      if (batch.length === 0) break;
      for (const d of batch) {
        builder.add(d);
        if (trainAll && mayTrainOn(d.id, total, embedderOpts.maxTrainingDocs)) training.push({ id: d.id, title: d.title, abstract: d.abstract });
      }
      after = batch[batch.length - 1]!.id;
      this.buildProgress = 0.5 * (builder.size / total);
      onProgress?.({ phase: 'indexing', done: builder.size, total });
      await yieldNow();
    }
    const base = builder.build(this.params);
    onProgress?.({ phase: 'indexing', done: total, total });
    await this.opts.onKeywordIndex?.(base, watermark);
    this.log(`search: keyword index built papers=${base.docCount} terms=${base.termCount} postings=${base.data.docs.length} ms=${Date.now() - started}`);

    let embedder: Embedder | null = null;
    let vectors: VectorIndex | null = null;
    let words: WordVectors | null = null;
    // The keyword index serves at once; the semantic part follows.
    const keywordOnly: Generation = { generation: this.gen?.generation ?? 0, watermark, base, embedder: null, vectors: null, words: null };
    if (!this.gen) this.install(keywordOnly);

    if (!this.semanticOff()) {
      if (this.opts.embedder) embedder = this.opts.embedder;
      else {
        const t0 = Date.now();
        embedder = await CorpusEmbedder.train(training, embedderOpts, (done, all) => {
          this.buildProgress = 0.5 + 0.3 * (done / Math.max(1, all));
          onProgress?.({ phase: 'training', done, total: all });
        });
        this.log(`search: embedder trained papers=${Math.min(training.length, embedderOpts.maxTrainingDocs)} vocabulary=${(embedder as CorpusEmbedder).vocabularySize} ms=${Date.now() - t0}`);
      }
      training.length = 0;
      const t1 = Date.now();
      vectors = new VectorIndex(embedder.dims, base.docCount);
      after = '';
      let done = 0;
      // Embed in id order, so slot = document number of the base segment. The papers are read
      // again, and may have changed since the keyword pass: a paper added meanwhile is not in the
      // base segment and is skipped here; one deleted meanwhile leaves its slot empty. Both are in
      // the change log after the watermark, which brings them in (or out) once this generation is
      // installed; so does a paper edited meanwhile, whose slot here may hold its newer text.
      for (;;) {
        const batch = await listIndexDocsAfter(this.store.db, after, BUILD_BATCH);
        if (batch.length === 0) break;
        after = batch[batch.length - 1]!.id;
        const known = batch.filter((d) => base.docIndex(d.id) >= 0);
        const embedded = known.length > 0 ? await embedder.embedDocuments(known.map((d) => ({ title: d.title, abstract: d.abstract }))) : [];
        for (let i = 0; i < known.length; i++) {
          const doc = base.docIndex(known[i]!.id);
          if (doc < vectors.size) throw new Error(`search: papers came out of id order while embedding (${known[i]!.id}); run the build again`);
          while (vectors.size < doc) vectors.add(new Float32Array(embedder.dims));
          vectors.add(embedded[i]!);
        }
        done += batch.length;
        this.buildProgress = 0.8 + 0.2 * (done / total);
        onProgress?.({ phase: 'embedding', done, total });
        await yieldNow();
      }
      // The last papers of the base segment, if they were deleted meanwhile.
      while (vectors.size < base.docCount) vectors.add(new Float32Array(embedder.dims));
      this.log(`search: vectors built papers=${vectors.size} dims=${embedder.dims} ms=${Date.now() - t1}`);
      const t2 = Date.now();
      words = await loadWordVectors(base.dictionaryWords(), this.log);
      if (words) this.log(`search: word vectors picked words=${words.size} of ${base.wordCount()} ms=${Date.now() - t2}`);
      else this.log(`search: no word vectors (the ${WORD_VECTOR_SOURCE} package is not installed); the hybrid ranking goes without near-synonyms`);
    }

    onProgress?.({ phase: 'saving', done: 0, total: 1 });
    const { parts, info } = this.serialize(base, embedder, vectors, words);
    const saved = await saveIndex(this.store.db, parts, watermark, JSON.stringify(info));
    onProgress?.({ phase: 'saving', done: 1, total: 1 });
    if (saved.current) {
      this.install({ generation: saved.generation, watermark, base, embedder, vectors, words });
      this.log(`search: index saved generation=${saved.generation} bytes=${[...parts.values()].reduce((s, p) => s + p.byteLength, 0)} ms=${Date.now() - started}`);
    } else {
      // Another builder saved a newer index meanwhile: use that one.
      if (!(await this.loadSaved())) throw new Error('search: a newer saved index could not be loaded');
      this.log(`search: another build saved a newer index (generation ${this.gen!.generation}); this one was dropped`);
    }
    await this.refresh();
  }

  private serialize(base: Segment, embedder: Embedder | null, vectors: VectorIndex | null, words: WordVectors | null) {
    const parts = new Map<string, Uint8Array>();
    const info: Record<string, unknown> = { base: segmentParts(base, 'kw', parts), embedder: null };
    if (embedder && vectors) {
      if (embedder instanceof CorpusEmbedder) info.embedder = { kind: 'corpus', ...corpusEmbedderParts(embedder, parts) };
      else info.embedder = { kind: 'external', name: embedder.name, dims: embedder.dims };
      const { rows, scales } = vectors.rows();
      vectorParts(rows, scales, parts);
    }
    if (words) info.words = wordVectorParts(words, parts);
    return { parts, info };
  }

  /**
   * Loads the current saved generation; false when there is none or it cannot be used (then it is
   * rebuilt). When another builder's newer generation replaces it mid-read, loads that one instead.
   */
  private async loadSaved(): Promise<boolean> {
    let meta = await findIndexMeta(this.store.db);
    for (let attempt = 0; meta && attempt < 3; attempt++) {
      const loaded = await this.loadGeneration(meta.generation, meta.watermark, meta.info);
      if (loaded !== 'replaced') return loaded;
      const now = await findIndexMeta(this.store.db);
      if (now?.generation === meta.generation) {
        // Still current, yet its parts are gone (a dump restored without them): not replaced, missing.
        this.log(`search: the saved index's parts are missing (generation ${meta.generation}); rebuilding`);
        return false;
      }
      this.log(`search: generation ${meta.generation} was replaced while it was read; loading the newer one`);
      meta = now;
    }
    return false;
  }

  /** Loads a saved generation; false when it cannot be used, 'replaced' when a newer one replaced it meanwhile. */
  private async loadGeneration(generation: number, watermark: number, infoJson: string): Promise<boolean | 'replaced'> {
    const t0 = Date.now();
    try {
      const info = JSON.parse(infoJson) as { base: Record<string, unknown>; embedder: { kind: string; name?: string; dims: number } | null; words?: Record<string, unknown> };
      const parts = await loadIndexParts(this.store.db, generation);
      const base = segmentFrom('kw', parts, info.base);
      let embedder: Embedder | null = null;
      let vectors: VectorIndex | null = null;
      if (!this.semanticOff() && info.embedder) {
        if (info.embedder.kind === 'corpus' && !this.opts.embedder) embedder = corpusEmbedderFrom(parts, info.embedder);
        else if (info.embedder.kind === 'external' && this.opts.embedder && this.opts.embedder.name === info.embedder.name && this.opts.embedder.dims === info.embedder.dims) embedder = this.opts.embedder;
        const saved = vectorsFrom(parts);
        if (embedder && saved) {
          vectors = new VectorIndex(embedder.dims, saved.scales.length + 1024);
          vectors.addQuantized(saved.rows, saved.scales);
        } else embedder = null;
      }
      // Saved before word vectors were (or without the package): the ranking goes without near-synonyms until the next build.
      const words = !this.semanticOff() && info.words ? wordVectorsFrom(parts, info.words) : null;
      this.install({ generation, watermark, base, embedder, vectors, words });
      if (!this.semanticOff() && !embedder) {
        this.buildFailed = true; // no vectors are on their way: semantic search is off (not "being prepared")
        this.log('search: the saved index has no vectors for the configured embedder; semantic search is off until paperboy reindex');
      }
      this.log(`search: index loaded generation=${generation} papers=${base.docCount} ms=${Date.now() - t0}`);
      return true;
    } catch (err) {
      if (err instanceof IndexReplacedError) return 'replaced';
      this.log(`search: the saved index cannot be read (${(err as Error).message}); rebuilding`);
      return false;
    }
  }

  private install(g: Generation): void {
    this.epoch++;
    if (g.embedder instanceof CorpusEmbedder && g.embedder.vocabularySize === 0) {
      // Built from no papers' words (a store empty at the time): every vector would be empty, and
      // "by meaning" would list papers in id order. Semantic search is off until it is built again.
      g = { ...g, embedder: null, vectors: null };
      this.buildFailed = true;
      this.log(`search: the index was built from no papers' text; semantic search is off until it is built again (by itself once ${CATCH_UP_MIN_PAPERS} papers have come, or by paperboy reindex)`);
    }
    if (g.vectors) this.buildFailed = false;
    if (g.generation > 0 && this.retryTimer) {
      // A saved index is in use: the failed build need not run again.
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.retryAt = 0;
      this.buildFailures = 0;
    }
    this.gen = g;
    this.watermark = g.watermark;
    this.deltaDocs = new Map();
    this.deltaSlots = new Map();
    this.vectorsPending.clear();
    this.delta = null;
  }

  // -----------------------------------------------------------------------------------------------
  // Following changes

  /** Applies changes from the change log (and ids passed to papersChanged). Serialised. */
  async refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.refreshOnce().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    // No index yet and a failed build waiting to be tried again: another process may have saved one.
    if (!this.gen && !(this.retryTimer && !this.building && (await this.takeUpSaved()))) return;
    const g = this.gen!;
    const meta = await findIndexMeta(this.store.db);
    if (meta && meta.generation !== g.generation && !this.building) {
      // Another process (paperboy reindex) saved a newer generation.
      await this.loadSaved();
    }
    for (;;) {
      const changes = await listChangesAfter(this.store.db, this.watermark, CHANGES_PER_STEP);
      const content = new Set<string>(this.pending);
      this.pending.clear();
      if (this.vectorsPending.size > 0 && Date.now() >= this.vectorsRetryAt) for (const id of this.vectorsPending) content.add(id);
      const votes = new Set<string>();
      for (const c of changes) (c.kind === 'votes' ? votes : content).add(c.paperId);
      for (const id of content) votes.delete(id);
      if (content.size > 0) await this.applyContent([...content]);
      if (votes.size > 0) await this.applyVotes([...votes]);
      if (changes.length > 0) this.watermark = changes[changes.length - 1]!.seq;
      if (changes.length < CHANGES_PER_STEP) break;
    }
    this.catchUpIfOutgrown();
  }

  /** Starts a background build when the papers added since the index was built outnumber it (CATCH_UP_MIN_PAPERS). */
  private catchUpIfOutgrown(): void {
    const g = this.gen;
    // Only a server's index (one that follows the change log) builds on its own; the CLI's is asked.
    if (!g || !this.timer || this.building || this.closing || this.retryTimer || Date.now() < this.catchUpAfter) return;
    const held = g.base.docCount - g.base.deletedCount;
    const added = this.deltaDocs.size;
    if (added < Math.max(held, CATCH_UP_MIN_PAPERS)) return;
    this.log(`search: ${added} papers changed or added since the index was built, which holds ${held}; building it again in the background`);
    this.building = this.runBuild().catch((err: Error) => {
      if (this.closing) return;
      this.catchUpAfter = Date.now() + CATCH_UP_RETRY_MS;
      this.log(`search: building the index again failed: ${err.message}; the one in use goes on, and it is tried again in ${CATCH_UP_RETRY_MS / 60_000} minutes`);
    }).finally(() => { this.building = null; });
  }

  private async applyContent(ids: string[]): Promise<void> {
    this.epoch++; // the segments change below, across awaits: nothing derived meanwhile may be kept
    const g = this.gen!;
    const t0 = Date.now();
    const docs = await listIndexDocsByIds(this.store.db, ids);
    const found = new Map(docs.map((d) => [d.id, d]));
    // Vectors first, before the index changes: an external embedder that does not answer leaves
    // these papers to keyword search until a later refresh embeds them (vectorsPending).
    let vecs: Float32Array[] | null = null;
    if (g.vectors && g.embedder && docs.length > 0) {
      try {
        vecs = await g.embedder.embedDocuments(docs.map((d) => ({ title: d.title, abstract: d.abstract })));
      } catch (err) {
        for (const d of docs) this.vectorsPending.add(d.id);
        const retryMs = this.opts.vectorRetryMs ?? VECTOR_RETRY_MS;
        this.vectorsRetryAt = Date.now() + retryMs;
        this.log(`search: the embedder failed on ${docs.length} changed papers (${(err as Error).message}); keyword search finds them meanwhile, and they are embedded again in ${retryMs / 1000} s`);
      }
    }
    for (const id of ids) {
      if (!found.has(id) || vecs) this.vectorsPending.delete(id);
      g.base.markDeleted(g.base.docIndex(id));
      const slot = this.deltaSlots.get(id);
      if (slot !== undefined) { g.vectors?.remove(slot); this.deltaSlots.delete(id); }
      this.deltaDocs.delete(id);
      const doc = found.get(id);
      if (doc) this.deltaDocs.set(id, doc);
    }
    if (g.vectors) {
      for (const id of ids) { const d = g.base.docIndex(id); if (d >= 0) g.vectors.remove(d); }
      if (vecs) docs.forEach((d, i) => this.deltaSlots.set(d.id, g.vectors!.add(vecs[i]!)));
    }
    this.rebuildDelta();
    this.log(`search: index updated changed=${ids.length} present=${docs.length} delta=${this.deltaDocs.size} ms=${Date.now() - t0}`);
  }

  private rebuildDelta(): void {
    this.epoch++;
    const g = this.gen!;
    if (this.deltaDocs.size === 0) { this.delta = null; return; }
    const b = new SegmentBuilder();
    for (const id of [...this.deltaDocs.keys()].sort()) b.add(this.deltaDocs.get(id)!);
    this.delta = b.build(this.params, g.base.data.avgLen);
  }

  private async applyVotes(ids: string[]): Promise<void> {
    const g = this.gen!;
    const counts = await listUpvotes(this.store.db, ids);
    for (const [id, n] of counts) {
      const d = g.base.docIndex(id);
      if (d >= 0 && g.base.deleted[d] === 0) g.base.data.upvotes[d] = n;
      const doc = this.deltaDocs.get(id);
      if (doc) {
        doc.upvotes = n;
        const dd = this.delta?.docIndex(id) ?? -1;
        if (dd >= 0) this.delta!.data.upvotes[dd] = n;
      }
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Searching

  private segments(): Segment[] {
    const g = this.gen;
    if (!g) return [];
    return this.delta ? [g.base, this.delta] : [g.base];
  }

  /** Live papers in the index. */
  private liveCount(): number {
    return this.segments().reduce((s, seg) => s + seg.docCount - seg.deletedCount, 0);
  }

  /** Document frequencies already looked up for discovery, valid while the segments are the same objects. */
  private dfMemo: { base: Segment | null; delta: Segment | null; map: Map<string, number> } = { base: null, delta: null, map: new Map() };

  /** df() remembered per term (discovery asks for the same terms of thousands of papers); a new base or delta starts afresh. */
  private memoDf(term: string): number {
    const base = this.gen?.base ?? null;
    if (this.dfMemo.base !== base || this.dfMemo.delta !== this.delta) this.dfMemo = { base, delta: this.delta, map: new Map() };
    let d = this.dfMemo.map.get(term);
    if (d === undefined) {
      d = this.df(term);
      if (this.dfMemo.map.size >= DF_MEMO) this.dfMemo.map.clear();
      this.dfMemo.map.set(term, d);
    }
    return d;
  }

  /** Global document frequency of a term. */
  private df(term: string): number {
    let df = 0;
    for (const s of this.segments()) df += s.df(s.termIndex(term));
    return df;
  }

  /** A query term's weight before BM25's (k1 + 1) / 255 step: idf times burstiness. */
  private termWeight(term: string, n: number): number {
    let df = 0;
    let cf = 0;
    for (const s of this.segments()) { const t = s.termIndex(term); df += s.df(t); cf += s.cf(t); }
    const burst = df > 0 ? Math.log(Math.max(1, cf / df)) : 0;
    const boost = isIdentifier(term) ? (this.opts.tuning?.identifierBoost ?? IDENTIFIER_BOOST) : 1;
    return boost * idf(n, df) * (1 + (this.opts.tuning?.burstiness ?? BURSTINESS) * burst);
  }

  /** The query's index terms with their counts: words and phrase words, stop words dropped. */
  static queryTerms(q: ParsedQuery): Map<string, number> {
    const out = new Map<string, number>();
    const add = (w: string) => { for (const t of analyze(w)) out.set(t, (out.get(t) ?? 0) + 1); };
    q.words.forEach(add);
    q.phrases.forEach((p) => p.forEach(add));
    return out;
  }

  /** Which documents of a segment pass the query's filters and exclusions; null when all do. */
  private allowed(seg: Segment, q: ParsedQuery): Uint8Array | null {
    const excludedWords = q.excludedWords.map((w) => analyze(w)).filter((t) => t.length > 0);
    if (!hasFilters(q) && excludedWords.length === 0 && q.excludedPhrases.length === 0) return null;
    const n = seg.docCount;
    const allow = new Uint8Array(n).fill(1);
    const and = (mask: Uint8Array) => { for (let d = 0; d < n; d++) allow[d]! &= mask[d]!; };
    if (q.categories.length > 0) {
      const mask = new Uint8Array(n);
      for (const c of q.categories) { const t = seg.termIndex(CATEGORY_TERM + c.toLowerCase()); if (t >= 0) seg.markDocs(t, mask); }
      and(mask);
    }
    for (const c of q.excludedCategories) { const t = seg.termIndex(CATEGORY_TERM + c.toLowerCase()); if (t >= 0) seg.markDocs(t, allow, 0); }
    const authorDocs = (name: string): Int32Array | null => {
      const lists: TermList[] = [];
      for (const w of nameTokens(name)) {
        const t = seg.termIndex(AUTHOR_TERM + w);
        if (t < 0) return new Int32Array();
        lists.push(seg.list(t, 0));
      }
      return lists.length === 0 ? null : conjunctionDocs(seg, lists);
    };
    for (const a of q.authors) {
      const docs = authorDocs(a);
      if (!docs) continue;
      const mask = new Uint8Array(n);
      for (const d of docs) mask[d] = 1;
      and(mask);
    }
    for (const a of q.excludedAuthors) { const docs = authorDocs(a); if (docs) for (const d of docs) allow[d] = 0; }
    if (q.from !== null || q.to !== null) {
      const from = q.from ? dayNumber(q.from) : -Infinity;
      const to = q.to ? dayNumber(q.to) : Infinity;
      const days = seg.data.days;
      for (let d = 0; d < n; d++) { const day = days[d]!; if (day === NO_DAY || day < from || day >= to) allow[d] = 0; }
    }
    if (q.hasCode) { const flags = seg.data.flags; for (let d = 0; d < n; d++) if ((flags[d]! & FLAG_HAS_CODE) === 0) allow[d] = 0; }
    for (const terms of excludedWords) for (const term of terms) { const t = seg.termIndex(term); if (t >= 0) seg.markDocs(t, allow, 0); }
    for (const phrase of q.excludedPhrases) {
      // A paper with every word of an excluded phrase is left out (a near approximation of the phrase).
      const lists: TermList[] = [];
      let missing = false;
      for (const term of phrase.flatMap((w) => analyze(w))) { const t = seg.termIndex(term); if (t < 0) missing = true; else lists.push(seg.list(t, 0)); }
      if (!missing && lists.length > 0) for (const d of conjunctionDocs(seg, lists)) allow[d] = 0;
    }
    return allow;
  }

  /** Per segment: the weighted lists of the query terms. */
  private termLists(seg: Segment, terms: Map<string, number>, n: number): TermList[] {
    const lists: TermList[] = [];
    for (const [term, qtf] of terms) {
      const t = seg.termIndex(term);
      if (t < 0) continue;
      lists.push(seg.list(t, stepWeight(this.params, this.termWeight(term, n), qtf)));
    }
    return lists;
  }

  /** Runs a query. Before the index is first built it returns nothing (see status()). */
  async search(req: SearchRequest): Promise<SearchOutcome> {
    const q = req.query;
    const terms = SearchIndex.queryTerms(q);
    const termList = [...terms.keys()];
    const g = this.gen;
    const empty: SearchOutcome = { hits: [], total: 0, totalExact: true, mode: req.mode, terms: termList };
    if (!g) return empty;
    const k = Math.min(MAX_RESULTS, req.offset + req.limit);
    if (k <= 0) return empty;
    const segs = this.segments();
    const terms0 = [...terms.keys()];
    const allows = segs.map((s) => restrict(s, this.allowed(s, q), req.only, req.allWords && req.sort === 'relevance' ? terms0 : null));
    let mode = req.mode;
    if (mode !== 'keyword' && (!g.vectors || !g.embedder)) mode = 'keyword';
    if (terms.size === 0 && q.phrases.length === 0) {
      if (mode === 'semantic' || !hasFilters(q)) {
        if (!hasFilters(q) && q.excludedWords.length === 0 && q.excludedPhrases.length === 0) return { ...empty, mode };
      }
      // Filters only: every paper that passes, newest (or most upvoted) first.
      const all = segs.map((s, i) => ({ docs: s.allDocs(allows[i]!), scores: new Float64Array(0) }));
      return this.sorted(segs, all, req.sort === 'upvotes' ? 'upvotes' : 'date', req, termList, mode);
    }
    let semanticUnavailable = false;
    if (mode === 'semantic') {
      const qv = await this.queryVector(q);
      if (qv) return this.semantic(req, segs, allows, termList, qv);
      mode = 'keyword';
      semanticUnavailable = true;
    }
    if (req.sort !== 'relevance') {
      // Sorted by date or votes: the papers matching every word (and phrase), in that order.
      const all = segs.map((s, i) => {
        const lists = [...terms.keys()].map((term) => { const t = s.termIndex(term); return t < 0 ? null : s.list(t, 0); });
        if (lists.some((l) => l === null)) return { docs: new Int32Array(), scores: new Float64Array() };
        return s.conjunction(lists as TermList[], [], allows[i]!);
      });
      if (q.phrases.length > 0) {
        const ids = await this.checkPhrases(segs, all, q.phrases);
        const sortedHits = this.sortIds(segs, ids, req.sort);
        return { hits: sortedHits.slice(req.offset, req.offset + req.limit), total: sortedHits.length, totalExact: ids.length < MAX_PHRASE_CHECKS, mode, terms: termList };
      }
      return this.sorted(segs, all, req.sort, req, termList, mode);
    }
    // Relevance.
    const n = Math.max(1, this.liveCount());
    const lists = segs.map((s) => this.termLists(s, terms, n));
    const phraseAllow = q.phrases.length > 0 ? this.phraseAllow(segs, allows, q.phrases) : allows;
    const depth = mode === 'hybrid' ? Math.max(k, RERANK_DEPTH) : k;
    let hits: SearchHit[];
    // With a phrase: the share of the candidates checked that have it, or the exact count when every
    // paper with its words was checked.
    let phraseRatio: number | null = null;
    let phraseCount: number | null = null;
    // Papers with the query's words (and every phrase word), counted once for both uses below.
    const withWords = this.unionCount(segs, lists, phraseAllow);
    if (q.phrases.length > 0) {
      // When few enough papers have the words, all of them are checked at once: the count is then
      // exact, and the same on every page.
      let fetch = withWords !== null && withWords <= PHRASE_EXACT_MAX ? withWords + 1 : Math.min(MAX_PHRASE_CHECKS, depth * 2 + 20);
      for (;;) {
        const cand = this.mergeTop(segs, segs.map((s, i) => s.topK(lists[i]!, fetch, phraseAllow[i]!)), fetch);
        const having = await this.havingPhrases(cand.map((h) => h.id), q.phrases);
        const ok = cand.filter((h) => having.has(h.id));
        phraseRatio = cand.length > 0 ? ok.length / cand.length : 1;
        phraseCount = cand.length < fetch ? ok.length : null;
        if (ok.length >= depth || cand.length < fetch || fetch >= MAX_PHRASE_CHECKS) { hits = ok.slice(0, depth); break; }
        fetch = Math.min(MAX_PHRASE_CHECKS, fetch * 4);
      }
    } else {
      hits = this.mergeTop(segs, segs.map((s, i) => s.topK(lists[i]!, depth, phraseAllow[i]!)), depth);
    }
    if (mode === 'hybrid' && hits.length > 1) {
      const qv = await this.queryVector(q);
      if (qv) hits = await this.rerank(q, hits, qv);
      else { mode = 'keyword'; semanticUnavailable = true; }
    }
    const { total, exact } = phraseCount !== null ? { total: phraseCount, exact: true } : this.count(segs, lists, phraseAllow, phraseRatio, withWords);
    return {
      hits: hits.slice(req.offset, req.offset + req.limit), total: Math.max(total, Math.min(hits.length, total === 0 ? hits.length : total)), totalExact: exact, mode, terms: termList,
      ...(semanticUnavailable ? { semanticUnavailable } : {}),
    };
  }

  /** Documents of each segment having every word of every phrase (the phrase itself is checked later). */
  private phraseAllow(segs: Segment[], allows: (Uint8Array | null)[], phrases: string[][]): (Uint8Array | null)[] {
    return segs.map((s, i) => {
      const lists: TermList[] = [];
      for (const term of phrases.flat().flatMap((w) => analyze(w))) {
        const t = s.termIndex(term);
        if (t < 0) return new Uint8Array(s.docCount);
        lists.push(s.list(t, 0));
      }
      if (lists.length === 0) return allows[i]!;
      const mask = new Uint8Array(s.docCount);
      for (const d of conjunctionDocs(s, lists)) mask[d] = 1;
      const allow = allows[i];
      if (allow) for (let d = 0; d < mask.length; d++) mask[d]! &= allow[d]!;
      return mask;
    });
  }

  private mergeTop(segs: Segment[], results: Hits[], k: number): SearchHit[] {
    const all: SearchHit[] = [];
    results.forEach((r, i) => { for (let j = 0; j < r.docs.length; j++) all.push({ id: segs[i]!.idAt(r.docs[j]!), score: r.scores[j]! }); });
    return all.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, k);
  }

  /** Papers having any of the lists' terms (within `allows`), or null past EXACT_COUNT_MAX_POSTINGS. */
  private unionCount(segs: Segment[], lists: TermList[][], allows: (Uint8Array | null)[]): number | null {
    const postings = lists.flat().reduce((s, l) => s + (l.end - l.start), 0);
    return postings <= EXACT_COUNT_MAX_POSTINGS ? segs.reduce((s, seg, i) => s + seg.countUnion(lists[i]!, allows[i]!), 0) : null;
  }

  /**
   * Papers matching, counted (or estimated past EXACT_COUNT_MAX_POSTINGS). `phraseRatio`: for a
   * phrase query, the share of the candidates checked that have the phrase; the count is then an
   * estimate, whatever that share (the papers not checked may differ), and may move from page to
   * page as deeper pages check more of them.
   */
  private count(
    segs: Segment[], lists: TermList[][], allows: (Uint8Array | null)[], phraseRatio: number | null, union = this.unionCount(segs, lists, allows),
  ): { total: number; exact: boolean } {
    const ratio = phraseRatio ?? 1;
    if (union !== null) return { total: Math.round(union * ratio), exact: phraseRatio === null };
    // Estimate: terms taken as independent, scaled by the share of papers the filters let through.
    let estimate = 0;
    segs.forEach((seg, i) => {
      let none = 1;
      for (const l of lists[i]!) none *= 1 - (l.end - l.start) / Math.max(1, seg.docCount);
      let share = 1;
      const allow = allows[i];
      if (allow) { let c = 0; for (let d = 0; d < allow.length; d += 16) c += allow[d]!; share = c / Math.max(1, Math.ceil(allow.length / 16)); }
      estimate += seg.docCount * (1 - none) * share;
    });
    return { total: Math.round(estimate * ratio), exact: false };
  }

  private sorted(segs: Segment[], all: Hits[], sort: SearchSort, req: SearchRequest, terms: string[], mode: SearchMode): SearchOutcome {
    const total = all.reduce((s, h) => s + h.docs.length, 0);
    const k = Math.min(MAX_RESULTS, req.offset + req.limit);
    // Best k of each segment by (key desc, day desc, id asc), then the segments merged.
    const cand: { seg: number; doc: number; key: number; key2: number; id: string }[] = [];
    all.forEach((h, i) => {
      const seg = segs[i]!;
      const key = sort === 'upvotes' ? seg.data.upvotes : seg.data.days;
      for (const d of seg.topByKey(h.docs, key, seg.data.days, k)) cand.push({ seg: i, doc: d, key: key[d]!, key2: seg.data.days[d]!, id: seg.idAt(d) });
    });
    cand.sort((a, b) => b.key - a.key || b.key2 - a.key2 || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const hits = cand.slice(0, k).map((c) => ({ id: c.id, score: c.key }));
    return { hits: hits.slice(req.offset, req.offset + req.limit), total, totalExact: true, mode, terms };
  }

  private sortIds(segs: Segment[], ids: string[], sort: SearchSort): SearchHit[] {
    const keyed = ids.map((id) => {
      for (const s of segs) {
        const d = s.docIndex(id);
        if (d >= 0 && s.deleted[d] === 0) return { id, key: sort === 'upvotes' ? s.data.upvotes[d]! : s.data.days[d]!, key2: s.data.days[d]! };
      }
      return { id, key: -Infinity, key2: -Infinity };
    });
    return keyed.sort((a, b) => b.key - a.key || b.key2 - a.key2 || (a.id < b.id ? -1 : 1)).map((x) => ({ id: x.id, score: x.key }));
  }

  /** Ids among `all` whose text has every phrase (newest first, at most MAX_PHRASE_CHECKS checked). */
  private async checkPhrases(segs: Segment[], all: Hits[], phrases: string[][]): Promise<string[]> {
    const cand: { id: string; day: number }[] = [];
    all.forEach((h, i) => { for (const d of h.docs) cand.push({ id: segs[i]!.idAt(d), day: segs[i]!.data.days[d]! }); });
    cand.sort((a, b) => b.day - a.day);
    const ids = cand.slice(0, MAX_PHRASE_CHECKS).map((c) => c.id);
    const having = await this.havingPhrases(ids, phrases);
    return ids.filter((id) => having.has(id));
  }

  /**
   * Those of `ids` whose title and abstract have every phrase. What the text said is kept per
   * (phrase, paper) for the PHRASE_VERDICTS most recent checks until the index's text changes (its
   * epoch, moved by every change applied from the change log): only papers not checked yet are read
   * from the store, and each of those is split into words once for all the phrases.
   */
  private async havingPhrases(ids: readonly string[], phrases: readonly (readonly string[])[]): Promise<Set<string>> {
    const epoch = this.epoch;
    const kept = this.phraseVerdicts.at(epoch);
    const wants = phrases.map((p) => p.map((w) => stemWord(w)));
    const keys = wants.map((w) => JSON.stringify(w)); // self-delimiting: the paper id follows
    const out = new Set<string>();
    const unknown: string[] = [];
    for (const id of ids) {
      let all = true;
      let known = true;
      for (const key of keys) {
        const v = kept.get(key + id);
        if (v === false) { all = false; known = true; break; }
        if (v === undefined) known = false;
      }
      if (!known) unknown.push(id);
      else if (all) out.add(id);
    }
    if (unknown.length === 0) return out;
    const texts = await listPaperTexts(this.store.db, unknown);
    const firsts = new Set(wants.flat().map((w) => w.charAt(0)));
    const stillValid = this.epoch === epoch; // the text may have changed while it was read
    for (const id of unknown) {
      const t = texts.get(id);
      if (!t) continue; // gone from the store meanwhile: not found, and nothing kept
      // Only words that could be the phrases' words are stemmed; the others stand as '' (no stem is empty).
      const have = stemsStartingWith(`${t.title} ${t.abstract}`, firsts);
      let all = true;
      wants.forEach((want, i) => {
        const v = !want.includes('') && hasRun(have, want); // no word of a text has an empty stem
        if (stillValid) kept.set(keys[i]! + id, v);
        if (!v) all = false;
      });
      if (all) out.add(id);
    }
    return out;
  }

  private vectorAllow(segs: Segment[], allows: (Uint8Array | null)[]): ((slot: number) => boolean) | null {
    const g = this.gen!;
    const baseAllow = allows[0] ?? null;
    const deltaAllow = allows[1] ?? null;
    if (!baseAllow && !deltaAllow) return null;
    const baseCount = g.base.docCount;
    const slotToDelta = new Map<number, number>();
    if (this.delta && deltaAllow) for (const [id, slot] of this.deltaSlots) slotToDelta.set(slot, this.delta.docIndex(id));
    return (slot) => {
      if (slot < baseCount) return baseAllow === null || baseAllow[slot] === 1;
      if (!deltaAllow) return true;
      const d = slotToDelta.get(slot);
      return d !== undefined && d >= 0 && deltaAllow[d] === 1;
    };
  }

  private slotId(slot: number): string | null {
    const g = this.gen!;
    if (slot < g.base.docCount) return g.base.idAt(slot);
    for (const [id, s] of this.deltaSlots) if (s === slot) return id;
    return null;
  }

  /**
   * The query's vector, or null when the embedder fails (an external service down or slow): the
   * search then runs by keywords and says so, rather than failing.
   */
  private async queryVector(q: ParsedQuery): Promise<Float32Array | null> {
    const text = [...q.words, ...q.phrases.map((p) => p.join(' '))].join(' ');
    try {
      return await this.gen!.embedder!.embedQuery(text);
    } catch (err) {
      if (Date.now() - this.queryFailureLoggedAt >= 60_000) {
        this.queryFailureLoggedAt = Date.now();
        this.log(`search: the embedder failed (${(err as Error).message}); searches run by keywords until it answers`);
      }
      return null;
    }
  }

  private async semantic(req: SearchRequest, segs: Segment[], allows: (Uint8Array | null)[], terms: string[], qv: Float32Array): Promise<SearchOutcome> {
    const g = this.gen!;
    const k = Math.min(MAX_RESULTS, req.offset + req.limit);
    const found = g.vectors!.search(qv, k, this.vectorAllow(segs, allows));
    const hits: SearchHit[] = [];
    for (let i = 0; i < found.slots.length; i++) {
      const id = this.slotId(found.slots[i]!);
      if (id) hits.push({ id, score: found.scores[i]! });
    }
    let allowed = 0;
    segs.forEach((s, i) => {
      const a = allows[i];
      if (!a) allowed += s.docCount - s.deletedCount;
      else for (let d = 0; d < a.length; d++) if (a[d] === 1 && s.deleted[d] === 0) allowed++;
    });
    return { hits: hits.slice(req.offset, req.offset + req.limit), total: Math.min(allowed, MAX_RESULTS), totalExact: allowed <= MAX_RESULTS, mode: 'semantic', terms };
  }

  /** Hybrid: keyword candidates re-scored with the semantic similarity (weights in HYBRID_SEMANTIC_WEIGHT). */
  private async rerank(q: ParsedQuery, hits: SearchHit[], qv: Float32Array): Promise<SearchHit[]> {
    const g = this.gen!;
    const head = hits.slice(0, RERANK_DEPTH);
    const slots = head.map((h) => {
      const slot = g.base.docIndex(h.id);
      const s = this.deltaSlots.get(h.id) ?? (slot >= 0 && g.base.deleted[slot] === 0 ? slot : -1);
      return s >= 0 && !g.vectors!.isRemoved(s) ? s : -1;
    });
    const cos = slots.map((s) => (s >= 0 ? g.vectors!.similarity(qv, s) : 0));
    const hybrid = head.map((h, i) => ({ id: h.id, slot: slots[i]!, score: hybridScore(h.score, head[0]!.score, cos[i]!, cos, this.opts.tuning?.semanticWeight) }));
    hybrid.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    const texts = await this.textsOf(hybrid.slice(0, SENTENCE_DEPTH).map((h) => h.id));
    const n = Math.max(1, this.liveCount());
    const weights = new Map([...SearchIndex.queryTerms(q).keys()].map((t) => [t, this.termWeight(t, n)] as const));
    const rescored = this.withSynonymShare(q, this.withSentenceShare(hybrid, texts, weights), texts, weights);
    const top = rescored.slice(0, SMOOTHING_DEPTH);
    const vectors = top.map((r) => (r.slot >= 0 ? g.vectors!.vectorAt(r.slot) : null));
    const smoothed = neighbourSmoothing(top.map((r) => r.score), (i, j) => dotProduct(vectors[i]!, vectors[j]!), {
      neighbours: SMOOTHING_NEIGHBOURS, weight: this.opts.tuning?.smoothingWeight ?? SMOOTHING_WEIGHT, usable: (i) => vectors[i] !== null,
    });
    const head2 = top.map((r, i) => ({ id: r.id, score: smoothed[i]! })).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    const rest = rescored.slice(SMOOTHING_DEPTH).map((r) => ({ id: r.id, score: r.score }));
    return [...head2, ...rest, ...hits.slice(RERANK_DEPTH).map((h) => ({ id: h.id, score: h.score / Math.max(1e-9, head[0]!.score) }))];
  }

  /**
   * The hybrid top SENTENCE_DEPTH with SENTENCE_WEIGHT x their best sentence's share of the query
   * (passage.ts); `weights` are the query terms' ranking weights.
   */
  private withSentenceShare<T extends { id: string; score: number }>(ranked: T[], texts: ReadonlyMap<string, CandidateText>, weights: ReadonlyMap<string, number>): T[] {
    const weight = this.opts.tuning?.sentenceWeight ?? SENTENCE_WEIGHT;
    if (weight === 0) return ranked;
    const sentences = new Map([...texts].map(([id, t]) => [id, t.sentences] as const));
    return addSentenceShare(ranked, sentences, weights, { depth: SENTENCE_DEPTH, weight });
  }

  /** The same papers with up to SYNONYM_WEIGHT for near-synonyms of the query words they lack (synonyms.ts). */
  private withSynonymShare<T extends { id: string; score: number }>(
    q: ParsedQuery, ranked: T[], texts: ReadonlyMap<string, CandidateText>, weights: ReadonlyMap<string, number>,
  ): T[] {
    const vectors = this.gen?.words;
    const weight = this.opts.tuning?.synonymWeight ?? SYNONYM_WEIGHT;
    if (!vectors || weight === 0) return ranked;
    const papers = new Map<string, PaperWords>();
    for (const [id, t] of texts) if (t.words) papers.set(id, t.words);
    return addSynonymShare(ranked, papers, distinctQueryWords(q, (term) => weights.get(term) ?? 0), vectors, {
      depth: SENTENCE_DEPTH, weight, threshold: this.opts.tuning?.synonymThreshold ?? SYNONYM_THRESHOLD,
    });
  }

  /**
   * Papers' sentences as index terms (passage.ts) and their words with vectors (synonyms.ts), read
   * from the store and kept for the SENTENCE_CACHE_SIZE most recently read papers until the index's
   * text changes (its epoch): popular results are not re-read and re-stemmed on every search.
   */
  private async textsOf(ids: readonly string[]): Promise<Map<string, CandidateText>> {
    const epoch = this.epoch;
    const vectors = this.gen?.words ?? null;
    const kept = this.texts.at(epoch);
    const out = new Map<string, CandidateText>();
    const missing: string[] = [];
    for (const id of ids) { const s = kept.get(id); if (s) out.set(id, s); else missing.push(id); }
    if (missing.length === 0) return out;
    const texts = await listPaperTexts(this.store.db, missing);
    const stillValid = this.epoch === epoch; // the text may have changed while it was read
    for (const [id, t] of texts) {
      const sentences = sentenceTerms(t.title, t.abstract);
      const paper: CandidateText = { sentences, words: vectors ? paperWords(sentences, `${t.title} ${t.abstract}`, vectors) : null };
      out.set(id, paper);
      if (stillValid) kept.set(id, paper);
    }
    return out;
  }

  /**
   * Read access for discovery (similar papers, For you): each paper's vector, nearest neighbours of
   * a vector, and term statistics. Null until the index is built; `vectors` is false (and vector
   * calls answer nothing) until the semantic part is ready or when it is off.
   */
  discoveryView(): DiscoveryView | null {
    const g = this.gen;
    if (!g) return null;
    const slotOf = (id: string): number => {
      const s = this.deltaSlots.get(id);
      if (s !== undefined) return s;
      const d = g.base.docIndex(id);
      return d >= 0 && g.base.deleted[d] === 0 ? d : -1;
    };
    const v = g.vectors;
    return {
      vectors: !!v && !!g.embedder,
      papers: Math.max(1, this.liveCount()),
      epoch: this.epoch,
      df: (term) => this.memoDf(term),
      vectorOf: (id) => {
        if (!v) return null;
        const s = slotOf(id);
        return s >= 0 && s < v.size && !v.isRemoved(s) ? v.vectorAt(s) : null;
      },
      nearest: (query, k, skip) => {
        if (!v || k <= 0) return [];
        const found = v.search(query, k + 8, null);
        const out: SearchHit[] = [];
        for (let i = 0; i < found.slots.length && out.length < k; i++) {
          const id = this.slotId(found.slots[i]!);
          if (id && !skip?.(id)) out.push({ id, score: found.scores[i]! });
        }
        return out;
      },
    };
  }

  /** "Did you mean": the query's words with misspelt ones corrected, or null when none is (see correctWords). */
  suggest(q: ParsedQuery): string[] | null {
    const segs = this.segments();
    if (segs.length === 0 || q.words.length === 0) return null;
    const wordDf = (w: string) => segs.reduce((s, seg) => s + seg.wordDf(w), 0);
    return correctWords(q.words, (w) => this.df(stemWord(w)) > 2, wordDf);
  }

  /** Completions of a word being typed: the corpus's most used words starting with it (see pickCompletions). */
  completeTerm(prefix: string, limit = 3): string[] {
    const g = this.gen;
    if (!g || prefix.length < 2) return [];
    const folded = surfaceWords(prefix)[0];
    if (!folded) return [];
    return pickCompletions(g.base.wordDf(folded), g.base.wordsStartingWith(folded, 500), limit);
  }
}

/** Hybrid score of one candidate: normalised BM25 plus weighted normalised cosine. */
export function hybridScore(bm25: number, bestBm25: number, cos: number, allCos: readonly number[], weight = HYBRID_SEMANTIC_WEIGHT): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of allCos) { if (c < lo) lo = c; if (c > hi) hi = c; }
  const semantic = hi > lo ? (cos - lo) / (hi - lo) : 0;
  return bm25 / Math.max(1e-9, bestBm25) + weight * semantic;
}

/**
 * Narrows a segment's allowed documents to the papers in `only` (when set) and to those having
 * every term of `allTerms` (when set); null stays null when nothing narrows.
 */
function restrict(seg: Segment, allow: Uint8Array | null, only: ReadonlySet<string> | undefined, allTerms: readonly string[] | null): Uint8Array | null {
  if (!only && (!allTerms || allTerms.length === 0)) return allow;
  const n = seg.docCount;
  let mask: Uint8Array | null = null;
  if (only) {
    mask = new Uint8Array(n);
    for (const id of only) { const d = seg.docIndex(id); if (d >= 0) mask[d] = 1; }
  }
  if (allTerms && allTerms.length > 0) {
    const lists: TermList[] = [];
    for (const term of allTerms) {
      const t = seg.termIndex(term);
      if (t < 0) return new Uint8Array(n);
      lists.push(seg.list(t, 0));
    }
    const has = new Uint8Array(n);
    for (const d of conjunctionDocs(seg, lists)) has[d] = 1;
    if (mask) for (let d = 0; d < n; d++) mask[d]! &= has[d]!;
    else mask = has;
  }
  if (allow) for (let d = 0; d < n; d++) mask![d]! &= allow[d]!;
  return mask;
}

/** Every document of a segment that has all the lists (filters use it). */
function conjunctionDocs(seg: Segment, lists: TermList[]): Int32Array {
  return seg.conjunction(lists, [], null).docs;
}

/** True when `text` has the folded words of `phrase` in a row. */
export function containsPhrase(text: string, phrase: readonly string[]): boolean {
  if (phrase.length === 0) return true;
  return hasRun(surfaceWords(text).map((w) => stemWord(w)), phrase.map((w) => stemWord(w)));
}

/** True when `want` (stems) stands in `have` (a text's stems) in a row. */
function hasRun(have: readonly string[], want: readonly string[]): boolean {
  outer: for (let i = 0; i + want.length <= have.length; i++) {
    for (let j = 0; j < want.length; j++) if (have[i + j] !== want[j]) continue outer;
    return true;
  }
  return false;
}
