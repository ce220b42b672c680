/**
 * The whole app in-process with a given search index wired as `paperboy serve` wires it: the
 * search page over the index, and the JSON API and MCP searching through searchPaperIds.
 */
import type { SearchIndex } from '../../src/search/search-index.ts';
import { searchPaperIds } from '../../src/search/service.ts';
import type { Store } from '../../src/store/index.ts';
import { testApp } from './app.ts';

export async function searchApp(store: Store, index: SearchIndex) {
  const { app } = await testApp(store, {
    pageSize: 5,
    searchIndex: index,
    search: { search: (q, { limit }) => searchPaperIds({ store, index }, { q, pageSize: limit }) },
  });
  return app;
}
