/**
 * `paperboy eval-search DIR [--split train|test] [--mode MODE]...`: search quality on a BEIR-format
 * folder (corpus.jsonl(.gz), queries.jsonl, qrels/test.tsv or qrels/train.tsv). Prints one line per
 * mode: `MODE nDCG@10=0.xxxx R@100=0.xxxx`, `(default)` after the default mode.
 */
import { parseArgs } from 'node:util';
import { readBeir } from '../search/beir.ts';
import { evaluateBeir, formatModeScore } from '../search/evaluate.ts';
import { SEARCH_MODES, type SearchMode } from '../search/search-index.ts';
import type { EmbedderSettings } from '../config.ts';
import { configuredEmbedder } from '../search/setup.ts';
import { createProgress } from './progress.ts';

export const EVAL_SEARCH_USAGE = `usage: paperboy eval-search DIR [--split train|test] [--mode keyword|semantic|hybrid]...
                         [--store sqlite|postgres [--database-url postgres://...]]

Indexes DIR's corpus.jsonl(.gz) in a scratch store, runs queries.jsonl, and scores the results
against qrels/test.tsv (or qrels/train.tsv, or the --split given): one line per mode,
MODE nDCG@10=0.xxxx R@100=0.xxxx, with (default) after the default mode.

--store sqlite (the default) evaluates the in-memory engine in a scratch SQLite file, with the
embedder PAPERBOY_EMBEDDER names (the corpus-trained one by default).
--store postgres evaluates PostgreSQL's own engine (tsvector + pgvector) in the database that
--database-url (or DATABASE_URL) names: a scratch database holding no papers; the set's papers
are removed from it afterwards.
`;

/** Unusable qrels lines shown one by one; the rest are counted. */
const SHOWN_PROBLEMS = 10;

export async function runEvalSearch(
  args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr,
  /** DATABASE_URL from the settings: where --store postgres runs when --database-url is not given. */
  databaseUrl: string | null = null,
  /** PAPERBOY_EMBEDDER: the in-memory engine is evaluated with the embedder the settings name. */
  embedder: EmbedderSettings = { kind: 'corpus' },
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: {
        split: { type: 'string' }, mode: { type: 'string', multiple: true }, help: { type: 'boolean' },
        store: { type: 'string' }, 'database-url': { type: 'string' },
      },
    });
  } catch (e) {
    err.write(`eval-search: ${(e as Error).message}\n\n${EVAL_SEARCH_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { out.write(EVAL_SEARCH_USAGE); return 0; }
  const problem = (text: string) => { err.write(`eval-search: ${text}\n\n${EVAL_SEARCH_USAGE}`); return 2; };
  if (positionals.length !== 1) return problem(positionals.length === 0 ? 'name the BEIR folder (DIR)' : `takes one DIR (got ${positionals.length} arguments)`);
  const split = values.split;
  if (split !== undefined && split !== 'train' && split !== 'test') return problem('--split is train or test');
  const modes = (values.mode ?? [...SEARCH_MODES]) as SearchMode[];
  const unknown = modes.filter((m) => !SEARCH_MODES.includes(m));
  if (unknown.length > 0) return problem(`unknown mode ${unknown.join(', ')} (keyword, semantic, hybrid)`);
  const storeKind = values.store ?? 'sqlite';
  if (storeKind !== 'sqlite' && storeKind !== 'postgres') return problem('--store is sqlite or postgres');
  let postgresUrl: string | undefined;
  if (storeKind === 'postgres') {
    postgresUrl = values['database-url'] ?? databaseUrl ?? undefined;
    if (!postgresUrl || !/^postgres(ql)?:\/\//.test(postgresUrl)) {
      return problem('--store postgres needs --database-url postgres://... (or DATABASE_URL) naming a scratch database');
    }
  }
  if (storeKind === 'postgres' && embedder.kind !== 'corpus') {
    err.write(`eval-search: PostgreSQL's engine trains its own embedder; PAPERBOY_EMBEDDER=${embedder.kind} applies to --store sqlite only\n`);
    return 2;
  }
  let set;
  try {
    set = await readBeir(positionals[0]!, split);
  } catch (e) {
    err.write(`eval-search: ${(e as Error).message}\n`);
    return 1;
  }
  for (const line of set.unusable.slice(0, SHOWN_PROBLEMS)) err.write(`eval-search: ${line}\n`);
  if (set.unusable.length > 0) {
    err.write(`eval-search: ${set.unusable.length} judgement line${set.unusable.length === 1 ? '' : 's'} of qrels/${set.split}.tsv could not be used and ${set.unusable.length === 1 ? 'was' : 'were'} left out`
      + `${set.unusable.length > SHOWN_PROBLEMS ? ` (the first ${SHOWN_PROBLEMS} are shown)` : ''}\n`);
  }
  if (set.queries.length === 0) {
    err.write(`eval-search: no judged queries: no query of queries.jsonl has a usable judgement in qrels/${set.split}.tsv, so there is nothing to score (is --split right?)\n`);
    return 1;
  }
  err.write(`eval-search: ${set.docs.length} documents, ${set.queries.length} queries, ${set.split} judgements\n`);
  const progress = createProgress('index', process.stderr);
  const started = Date.now();
  let scores;
  try {
    scores = await evaluateBeir(set, { modes, postgresUrl, embedder: postgresUrl ? null : configuredEmbedder(embedder), onProgress: (p) => progress.update(p.done, p.total, p.phase) });
  } catch (e) {
    progress.stop();
    err.write(`${(e as Error).message.replace(/^(?!eval-search)/, 'eval-search: ')}\n`);
    return 1;
  }
  progress.stop();
  for (const s of scores) out.write(`${formatModeScore(s)}\n`);
  err.write(`eval-search done store=${storeKind}${storeKind === 'sqlite' && embedder.kind !== 'corpus' ? ` embedder=${embedder.kind}:${embedder.model}` : ''} queries=${set.queries.length} ms=${Date.now() - started} ${scores.map((s) => `${s.mode}_ms_per_query=${s.msPerQuery.toFixed(1)}`).join(' ')}\n`);
  return 0;
}
