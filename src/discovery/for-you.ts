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
import { buildProfile, hasTaste, rankForYou, type CandidatePaper, type ForYouReason, type HistoryItem, type Profile } from './model.ts';
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

/** Ranks papers already read from the store (the digest and the benchmark call this directly). */
export function rankPeriodPapers(
  profile: Profile, papers: readonly PeriodPaper[], authors: ReadonlyMap<string, readonly string[]>, view: DiscoveryView, cache: ForYouCache = defaultCache,
): ForYouItem[] {
  const candidates: CandidatePaper[] = papers.map((p) => ({
    id: p.id, upvotes: p.upvotes, authors: authors.get(p.id) ?? [],
    vector: view.vectorOf(p.id),
    terms: p.title || p.abstract ? cache.termsOf(p.id, p.title, p.abstract, view) : EMPTY_TERMS,
  }));
  return rankForYou(profile, candidates);
}

/** The member's For-you list of a window. Never throws for odd histories: empty ones give trending. */
export async function forYou(deps: ForYouDeps, req: ForYouRequest, cache: ForYouCache = defaultCache): Promise<ForYouResult> {
  const view = deps.index?.discoveryView() ?? NO_STATS;
  const [profile, papers] = await Promise.all([
    loadProfile(deps, view, req.userId, cache),
    listPeriodPapers(deps.store.db, req.window.from, req.window.to, MAX_CANDIDATES),
  ]);
  const history = { positives: profile.positives.length, negatives: profile.negatives.length };
  const eligible = req.exclude ? papers.filter((p) => !req.exclude!.has(p.id)) : papers;
  if (!hasTaste(profile)) {
    const known = new Set(profile.negatives.map((n) => n.id));
    const items = eligible.filter((p) => !known.has(p.id)).slice(0, req.limit)
      .map((p) => ({ id: p.id, score: p.upvotes, reason: { like: null, shares: [], followed: [] } }));
    return { mode: 'trending', vectors: view.vectors, items, candidates: papers.length, history };
  }
  const authors = profile.followed.size > 0 ? await listAuthorsOf(deps.store.db, eligible.map((p) => p.id)) : new Map<string, string[]>();
  const ranked = rankPeriodPapers(profile, eligible, authors, view, cache);
  return { mode: 'personal', vectors: view.vectors, items: ranked.slice(0, req.limit), candidates: papers.length, history };
}
