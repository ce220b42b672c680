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
  listAuthorsOf, listMemberHistory, listPaperTextsByIds, listPaperTitlesByIds, listPeriodPapers, listRecentHistoryPapers, memberHistoryVersion, type PeriodPaper,
} from '../store/discovery.ts';
import type { DiscoveryView, SearchIndex } from '../search/search-index.ts';
import { buildProfile, describeForYouReason, hasTaste, prepareCandidates, rankForYou, type CandidatePaper, type CandidateSet, type ForYouReason, type HistoryItem, type Profile } from './model.ts';
import { EMPTY_TERMS, packTerms, termCounts, termVector, weighTerms, type PackedTerms, type TermCounts, type TermVector } from './terms.ts';

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
/**
 * Papers of members' histories whose term weights are kept, packed (about 1.2 KB each, so at most
 * about 24 MB), while the index's epoch stands: a profile is the sum of its papers' term vectors,
 * and computing a paper's costs about 100-130 us (tokenizing and stemming included), so a
 * 2,000-paper history took over 250 ms. The preparation (prepareHistoryTerms) computes them ahead
 * for the papers anyone upvoted, saved or dismissed lately; a first call then only reads and sums.
 * Their counted terms are not kept (about 9 KB a paper): after new papers move the epoch, the
 * preparation analyses their text again, in the background.
 */
export const HISTORY_TERMS_CACHE = 20_000;
/** History rows of each kind (votes, saves, dismissals) a full preparation reads, most recent first. */
export const HISTORY_AHEAD_ROWS = 50_000;
/**
 * A preparation after the first reads the history rows from the newest one it saw, less this
 * look-back (ms): rows committed a little late, or by another process with its clock behind, are not missed.
 */
const HISTORY_LOOK_BACK_MS = 60_000;
/** Papers whose texts are read in one query while preparing histories. */
const HISTORY_READ_CHUNK = 500;

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
  /** Papers the member upvoted or saved, and marked not interested; authors the member follows. */
  history: { positives: number; negatives: number; followed: number };
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
  /** Packed term weights of history papers, under one index's epoch (see HISTORY_TERMS_CACHE). */
  private readonly history = new KeptMap<string, PackedTerms>(HISTORY_TERMS_CACHE);
  /** What the last preparation of histories saw: the index and epoch, the store's change token, the newest row. */
  historyMark: { version: string; token: string; newest: string | null } | null = null;

  /**
   * The kept history term weights valid under `view` of `index`, or null when nothing may be kept:
   * the view has no epoch (no index, or one that cannot say when its text or statistics move), or
   * the index has moved past it (an older view must not empty what the current epoch keeps).
   */
  historyTermsAt(index: Pick<SearchIndex, 'discoveryView'> | null, view: DiscoveryView): { version: string; kept: KeptMap<string, PackedTerms> } | null {
    const version = epochVersion(index, view);
    if (version === null || version !== epochVersion(index, index?.discoveryView() ?? NO_STATS)) return null;
    return { version, kept: this.history.at(version) };
  }

  /** A paper's term vector: other statistics (papers indexed) or another text, another vector. */
  termsOf(id: string, title: string, abstract: string, view: DiscoveryView): TermVector {
    // Weights follow the document frequencies, which move with any paper's new text (the epoch), not only with new papers.
    const kept = this.terms.at(view === NO_STATS ? 'none' : `${view.papers}:${view.epoch ?? ''}`);
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

/** Ids of indexes, so that two indexes at the same epoch never share what is kept. */
const indexIds = new WeakMap<object, number>();
let nextIndexId = 1;

/** `index:epoch`, what history term weights are valid under; null when the view has no epoch. */
function epochVersion(index: object | null, view: DiscoveryView): string | null {
  if (!index || view.epoch === undefined) return null;
  let id = indexIds.get(index);
  if (id === undefined) indexIds.set(index, (id = nextIndexId++));
  return `${id}:${view.epoch}`;
}

/** A history paper's packed term weights, under the view's term statistics. */
function historyPaperTerms(t: { title: string; abstract: string }, view: DiscoveryView): PackedTerms {
  return packTerms(termVector(t.title, t.abstract, view.df, view.papers));
}

/**
 * The term vectors of a member's history papers: kept packed weights when the index's epoch has
 * not moved (text and term statistics unchanged), else weighed from the store's text (and kept).
 * Without an epoch, through termsOf as candidates are. Papers no longer in the store are left out.
 */
async function historyTerms(deps: ForYouDeps, view: DiscoveryView, ids: string[], cache: ForYouCache): Promise<Map<string, { title: string; terms: TermVector | PackedTerms }>> {
  const out = new Map<string, { title: string; terms: TermVector | PackedTerms }>();
  const at = cache.historyTermsAt(deps.index, view);
  if (!at) {
    for (const [id, t] of await listPaperTextsByIds(deps.store.db, ids)) out.set(id, { title: t.title, terms: cache.termsOf(id, t.title, t.abstract, view) });
    return out;
  }
  const titles = await listPaperTitlesByIds(deps.store.db, ids);
  const missing: string[] = [];
  for (const [id, title] of titles) {
    const terms = at.kept.get(id);
    if (terms) out.set(id, { title, terms }); else missing.push(id);
  }
  if (missing.length === 0) return out;
  const texts = await listPaperTextsByIds(deps.store.db, missing);
  // Nothing weighed under an epoch that has moved since the view was taken is kept.
  const keep = epochVersion(deps.index, deps.index?.discoveryView() ?? NO_STATS) === at.version;
  for (const [id, t] of texts) {
    const terms = historyPaperTerms(t, view);
    if (keep) at.kept.set(id, terms);
    out.set(id, { title: t.title, terms });
  }
  return out;
}

async function loadProfile(deps: ForYouDeps, view: DiscoveryView, userId: number, cache: ForYouCache): Promise<Profile> {
  const [version, followed] = await Promise.all([
    memberHistoryVersion(deps.store.db, userId),
    deps.listFollowedAuthors ? deps.listFollowedAuthors(userId) : Promise.resolve([]),
  ]);
  // The index's epoch moves with any paper's new text or title (the number of papers may not).
  const generation = `${epochVersion(deps.index, view) ?? `${view.vectors}:${view.papers}`}:${followed.join('\u0001')}`;
  const hit = cache.profiles.get(userId);
  if (hit && hit.version === version && hit.generation === generation) return hit.profile;
  const rows = await listMemberHistory(deps.store.db, userId, MAX_HISTORY);
  const papers = await historyTerms(deps, view, [...new Set(rows.map((r) => r.paperId))], cache);
  const history: HistoryItem[] = [];
  for (const r of rows) {
    const p = papers.get(r.paperId);
    if (!p) continue;
    history.push({ id: r.paperId, title: p.title, signal: r.signal, vector: view.vectorOf(r.paperId), terms: p.terms });
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

/**
 * Computes ahead the term weights of the papers in members' recent histories (see
 * HISTORY_TERMS_CACHE), in chunks that let requests through, so that a member's first call (or the
 * first after new papers move the index's epoch) finds them kept. The first run, and each after the
 * epoch moves, reads the latest HISTORY_AHEAD_ROWS rows of each kind; later runs only the rows
 * since the newest one seen (less HISTORY_LOOK_BACK_MS). A no-op while neither the store nor the
 * index has changed, or without an index. Returns the number of papers weighed.
 */
export async function prepareHistoryTerms(deps: ForYouDeps, cache: ForYouCache = defaultCache, yieldEvery = PREPARE_CHUNK): Promise<number> {
  const view = deps.index?.discoveryView();
  if (!view) return 0;
  const at = cache.historyTermsAt(deps.index, view);
  if (!at) return 0;
  const token = deps.store.changeToken();
  const mark = cache.historyMark;
  if (mark && mark.version === at.version && mark.token === token) return 0;
  const since = mark && mark.version === at.version && mark.newest !== null ? lookBack(mark.newest) : null;
  const recent = await listRecentHistoryPapers(deps.store.db, since, HISTORY_AHEAD_ROWS);
  const newest = recent[0]?.at ?? (mark && mark.version === at.version ? mark.newest : null);
  // The least recent first: the kept map drops its oldest entries when full, so the most recent stay.
  const missing = recent.slice(0, HISTORY_TERMS_CACHE).filter((r) => !at.kept.get(r.paperId)).map((r) => r.paperId).reverse();
  let weighed = 0;
  const stillValid = () => epochVersion(deps.index, deps.index?.discoveryView() ?? NO_STATS) === at.version;
  for (let i = 0; i < missing.length; i += HISTORY_READ_CHUNK) {
    if (!stillValid()) return weighed; // the epoch moved: what follows would be dropped; the next run starts over
    const texts = await listPaperTextsByIds(deps.store.db, missing.slice(i, i + HISTORY_READ_CHUNK));
    if (!stillValid()) return weighed;
    for (const [id, t] of texts) {
      at.kept.set(id, historyPaperTerms(t, view));
      if (++weighed % yieldEvery === 0) {
        await new Promise((r) => setImmediate(r));
        if (!stillValid()) return weighed;
      }
    }
  }
  cache.historyMark = { version: at.version, token, newest };
  return weighed;
}

/** An ISO timestamp HISTORY_LOOK_BACK_MS earlier (the timestamp itself when it does not parse). */
function lookBack(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms - HISTORY_LOOK_BACK_MS).toISOString() : iso;
}

/** The member's For-you list of a window. Never throws for odd histories: empty ones give trending. */
export async function forYou(deps: ForYouDeps, req: ForYouRequest, cache: ForYouCache = defaultCache): Promise<ForYouResult> {
  const view = deps.index?.discoveryView() ?? NO_STATS;
  const [profile, period] = await Promise.all([loadProfile(deps, view, req.userId, cache), periodCandidates(deps, view, req.window, cache)]);
  const history = { positives: profile.positives.length, negatives: profile.negatives.length, followed: profile.followed.size };
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
