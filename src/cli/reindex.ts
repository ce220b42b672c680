/**
 * `paperboy reindex`: rebuilds the search index (keyword index, the corpus-trained embedder and
 * the vectors) from every paper in the store, with a progress bar, and saves it; a running server
 * switches to the new index within seconds. Ends with one line of counts.
 */
import { parseArgs } from 'node:util';
import { PgSearchEngine } from '../search/pg-engine.ts';
import type { Config } from '../config.ts';
import { SearchIndex } from '../search/search-index.ts';
import { searchIndexOptions } from '../search/setup.ts';
import type { Store } from '../store/index.ts';
import { buildProgressBars } from './progress.ts';

export const REINDEX_USAGE = `usage: paperboy reindex [--keyword-only [--drop-semantic]]

Rebuilds the search index from the store, with a progress bar. With PAPERBOY_SEARCH_ENGINE=postgres
it then rebuilds PostgreSQL's engine too (its word statistics, embedding model and vectors).

--keyword-only skips the semantic part (no embedder training, no vectors). The index it saves
has no vectors, so every running server turns semantic and hybrid search off (keyword results)
until a full reindex. When the saved index has vectors it is refused unless --drop-semantic
says that is what you want.
`;

export type ReindexArgs = { semantic: boolean; dropSemantic: boolean };

/** `paperboy reindex`'s arguments, or the exit code after the usage (0) or the problem and the usage (2). Needs no store. */
export function parseReindexArgs(args: string[], out: { write(s: string): unknown }, err: { write(s: string): unknown }): ReindexArgs | number {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { 'keyword-only': { type: 'boolean' }, 'drop-semantic': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    err.write(`reindex: ${(e as Error).message}\n\n${REINDEX_USAGE}`);
    return 2;
  }
  if (parsed.values.help) { out.write(REINDEX_USAGE); return 0; }
  const semantic = !parsed.values['keyword-only'];
  if (parsed.values['drop-semantic'] && semantic) {
    err.write(`reindex: --drop-semantic goes with --keyword-only\n\n${REINDEX_USAGE}`);
    return 2;
  }
  return { semantic, dropSemantic: parsed.values['drop-semantic'] === true };
}

/** `paperboy reindex ARGS...` on `store`: the arguments checked, then {@link reindexWith}. */
export async function runReindex(
  store: Store, args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr,
  /** The embedder the settings name; with PAPERBOY_SEARCH_ENGINE=postgres, PostgreSQL's engine is rebuilt as well. */
  settings: Pick<Config, 'embedder' | 'searchEngine'> = { embedder: { kind: 'corpus' }, searchEngine: 'memory' },
): Promise<number> {
  const parsed = parseReindexArgs(args, out, err);
  return typeof parsed === 'number' ? parsed : reindexWith(store, parsed, out, err, settings);
}

/** Rebuilds the search index (and PostgreSQL's engine when the settings use it) as `parsed` says. */
export async function reindexWith(
  store: Store, parsed: ReindexArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream,
  settings: Pick<Config, 'embedder' | 'searchEngine'>,
): Promise<number> {
  const { semantic } = parsed;
  if (!semantic && !parsed.dropSemantic) {
    const withVectors = [
      ...(await SearchIndex.savedHasVectors(store) ? ['the saved search index'] : []),
      ...(settings.searchEngine === 'postgres' && await PgSearchEngine.storedHasVectors(store) ? ["PostgreSQL's search engine"] : []),
    ];
    if (withVectors.length > 0) {
      err.write(`reindex: ${withVectors.join(' and ')} has vectors; --keyword-only would drop them and turn semantic and hybrid search off on every running server until a full reindex. `
        + 'Run paperboy reindex without --keyword-only to rebuild everything, or add --drop-semantic to drop the vectors. Nothing was changed.\n');
      return 2;
    }
  }
  const started = Date.now();
  const bars = buildProgressBars(process.stderr);
  const index = SearchIndex.detached(store, searchIndexOptions(settings, { semantic }));
  await index.rebuild(bars.onProgress);
  bars.stop();
  const s = index.status();
  await index.close();
  let pg = '';
  if (settings.searchEngine === 'postgres') {
    const pgEngine = PgSearchEngine.detached(store, { semantic });
    await pgEngine.rebuild(bars.onProgress);
    bars.stop();
    pg = ` postgres_generation=${pgEngine.status().generation}`;
    await pgEngine.close();
  }
  out.write(`reindex done papers=${s.papers} semantic=${s.semantic} generation=${s.generation}${pg} ms=${Date.now() - started}\n`);
  return 0;
}
