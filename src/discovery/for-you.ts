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
import type { Store } from '../store/index.ts';
import {
  listAuthorsOf, listMemberHistory, listPaperTextsByIds, listPeriodPapers, memberHistoryVersion, type PeriodPaper,
} from '../store/discovery.ts';
import type { DiscoveryView, SearchIndex } from '../search/search-index.ts';
import { buildProfile, describeForYouReason, hasTaste, prepareCandidates, rankForYou, type CandidatePaper, type CandidateSet, type ForYouReason, type HistoryItem, type Profile } from './model.ts';
import { EMPTY_TERMS, termVector, type TermVector } from './terms.ts';

/** History rows read per kind (votes, saves, dismissals): recent taste matters most. */
export const MAX_HISTORY = 2_000;
/** New papers of a period considered, most upvoted first (a month of a busy instance). */
export const MAX_CANDIDATES = 20_000;
/** Members whose profiles are kept in memory. */
const PROFILE_CACHE = 500;
/** Papers whose term vectors are kept in memory (candidates repeat between members). */
const TERMS_CACHE = 50_000;

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
  profiles = new Map<number, { version: string; generation: string; profile: Profile }>();
  terms = new Map<string, TermVector>();
  /** The last few periods' candidates, vectors loaded, while the store has not changed. */
  periods = new Map<string, { papers: PeriodPaper[]; set: CandidateSet }>();

  termsOf(id: string, title: string, abstract: string, view: DiscoveryView): TermVector {
    let tv = this.terms.get(id);
    if (!tv) {
      tv = termVector(title, abstract, view.df, view.papers);
      if (this.terms.size >= TERMS_CACHE) this.terms.clear();
      this.terms.set(id, tv);
    }
    return tv;
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
  if (cache.profiles.size >= PROFILE_CACHE) cache.profiles.delete(cache.profiles.keys().next().value!);
  cache.profiles.set(userId, { version, generation, profile });
  return profile;
}

/** Periods whose candidates are kept (day, week and month views of the current period, and a spare). */
const PERIOD_CACHE = 4;

/** A period's candidates with vectors and term vectors, shared by every member until the store changes. */
async function periodCandidates(deps: ForYouDeps, view: DiscoveryView, window: DayWindow, cache: ForYouCache): Promise<{ papers: PeriodPaper[]; set: CandidateSet }> {
  const key = `${window.from}|${window.to}|${deps.store.changeToken()}|${view.vectors}|${view.papers}`;
  const hit = cache.periods.get(key);
  if (hit) return hit;
  const papers = await listPeriodPapers(deps.store.db, window.from, window.to, MAX_CANDIDATES);
  const authors = await listAuthorsOf(deps.store.db, papers.map((p) => p.id));
  const candidates: CandidatePaper[] = papers.map((p) => ({
    id: p.id, upvotes: p.upvotes, authors: authors.get(p.id) ?? [],
    vector: view.vectorOf(p.id),
    terms: p.title || p.abstract ? cache.termsOf(p.id, p.title, p.abstract, view) : EMPTY_TERMS,
  }));
  const entry = { papers, set: prepareCandidates(candidates) };
  if (cache.periods.size >= PERIOD_CACHE) cache.periods.delete(cache.periods.keys().next().value!);
  cache.periods.set(key, entry);
  return entry;
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
