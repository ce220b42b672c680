/**
 * What the search page, the JSON API, the CLI and alerts need from a search engine. Two engines
 * implement it: the in-memory `SearchIndex` (src/search/search-index.ts, the default on both
 * stores) and `PgSearchEngine` (src/search/pg-engine.ts, PostgreSQL's own full-text search and
 * pgvector, chosen with PAPERBOY_SEARCH_ENGINE=postgres). See docs/search.md.
 */
import type { ParsedQuery } from './query.ts';
import type { IndexStatus, SearchOutcome, SearchRequest } from './search-index.ts';

export interface PaperSearchEngine {
  /** Runs a query: hits best first (or in the requested order), the total, the terms to mark. */
  search(req: SearchRequest): Promise<SearchOutcome>;
  /** "Did you mean": the query's words with misspelt ones corrected, or null when none is. */
  suggest(q: ParsedQuery): string[] | null | Promise<string[] | null>;
  /** Completions of a word prefix, most used first (search-as-you-type). */
  completeTerm(prefix: string, limit?: number): string[];
  status(): IndexStatus;
  /** Resolves when a build in progress (if any) is done. */
  ready(): Promise<void>;
}

/** Which engine answers searches: `memory` (the default) or `postgres` (a PostgreSQL store only). */
export type SearchEngineKind = 'memory' | 'postgres';
export const SEARCH_ENGINES: readonly SearchEngineKind[] = ['memory', 'postgres'];
