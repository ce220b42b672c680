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
  /**
   * Completions of a word being typed, most used first (search-as-you-type); none when the word as
   * typed is already a common word in itself (see pickCompletions).
   */
  completeTerm(prefix: string, limit?: number): string[];
  status(): IndexStatus;
  /** Resolves when a build in progress (if any) is done. */
  ready(): Promise<void>;
}

/** Which engine answers searches: `memory` (the default) or `postgres` (a PostgreSQL store only). */
export type SearchEngineKind = 'memory' | 'postgres';
export const SEARCH_ENGINES: readonly SearchEngineKind[] = ['memory', 'postgres'];

/** A typed word stands as it is unless its likeliest completion is in this many times more papers. */
export const COMPLETION_RATIO = 10;

/**
 * The completions search-as-you-type puts in place of the word being typed: none when the word
 * itself is in at least 1/COMPLETION_RATIO as many papers as its commonest completion ("diffusion"
 * stays "diffusion", not "diffusiondrive"); else the `limit` commonest ("att" -> attention, attack).
 */
export function pickCompletions(own: number, candidates: readonly { word: string; papers: number }[], limit: number): string[] {
  const ranked = [...candidates].sort((a, b) => b.papers - a.papers || (a.word < b.word ? -1 : 1));
  const best = ranked[0]?.papers ?? 0;
  if (best === 0 || own * COMPLETION_RATIO >= best) return [];
  return ranked.slice(0, limit).map((c) => c.word);
}
