/**
 * "For you", the model: a member's taste from what they upvoted and saved (positives) and marked
 * "not interested" (negatives), scored against a period's new papers. Pure: no store, no clock.
 *
 * A paper's score (see FOR_YOU_WEIGHTS, tuned with `npm run bench:discovery`):
 *   knn      mean cosine to its KNN nearest positives (so a reader of three topics is served on
 *            each of them, which one centroid would blur)
 * + centroid cosine to the mean of the positives (the reader's overall direction)
 * + terms    tf-idf cosine to the sum of the positives' term vectors
 * - negative cosine to its nearest "not interested" paper, above NEGATIVE_FLOOR
 * + trending log(1 + upvotes) / log(1 + most upvotes among the candidates)
 * + followed a flat boost when a followed author wrote it
 *
 * Vectors are unit length (the search engine's). Cosines are computed with the engine's int8 SIMD
 * scan: candidates go into a VectorIndex and each profile vector is one scan over them, so the
 * cost is (profile size) x (candidates) x dims / 16 SIMD steps.
 */
import { VectorIndex } from '../search/vector-index.ts';
import { normalizeTerms, sharedTerms, termDot, type PackedTerms, type TermVector } from './terms.ts';

export type Signal = 'upvote' | 'saved' | 'not-interested';

/** A paper of the member's history. */
export interface HistoryItem {
  id: string;
  title: string;
  signal: Signal;
  vector: Float32Array | null;
  /** Its term vector; only the weights count here, so they may come packed (see PackedTerms). */
  terms: TermVector | PackedTerms;
}

/** A paper that may be recommended. */
export interface CandidatePaper {
  id: string;
  vector: Float32Array | null;
  terms: TermVector;
  upvotes: number;
  authors: readonly string[];
}

export interface ForYouWeights {
  knn: number;
  centroid: number;
  terms: number;
  negative: number;
  trending: number;
  followed: number;
}

export const FOR_YOU_WEIGHTS: ForYouWeights = { knn: 1, centroid: 0.5, terms: 0.4, negative: 1, trending: 0.25, followed: 0.3 };
/** Nearest positives a paper's knn part averages over. */
export const KNN = 3;
/** Positives (most recent first) the knn part compares with: enough for many topics, bounded cost. */
export const MAX_KNN_PROFILE = 300;
/** A "not interested" paper counts against a candidate only when closer than this (cosine). */
export const NEGATIVE_FLOOR = 0.3;
/** A positive is named in a reason when at least this share of the candidate's best match. */
const LIKE_SHARE = 0.85;
/** Positives a reason names by title. */
const LIKE_TITLES = 2;
const REASON_TERMS = 3;

/** What the member told us, ready to score with. */
export interface Profile {
  positives: HistoryItem[];
  negatives: HistoryItem[];
  /** Normalised mean of the positives' vectors, or null. */
  centroid: Float32Array | null;
  /** Normalised sum of the positives' term vectors. */
  terms: Map<string, number>;
  /** Lower-cased names of followed authors. */
  followed: Set<string>;
}

/** Builds a profile from a member's history (most recent first) and followed authors. */
export function buildProfile(history: readonly HistoryItem[], followedAuthors: readonly string[] = []): Profile {
  const seen = new Set<string>();
  const positives: HistoryItem[] = [];
  const negatives: HistoryItem[] = [];
  // The member's latest word on a paper decides: "not interested" wins over an older vote or save,
  // and a later upvote or save over an older "not interested".
  for (const h of history) {
    if (seen.has(h.id)) continue;
    seen.add(h.id);
    if (h.signal === 'not-interested') negatives.push(h);
    else positives.push(h);
  }
  let centroid: Float32Array | null = null;
  // The sum of the positives' term vectors, each term's weights added in the positives' order: a
  // term's slot is looked up once per paper (a history of 2,000 papers adds about 120,000 weights).
  const slots = new Map<string, number>();
  const sums: number[] = [];
  const add = (t: string, w: number) => {
    const k = slots.get(t);
    if (k === undefined) { slots.set(t, sums.length); sums.push(w); } else sums[k]! += w;
  };
  for (const p of positives) {
    const tv = p.terms;
    if ('terms' in tv) for (let i = 0; i < tv.terms.length; i++) add(tv.terms[i]!, tv.weights[i]!);
    else for (const [t, w] of tv.weights) add(t, w);
    if (!p.vector) continue;
    centroid ??= new Float32Array(p.vector.length);
    for (let j = 0; j < p.vector.length; j++) centroid[j]! += p.vector[j]!;
  }
  if (centroid) {
    let norm = 0;
    for (const x of centroid) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let j = 0; j < centroid.length; j++) centroid[j]! /= norm;
    else centroid = null;
  }
  const terms = new Map<string, number>();
  for (const [t, k] of slots) terms.set(t, sums[k]!);
  return { positives, negatives, centroid, terms: normalizeTerms(terms), followed: new Set(followedAuthors.map((a) => a.trim().toLowerCase()).filter(Boolean)) };
}

/** True when the profile can rank anything (else the page shows trending and asks for upvotes). */
export function hasTaste(p: Profile): boolean {
  return p.positives.length > 0 || p.followed.size > 0;
}

export interface ForYouReason {
  /** Positives the paper is closest to (titles named), and how many are that close. */
  like: { count: number; upvoted: boolean; saved: boolean; titles: { id: string; title: string }[] } | null;
  /** Terms it shares with the member's papers. */
  shares: string[];
  /** Followed authors who wrote it. */
  followed: string[];
}

export interface RankedPaper {
  id: string;
  score: number;
  reason: ForYouReason;
}

/** The reason in one line: "like 3 papers you upvoted: A, B; shares: diffusion; by X, whom you follow". */
export function describeForYouReason(r: ForYouReason): string {
  const parts: string[] = [];
  if (r.like) {
    const what = r.like.upvoted && r.like.saved ? 'upvoted or saved' : r.like.saved ? 'saved' : 'upvoted';
    const n = r.like.count;
    parts.push(`like ${n === 1 ? 'a paper' : `${n} papers`} you ${what}: ${r.like.titles.map((t) => t.title).join('; ')}`);
  }
  if (r.shares.length > 0) parts.push(`shares terms: ${r.shares.join(', ')}`);
  if (r.followed.length > 0) parts.push(`by ${r.followed.join(', ')}, whom you follow`);
  return parts.length > 0 ? parts.join('; ') : 'trending this period';
}

/** Candidates with their vectors loaded into a SIMD-scannable index: build once per period, rank for many members. */
export interface CandidateSet {
  papers: readonly CandidatePaper[];
  dims: number;
  index: VectorIndex | null;
  hasVector: Uint8Array;
}

/** Loads candidates' vectors into an int8 index (papers without one get a zero row). */
export function prepareCandidates(papers: readonly CandidatePaper[]): CandidateSet {
  const n = papers.length;
  const dims = papers.find((c) => c.vector)?.vector?.length ?? 0;
  const hasVector = new Uint8Array(n);
  if (dims === 0 || n === 0) return { papers, dims, index: null, hasVector };
  const index = new VectorIndex(dims, n);
  const zero = new Float32Array(dims);
  for (let i = 0; i < n; i++) {
    const v = papers[i]!.vector;
    if (v && v.length === dims) { index.add(v); hasVector[i] = 1; } else index.add(zero);
  }
  return { papers, dims, index, hasVector };
}

export interface RankOptions {
  weights?: ForYouWeights;
  /** Only the best `limit` papers are returned (with reasons); default: all. */
  limit?: number;
}

/**
 * Ranks candidates for a profile, best first, each with its reason. Candidates the member already
 * upvoted, saved or dismissed are left out.
 */
export function rankForYou(profile: Profile, candidates: readonly CandidatePaper[] | CandidateSet, opts: RankOptions = {}): RankedPaper[] {
  const weights = opts.weights ?? FOR_YOU_WEIGHTS;
  const set = Array.isArray(candidates) ? prepareCandidates(candidates as readonly CandidatePaper[]) : (candidates as CandidateSet);
  const cands = set.papers;
  const known = new Set([...profile.positives, ...profile.negatives].map((h) => h.id));
  const n = cands.length;
  if (n === 0) return [];
  const dims = set.dims;

  // Vector parts: one SIMD scan over the candidates per profile vector.
  const knnScore = new Float64Array(n);
  const centroidScore = new Float64Array(n);
  const negScore = new Float64Array(n);
  // Per candidate, its KNN best positives (index into `pos`) and their cosines.
  const bestIdx = new Int32Array(n * KNN).fill(-1);
  const bestSim = new Float64Array(n * KNN).fill(-Infinity);
  const pos = profile.positives.filter((p) => p.vector && p.vector.length === dims).slice(0, MAX_KNN_PROFILE);
  const index = set.index;
  const hasVec = set.hasVector;
  if (index) {
    const scores = new Float64Array(n);
    pos.forEach((p, pi) => {
      index.scoreAll(p.vector!, scores);
      for (let i = 0; i < n; i++) {
        const s = scores[i]!;
        const o = i * KNN;
        if (s <= bestSim[o + KNN - 1]!) continue;
        let j = KNN - 1;
        while (j > 0 && bestSim[o + j - 1]! < s) { bestSim[o + j] = bestSim[o + j - 1]!; bestIdx[o + j] = bestIdx[o + j - 1]!; j--; }
        bestSim[o + j] = s; bestIdx[o + j] = pi;
      }
    });
    if (pos.length > 0) {
      const m = Math.min(KNN, pos.length);
      for (let i = 0; i < n; i++) {
        if (!hasVec[i]) continue;
        let s = 0;
        for (let j = 0; j < m; j++) s += bestSim[i * KNN + j]!;
        knnScore[i] = s / m;
      }
    }
    if (profile.centroid && profile.centroid.length === dims) {
      index.scoreAll(profile.centroid, scores);
      for (let i = 0; i < n; i++) if (hasVec[i]) centroidScore[i] = scores[i]!;
    }
    for (const neg of profile.negatives) {
      if (!neg.vector || neg.vector.length !== dims) continue;
      index.scoreAll(neg.vector, scores);
      for (let i = 0; i < n; i++) if (hasVec[i] && scores[i]! > negScore[i]!) negScore[i] = scores[i]!;
    }
  }

  let maxVotes = 0;
  for (const c of cands) if (c.upvotes > maxVotes) maxVotes = c.upvotes;
  const trendDen = Math.log1p(maxVotes) || 1;
  const out: (RankedPaper | null)[] = [];
  for (let i = 0; i < n; i++) {
    const c = cands[i]!;
    if (known.has(c.id)) { out.push(null); continue; }
    const termScore = profile.terms.size > 0 ? termDot(c.terms.weights, profile.terms) : 0;
    const followed = profile.followed.size > 0 ? c.authors.filter((a) => profile.followed.has(a.trim().toLowerCase())) : [];
    const neg = negScore[i]! > NEGATIVE_FLOOR ? negScore[i]! - NEGATIVE_FLOOR : 0;
    const score = weights.knn * knnScore[i]! + weights.centroid * centroidScore[i]! + weights.terms * termScore
      - weights.negative * neg + weights.trending * (Math.log1p(Math.max(0, c.upvotes)) / trendDen)
      + (followed.length > 0 ? weights.followed : 0);
    out.push({ id: c.id, score, reason: { like: null, shares: [], followed } });
  }
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (out[i]) order.push(i);
  order.sort((a, b) => out[b]!.score - out[a]!.score || (out[a]!.id < out[b]!.id ? -1 : 1));
  if (opts.limit !== undefined && order.length > opts.limit) order.length = Math.max(0, opts.limit);
  // Reasons, for the papers returned: at most KNN positives and one sparse product each.
  for (const i of order) {
    const r = out[i]!.reason;
    const top = bestSim[i * KNN]!;
    if (pos.length > 0 && top > 0 && bestIdx[i * KNN]! >= 0) {
      const near: HistoryItem[] = [];
      for (let j = 0; j < KNN; j++) {
        const pi = bestIdx[i * KNN + j]!;
        if (pi >= 0 && bestSim[i * KNN + j]! >= LIKE_SHARE * top) near.push(pos[pi]!);
      }
      r.like = {
        count: near.length,
        upvoted: near.some((p) => p.signal === 'upvote'),
        saved: near.some((p) => p.signal === 'saved'),
        titles: near.slice(0, LIKE_TITLES).map((p) => ({ id: p.id, title: p.title })),
      };
    }
    if (profile.terms.size > 0) r.shares = sharedTerms(cands[i]!.terms, profile.terms, REASON_TERMS);
  }
  return order.map((i) => out[i]!);
}
