/**
 * Saved-search alerts run through the search engine (`searchPapers`), so an alert matches what the
 * search page shows for the same query: words, phrases, exclusions, author:, cat:, year:, after:,
 * before:, has:code. Within a digest's window the papers are those listed or announced in it (the
 * scope the digest passes); an alert lists the ones having every word of its query, best first.
 */
import type { SearchFn } from './digest.ts';
import { searchPapers, type SearchDeps } from '../search/service.ts';

/** Results read per call of searchPapers (its largest page). */
const PAGE_SIZE = 100;

/**
 * A SearchFn over the live index. It waits for an index still being built (a digest run is a
 * background job; an alert computed on an empty index would be lost).
 *
 * @example
 * const search = alertSearch({ store, index });
 * await search('attention has:code', { from: '2025-05-05', to: '2025-05-05', ids: ['2505.00201'] }, 200)
 */
export function alertSearch(deps: SearchDeps): SearchFn {
  return async (query, scope, limit) => {
    await deps.index.ready();
    const state = deps.index.status().state;
    if (state !== 'ready') throw new Error(`digest: the search index is ${state}; alerts wait for it (paperboy reindex)`);
    if (scope.ids.length === 0 || limit <= 0) return [];
    const only = new Set(scope.ids);
    const out: string[] = [];
    for (let page = 1; out.length < limit; page++) {
      const r = await searchPapers(deps, { q: query, page, pageSize: PAGE_SIZE, only, allWords: true });
      if (r.paperId) return only.has(r.paperId) ? [r.paperId] : [];
      for (const item of r.items) if (only.has(item.id)) out.push(item.id);
      if (r.items.length < PAGE_SIZE || page >= r.pages) break;
    }
    return out.slice(0, limit);
  };
}
