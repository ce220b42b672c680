/**
 * Search done inside PostgreSQL: the second engine behind `PaperSearchEngine` (src/search/engine.ts),
 * chosen with PAPERBOY_SEARCH_ENGINE=postgres on a PostgreSQL store. Same query language, modes,
 * sorts and fusion as the in-memory `SearchIndex`; different machinery:
 *
 * - keyword: `paper_search_documents.document` (migrations 009, 010), a tsvector with the title at
 *   weight A, the abstract at B (`english`) and author names at C (`simple`), accents folded as our
 *   analyzer folds them (`paper_search_fold`), kept by triggers in the
 *   writer's transaction (searchable at commit) and indexed with GIN. The tsquery is assembled in
 *   SQL from one `plainto_tsquery` / `phraseto_tsquery` call per word or phrase of OUR parsed query,
 *   each word a bound parameter: what a user types never reaches the tsquery or SQL syntax.
 *   Ranked with `ts_rank_cd` (weights {C 0.2, B 0.4, A 1.0}); filters, sorts and counts in SQL.
 * - semantic: pgvector, `search_paper_vectors` (vector(dims), HNSW over cosine distance), filled with
 *   the same corpus-trained embedder as the in-memory engine. The trained model is stored in the
 *   database (`search_models`, `search_model_parts`), so every process embeds queries alike.
 * - hybrid: `hybridScore` (search-index.ts) over the top RERANK_DEPTH keyword hits plus the
 *   nearest vectors, then the best-sentence share and neighbour smoothing, as in the in-memory engine.
 *
 * New and edited papers: their tsvector is written by the triggers in the same transaction; their
 * vectors within about a second, by every process that follows the change log (idempotent upserts).
 * Each vector records the version of the search document it was embedded from (migration 013), so
 * papers whose change left the log before this engine read it are found by comparing versions.
 */
import type { RawBuilder } from 'kysely';
import { sql } from '../store/kysely.ts';
import type { Store } from '../store/index.ts';
import { isConnectionLoss } from '../store/postgres/connection.ts';
import { CorpusEmbedder, DEFAULT_CORPUS_EMBEDDER, mayTrainOn, type CorpusEmbedderOptions } from './embedder.ts';
import { pickCompletions, type PaperSearchEngine } from './engine.ts';
import { corpusEmbedderFrom, corpusEmbedderParts, wordVectorParts, wordVectorsFrom } from './persist.ts';
import { DEFAULT_BM25, idf, termImpact } from './bm25.ts';
import { hasFilters, type ParsedQuery } from './query.ts';
import {
  BURSTINESS, hybridScore, IDENTIFIER_BOOST, MAX_RESULTS, RERANK_DEPTH, SearchIndex, SENTENCE_DEPTH, SENTENCE_WEIGHT, SMOOTHING_DEPTH, SMOOTHING_NEIGHBOURS, SMOOTHING_WEIGHT,
  SYNONYM_THRESHOLD, SYNONYM_WEIGHT,
  type BuildProgress, type IndexStatus, type SearchHit, type SearchMode, type SearchOutcome, type SearchRequest,
} from './search-index.ts';
import { packStrings } from './segment.ts';
import {
  findIndexMeta, latestChangeSeq, listChangesAfter, listIndexDocsAfter, listPaperTexts, listVersionedDocsAfter, listVersionedDocsByIds, PART_BYTES, type PaperText, type VersionedDoc,
} from './store-io.ts';
import { correctWords } from './suggest.ts';
import { analyze, isIdentifier, surfaceWords } from './text.ts';
import { dotProduct, neighbourSmoothing } from './fusion.ts';
import { addSentenceShare, sentenceTerms } from './passage.ts';
import { addSynonymShare, distinctQueryWords, paperWords, type PaperWords } from './synonyms.ts';
import { loadWordVectors, WORD_VECTOR_SOURCE, type WordVectors } from './word-vectors.ts';

/** Counting stops here; above it the total is shown as "about" (a count of every match costs a pass). */
export const PG_COUNT_CAP = 100_000;
/** HNSW candidates examined per query (pgvector's default is 40; recall@100 needs more). */
export const HNSW_EF_SEARCH = 200;
/** Nearest vectors added to the hybrid candidates, beside the keyword top RERANK_DEPTH. */
export const HYBRID_NEIGHBOURS = 100;
/** Papers read, embedded and written per batch when building. */
const BUILD_BATCH = 1_000;
/** Change-log rows applied per refresh step. */
const CHANGES_PER_STEP = 2_000;
/** How often the engine looks at the change log for papers to embed, in ms. */
export const PG_REFRESH_INTERVAL_MS = 1_000;
/** One build at a time per database (a session advisory lock; any constant would do). */
const BUILD_LOCK_ID = 8_150_009;
/** How long a process waits before building again when the database went away during its build (a restart or failover is usually over by then). */
export const PG_BUILD_RETRY_MS = 60_000;
/** Words a paper must share with others to be offered as a correction or completion. */
const MIN_WORD_PAPERS = 2;

/**
 * The keyword ranking (tuning; the default measured best on SciFact, docs/search.md):
 * - `weighted`: the sum over query words of idf x burstiness (from `search_lexeme_stats`, as the
 *   in-memory engine weighs its terms) x `termFn` of the paper for that word alone;
 * - `ts_rank_cd` / `ts_rank`: PostgreSQL's function over the whole query (no idf).
 */
export interface PgRankOptions {
  fn: 'weighted' | 'ts_rank_cd' | 'ts_rank';
  /** The per-word function of `weighted`. */
  termFn: 'ts_rank' | 'ts_rank_cd';
  /** ts_rank's normalisation bit mask (0 none, 1 log length, 2 length, 32 rank/(rank+1)). */
  normalization: number;
  /** Weights of D, C, B, A. */
  weights: [number, number, number, number];
  /**
   * Candidates (PostgreSQL's best by the rank above) re-scored with BM25F over their title and
   * abstract, with the same analyzer, constants and term weights as the in-memory engine; 0: off.
   */
  rescore: number;
}

export const DEFAULT_PG_RANK: PgRankOptions = { fn: 'weighted', termFn: 'ts_rank', normalization: 1, weights: [0.1, 0.2, 0.85, 1.0], rescore: 300 };

export interface PgSearchEngineOptions {
  /** False turns semantic search off (keyword only; no pgvector needed). */
  semantic?: boolean;
  corpusEmbedder?: Partial<CorpusEmbedderOptions>;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Logs what an operator should look at (a failed build); default: `log`. */
  warn?: (msg: string) => void;
  /** How long after a build that lost the database the following timer builds again (default PG_BUILD_RETRY_MS). */
  buildRetryMs?: number;
  rank?: Partial<PgRankOptions>;
  tuning?: { semanticWeight?: number; neighbours?: number; efSearch?: number; burstiness?: number; identifierBoost?: number; smoothingWeight?: number; sentenceWeight?: number; synonymWeight?: number; synonymThreshold?: number };
}

/** The model in use: the embedder (null with semantic search off), its generation, the vocabulary for corrections. */
interface Model {
  generation: number;
  watermark: number;
  /** Papers when it was built (the N of idf). */
  papers: number;
  /** Mean title and abstract length in index terms (BM25F's length normalisation). */
  avgLen: { title: number; abstract: number } | null;
  embedder: CorpusEmbedder | null;
  /** Surface words used by at least MIN_WORD_PAPERS papers, sorted, with their paper counts. */
  words: string[];
  wordPapers: Uint32Array;
  wordIndex: Map<string, number>;
  /** Pretrained vectors of those words (word-vectors.ts), for the hybrid ranking's near-synonyms; null without. */
  wordVectors: WordVectors | null;
}

type Db = Store['db'];

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One query word as the search documents hold it: stemmed (english) in the title and abstract
 * (weights A and B), as written (folded, the `simple` configuration) among the authors (weight C),
 * as the in-memory engine reads them. The english query alone, on the whole document, missed authors
 * by name ("williams" is `william`, which the authors' `williams` is not) and found others ("William Wang").
 */
function wordQuery(word: string): RawBuilder<unknown> {
  // Our words are letters and digits; anything else would need quoting inside to_tsquery.
  if (!/^[\p{L}\p{N}]+$/u.test(word)) return sql`plainto_tsquery('english', ${word})`;
  return sql`(to_tsquery('english', quote_literal(${word}) || ':AB') || to_tsquery('simple', quote_literal(paper_search_fold(${word})) || ':C'))`;
}

/** pgvector's text form of a vector: `[0.1,0.2,...]`. */
export function vectorLiteral(v: ArrayLike<number>): string {
  const parts: string[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    parts[i] = Number.isFinite(x) ? String(Math.fround(x)) : '0';
  }
  return `[${parts.join(',')}]`;
}

export class PgSearchEngine implements PaperSearchEngine {
  private model: Model | null = null;
  private watermark = 0;
  private building: Promise<void> | null = null;
  private buildProgress = 0;
  private refreshing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private vectorsReady = false;
  private buildFailed = false;
  /** When the database went away during the build: when to build again (0: not planned). */
  private buildAgainAt = 0;
  private readonly rank: PgRankOptions;
  private readonly log: NonNullable<PgSearchEngineOptions['log']>;
  private readonly warn: (msg: string) => void;

  private constructor(readonly store: Store, private readonly opts: PgSearchEngineOptions) {
    if (store.dialect !== 'postgres') throw new Error('search: PAPERBOY_SEARCH_ENGINE=postgres needs a PostgreSQL store (DATABASE_URL=postgres://...)');
    this.rank = { ...DEFAULT_PG_RANK, ...opts.rank };
    this.log = opts.log ?? (() => {});
    this.warn = opts.warn ?? ((msg) => this.log(msg));
  }

  /** True when the store holds a ready model with an embedder (its vectors serve semantic and hybrid search). */
  static async storedHasVectors(store: Store): Promise<boolean> {
    const { rows } = await sql<{ info: string }>`SELECT info FROM search_models WHERE ready = 1 ORDER BY generation DESC LIMIT 1`.execute(store.db);
    if (!rows[0]) return false;
    try {
      return (JSON.parse(rows[0].info) as { embedder?: unknown }).embedder != null;
    } catch {
      return false;
    }
  }

  /** An engine that loads nothing until asked (rebuild() or load()): for evaluation and tests. */
  static detached(store: Store, opts: PgSearchEngineOptions = {}): PgSearchEngine {
    return new PgSearchEngine(store, opts);
  }

  /**
   * Opens the engine: keyword search works at once (the tsvectors are kept by triggers); the stored
   * embedding model is loaded, or (none yet) trained in the background, meanwhile hybrid and
   * semantic queries fall back to keyword and say so. With `wait`, resolves when that is done.
   */
  static async open(store: Store, opts: PgSearchEngineOptions = {}, wait = false): Promise<PgSearchEngine> {
    const engine = new PgSearchEngine(store, opts);
    if (!(await engine.load())) {
      engine.buildInBackground();
      if (wait) await engine.building;
    }
    return engine;
  }

  /**
   * Builds the model while keyword search goes on. A failed build leaves semantic search off; when
   * the database went away meanwhile (a restart, a failover), the following timer builds again
   * after buildRetryMs, otherwise it waits for `paperboy reindex` (or a model another process saves).
   */
  private buildInBackground(): void {
    this.buildFailed = false;
    this.buildAgainAt = 0;
    this.building = this.rebuild().catch((err: Error) => {
      this.buildFailed = true;
      if (isConnectionLoss(err)) {
        const retryMs = this.opts.buildRetryMs ?? PG_BUILD_RETRY_MS;
        this.buildAgainAt = Date.now() + retryMs;
        this.warn(`search: postgres engine build stopped, the database went away (${err.message}); keyword search goes on, semantic search is off until the build runs again in ${Math.round(retryMs / 1000)} s`);
      } else {
        this.warn(`search: postgres engine build failed: ${err.message}; keyword search goes on, semantic search is off until paperboy reindex`);
      }
    }).finally(() => { this.building = null; });
  }

  private semanticOff(): boolean {
    return this.opts.semantic === false;
  }

  status(): IndexStatus {
    return {
      state: 'ready', // keyword search never waits: the tsvectors are in the database
      progress: 1,
      papers: this.model?.papers ?? 0, // as of the last build (new papers are searchable without one)
      semantic: this.semanticOff() ? 'off' : this.model?.embedder ? 'ready' : this.buildFailed ? 'off' : 'building',
      generation: this.model?.generation ?? 0,
    };
  }

  async ready(): Promise<void> {
    await this.building;
  }

  /** Follows the change log: papers added or edited get their vectors within `intervalMs`. */
  startFollowing(intervalMs = PG_REFRESH_INTERVAL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => { void this.refresh().catch((err: Error) => this.log(`search: refresh failed: ${err.message}`)); }, intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.building?.catch(() => {});
    await this.refreshing?.catch(() => {});
  }

  // -----------------------------------------------------------------------------------------------
  // The vector table, the stored model

  /**
   * Creates pgvector's extension, the vector table and its HNSW index when missing. CREATE EXTENSION
   * needs a superuser (pgvector is not a trusted extension) unless someone ran it once already.
   */
  private async ensureVectorSchema(dims: number): Promise<void> {
    if (this.vectorsReady) return;
    await this.store.withSessionLock(BUILD_LOCK_ID + 1, async (conn) => {
      try {
        await conn.query('CREATE EXTENSION IF NOT EXISTS vector');
      } catch (err) {
        if (isConnectionLoss(err)) throw err;
        throw new Error(`search: pgvector is needed for semantic search on PostgreSQL: ${(err as Error).message} (install pgvector and run CREATE EXTENSION vector as a superuser once; until then, search by keywords only with paperboy reindex --keyword-only, or use the in-memory engine, PAPERBOY_SEARCH_ENGINE=memory)`);
      }
      await conn.query(`CREATE TABLE IF NOT EXISTS search_paper_vectors (
        paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        generation INTEGER NOT NULL,
        embedding  vector(${Math.floor(dims)}) NOT NULL,
        content_version BIGINT,
        PRIMARY KEY (paper_id, generation))`);
      // The search document's version the vector was embedded from (NULL: written before migration 013, read as 0).
      // Looked up first: ALTER TABLE locks the table even when the column is there, and every process runs this at start.
      const { rowCount } = await conn.query(`SELECT 1 FROM pg_attribute WHERE attrelid = 'search_paper_vectors'::regclass AND attname = 'content_version' AND NOT attisdropped`);
      if (!rowCount) await conn.query('ALTER TABLE search_paper_vectors ADD COLUMN IF NOT EXISTS content_version BIGINT');
      await conn.query('CREATE INDEX IF NOT EXISTS search_paper_vectors_hnsw ON search_paper_vectors USING hnsw (embedding vector_cosine_ops)');
      const { rows } = await conn.query<{ t: string }>(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute
        WHERE attrelid = 'search_paper_vectors'::regclass AND attname = 'embedding'`);
      if (rows[0]?.t !== `vector(${dims})`) throw new Error(`search: search_paper_vectors holds ${rows[0]?.t ?? 'no vectors'}, the embedder makes vector(${dims}); drop the table and rebuild`);
    });
    this.vectorsReady = true;
  }

  /** Loads the newest ready model (if it is not the one in use); false when there is none. */
  async load(): Promise<boolean> {
    const { rows } = await sql<{ generation: number; info: string; watermark: string; papers: number }>`
      SELECT generation, info, watermark, papers FROM search_models WHERE ready = 1 ORDER BY generation DESC LIMIT 1`.execute(this.store.db);
    const row = rows[0];
    if (!row) return false;
    if (this.model?.generation === row.generation) return true;
    const t0 = Date.now();
    const parts = await loadModelParts(this.store.db, row.generation);
    const info = JSON.parse(row.info) as { embedder: { dims: number } | null; avgLen?: { title: number; abstract: number }; wordVectors?: Record<string, unknown> };
    let embedder: CorpusEmbedder | null = null;
    if (info.embedder && !this.semanticOff()) {
      embedder = corpusEmbedderFrom(parts, info.embedder);
      await this.ensureVectorSchema(embedder.dims);
    } else if (!this.semanticOff()) {
      this.log('search: the stored postgres engine model has no embedder; semantic search is off until paperboy reindex');
    }
    const words = unpackWords(parts);
    // A model saved before word vectors were (or without the package) ranks without near-synonyms until the next build.
    const wordVectors = embedder && info.wordVectors ? wordVectorsFrom(parts, info.wordVectors) : null;
    this.install({ generation: row.generation, watermark: Number(row.watermark), papers: Number(row.papers), avgLen: info.avgLen ?? null, embedder, ...words, wordVectors });
    if (!embedder) this.buildFailed = true; // no vectors are on their way: semantic search is off (not "being prepared")
    this.log(`search: postgres engine model loaded generation=${row.generation} words=${words.words.length} ms=${Date.now() - t0}`);
    await this.refresh();
    return true;
  }

  private install(m: Model): void {
    this.model = m;
    this.buildFailed = false;
    this.buildAgainAt = 0;
    this.watermark = m.watermark;
  }

  /**
   * Trains the embedder on the store's papers, stores it, and writes every paper's vector; then
   * switches to it. One build at a time per database: a second waits for the first.
   */
  async rebuild(onProgress?: (p: BuildProgress) => void): Promise<void> {
    const started = Date.now();
    const db = this.store.db;
    const opts = { ...DEFAULT_CORPUS_EMBEDDER, ...this.opts.corpusEmbedder };
    const semantic = !this.semanticOff();
    if (semantic) await this.ensureVectorSchema(opts.dims);
    await this.store.withSessionLock(BUILD_LOCK_ID, async (lease) => {
      const watermark = await latestChangeSeq(db);
      const total = Math.max(1, Number((await db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
      const training: { id: string; title: string; abstract: string }[] = [];
      const wordPapers = new Map<string, number>();
      let after = '';
      let read = 0;
      const lengths = { title: 0, abstract: 0 };
      for (;;) {
        const batch = await listIndexDocsAfter(db, after, BUILD_BATCH);
        if (batch.length === 0) break;
        for (const d of batch) {
          if (semantic && mayTrainOn(d.id, total, opts.maxTrainingDocs)) training.push({ id: d.id, title: d.title, abstract: d.abstract });
          for (const w of new Set(surfaceWords(`${d.title} ${d.abstract}`))) wordPapers.set(w, (wordPapers.get(w) ?? 0) + 1);
          lengths.title += analyze(d.title).length;
          lengths.abstract += analyze(d.abstract).length;
        }
        after = batch[batch.length - 1]!.id;
        read += batch.length;
        this.buildProgress = 0.2 * (read / total);
        onProgress?.({ phase: 'reading', done: read, total });
        await yieldNow();
        lease.check();
      }
      // Lexeme statistics for the keyword ranking's idf and burstiness.
      const tStats = Date.now();
      await db.transaction().execute(async (trx) => {
        await sql`DELETE FROM search_lexeme_stats`.execute(trx);
        await sql`INSERT INTO search_lexeme_stats (lexeme, papers, occurrences)
          SELECT word, ndoc, nentry FROM ts_stat('SELECT document FROM paper_search_documents')`.execute(trx);
      });
      this.log(`search: postgres engine lexeme statistics ms=${Date.now() - tStats}`);
      lease.check();
      const t0 = Date.now();
      const embedder = semantic
        ? await CorpusEmbedder.train(training, opts, (done, all) => {
          lease.check(); // training takes minutes: stop as soon as the lock's connection is gone
          this.buildProgress = 0.2 + 0.5 * (done / Math.max(1, all));
          onProgress?.({ phase: 'training', done, total: all });
        })
        : null;
      training.length = 0;
      if (embedder) this.log(`search: postgres engine embedder trained vocabulary=${embedder.vocabularySize} ms=${Date.now() - t0}`);
      const words = [...wordPapers].filter(([, n]) => n >= MIN_WORD_PAPERS).map(([w]) => w).sort();
      const counts = Uint32Array.from(words, (w) => wordPapers.get(w)!);
      wordPapers.clear();

      const parts = new Map<string, Uint8Array>();
      const avgLen = { title: lengths.title / Math.max(1, read), abstract: lengths.abstract / Math.max(1, read) };
      const info: Record<string, unknown> = { embedder: embedder ? corpusEmbedderParts(embedder, parts) : null, avgLen };
      packWords(words, counts, parts);
      let wordVectors: WordVectors | null = null;
      if (embedder) {
        wordVectors = await loadWordVectors(words, this.log);
        if (wordVectors) info.wordVectors = wordVectorParts(wordVectors, parts);
        else this.log(`search: no word vectors (the ${WORD_VECTOR_SOURCE} package is not installed); the hybrid ranking goes without near-synonyms`);
      }
      const { rows } = await sql<{ generation: number }>`
        INSERT INTO search_models (info, watermark, papers, ready, created_at)
        VALUES (${JSON.stringify(info)}, ${watermark}, ${read}, 0, ${new Date().toISOString()})
        RETURNING generation`.execute(db);
      const generation = rows[0]!.generation;
      await saveModelParts(db, generation, parts);
      lease.check();

      const t1 = Date.now();
      after = '';
      let done = 0;
      while (embedder) {
        const batch = await listVersionedDocsAfter(db, after, BUILD_BATCH);
        if (batch.length === 0) break;
        after = batch[batch.length - 1]!.doc.id;
        await embedAndUpsert(db, generation, embedder, batch);
        done += batch.length;
        this.buildProgress = 0.7 + 0.3 * (done / total);
        onProgress?.({ phase: 'embedding', done, total });
        await yieldNow();
        lease.check();
      }
      onProgress?.({ phase: 'saving', done: 0, total: 1 });
      await db.transaction().execute(async (trx) => {
        await sql`UPDATE search_models SET ready = 1 WHERE generation = ${generation}`.execute(trx);
        if (this.vectorsReady) await sql`DELETE FROM search_paper_vectors WHERE generation <> ${generation}`.execute(trx);
        await sql`DELETE FROM search_model_parts WHERE generation <> ${generation}`.execute(trx);
        await sql`DELETE FROM search_models WHERE generation <> ${generation}`.execute(trx);
      });
      onProgress?.({ phase: 'saving', done: 1, total: 1 });
      this.install({ generation, watermark, papers: read, avgLen, embedder, words, wordPapers: counts, wordIndex: new Map(words.map((w, i) => [w, i])), wordVectors });
      this.log(`search: postgres engine built generation=${generation} papers=${done} vectors_ms=${Date.now() - t1} ms=${Date.now() - started}`);
    });
    await this.refresh();
  }

  // -----------------------------------------------------------------------------------------------
  // Following changes

  /** Picks up a newer model, then embeds papers changed since the last look. Serialised. */
  async refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.refreshOnce().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    if (this.building) return;
    const { rows } = await sql<{ g: number | null }>`SELECT max(generation) AS g FROM search_models WHERE ready = 1`.execute(this.store.db);
    if (rows[0]?.g != null && rows[0].g !== this.model?.generation) {
      this.refreshing = null; // load() calls refresh(); let it run
      await this.load();
      return;
    }
    if (!this.model && this.buildAgainAt > 0 && Date.now() >= this.buildAgainAt) {
      this.log('search: postgres engine building again');
      this.buildInBackground();
      return;
    }
    const m = this.model;
    if (!m?.embedder) return;
    const from = this.watermark;
    for (;;) {
      const changes = await listChangesAfter(this.store.db, this.watermark, CHANGES_PER_STEP);
      const content = [...new Set(changes.filter((c) => c.kind === 'content').map((c) => c.paperId))];
      if (content.length > 0) {
        const docs = await listVersionedDocsByIds(this.store.db, content);
        await embedAndUpsert(this.store.db, m.generation, m.embedder, docs);
        this.log(`search: postgres engine vectors updated changed=${content.length} present=${docs.length}`);
      }
      if (changes.length > 0) this.watermark = changes[changes.length - 1]!.seq;
      if (changes.length < CHANGES_PER_STEP) break;
    }
    // The in-memory index (which discovery keeps in every process) drops the change log up to its
    // watermark when it saves: changes this engine had not read yet may be gone with it. Read after
    // the log, so a save that committed before that read is seen here; the papers it hid from this
    // engine are those whose vector is missing or older than their search document.
    const saved = await findIndexMeta(this.store.db);
    if (saved && saved.watermark > from) {
      await this.embedStalePapers(m);
      this.watermark = Math.max(this.watermark, saved.watermark);
    }
  }

  /** Embeds the papers without a vector of the model's generation, or whose vector is older than their search document, a batch at a time. */
  private async embedStalePapers(m: Model): Promise<void> {
    let embedded = 0;
    let after = '';
    for (;;) {
      const { rows } = await sql<{ id: string }>`
        SELECT d.paper_id AS id FROM paper_search_documents d
        LEFT JOIN search_paper_vectors v ON v.paper_id = d.paper_id AND v.generation = ${m.generation}
        WHERE d.paper_id > ${after} AND (v.paper_id IS NULL OR coalesce(v.content_version, 0) < d.version)
        ORDER BY d.paper_id LIMIT ${BUILD_BATCH}`.execute(this.store.db);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      const docs = await listVersionedDocsByIds(this.store.db, rows.map((r) => r.id));
      await embedAndUpsert(this.store.db, m.generation, m.embedder!, docs);
      embedded += docs.length;
      if (rows.length < BUILD_BATCH) break;
    }
    if (embedded > 0) this.log(`search: postgres engine vectors written for papers the change log no longer held papers=${embedded}`);
  }

  /** Tells the engine these papers changed (the change log would also tell it within a second). */
  async papersChanged(_ids: readonly string[]): Promise<void> {
    await this.refresh();
  }

  // -----------------------------------------------------------------------------------------------
  // Searching

  /** Runs a query. Never throws on what a user typed (every word is a bound parameter). */
  async search(req: SearchRequest): Promise<SearchOutcome> {
    const q = req.query;
    const termList = [...SearchIndex.queryTerms(q).keys()];
    const k = Math.min(MAX_RESULTS, req.offset + req.limit);
    let mode: SearchMode = req.mode;
    if (mode !== 'keyword' && !this.model?.embedder) mode = 'keyword';
    const empty: SearchOutcome = { hits: [], total: 0, totalExact: true, mode, terms: termList };
    if (k <= 0) return empty;
    const words = q.words.filter((w) => w.length > 0);
    const phrases = q.phrases.map((p) => p.join(' ')).filter((p) => p.length > 0);
    const page = (hits: SearchHit[]) => hits.slice(req.offset, req.offset + req.limit);
    const filters = this.filterSql(req);

    if (words.length === 0 && phrases.length === 0) {
      const exclusions = q.excludedWords.length > 0 || q.excludedPhrases.length > 0;
      if (!hasFilters(q) && !exclusions) return empty;
      // Filters only: every paper that passes, newest (or most upvoted) first.
      const sorted = await this.sortedHits(filters, req.sort === 'upvotes' ? 'upvotes' : 'date', k);
      const total = await this.count(filters);
      return { hits: page(sorted), total: total.n, totalExact: total.exact, mode, terms: termList };
    }

    const wordQs = words.map(wordQuery);
    const phraseQs = phrases.map((p) => sql`phraseto_tsquery('english', ${p})`);
    const anyQ = sql.join([...wordQs, ...phraseQs], sql` || `);
    const allQ = sql.join([...wordQs, ...phraseQs], sql` && `);
    const phraseConds = phraseQs.map((pq) => sql`d.document @@ ${pq}`);

    if (mode === 'semantic') {
      const match = sql.join([...filters, ...phraseConds], sql` AND `);
      const hits = await this.nearest(q, match, k);
      const total = await this.count([...filters, ...phraseConds], MAX_RESULTS);
      return { hits: page(hits), total: total.n, totalExact: total.exact, mode, terms: termList };
    }

    if (req.sort !== 'relevance') {
      // Sorted by date or votes: the papers matching every word and phrase, in that order.
      const conds = [...filters, sql`d.document @@ (${allQ})`];
      const hits = await this.sortedHits(conds, req.sort, k);
      const total = await this.count(conds);
      return { hits: page(hits), total: total.n, totalExact: total.exact, mode, terms: termList };
    }

    // Relevance: any word (every word for alerts), phrases required.
    const matchConds = [...filters, sql`d.document @@ (${req.allWords ? allQ : anyQ})`, ...phraseConds];
    const depth = mode === 'hybrid' ? Math.max(k, RERANK_DEPTH) : k;
    const { expr: rankExpr, weightOf } = await this.rankSql([...words, ...q.phrases.flat()], anyQ);
    const fetch = this.rank.rescore > 0 ? Math.max(depth, this.rank.rescore) : depth;
    // Every match is scored to sort them, so the count comes with it (a window over the same rows).
    const { rows } = await sql<{ id: string; score: number; total: string }>`
      SELECT p.id, ${rankExpr} AS score, count(*) OVER () AS total
      FROM papers p JOIN paper_search_documents d ON d.paper_id = p.id
      WHERE ${sql.join(matchConds, sql` AND `)}
      ORDER BY score DESC, p.id LIMIT ${fetch}`.execute(this.store.db);
    let hits: SearchHit[] = rows.map((r) => ({ id: r.id, score: Number(r.score) }));
    const queryWords = [...words, ...q.phrases.flat()];
    // Titles and abstracts read for this search (the re-score's, then the sentence share's): each read once.
    const texts = new Map<string, PaperText>();
    if (this.rank.rescore > 0) hits = (await this.rescore(hits, termWeights(queryWords, weightOf), texts)).slice(0, depth);
    const total = { n: Number(rows[0]?.total ?? 0), exact: true };
    if (mode === 'hybrid') hits = await this.fuse(q, hits, termWeights(queryWords, weightOf, 'once'), texts, sql.join([...filters, ...phraseConds, ...(req.allWords ? [sql`d.document @@ (${allQ})`] : [])], sql` AND `));
    return { hits: page(hits), total: Math.max(total.n, Math.min(hits.length, MAX_RESULTS)), totalExact: total.exact, mode, terms: termList };
  }

  /**
   * The keyword score of `d.document`. `weighted`: sum over words of weight x ts_rank(word), each
   * weight idf x (1 + BURSTINESS ln(occurrences / papers)) of the word's lexemes (their mean), from
   * the statistics of the last build (uniform before the first).
   */
  private async rankSql(words: string[], anyQ: RawBuilder<unknown>): Promise<{ expr: RawBuilder<unknown>; weightOf: Map<string, number> }> {
    const r = this.rank;
    const weightsArg = sql.raw(`'{${r.weights.map((w) => Number(w)).join(',')}}'::float4[]`);
    const norm = sql.raw(String(Math.floor(r.normalization) & 63));
    const weightOf = new Map<string, number>();
    const uniq = [...new Set(words)];
    const { rows } = await sql<{ i: string; papers: number | null; occurrences: number | null }>`
      SELECT w.i, s.papers, s.occurrences
      FROM unnest(${uniq}::text[]) WITH ORDINALITY AS w (word, i)
      CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', w.word))) AS l (lexeme)
      LEFT JOIN search_lexeme_stats s ON s.lexeme = l.lexeme`.execute(this.store.db);
    const n = Math.max(1, this.model?.papers ?? 0);
    const per = new Map<number, number[]>();
    for (const row of rows) {
      const df = Math.max(1, Math.min(n, Number(row.papers ?? 1)));
      const cf = Math.max(df, Number(row.occurrences ?? df));
      const w = this.model ? idf(n, df) * (1 + (this.opts.tuning?.burstiness ?? BURSTINESS) * Math.log(cf / df)) : 1;
      const i = Number(row.i) - 1;
      if (!per.has(i)) per.set(i, []);
      per.get(i)!.push(w);
    }
    const qtf = new Map<string, number>();
    for (const w of words) qtf.set(w, (qtf.get(w) ?? 0) + 1);
    const fn = sql.raw(r.termFn === 'ts_rank_cd' ? 'ts_rank_cd' : 'ts_rank');
    const parts: RawBuilder<unknown>[] = [];
    uniq.forEach((word, i) => {
      const ws = per.get(i);
      if (!ws || ws.length === 0) return; // stop word: no lexeme
      // Words mixing letters and digits ("p62", "llama2") weigh more, as in the in-memory engine.
      const boost = isIdentifier(word) ? (this.opts.tuning?.identifierBoost ?? IDENTIFIER_BOOST) : 1;
      const w = (boost * ws.reduce((a, b) => a + b, 0)) / ws.length;
      weightOf.set(word, w);
      parts.push(sql`${w * qtf.get(word)!}::float8 * ${fn}(${weightsArg}, d.document, ${wordQuery(word)}, ${norm})`);
    });
    if (r.fn !== 'weighted') return { expr: sql`${sql.raw(r.fn === 'ts_rank' ? 'ts_rank' : 'ts_rank_cd')}(${weightsArg}, d.document, (${anyQ}), ${norm})`, weightOf };
    return { expr: parts.length > 0 ? sql`(${sql.join(parts, sql` + `)})` : sql`0::float8`, weightOf };
  }

  /**
   * BM25F over the candidates' title and abstract (src/search/bm25.ts, DEFAULT_BM25), each query
   * word's terms (our analyzer) weighted by the word's idf x burstiness from PostgreSQL's lexeme
   * statistics: the in-memory engine's scoring, applied to PostgreSQL's candidates.
   */
  private async rescore(hits: SearchHit[], termWeight: Map<string, number>, texts: Map<string, PaperText>): Promise<SearchHit[]> {
    if (hits.length === 0 || termWeight.size === 0) return hits;
    await this.readTexts(hits.map((h) => h.id), texts);
    const docs = hits.map((h) => {
      const t = texts.get(h.id);
      return { id: h.id, title: t ? analyze(t.title) : [], abstract: t ? analyze(t.abstract) : [] };
    });
    const avg = this.model?.avgLen ?? {
      title: docs.reduce((s, d) => s + d.title.length, 0) / docs.length,
      abstract: docs.reduce((s, d) => s + d.abstract.length, 0) / docs.length,
    };
    const avgLen = { title: avg.title, abstract: avg.abstract, authors: 1 };
    const out = docs.map((d) => {
      const tfTitle = new Map<string, number>();
      const tfAbstract = new Map<string, number>();
      for (const t of d.title) if (termWeight.has(t)) tfTitle.set(t, (tfTitle.get(t) ?? 0) + 1);
      for (const t of d.abstract) if (termWeight.has(t)) tfAbstract.set(t, (tfAbstract.get(t) ?? 0) + 1);
      const len = { title: d.title.length, abstract: d.abstract.length, authors: 0 };
      let score = 0;
      for (const [t, w] of termWeight) {
        const tf = { title: tfTitle.get(t) ?? 0, abstract: tfAbstract.get(t) ?? 0, authors: 0 };
        if (tf.title + tf.abstract === 0) continue;
        score += w * termImpact(DEFAULT_BM25, tf, len, avgLen);
      }
      return { id: d.id, score };
    });
    return out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  }

  /** SQL conditions (on `p` papers and `d` documents) for the query's filters and exclusions and the request's `only`. */
  private filterSql(req: SearchRequest): RawBuilder<unknown>[] {
    const q = req.query;
    const out: RawBuilder<unknown>[] = [];
    const catCond = (cats: string[]) => {
      const lower = cats.map((c) => c.toLowerCase());
      return sql`EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper_id = p.id
        AND (lower(c.category) = ANY (${lower}::text[]) OR lower(split_part(c.category, '.', 1)) = ANY (${lower}::text[])))`;
    };
    if (q.categories.length > 0) out.push(catCond(q.categories));
    if (q.excludedCategories.length > 0) out.push(sql`NOT ${catCond(q.excludedCategories)}`);
    for (const a of q.authors) out.push(sql`d.authors @@ plainto_tsquery('simple', paper_search_fold(${a}))`);
    for (const a of q.excludedAuthors) out.push(sql`NOT (d.authors @@ plainto_tsquery('simple', paper_search_fold(${a})))`);
    if (q.from !== null) out.push(sql`p.published_at >= ${q.from}`);
    if (q.to !== null) out.push(sql`p.published_at < ${q.to}`);
    if (q.hasCode) out.push(sql`p.code_url IS NOT NULL AND p.code_url <> ''`);
    for (const w of q.excludedWords) out.push(sql`NOT (d.document @@ ${wordQuery(w)})`);
    for (const ph of q.excludedPhrases) out.push(sql`NOT (d.document @@ phraseto_tsquery('english', ${ph.join(' ')}))`);
    if (req.only) out.push(sql`p.id = ANY (${[...req.only]}::text[])`);
    if (out.length === 0) out.push(sql`TRUE`);
    return out;
  }

  /** Matches (up to PG_COUNT_CAP, or `cap`): exact when below it. */
  private async count(conds: RawBuilder<unknown>[], cap = PG_COUNT_CAP): Promise<{ n: number; exact: boolean }> {
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM (
      SELECT 1 FROM papers p JOIN paper_search_documents d ON d.paper_id = p.id
      WHERE ${sql.join(conds, sql` AND `)} LIMIT ${cap + 1}) m`.execute(this.store.db);
    const n = Number(rows[0]?.n ?? 0);
    return n > cap ? { n: cap, exact: false } : { n, exact: true };
  }

  /** The papers passing `conds`, newest (or most upvoted, then newest) first; score = the sort key. */
  private async sortedHits(conds: RawBuilder<unknown>[], sort: 'date' | 'upvotes', k: number): Promise<SearchHit[]> {
    const order = sort === 'upvotes'
      ? sql`p.upvotes DESC, p.published_at DESC NULLS LAST, p.id`
      : sql`p.published_at DESC NULLS LAST, p.id`;
    const { rows } = await sql<{ id: string; upvotes: number; published_at: string | null }>`
      SELECT p.id, p.upvotes, p.published_at FROM papers p JOIN paper_search_documents d ON d.paper_id = p.id
      WHERE ${sql.join(conds, sql` AND `)} ORDER BY ${order} LIMIT ${k}`.execute(this.store.db);
    return rows.map((r) => ({
      id: r.id,
      score: sort === 'upvotes' ? Number(r.upvotes) : r.published_at ? Math.floor(Date.parse(r.published_at.slice(0, 10)) / 86_400_000) : 0,
    }));
  }

  private queryText(q: ParsedQuery): string {
    return [...q.words, ...q.phrases.map((p) => p.join(' '))].join(' ');
  }

  /**
   * The `k` nearest paper vectors (cosine) passing `match`, through the HNSW index. With filters,
   * pgvector's iterative scan keeps looking until `k` pass (or the index is exhausted).
   */
  private async nearest(q: ParsedQuery, match: RawBuilder<unknown>, k: number): Promise<SearchHit[]> {
    const m = this.model!;
    const qv = vectorLiteral(await m.embedder!.embedQuery(this.queryText(q)));
    const ef = Math.min(1_000, Math.max(this.opts.tuning?.efSearch ?? HNSW_EF_SEARCH, k));
    return this.store.db.transaction().execute(async (trx) => {
      await sql.raw(`SET LOCAL hnsw.ef_search = ${ef}`).execute(trx);
      await sql.raw(`SET LOCAL hnsw.iterative_scan = strict_order`).execute(trx);
      const { rows } = await sql<{ id: string; score: number }>`
        SELECT v.paper_id AS id, 1 - (v.embedding <=> ${qv}::vector) AS score
        FROM search_paper_vectors v
        JOIN papers p ON p.id = v.paper_id JOIN paper_search_documents d ON d.paper_id = v.paper_id
        WHERE v.generation = ${m.generation} AND ${match}
        ORDER BY v.embedding <=> ${qv}::vector LIMIT ${k}`.execute(trx);
      return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
    });
  }

  /**
   * Hybrid: the keyword top RERANK_DEPTH plus the nearest vectors passing the same filters, each
   * scored with `hybridScore` (normalised keyword rank + weighted normalised cosine); keyword hits
   * deeper than RERANK_DEPTH follow, as in the in-memory engine.
   */
  private async fuse(
    q: ParsedQuery, hits: SearchHit[], shareWeights: Map<string, number>, texts: Map<string, PaperText>, match: RawBuilder<unknown>,
  ): Promise<SearchHit[]> {
    const m = this.model!;
    const head = hits.slice(0, RERANK_DEPTH);
    const neighbours = this.opts.tuning?.neighbours ?? HYBRID_NEIGHBOURS;
    // A query of words the model does not know embeds to zeros: it has no neighbours.
    const known = (await m.embedder!.embedQuery(this.queryText(q))).some((x) => x !== 0);
    const near = neighbours > 0 && known ? await this.nearest(q, match, neighbours) : [];
    const ids = [...new Set([...head.map((h) => h.id), ...near.map((h) => h.id)])];
    if (ids.length === 0) return hits;
    const qv = vectorLiteral(await m.embedder!.embedQuery(this.queryText(q)));
    const { rows } = await sql<{ id: string; cos: number }>`
      SELECT paper_id AS id, 1 - (embedding <=> ${qv}::vector) AS cos FROM search_paper_vectors
      WHERE generation = ${m.generation} AND paper_id = ANY (${ids}::text[])`.execute(this.store.db);
    const cosOf = new Map(rows.map((r) => [r.id, Number.isFinite(Number(r.cos)) ? Number(r.cos) : 0]));
    const keyword = new Map(head.map((h) => [h.id, h.score]));
    const best = head[0]?.score ?? 0;
    const allCos = ids.map((id) => cosOf.get(id) ?? 0);
    const weight = this.opts.tuning?.semanticWeight;
    const rescored = ids.map((id, i) => ({ id, score: hybridScore(keyword.get(id) ?? 0, best > 0 ? best : 1, allCos[i]!, allCos, weight) }));
    rescored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    const sentenceWeight = this.opts.tuning?.sentenceWeight ?? SENTENCE_WEIGHT;
    const vectors = m.wordVectors;
    const synonymWeight = vectors ? this.opts.tuning?.synonymWeight ?? SYNONYM_WEIGHT : 0;
    const sentences = new Map<string, string[][]>();
    const papers = new Map<string, PaperWords>();
    if (sentenceWeight > 0 || synonymWeight > 0) {
      const top = rescored.slice(0, SENTENCE_DEPTH).map((h) => h.id);
      await this.readTexts(top, texts);
      for (const id of top) {
        const t = texts.get(id);
        if (!t) continue;
        const s = sentenceTerms(t.title, t.abstract);
        sentences.set(id, s);
        if (vectors) papers.set(id, paperWords(s, `${t.title} ${t.abstract}`, vectors));
      }
    }
    const shared = addSentenceShare(rescored, sentences, shareWeights, { depth: SENTENCE_DEPTH, weight: sentenceWeight });
    const synonyms = vectors ? addSynonymShare(shared, papers, distinctQueryWords(q, (term) => shareWeights.get(term) ?? 0), vectors, {
      depth: SENTENCE_DEPTH, weight: synonymWeight, threshold: this.opts.tuning?.synonymThreshold ?? SYNONYM_THRESHOLD,
    }) : shared;
    const smoothed = await this.smooth(synonyms);
    const seen = new Set(ids);
    return [...smoothed, ...hits.slice(RERANK_DEPTH).filter((h) => !seen.has(h.id)).map((h) => ({ id: h.id, score: h.score / Math.max(1e-9, best) }))];
  }

  /** Adds to `texts` the titles and abstracts of those of `ids` it lacks. */
  private async readTexts(ids: readonly string[], texts: Map<string, PaperText>): Promise<void> {
    const missing = ids.filter((id) => !texts.has(id));
    if (missing.length > 0) for (const [id, t] of await listPaperTexts(this.store.db, missing)) texts.set(id, t);
  }

  /** The in-memory engine's neighbour smoothing of the hybrid top SMOOTHING_DEPTH, over the stored vectors. */
  private async smooth(ranked: SearchHit[]): Promise<SearchHit[]> {
    const weight = this.opts.tuning?.smoothingWeight ?? SMOOTHING_WEIGHT;
    const top = ranked.slice(0, SMOOTHING_DEPTH);
    if (weight === 0 || top.length < 2) return ranked;
    const { rows } = await sql<{ id: string; v: string }>`
      SELECT paper_id AS id, embedding::text AS v FROM search_paper_vectors
      WHERE generation = ${this.model!.generation} AND paper_id = ANY (${top.map((h) => h.id)}::text[])`.execute(this.store.db);
    const vectorOf = new Map(rows.map((r) => [r.id, Float32Array.from(JSON.parse(r.v) as number[])]));
    const vectors = top.map((h) => vectorOf.get(h.id) ?? null);
    const scores = neighbourSmoothing(top.map((h) => h.score), (i, j) => dotProduct(vectors[i]!, vectors[j]!), {
      neighbours: SMOOTHING_NEIGHBOURS, weight, usable: (i) => vectors[i] !== null,
    });
    const head = top.map((h, i) => ({ id: h.id, score: scores[i]! })).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    return [...head, ...ranked.slice(SMOOTHING_DEPTH)];
  }

  /** "Did you mean", from the words of the papers the model was built on. */
  suggest(q: ParsedQuery): string[] | null {
    const m = this.model;
    if (!m || q.words.length === 0) return null;
    const dfOf = (w: string) => { const i = m.wordIndex.get(w); return i === undefined ? 0 : m.wordPapers[i]!; };
    return correctWords(q.words, (w) => dfOf(w) > 2, dfOf);
  }

  /** Completions of a word prefix: the most used words starting with it. */
  completeTerm(prefix: string, limit = 3): string[] {
    const m = this.model;
    const folded = surfaceWords(prefix)[0];
    if (!m || !folded || folded.length < 2) return [];
    let lo = 0;
    let hi = m.words.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (m.words[mid]! < folded) lo = mid + 1; else hi = mid; }
    const out: { word: string; papers: number }[] = [];
    for (let i = lo; i < m.words.length && i < lo + 500 && m.words[i]!.startsWith(folded); i++) out.push({ word: m.words[i]!, papers: m.wordPapers[i]! });
    return pickCompletions(m.words[lo] === folded ? m.wordPapers[lo]! : 0, out.filter((c) => c.word !== folded), limit);
  }
}

// -------------------------------------------------------------------------------------------------
// Storage of vectors and model parts

/** Embeds these papers and writes their vectors with the document versions they were read at. */
async function embedAndUpsert(db: Db, generation: number, embedder: CorpusEmbedder, docs: readonly VersionedDoc[]): Promise<void> {
  if (docs.length === 0) return;
  await upsertVectors(db, generation, docs, await embedder.embedDocuments(docs.map((d) => d.doc)));
}

/**
 * Writes vectors, each with the document version its text was read at. A vector never replaces one
 * of a later version: two processes embedding one paper across an edit leave the newer text's vector.
 */
async function upsertVectors(db: Db, generation: number, docs: readonly VersionedDoc[], vecs: Float32Array[]): Promise<void> {
  if (docs.length === 0) return;
  await sql`INSERT INTO search_paper_vectors (paper_id, generation, embedding, content_version)
    SELECT v.id, ${generation}, v.e::vector, v.version
    FROM unnest(${docs.map((d) => d.doc.id)}::text[], ${vecs.map(vectorLiteral)}::text[], ${docs.map((d) => String(d.version))}::bigint[]) AS v (id, e, version)
    WHERE EXISTS (SELECT 1 FROM papers WHERE id = v.id)
    ON CONFLICT (paper_id, generation) DO UPDATE SET embedding = EXCLUDED.embedding, content_version = EXCLUDED.content_version
    WHERE coalesce(search_paper_vectors.content_version, 0) <= EXCLUDED.content_version`.execute(db);
}

async function saveModelParts(db: Db, generation: number, parts: ReadonlyMap<string, Uint8Array>): Promise<void> {
  for (const [name, bytes] of parts) {
    for (let i = 0, part = 0; i < Math.max(1, bytes.byteLength); i += PART_BYTES, part++) {
      const chunk = Buffer.from(bytes.buffer, bytes.byteOffset + i, Math.min(PART_BYTES, bytes.byteLength - i));
      await sql`INSERT INTO search_model_parts (generation, name, part, data) VALUES (${generation}, ${name}, ${part}, ${chunk})`.execute(db);
    }
  }
}

async function loadModelParts(db: Db, generation: number): Promise<Map<string, Uint8Array>> {
  const { rows } = await sql<{ name: string; part: number; data: Buffer }>`
    SELECT name, part, data FROM search_model_parts WHERE generation = ${generation} ORDER BY name, part`.execute(db);
  const chunks = new Map<string, Buffer[]>();
  for (const r of rows) { if (!chunks.has(r.name)) chunks.set(r.name, []); chunks.get(r.name)!.push(r.data); }
  return new Map([...chunks].map(([name, list]) => [name, new Uint8Array(Buffer.concat(list))]));
}

/**
 * Each of our analyzer's terms in the query words, weighted by its word's weight: summed over every
 * time the query says it (`each`, BM25F's query term frequency), or counted `once` (the best-sentence
 * share's weights, as in the in-memory engine).
 */
export function termWeights(words: readonly string[], weightOf: ReadonlyMap<string, number>, times: 'each' | 'once' = 'each'): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of words) {
    const weight = weightOf.get(w);
    if (weight === undefined) continue;
    for (const t of analyze(w)) {
      if (times === 'each') out.set(t, (out.get(t) ?? 0) + weight);
      else if (!out.has(t)) out.set(t, weight);
    }
  }
  return out;
}

function packWords(words: string[], counts: Uint32Array, out: Map<string, Uint8Array>): void {
  const packed = packStrings(words);
  out.set('words.text', Buffer.from(packed.text, 'utf8'));
  out.set('words.offsets', new Uint8Array(packed.offsets.buffer, packed.offsets.byteOffset, packed.offsets.byteLength));
  out.set('words.papers', new Uint8Array(counts.buffer, counts.byteOffset, counts.byteLength));
}

function unpackWords(parts: ReadonlyMap<string, Uint8Array>): Pick<Model, 'words' | 'wordPapers' | 'wordIndex'> {
  const text = parts.get('words.text');
  const offsets = parts.get('words.offsets');
  const papers = parts.get('words.papers');
  if (!text || !offsets || !papers) return { words: [], wordPapers: new Uint32Array(), wordIndex: new Map() };
  const str = Buffer.from(text).toString('utf8');
  const off = new Uint32Array(new Uint8Array(offsets).buffer);
  const words: string[] = [];
  for (let i = 0; i + 1 < off.length; i++) words.push(str.slice(off[i]!, off[i + 1]!));
  return { words, wordPapers: new Uint32Array(new Uint8Array(papers).buffer), wordIndex: new Map(words.map((w, i) => [w, i])) };
}
