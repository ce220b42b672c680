/**
 * The search set-up the settings ask for, in one place for `serve` and the commands: which embedder
 * makes the vectors (PAPERBOY_EMBEDDER) and which engine answers searches (PAPERBOY_SEARCH_ENGINE).
 */
import type { Config, EmbedderSettings } from '../config.ts';
import type { Store } from '../store/index.ts';
import { OpenAiEmbedder, TransformersEmbedder, type Embedder } from './embedder.ts';
import type { PaperSearchEngine } from './engine.ts';
import { PgSearchEngine, type PgSearchEngineOptions } from './pg-engine.ts';
import { SearchIndex, type SearchIndexOptions } from './search-index.ts';

/** The configured external embedder, or null for the corpus-trained default (trained at build time). */
export function configuredEmbedder(settings: EmbedderSettings): Embedder | null {
  switch (settings.kind) {
    case 'corpus': return null;
    case 'openai': return new OpenAiEmbedder({
      baseUrl: settings.url, model: settings.model, dims: settings.dims, apiKey: settings.apiKey ?? undefined,
      queryPrefix: settings.queryPrefix, documentPrefix: settings.documentPrefix,
    });
    case 'transformers': return new TransformersEmbedder({
      modelDir: settings.modelDir, model: settings.model, dims: settings.dims,
      queryPrefix: settings.queryPrefix, documentPrefix: settings.documentPrefix,
    });
  }
}

/** The in-memory index's options for these settings (plus any given). */
export function searchIndexOptions(config: Pick<Config, 'embedder'>, extra: SearchIndexOptions = {}): SearchIndexOptions {
  return { embedder: configuredEmbedder(config.embedder), ...extra };
}

export type OpenedSearchEngine = PaperSearchEngine & { close(): Promise<void> };

/**
 * Opens the engine that answers searches: PostgreSQL's own with PAPERBOY_SEARCH_ENGINE=postgres,
 * else the in-memory index with the configured embedder. `wait` waits for a first build.
 */
export async function openSearchEngine(
  store: Store, config: Pick<Config, 'embedder' | 'searchEngine'>,
  opts: { wait?: boolean; index?: SearchIndexOptions; postgres?: PgSearchEngineOptions } = {},
): Promise<OpenedSearchEngine> {
  return config.searchEngine === 'postgres'
    ? PgSearchEngine.open(store, opts.postgres ?? {}, opts.wait ?? false)
    : SearchIndex.open(store, searchIndexOptions(config, opts.index), opts.wait ?? false);
}
