/**
 * `paperboy search "QUERY" [--json] [--mode M] [--sort S] [--page N] [--limit N]`: search from the
 * command line, with the same query syntax as the site. Prints a numbered list, or JSON
 * (`{ query, searched, total, totalExact, mode, items: [{ id, score, title, snippet, ... }] }`).
 */
import { parseArgs } from 'node:util';
import { markSegments, segmentsText } from '../search/highlight.ts';
import type { Config } from '../config.ts';
import { SearchIndex, SEARCH_MODES, SEARCH_SORTS, type SearchMode, type SearchSort } from '../search/search-index.ts';
import { searchPapers } from '../search/service.ts';
import { openSearchEngine, searchIndexOptions, type OpenedSearchEngine } from '../search/setup.ts';
import { buildProgressBars } from './progress.ts';
import type { Store } from '../store/index.ts';

export const SEARCH_USAGE = `usage: paperboy search "QUERY" [--json] [--mode hybrid|keyword|semantic] [--sort relevance|date|upvotes] [--page N] [--limit N]

Query syntax: words, "exact phrase", -exclude, author:Name, cat:cs.CL, year:2024,
after:2024-01-01, before:2024-06-01, has:code (see docs/search.md).
`;

/**
 * The engine the settings name, ready to search. Without a saved index (a first start whose build
 * has not saved one yet, or none ever built) the command builds one itself, saying so on `err` with
 * a bar per phase on a terminal, and saves it, so the next search loads it in seconds. It does not
 * wait for a server's own first build: the two build side by side (each takes the CPU for minutes on
 * a large corpus), and the server takes up the index saved first. Null when the build failed.
 */
async function openEngine(
  store: Store, settings: Pick<Config, 'embedder' | 'searchEngine'>, err: NodeJS.WritableStream,
): Promise<OpenedSearchEngine | null> {
  if (settings.searchEngine === 'postgres') {
    const engine = await openSearchEngine(store, settings);
    if (engine.status().semantic === 'building') {
      err.write("search: PostgreSQL's search engine has no embedding model yet: building it (this can take minutes; paperboy reindex does it too)\n");
      await engine.ready();
      err.write(`search: embedding model built (semantic search ${engine.status().semantic})\n`);
    }
    return engine;
  }
  const options = searchIndexOptions(settings);
  const saved = await SearchIndex.loadSavedIndex(store, options);
  if (saved) return saved;
  const started = Date.now();
  err.write('search: no saved search index yet: building one from every paper in the store (minutes on a large corpus; '
    + 'a server saves one after its first build, and paperboy reindex makes one)\n');
  const index = SearchIndex.detached(store, options);
  const bars = buildProgressBars(err as NodeJS.WriteStream);
  try {
    await index.rebuild(bars.onProgress);
  } catch (e) {
    bars.stop();
    err.write(`search: the search index could not be built: ${(e as Error).message}\n`);
    await index.close();
    return null;
  }
  bars.stop();
  const s = index.status();
  err.write(`search: index built and saved (generation ${s.generation}, ${s.papers} papers, semantic ${s.semantic}, ${((Date.now() - started) / 1000).toFixed(1)} s); later searches load it\n`);
  return index;
}

export interface SearchArgs {
  q: string;
  json: boolean;
  mode: SearchMode | undefined;
  sort: SearchSort | undefined;
  page: number;
  limit: number;
}

/**
 * `paperboy search`'s arguments, or the exit code after writing the usage (`--help`: 0 on `out`)
 * or the problem and the usage (2 on `err`). Needs no store: main checks them before the database.
 */
export function parseSearchArgs(args: string[], out: { write(s: string): unknown }, err: { write(s: string): unknown }): SearchArgs | number {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: { json: { type: 'boolean' }, mode: { type: 'string' }, sort: { type: 'string' }, page: { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    err.write(`search: ${(e as Error).message}\n\n${SEARCH_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { out.write(SEARCH_USAGE); return 0; }
  const problem = (text: string) => { err.write(`search: ${text}\n\n${SEARCH_USAGE}`); return 2; };
  const q = positionals.join(' ');
  if (q.trim() === '') return problem('give a query');
  const mode = values.mode as SearchMode | undefined;
  const sort = values.sort as SearchSort | undefined;
  if (mode && !SEARCH_MODES.includes(mode)) return problem('--mode is hybrid, keyword or semantic');
  if (sort && !SEARCH_SORTS.includes(sort)) return problem('--sort is relevance, date or upvotes');
  const page = values.page ? Number(values.page) : 1;
  const limit = values.limit ? Number(values.limit) : 10;
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1 || limit > 100) return problem('--page is 1 or more, --limit 1 to 100');
  return { q, json: values.json === true, mode, sort, page, limit };
}

/** `paperboy search ARGS...` on `store`: the arguments checked, then {@link searchWith}. */
export async function runSearchCli(
  store: Store, args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr,
  /** The engine and embedder the settings name, as the server uses them. */
  settings: Pick<Config, 'embedder' | 'searchEngine'> = { embedder: { kind: 'corpus' }, searchEngine: 'memory' },
): Promise<number> {
  const parsed = parseSearchArgs(args, out, err);
  return typeof parsed === 'number' ? parsed : searchWith(store, parsed, out, err, settings);
}

/** Runs one search as `parsed` says and prints its page (text, or JSON with --json). */
export async function searchWith(
  store: Store, parsed: SearchArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream,
  settings: Pick<Config, 'embedder' | 'searchEngine'>,
): Promise<number> {
  const { q, mode, sort, page, limit } = parsed;
  const index = await openEngine(store, settings, err);
  if (!index) return 1;
  try {
    const r = await searchPapers({ store, index }, { q, mode, sort, page, pageSize: limit });
    if (!r.paperId && page > r.pages) { // past the end: say so, as the API's 404 does, rather than print another page or nothing
      err.write(`search: there is no page ${page}: this search has ${r.pages} page${r.pages === 1 ? '' : 's'} of ${limit}\n`);
      return 1;
    }
    if (parsed.json) {
      out.write(`${JSON.stringify({
        query: q, searched: r.searched, paperId: r.paperId, mode: r.mode, sort: r.sort, page: r.page, pages: r.pages,
        total: r.total, totalExact: r.totalExact, suggestion: r.suggestion, notes: r.notes,
        items: r.items.map((i) => ({
          id: i.id, score: Number(i.score.toFixed(6)), title: i.card.title, authors: i.card.authors, categories: i.card.categories,
          publishedAt: i.card.publishedAt, upvotes: i.card.upvotes, url: `/papers/${i.id}`,
          highlights: { title: markSegments(i.title, '<mark>', '</mark>'), snippet: markSegments(i.snippet, '<mark>', '</mark>') },
        })),
      }, null, 2)}\n`);
      return 0;
    }
    if (r.paperId) { out.write(`arXiv:${r.paperId} is on this site: /papers/${r.paperId}\n`); return 0; }
    for (const n of r.notes) out.write(`note: ${n}\n`);
    out.write(`${r.totalExact ? '' : 'about '}${r.total} papers for ${r.searched} (${r.mode})\n`);
    if (r.suggestion) out.write(`did you mean: ${r.suggestion}\n`);
    const bold = (out as NodeJS.WriteStream).isTTY ? ['\x1b[1m', '\x1b[0m'] as const : ['', ''] as const;
    r.items.forEach((i, n) => {
      out.write(`${(r.page - 1) * r.pageSize + n + 1}. ${markSegments(i.title, bold[0], bold[1])} [${i.id}]\n   ${segmentsText(i.snippet)}\n`);
    });
    return 0;
  } finally {
    await index.close();
  }
}
