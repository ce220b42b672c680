/**
 * Retrieval quality on a BEIR-format folder: index its corpus in a scratch store, run its queries
 * in each mode, and score them (nDCG@10, recall@100).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../store/index.ts';
import type { BeirSet } from './beir.ts';
import type { CorpusEmbedderOptions, Embedder } from './embedder.ts';
import { mean, ndcgAt, recallAt } from './metrics.ts';
import { emptyQuery } from './query.ts';
import type { PaperSearchEngine } from './engine.ts';
import { PgSearchEngine, type PgRankOptions } from './pg-engine.ts';
import { DEFAULT_MODE, SEARCH_MODES, SearchIndex, type BuildProgress, type SearchMode } from './search-index.ts';
import { surfaceWords } from './text.ts';

export interface ModeScore {
  mode: SearchMode;
  ndcg10: number;
  recall100: number;
  isDefault: boolean;
  /** Mean milliseconds per query. */
  msPerQuery: number;
}

export interface EvaluationOptions {
  modes?: readonly SearchMode[];
  corpusEmbedder?: Partial<CorpusEmbedderOptions>;
  /** An external embedder (PAPERBOY_EMBEDDER) for the in-memory engine; default: the corpus-trained one. */
  embedder?: Embedder | null;
  onProgress?: (p: BuildProgress) => void;
  /** Scratch folder (default: a new temporary one, removed afterwards). */
  dir?: string;
  /**
   * Evaluate PostgreSQL's engine (src/search/pg-engine.ts) in this database instead of the
   * in-memory engine in a scratch SQLite file. It must hold no papers; the set's papers are
   * removed again afterwards.
   */
  postgresUrl?: string;
  /** The PostgreSQL engine's ranking and fusion constants (tuning). */
  pgRank?: Partial<PgRankOptions>;
  pgTuning?: { semanticWeight?: number; neighbours?: number; efSearch?: number; burstiness?: number };
}

/** Indexes the set's corpus in a scratch store and scores every mode. */
export async function evaluateBeir(set: BeirSet, opts: EvaluationOptions = {}): Promise<ModeScore[]> {
  const dir = opts.postgresUrl ? null : opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-eval-'));
  const store = await openStore(opts.postgresUrl ?? `sqlite:${path.join(dir!, 'eval.db')}`);
  let inserted = false;
  try {
    const now = new Date(0).toISOString();
    await store.migrate(now);
    if (opts.postgresUrl) {
      const n = Number((await store.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      if (n > 0) throw new Error(`eval-search: the database already holds ${n} papers; give it a scratch database (it adds the set's papers and removes them afterwards)`);
    }
    inserted = true;
    for (let i = 0; i < set.docs.length; i += 2_000) {
      await store.upsertPapers(set.docs.slice(i, i + 2_000).map((d) => ({
        id: d.id, title: d.title, abstract: d.text, authors: [], categories: [], publishedAt: null, updatedAt: null, versions: [],
      })), now);
    }
    const modes = opts.modes ?? SEARCH_MODES;
    const semantic = modes.some((m) => m !== 'keyword');
    let index: PaperSearchEngine & { close(): Promise<void> };
    if (opts.postgresUrl) {
      const engine = PgSearchEngine.detached(store, { corpusEmbedder: opts.corpusEmbedder, semantic, rank: opts.pgRank, tuning: opts.pgTuning });
      await engine.rebuild(opts.onProgress);
      index = engine;
    } else {
      const memory = SearchIndex.detached(store, { corpusEmbedder: opts.corpusEmbedder, embedder: opts.embedder ?? null, semantic });
      await memory.rebuild(opts.onProgress);
      index = memory;
    }
    const out: ModeScore[] = [];
    for (const mode of modes) {
      const ndcg: number[] = [];
      const recall: number[] = [];
      const t0 = performance.now();
      for (const q of set.queries) {
        // BEIR queries are plain text: every word, no query syntax.
        const query = { ...emptyQuery(), words: surfaceWords(q.text) };
        const res = await index.search({ query, mode, sort: 'relevance', offset: 0, limit: 100 });
        const ranked = res.hits.map((h) => h.id);
        const judged = set.qrels.get(q.id)!;
        ndcg.push(ndcgAt(ranked, judged, 10));
        recall.push(recallAt(ranked, judged, 100));
      }
      out.push({
        mode, ndcg10: mean(ndcg), recall100: mean(recall), isDefault: mode === DEFAULT_MODE,
        msPerQuery: (performance.now() - t0) / Math.max(1, set.queries.length),
      });
    }
    await index.close();
    return out;
  } finally {
    if (opts.postgresUrl && inserted) {
      const ids = set.docs.map((d) => d.id);
      for (let i = 0; i < ids.length; i += 2_000) await store.db.deleteFrom('papers').where('id', 'in', ids.slice(i, i + 2_000)).execute();
    }
    await store.close();
    if (dir && !opts.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `MODE nDCG@10=0.xxxx R@100=0.xxxx`, with `(default)` after the default mode. */
export function formatModeScore(s: ModeScore): string {
  return `${s.mode}${s.isDefault ? ' (default)' : ''} nDCG@10=${s.ndcg10.toFixed(4)} R@100=${s.recall100.toFixed(4)}`;
}
