/**
 * Keeps every paper's keywords current: papers that are new or changed since their keywords were
 * computed get them (again), scored against document frequencies of the instance's own corpus.
 * Runs at the end of every import and ingest run, and from `paperboy keywords`.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { analyzeText, keywordModelCounter, scoreKeywords, type AnalyzedText, type KeywordModel, type KeywordText } from '../domain/keywords.ts';
import type { Store } from '../store/index.ts';
import {
  addKeywordModelScored, countPapersDueForKeywords, listKeywordCorpus, listPapersDueForKeywords, readKeywordModelData,
  readKeywordModelMeta, replacePaperKeywords, saveKeywordModel, type SavedKeywordModel,
} from '../store/keywords.ts';

/**
 * The corpus statistics count at most this many papers (the newest): enough for stable idf,
 * and it bounds the time and memory of a refresh on a store of millions of papers.
 */
export const KEYWORD_CORPUS_LIMIT = 50_000;
/**
 * Analyses of the corpus kept from counting the model for scoring (about 23 KB each): the rest are
 * analysed again when scored. All 50,000 held 1.2 GB at once during a large import.
 */
export const KEPT_ANALYSES = 10_000;
/** Papers per transaction. */
const BATCH = 1_000;
/**
 * A saved model is counted again once the store's size moves this much from what it counted, or
 * this share of its papers have been given keywords since (new papers, or changed ones).
 */
const MODEL_DRIFT = 0.05;

export interface KeywordRefreshOptions {
  now: () => string;
  /** Recompute every paper, not only new and changed ones. */
  all?: boolean;
  onProgress?: (done: number, total: number) => void;
  corpusLimit?: number;
  /** At most this many analyses kept from counting the model (default KEPT_ANALYSES). */
  keptAnalyses?: number;
  /**
   * Stops the refresh between batches (Ctrl-C): the batches done are committed and kept, the other
   * papers stay due (the next refresh does them). See KeywordReport.interrupted.
   */
  signal?: AbortSignal;
}

export interface KeywordReport {
  papers: number;
  keywords: number;
  corpus: number;
  ms: number;
  /** Set when KeywordRefreshOptions.signal stopped it: `papers` of `due` were done, the rest are still due. */
  interrupted?: boolean;
  /** Papers that needed keywords when the refresh began. */
  due?: number;
}

/** A refresh stopped by its signal while the corpus statistics were being counted. */
class KeywordsStopped extends Error {}

/**
 * Lets the event loop run (signal handlers, progress output) in a long computation that would
 * otherwise hold it for seconds; throws KeywordsStopped once `signal` is aborted.
 */
async function pause(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new KeywordsStopped();
}

/** The model each store's last refresh in this process used, by saved generation. */
const models = new WeakMap<Store, { generation: number; model: KeywordModel }>();

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

/** The saved form of a model: "count<TAB>key" lines (keys hold no tabs or newlines), gzipped. */
export function encodeKeywordModel(model: KeywordModel): Uint8Array {
  const lines: string[] = [];
  for (const [key, count] of model.df) lines.push(`${count}\t${key}`);
  return gzipSync(lines.join('\n'));
}

export function decodeKeywordModel(data: Uint8Array, docs: number): KeywordModel {
  const df = new Map<string, number>();
  const text = gunzipSync(data).toString('utf8');
  if (text) {
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t');
      df.set(line.slice(tab + 1), Number(line.slice(0, tab)));
    }
  }
  return { docs, df };
}

/** A saved model's data, or undefined when it is gone (counted again meanwhile) or unreadable. */
function decodeSaved(data: Uint8Array | undefined, docs: number): KeywordModel | undefined {
  if (!data) return undefined;
  try {
    return decodeKeywordModel(data, docs);
  } catch {
    return undefined; // not gzip (written by hand, cut short): counted again and saved over
  }
}

/** Whether a saved model still stands for the corpus: the same limit, and not much has changed. */
function stillCurrent(saved: SavedKeywordModel, size: number, limit: number): boolean {
  const drift = saved.docs * MODEL_DRIFT;
  return saved.corpusLimit === limit && Math.abs(saved.docs - size) <= drift && saved.scoredSince <= drift;
}

export interface CorpusModel {
  model: KeywordModel;
  /** True when it was counted by this call (so the papers it scores were in what it counted). */
  counted: boolean;
}

/**
 * The corpus statistics: the saved model while it stands for the corpus (see MODEL_DRIFT), else
 * counted anew and saved. When they are counted, each paper's analysis goes into `analyzed` (by
 * id, the first `keepAtMost`), if given: a refresh then scores those papers without cutting their text into candidates a
 * second time. Without it only the candidates' keys are made, which takes about a third less time.
 */
export async function keywordModel(
  store: Store, opts: { limit?: number; fresh?: boolean; analyzed?: Map<string, AnalyzedPaper>; keepAtMost?: number; papers?: number; now: () => string; signal?: AbortSignal },
): Promise<CorpusModel> {
  const limit = opts.limit ?? KEYWORD_CORPUS_LIMIT;
  const size = Math.min(limit, opts.papers ?? await corpusSize(store));
  const saved = opts.fresh ? undefined : await readKeywordModelMeta(store.db);
  if (saved && stillCurrent(saved, size, limit)) {
    const cached = models.get(store);
    if (cached?.generation === saved.generation) return { model: cached.model, counted: false };
    const model = decodeSaved(await readKeywordModelData(store.db, saved.generation), saved.docs);
    if (model) {
      models.set(store, { generation: saved.generation, model });
      return { model, counted: false };
    }
  }
  const analyzed = opts.analyzed;
  const corpus = await listKeywordCorpus(store.db, limit);
  const keepAtMost = opts.keepAtMost ?? Infinity;
  const counter = keywordModelCounter();
  let seen = 0;
  for (const p of corpus) {
    // Counting 50,000 papers takes seconds: a stop (Ctrl-C) is heard between every BATCH of them.
    if (seen++ % BATCH === 0) await pause(opts.signal);
    if (analyzed) {
      const a = analyzeText(p);
      if (analyzed.size < keepAtMost) analyzed.set(p.id, { title: p.title, abstract: p.abstract, analyzed: a });
      counter.add(a);
    } else {
      counter.add(p);
    }
  }
  await pause(opts.signal);
  const model = counter.model();
  const generation = await saveKeywordModel(store.db, {
    docs: model.docs, corpusLimit: limit, countedAt: opts.now(), data: encodeKeywordModel(model),
  });
  models.set(store, { generation, model });
  return { model, counted: true };
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
  const stopped = (done: number, corpus: number): KeywordReport => {
    analyzed.clear();
    return { papers: done, keywords, corpus, ms: Date.now() - started, interrupted: true, due: total };
  };
  let keywords = 0;
  let corpusModel: CorpusModel;
  try {
    corpusModel = await keywordModel(store, { limit, fresh: all, analyzed: keep ? analyzed : undefined, keepAtMost: opts.keptAnalyses ?? KEPT_ANALYSES, papers, now: opts.now, signal: opts.signal });
  } catch (e) {
    if (e instanceof KeywordsStopped) return stopped(0, 0);
    throw e;
  }
  const { model, counted } = corpusModel;
  const analysisOf = (p: { id: string; title: string; abstract: string }): AnalyzedText | KeywordText => {
    const a = analyzed.get(p.id);
    analyzed.delete(p.id);
    return a && a.title === p.title && a.abstract === p.abstract ? a.analyzed : { title: p.title, abstract: p.abstract };
  };
  let done = 0;
  let after = '';
  for (;;) {
    if (opts.signal) {
      try {
        await pause(opts.signal);
      } catch (e) {
        if (!(e instanceof KeywordsStopped)) throw e;
        if (!counted) await addKeywordModelScored(store.db, done);
        return stopped(done, model.docs);
      }
    }
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
  // Papers scored by a model counted before they came count towards counting it again.
  if (!counted) await addKeywordModelScored(store.db, done);
  return { papers: done, keywords, corpus: model.docs, ms: Date.now() - started, due: total };
}
