/**
 * "For you" as the page and the e-mail digest use it: reads a member's history and a period's new
 * papers, builds the profile (cached per member until their history changes: "retrained" cheaply
 * on demand), and ranks with the model of model.ts.
 *
 * @example
 * const r = await forYou(deps, { userId: 7, window: weekWindow, limit: 30 });
 * r.mode // 'personal' | 'trending'
 */
import type { DayWindow } from '../domain/dates.ts';
import { KeptMap } from '../domain/kept.ts';
import type { Store } from '../store/index.ts';
import {
  listAuthorsOf, listMemberHistory, listPaperTextsByIds, listPeriodPapers, memberHistoryVersion, type PeriodPaper,
} from '../store/discovery.ts';
import type { DiscoveryView, SearchIndex } from '../search/search-index.ts';
import { buildProfile, describeForYouReason, hasTaste, prepareCandidates, rankForYou, type CandidatePaper, type CandidateSet, type ForYouReason, type HistoryItem, type Profile } from './model.ts';
import { EMPTY_TERMS, termCounts, weighTerms, type TermCounts, type TermVector } from './terms.ts';

/** History rows read per kind (votes, saves, dismissals): recent taste matters most. */
export const MAX_HISTORY = 2_000;
/** New papers of a period considered, most upvoted first (a month of a busy instance). */
export const MAX_CANDIDATES = 20_000;
/** Members whose profiles are kept in memory. */
const PROFILE_CACHE = 500;
/** Papers whose term vectors are kept in memory (candidates repeat between members). */
const TERMS_CACHE = 50_000;
/**
 * Papers whose counted terms (tokenized and stemmed text, before tf-idf weighting) are kept: the
 * costly part of a term vector, independent of the index's statistics, so it outlives them.
 */
const COUNTS_CACHE = 100_000;
/** Periods whose candidates are kept (day, week and month views of the current period, and a spare). */
const PERIOD_CACHE = 4;

export interface ForYouDeps {
  store: Store;
  /** The search index (vectors and term statistics); null or not ready: terms and trending only. */
  index: Pick<SearchIndex, 'discoveryView'> | null;
  /** Names of the authors a member follows; default: none. */
  listFollowedAuthors?: (userId: number) => Promise<string[]>;
}

export interface ForYouRequest {
  userId: number;
  window: DayWindow;
  limit: number;
  /** Papers to leave out (already sent by e-mail, for instance). */
  exclude?: ReadonlySet<string>;
}

export interface ForYouItem {
  id: string;
  score: number;
  reason: ForYouReason;
}

export interface ForYouResult {
  /** personal: ranked by the member's model; trending: no history yet (or nothing to learn from). */
  mode: 'personal' | 'trending';
  /** False while the search index (vectors) is being built: ranking uses terms and trending only. */
  vectors: boolean;
  items: ForYouItem[];
  /** New papers in the window. */
  candidates: number;
  /** Papers the member upvoted or saved, and marked not interested. */
  history: { positives: number; negatives: number };
}

const NO_STATS: DiscoveryView = { vectors: false, papers: 1, df: () => 2, vectorOf: () => null, nearest: () => [] };

/** Caches shared by calls (one process): profiles by member, term vectors by paper. */
export class ForYouCache {
  /** Each member's profile, with the history version and index statistics it was built from. */
  readonly profiles = new KeptMap<number, { version: string; generation: string; profile: Profile }>(PROFILE_CACHE);
  /** Term vectors by paper, with the text they were weighed from, under the index statistics of `termsOf`. */
  private readonly terms = new KeptMap<string, { title: string; abstract: string; vector: TermVector }>(TERMS_CACHE);
  /** Counted terms by paper, with the text they were counted from. */
  private readonly counts = new KeptMap<string, { title: string; abstract: string; counts: TermCounts }>(COUNTS_CACHE);
  /** The last few periods' candidates, vectors loaded, while the store and the index have not changed. */
  readonly periods = new KeptMap<string, { papers: PeriodPaper[]; set: CandidateSet }>(PERIOD_CACHE);

  /** A paper's term vector: other statistics (papers indexed) or another text, another vector. */
  termsOf(id: string, title: string, abstract: string, view: DiscoveryView): TermVector {
    const kept = this.terms.at(view === NO_STATS ? 'none' : view.papers);
    const hit = kept.get(id);
    if (hit && hit.title === title && hit.abstract === abstract) return hit.vector;
    const vector = weighTerms(this.countsOf(id, title, abstract), view.df, view.papers);
    kept.set(id, { title, abstract, vector });
    return vector;
  }

  private countsOf(id: string, title: string, abstract: string): TermCounts {
    const hit = this.counts.get(id);
    if (hit && hit.title === title && hit.abstract === abstract) return hit.counts;
    const counts = termCounts(title, abstract);
    this.counts.set(id, { title, abstract, counts });
    return counts;
  }
}

const defaultCache = new ForYouCache();

async function loadProfile(deps: ForYouDeps, view: DiscoveryView, userId: number, cache: ForYouCache): Promise<Profile> {
  const [version, followed] = await Promise.all([
    memberHistoryVersion(deps.store.db, userId),
    deps.listFollowedAuthors ? deps.listFollowedAuthors(userId) : Promise.resolve([]),
  ]);
  const generation = `${view.vectors}:${view.papers}:${followed.join('\u0001')}`;
  const hit = cache.profiles.get(userId);
  if (hit && hit.version === version && hit.generation === generation) return hit.profile;
  const rows = await listMemberHistory(deps.store.db, userId, MAX_HISTORY);
  const texts = await listPaperTextsByIds(deps.store.db, [...new Set(rows.map((r) => r.paperId))]);
  const history: HistoryItem[] = [];
  for (const r of rows) {
    const t = texts.get(r.paperId);
    if (!t) continue;
    history.push({ id: r.paperId, title: t.title, signal: r.signal, vector: view.vectorOf(r.paperId), terms: cache.termsOf(r.paperId, t.title, t.abstract, view) });
  }
  const profile = buildProfile(history, followed);
  cache.profiles.set(userId, { version, generation, profile });
  return profile;
}

/** Papers whose terms are counted between two yields to the event loop while preparing ahead. */
const PREPARE_CHUNK = 100;

/**
 * A period's candidates with vectors and term vectors, shared by every member until the store changes.
 * `yieldEvery`: while preparing ahead, the papers' terms are counted in chunks with the event loop
 * let through between them (requests are served meanwhile); a request computes them at once.
 */
async function periodCandidates(deps: ForYouDeps, view: DiscoveryView, window: DayWindow, cache: ForYouCache, yieldEvery = 0): Promise<{ papers: PeriodPaper[]; set: CandidateSet }> {
  const periods = cache.periods.at(`${deps.store.changeToken()}|${view.vectors}|${view.papers}`);
  const key = `${window.from}|${window.to}`;
  const hit = periods.get(key);
  if (hit) return hit;
  const papers = await listPeriodPapers(deps.store.db, window.from, window.to, MAX_CANDIDATES);
  const authors = await listAuthorsOf(deps.store.db, papers.map((p) => p.id));
  if (yieldEvery > 0) {
    for (let i = 0; i < papers.length; i++) {
      const p = papers[i]!;
      if (p.title || p.abstract) cache.termsOf(p.id, p.title, p.abstract, view);
      if ((i + 1) % yieldEvery === 0) await new Promise((r) => setImmediate(r));
    }
  }
  const candidates: CandidatePaper[] = papers.map((p) => ({
    id: p.id, upvotes: p.upvotes, authors: authors.get(p.id) ?? [],
    vector: view.vectorOf(p.id),
    terms: p.title || p.abstract ? cache.termsOf(p.id, p.title, p.abstract, view) : EMPTY_TERMS,
  }));
  const entry = { papers, set: prepareCandidates(candidates) };
  periods.set(key, entry);
  return entry;
}

/**
 * Prepares a period's candidates ahead of the members' requests (papers read, term vectors
 * computed, vectors loaded), in chunks that let requests through. A no-op while the store and the
 * index have not changed since the last preparation. Returns the number of candidates.
 */
export async function prepareForYouPeriod(deps: ForYouDeps, window: DayWindow, cache: ForYouCache = defaultCache): Promise<number> {
  const view = deps.index?.discoveryView() ?? NO_STATS;
  return (await periodCandidates(deps, view, window, cache, PREPARE_CHUNK)).papers.length;
}

/** The member's For-you list of a window. Never throws for odd histories: empty ones give trending. */
export async function forYou(deps: ForYouDeps, req: ForYouRequest, cache: ForYouCache = defaultCache): Promise<ForYouResult> {
  const view = deps.index?.discoveryView() ?? NO_STATS;
  const [profile, period] = await Promise.all([loadProfile(deps, view, req.userId, cache), periodCandidates(deps, view, req.window, cache)]);
  const history = { positives: profile.positives.length, negatives: profile.negatives.length };
  const exclude = req.exclude ?? new Set<string>();
  if (!hasTaste(profile)) {
    const known = new Set(profile.negatives.map((n) => n.id));
    const items = period.papers.filter((p) => !known.has(p.id) && !exclude.has(p.id)).slice(0, req.limit)
      .map((p) => ({ id: p.id, score: p.upvotes, reason: { like: null, shares: [], followed: [] } }));
    return { mode: 'trending', vectors: view.vectors, items, candidates: period.papers.length, history };
  }
  const ranked = rankForYou(profile, period.set, { limit: req.limit + exclude.size }).filter((r) => !exclude.has(r.id));
  return { mode: 'personal', vectors: view.vectors, items: ranked.slice(0, req.limit), candidates: period.papers.length, history };
}

/**
 * The For-you ranking as e-mail digests ask for it: ids with their reasons, in the member's order
 * (trending, with that reason, for members without history).
 */
export function forYouForDigests(deps: ForYouDeps, cache: ForYouCache = defaultCache) {
  return async (userId: number, window: { from: string; to: string }, limit: number, exclude: ReadonlySet<string>): Promise<{ id: string; reason: string }[]> => {
    const w: DayWindow = { period: window.from === window.to ? 'day' : 'week', label: `${window.from}/${window.to}`, from: window.from, to: window.to };
    const r = await forYou(deps, { userId, window: w, limit, exclude }, cache);
    return r.items.map((i) => ({ id: i.id, reason: describeForYouReason(i.reason) }));
  };
}
