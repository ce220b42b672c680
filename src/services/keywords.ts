/**
 * Keeps every paper's keywords current: papers that are new or changed since their keywords were
 * computed get them (again), scored against document frequencies of the instance's own corpus.
 * Runs at the end of every import and ingest run, and from `paperboy keywords`.
 */
import { analyzeText, buildKeywordModel, scoreKeywords, type AnalyzedText, type KeywordModel, type KeywordText } from '../domain/keywords.ts';
import type { Store } from '../store/index.ts';
import { countPapersDueForKeywords, listKeywordCorpus, listPapersDueForKeywords, replacePaperKeywords } from '../store/keywords.ts';

/**
 * The corpus statistics count at most this many papers (the newest): enough for stable idf,
 * and it bounds the time and memory of a refresh on a store of millions of papers.
 */
export const KEYWORD_CORPUS_LIMIT = 50_000;
/** Papers per transaction. */
const BATCH = 1_000;
/** A cached model is counted again once the store's size moves this much from what it counted. */
const MODEL_DRIFT = 0.05;

export interface KeywordRefreshOptions {
  now: () => string;
  /** Recompute every paper, not only new and changed ones. */
  all?: boolean;
  onProgress?: (done: number, total: number) => void;
  corpusLimit?: number;
}

export interface KeywordReport {
  papers: number;
  keywords: number;
  corpus: number;
  ms: number;
}

const models = new WeakMap<Store, KeywordModel>();

async function corpusSize(store: Store): Promise<number> {
  const row = await store.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A paper as the corpus statistics analysed it, with the text they read. */
export interface AnalyzedPaper {
  title: string;
  abstract: string;
  analyzed: AnalyzedText;
}

/**
 * The corpus statistics, counted anew when the store has grown or shrunk noticeably since. When
 * they are counted, each paper's analysis goes into `analyzed` (by id), if given: a refresh then
 * scores those papers without cutting their text into candidates a second time. Without it only
 * the candidates' keys are made, which takes about a third less time.
 */
export async function keywordModel(
  store: Store, limit = KEYWORD_CORPUS_LIMIT, fresh = false, analyzed?: Map<string, AnalyzedPaper>, papers?: number,
): Promise<KeywordModel> {
  const size = Math.min(limit, papers ?? await corpusSize(store));
  const cached = models.get(store);
  if (!fresh && cached && Math.abs(cached.docs - size) <= cached.docs * MODEL_DRIFT) return cached;
  const corpus = await listKeywordCorpus(store.db, limit);
  const model = buildKeywordModel(analyzed ? corpus.map((p) => {
    const a = analyzeText(p);
    analyzed.set(p.id, { title: p.title, abstract: p.abstract, analyzed: a });
    return a;
  }) : corpus);
  models.set(store, model);
  return model;
}

/** Computes and stores keywords of the papers that need them; returns counts. */
export async function refreshKeywords(store: Store, opts: KeywordRefreshOptions): Promise<KeywordReport> {
  const started = Date.now();
  const all = opts.all ?? false;
  const total = await countPapersDueForKeywords(store.db, all);
  if (total === 0) return { papers: 0, keywords: 0, corpus: 0, ms: Date.now() - started };
  opts.onProgress?.(0, total); // counting the corpus comes first, and takes a while on a large store
  const limit = opts.corpusLimit ?? KEYWORD_CORPUS_LIMIT;
  const papers = await corpusSize(store);
  // Analyses of a model counted just now, let go as their papers are scored: kept when many of the
  // corpus's papers are due; when few are (a small import into a large store), counting keys only
  // and analysing the due papers again is quicker.
  const analyzed = new Map<string, AnalyzedPaper>();
  const keep = all || total * 4 >= Math.min(limit, papers);
  const model = await keywordModel(store, limit, all, keep ? analyzed : undefined, papers);
  const analysisOf = (p: { id: string; title: string; abstract: string }): AnalyzedText | KeywordText => {
    const a = analyzed.get(p.id);
    analyzed.delete(p.id);
    return a && a.title === p.title && a.abstract === p.abstract ? a.analyzed : { title: p.title, abstract: p.abstract };
  };
  let done = 0;
  let keywords = 0;
  let after = '';
  for (;;) {
    const due = await listPapersDueForKeywords(store.db, BATCH, after, all);
    if (due.length === 0) break;
    after = due[due.length - 1]!.id;
    const items = due.map((p) => ({
      paperId: p.id, sourceHash: p.sourceHash,
      keywords: scoreKeywords(analysisOf(p), model).map((k) => ({ keyword: k.keyword, score: k.score })),
    }));
    await store.transaction((trx) => replacePaperKeywords(trx, items, opts.now()));
    done += due.length;
    keywords += items.reduce((n, i) => n + i.keywords.length, 0);
    opts.onProgress?.(Math.min(done, total), total);
  }
  analyzed.clear();
  return { papers: done, keywords, corpus: model.docs, ms: Date.now() - started };
}
