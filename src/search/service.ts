/**
 * Search as the pages, the JSON API and the CLI use it: `searchPapers(deps, request)` parses the
 * query, merges form filters, runs the index, and returns ids, scores, highlights (as segments),
 * the total, cards for display, and a "did you mean". One call per request.
 */
import { searchDuration } from '../metrics.ts';
import { UserError } from '../services/errors.ts';
import { parseArxivId } from '../domain/arxiv-id.ts';
import type { Store } from '../store/index.ts';
import { attachCardDetails, CARD_COLUMNS, toCard } from '../store/cards.ts';
import type { PaperCard } from '../store/types.ts';
import { highlight, snippet, type Segment } from './highlight.ts';
import { describeQuery, isEmptyQuery, normalizeCategory, parseDateValue, parseQuery, type ParsedQuery } from './query.ts';
import type { PaperSearchEngine } from './engine.ts';
import { DEFAULT_MODE, MAX_RESULTS, type IndexStatus, type SearchMode, type SearchSort } from './search-index.ts';
import { analyze } from './text.ts';

/** Characters of abstract a result shows around the matched words (as a feed card shows). */
export const SNIPPET_CHARS = 320;

export interface SearchPapersRequest {
  q: string;
  mode?: SearchMode;
  sort?: SearchSort;
  /** 1-based. */
  page?: number;
  pageSize?: number;
  /** Form filters, merged with the query's own. */
  category?: string;
  /** YYYY-MM-DD (on or after) and YYYY-MM-DD (up to and including). */
  from?: string;
  to?: string;
  hasCode?: boolean;
  /** Only these papers may be found (an alert's period); unset: every paper. */
  only?: ReadonlySet<string>;
  /** Only papers with every word of the query, best first (how alerts match). */
  allWords?: boolean;
}

export interface SearchResultItem {
  id: string;
  score: number;
  card: PaperCard;
  /** The title with matched words marked. */
  title: Segment[];
  /** The part of the abstract with the most matches, marked. */
  snippet: Segment[];
}

export interface SearchPapersResult {
  query: ParsedQuery;
  /** The query as understood, in query syntax: what the page says was searched. */
  searched: string;
  /** Set when the query is an arXiv id or URL of a paper on this site: go straight to it. */
  paperId: string | null;
  mode: SearchMode;
  sort: SearchSort;
  page: number;
  pageSize: number;
  pages: number;
  total: number;
  totalExact: boolean;
  items: SearchResultItem[];
  /** A corrected query ("did you mean"), or null. */
  suggestion: string | null;
  notes: string[];
  status: IndexStatus;
  /** Semantic or hybrid was asked for, but the embedder did not answer: these are keyword results (a note says so). */
  semanticUnavailable: boolean;
}

export interface SearchDeps {
  store: Store;
  /** The in-memory index or the PostgreSQL engine (src/search/engine.ts). */
  index: PaperSearchEngine;
}

/** Merges form fields into a parsed query; bad form values become notes, not errors. */
export function applyFormFilters(q: ParsedQuery, req: SearchPapersRequest): ParsedQuery {
  const out = { ...q, categories: [...q.categories], notes: [...q.notes] };
  if (req.category?.trim()) {
    const cat = normalizeCategory(req.category);
    if (cat) { if (!out.categories.includes(cat)) out.categories.push(cat); }
    else out.notes.push(`"${req.category.slice(0, 40)}" is not an arXiv category (like cs.CL); it was ignored.`);
  }
  if (req.from?.trim()) {
    const d = parseDateValue(req.from);
    if (d) { if (out.from === null || d.start > out.from) out.from = d.start; }
    else out.notes.push(`"${req.from.slice(0, 20)}" is not a date (YYYY-MM-DD); it was ignored.`);
  }
  if (req.to?.trim()) {
    const d = parseDateValue(req.to);
    if (d) { if (out.to === null || d.end < out.to) out.to = d.end; }
    else out.notes.push(`"${req.to.slice(0, 20)}" is not a date (YYYY-MM-DD); it was ignored.`);
  }
  if (req.hasCode) out.hasCode = true;
  return out;
}

async function cardsByIds(store: Store, ids: string[]): Promise<Map<string, PaperCard>> {
  if (ids.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('papers as p')
    .leftJoin('daily_entries as d', 'd.paper_id', 'p.id')
    .leftJoin('users as u', 'u.id', 'd.submitted_by')
    .select(CARD_COLUMNS)
    .where('p.id', 'in', ids)
    .execute();
  const cards = await attachCardDetails(store.db, rows.map(toCard));
  return new Map(cards.map((c) => [c.id, c]));
}

/**
 * Runs a search. Never throws on what a user typed: odd input is searched as text, with notes.
 *
 * @example
 * const r = await searchPapers({ store, index }, { q: 'sparse attention cat:cs.CL', page: 1 });
 * r.items.map((i) => i.id); r.total; r.items[0].snippet
 */
export async function searchPapers(deps: SearchDeps, req: SearchPapersRequest): Promise<SearchPapersResult> {
  const started = performance.now();
  const result = await answerSearch(deps, req);
  searchDuration.observe({ mode: result.paperId ? 'id' : result.mode }, (performance.now() - started) / 1000);
  return result;
}

/** Retry-After while the first index is being built (the keyword index takes a minute or so at 1M papers). */
export const INDEX_NOT_READY_RETRY_SECONDS = 30;

/**
 * The error an API answers while the engine has no index to search yet (being built, or a failed
 * build waiting to run again): a 503 with Retry-After, so that a client can tell it from no results.
 */
export function indexNotReady(status: IndexStatus): UserError {
  if (status.state === 'retrying') {
    const seconds = Math.max(1, status.retryInSeconds ?? 0);
    return new UserError(503, `The search index could not be built; it is tried again in ${seconds} s. Try again later.`, seconds + INDEX_NOT_READY_RETRY_SECONDS);
  }
  return new UserError(503, `The search index is being built (${Math.round(status.progress * 100)}% done); try again in a minute.`, INDEX_NOT_READY_RETRY_SECONDS);
}

/**
 * Only the ids a search finds, best first, for callers that load their own rows (the JSON API):
 * the same answer as searchPapers' items (or its paperId), without cards, highlights and snippets,
 * which cost most of a search's time. Throws indexNotReady() (a 503) when a query needs the index
 * and there is none yet: an empty list would read as "no paper matches".
 */
export async function searchPaperIds(deps: SearchDeps, req: SearchPapersRequest): Promise<string[]> {
  const started = performance.now();
  const { pageSize, page, mode, sort, query } = normalise(req, MAX_IDS_PAGE_SIZE);
  let ids: string[] = [];
  let observed: SearchMode | 'id' = mode;
  const named = await paperNamed(deps, req.q);
  if (named.paperId) {
    ids = [named.paperId];
    observed = 'id';
  } else if (!isEmptyQuery(query)) {
    const status = deps.index.status();
    if (status.state !== 'ready') throw indexNotReady(status);
    const outcome = await deps.index.search({ query, mode, sort, offset: (page - 1) * pageSize, limit: pageSize, only: req.only, allWords: req.allWords });
    ids = outcome.hits.map((h) => h.id);
    observed = outcome.mode;
  }
  searchDuration.observe({ mode: observed }, (performance.now() - started) / 1000);
  return ids;
}

/** Most ids per call of searchPaperIds: the Hugging Face search API's `limit` goes up to 120. */
export const MAX_IDS_PAGE_SIZE = 120;

/** The request within bounds: page size 1-100 (or `maxPageSize`), a page that exists, the default mode and sort, the parsed query. */
function normalise(req: SearchPapersRequest, maxPageSize = 100) {
  const pageSize = Math.max(1, Math.min(maxPageSize, req.pageSize ?? 20));
  const maxPage = Math.ceil(MAX_RESULTS / pageSize);
  const page = Math.max(1, Math.min(maxPage, Math.floor(req.page ?? 1)));
  return { pageSize, maxPage, page, mode: req.mode ?? DEFAULT_MODE, sort: req.sort ?? 'relevance', query: applyFormFilters(parseQuery(req.q), req) };
}

/** An arXiv id or URL as the whole query: the paper when the site has it (`arxivId` either way). */
async function paperNamed(deps: SearchDeps, q: string): Promise<{ arxivId: string | null; paperId: string | null }> {
  const arxiv = parseArxivId(q.trim());
  if (!arxiv) return { arxivId: null, paperId: null };
  const hit = await deps.store.db.selectFrom('papers').select('id').where('id', '=', arxiv.id).executeTakeFirst();
  return { arxivId: arxiv.id, paperId: hit?.id ?? null };
}

async function answerSearch(deps: SearchDeps, req: SearchPapersRequest): Promise<SearchPapersResult> {
  const { pageSize, maxPage, page, mode, sort, query } = normalise(req);
  const base = {
    query, searched: describeQuery(query), mode, sort, page, pageSize, notes: query.notes, status: deps.index.status(), semanticUnavailable: false,
  };
  const named = await paperNamed(deps, req.q);
  if (named.paperId) return { ...base, paperId: named.paperId, pages: 1, total: 1, totalExact: true, items: [], suggestion: null };
  if (named.arxivId) base.notes = [...base.notes, `arXiv:${named.arxivId} is not on this site; searching for it as text.`];
  if (isEmptyQuery(query)) {
    return { ...base, paperId: null, pages: 1, total: 0, totalExact: true, items: [], suggestion: null };
  }
  const outcome = await deps.index.search({ query, mode, sort, offset: (page - 1) * pageSize, limit: pageSize, only: req.only, allWords: req.allWords });
  const cards = await cardsByIds(deps.store, outcome.hits.map((h) => h.id));
  // Free words are marked wherever they stand; a phrase's words only where the phrase is.
  const terms = new Set(query.words.flatMap((w) => analyze(w)));
  const items: SearchResultItem[] = [];
  for (const h of outcome.hits) {
    const card = cards.get(h.id);
    if (!card) continue; // deleted since the index saw it
    items.push({ id: h.id, score: h.score, card, title: highlight(card.title, terms, query.phrases), snippet: snippet(card.abstract, terms, SNIPPET_CHARS, query.phrases) });
  }
  // Whatever the count: "transfromer attention" finds many papers by "attention" alone, and the
  // misspelt word still deserves its correction (suggest looks only at words the corpus barely knows).
  const suggested = await deps.index.suggest(query);
  const suggestion = suggested ? describeQuery({ ...query, words: suggested }) : null;
  const pages = Math.max(1, Math.min(maxPage, Math.ceil(Math.min(outcome.total, MAX_RESULTS) / pageSize)));
  const semanticUnavailable = outcome.semanticUnavailable === true;
  const notes = semanticUnavailable ? [...base.notes, 'Search by meaning is unavailable right now (the embedding service did not answer); these are keyword results.'] : base.notes;
  return {
    ...base, mode: outcome.mode, paperId: null, pages, total: outcome.total, totalExact: outcome.totalExact, items, suggestion, notes, semanticUnavailable,
  };
}
