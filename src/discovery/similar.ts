/**
 * Similar papers: the nearest neighbours of a paper over the search engine's vectors, re-ranked
 * with the tf-idf terms the two papers share, each with its reason ("close in meaning; shares:
 * diffusion, distillation"). While the index has no vectors (being built, or semantic search
 * off), the paper's strongest terms are searched as keywords instead, and the reason says so.
 *
 * @example
 * const r = await findSimilarPapers({ store, index }, '2505.00201', 6);
 * r.items.map((i) => `${i.id}: ${describeSimilarReason(i.reason)}`)
 */
import { KeptMap } from '../domain/kept.ts';
import { UserError } from '../services/errors.ts';
import type { Store } from '../store/index.ts';
import { parseQuery } from '../search/query.ts';
import type { DiscoveryView, SearchIndex } from '../search/search-index.ts';
import { listPaperTexts } from '../search/store-io.ts';
import { withdrawnAmong } from '../store/discovery.ts';
import { packTerms, sharedTerms, termVector, type PackedTerms, type TermVector } from './terms.ts';

/** Neighbours fetched from the vector scan before the terms re-rank them. */
export const SIMILAR_CANDIDATES = 40;
/**
 * Score = vector cosine + SIMILAR_TERM_WEIGHT * tf-idf cosine. Measured with `npm run
 * bench:discovery` (same primary category among the top 10): see docs/discovery.md.
 */
export const SIMILAR_TERM_WEIGHT = 0.5;
/** Shared terms a reason names. */
export const REASON_TERMS = 3;
/**
 * Results kept per index (papers x k x weight): a paper page asks for the same paper's neighbours
 * again and again, and they change only when the index's epoch moves (papers added, edited or
 * removed; a new generation). About 1-2 KB each.
 */
export const SIMILAR_CACHE_ENTRIES = 5_000;
/** Terms of the paper searched as keywords when there are no vectors. */
const FALLBACK_QUERY_TERMS = 8;

export interface SimilarReason {
  /** Found by meaning (vectors); false when found by shared keywords only. */
  semantic: boolean;
  /** Words the two papers share, strongest first. */
  shares: string[];
}

export interface SimilarItem {
  id: string;
  score: number;
  reason: SimilarReason;
}

export interface SimilarResult {
  /** `building`: the index is not ready yet, try again shortly. */
  state: 'ready' | 'building';
  items: SimilarItem[];
}

export interface SimilarDeps {
  store: Store;
  index: Pick<SearchIndex, 'discoveryView' | 'search'>;
}

/** "close in meaning; shares: diffusion, distillation". */
export function describeSimilarReason(r: SimilarReason): string {
  const parts = [r.semantic ? 'close in meaning' : 'shares keywords'];
  if (r.shares.length > 0) parts.push(`${r.semantic ? 'shares' : 'among them'}: ${r.shares.join(', ')}`);
  return parts.join('; ');
}

/**
 * Term vectors kept per index while its epoch stands (they depend on the text and the term
 * statistics, both of which move the epoch): each answer weighs 40 candidates, and over the pages
 * of a corpus the candidates are nearly every paper (10,193 of the demo's 10,511 for 2,000 pages),
 * so a cache smaller than the corpus is emptied before a paper comes round again. Kept as two
 * arrays (terms and weights, no words), about 1.2 KB each against 6.3 KB for a vector's two Maps
 * (measured, typed arrays' bytes included): at most about 29 MB, what 4,000 vectors as Maps took.
 */
export const TERM_VECTOR_CACHE_ENTRIES = 24_000;

const keptVectors = new WeakMap<object, KeptMap<string, PackedTerms>>();

function weightsOf(kt: PackedTerms): Map<string, number> {
  return new Map(kt.terms.map((t, i) => [t, kt.weights[i]!]));
}

/** Cosine of a paper's term vector with a kept one (both unit length). */
function keptDot(a: ReadonlyMap<string, number>, b: PackedTerms): number {
  let s = 0;
  for (let i = 0; i < b.terms.length; i++) { const w = a.get(b.terms[i]!); if (w !== undefined) s += w * b.weights[i]!; }
  return s;
}

/** The epoch's kept term vectors, or null when the view has no epoch (nothing may be kept). */
function keptVectorsAt(view: DiscoveryView, index: SimilarDeps['index']): KeptMap<string, PackedTerms> | null {
  return view.epoch === undefined ? null : keptFor(keptVectors, index, TERM_VECTOR_CACHE_ENTRIES).at(view.epoch);
}

/** The paper's own term vector, with the words it uses (the reasons name them); null without text. */
async function ownTermVector(store: Store, view: DiscoveryView, paperId: string, index: SimilarDeps['index']): Promise<TermVector | null> {
  const t = (await listPaperTexts(store.db, [paperId])).get(paperId);
  if (!t) return null;
  const tv = termVector(t.title, t.abstract, view.df, view.papers);
  const kept = keptVectorsAt(view, index);
  if (kept && !kept.get(paperId) && index.discoveryView()?.epoch === view.epoch) kept.set(paperId, packTerms(tv));
  return tv;
}

/** Term weights of the candidates, read from the store (or kept, see TERM_VECTOR_CACHE_ENTRIES). */
async function candidateTerms(store: Store, view: DiscoveryView, ids: string[], index: SimilarDeps['index']): Promise<Map<string, PackedTerms>> {
  const out = new Map<string, PackedTerms>();
  const kept = keptVectorsAt(view, index);
  for (const id of ids) { const kt = kept?.get(id); if (kt) out.set(id, kt); }
  const missing = ids.filter((id) => !out.has(id));
  if (missing.length === 0) return out;
  const texts = await listPaperTexts(store.db, missing);
  // Nothing read under an epoch that has moved since is kept.
  const keep = kept && index.discoveryView()?.epoch === view.epoch ? kept : null;
  for (const [id, t] of texts) {
    const kt = packTerms(termVector(t.title, t.abstract, view.df, view.papers));
    out.set(id, kt);
    keep?.set(id, kt);
  }
  return out;
}

/** Kept results per index, valid while its epoch is the one they were computed under. */
const keptResults = new WeakMap<object, KeptMap<string, SimilarResult>>();

/** The index's own KeptMap in `caches`. */
function keptFor<V>(caches: WeakMap<object, KeptMap<string, V>>, index: object, max: number): KeptMap<string, V> {
  let kept = caches.get(index);
  if (!kept) caches.set(index, (kept = new KeptMap(max)));
  return kept;
}

/**
 * Up to `k` papers most like `paperId` (never itself), best first, each with its reason. The
 * paper must exist (callers check); an unknown id gives an empty list. Results found by meaning
 * are kept until the index's epoch moves (see DiscoveryView.epoch): votes do not change them, a
 * paper's new text does once the index has taken it in.
 */
export async function findSimilarPapers(deps: SimilarDeps, paperId: string, k: number, opts: { termWeight?: number } = {}): Promise<SimilarResult> {
  const termWeight = opts.termWeight ?? SIMILAR_TERM_WEIGHT;
  const view = deps.index.discoveryView();
  if (!view) return { state: 'building', items: [] };
  if (k <= 0) return { state: 'ready', items: [] };
  const epoch = view.epoch;
  if (epoch === undefined) return (await computeSimilar(deps, view, paperId, k, termWeight)).result;
  const kept = keptFor(keptResults, deps.index, SIMILAR_CACHE_ENTRIES).at(epoch);
  const key = `${paperId}|${k}|${termWeight}`;
  const hit = kept.get(key);
  if (hit) return hit;
  const { result, byVector } = await computeSimilar(deps, view, paperId, k, termWeight);
  // Only neighbours by vector are kept: a paper without text or vector yet, or a keyword fallback
  // (whose order can follow votes), is asked again. Nor is anything computed under an epoch that has moved since.
  if (byVector && deps.index.discoveryView()?.epoch === epoch) kept.set(key, result);
  return result;
}

async function computeSimilar(deps: SimilarDeps, view: DiscoveryView, paperId: string, k: number, termWeight: number): Promise<{ result: SimilarResult; byVector: boolean }> {
  const own = await ownTermVector(deps.store, view, paperId, deps.index);
  if (!own) return { result: { state: 'ready', items: [] }, byVector: false };
  // A vector of zeros (a paper with no words the embedder knows: an empty abstract, a title in
  // another script) is as close to every paper as to any: no neighbours by meaning, then.
  const vector = view.vectorOf(paperId);
  let hits: { id: string; score: number }[];
  let semantic = true;
  if (vector && vector.some((x) => x !== 0)) {
    hits = view.nearest(vector, Math.max(k, SIMILAR_CANDIDATES), (id) => id === paperId);
  } else {
    semantic = false;
    const words = [...own.weights.keys()].slice(0, FALLBACK_QUERY_TERMS).map((t) => own.words.get(t) ?? t);
    if (words.length === 0) return { result: { state: view.vectors ? 'ready' : 'building', items: [] }, byVector: false };
    const outcome = await deps.index.search({ query: parseQuery(words.join(' ')), mode: 'keyword', sort: 'relevance', offset: 0, limit: Math.max(k, SIMILAR_CANDIDATES) + 1 });
    const best = outcome.hits[0]?.score ?? 1;
    hits = outcome.hits.filter((h) => h.id !== paperId).map((h) => ({ id: h.id, score: h.score / Math.max(1e-9, best) }));
  }
  // Papers arXiv withdrew are no reading to suggest (a withdrawal changes the paper, so the epoch
  // moves and kept results are computed again).
  const withdrawn = await withdrawnAmong(deps.store.db, hits.map((h) => h.id));
  hits = hits.filter((h) => !withdrawn.has(h.id));
  const vectors = await candidateTerms(deps.store, view, hits.map((h) => h.id), deps.index);
  const scored: { id: string; score: number; terms: PackedTerms }[] = [];
  for (const h of hits) {
    const terms = vectors.get(h.id);
    if (!terms) continue; // deleted since the index saw it
    scored.push({ id: h.id, score: semantic ? h.score + termWeight * keptDot(own.weights, terms) : h.score, terms });
  }
  scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  // Reasons for the papers shown only.
  const items: SimilarItem[] = scored.slice(0, k).map((s) => ({
    id: s.id, score: s.score, reason: { semantic, shares: sharedTerms(own, weightsOf(s.terms), REASON_TERMS) },
  }));
  return { result: { state: 'ready', items }, byVector: semantic };
}

/**
 * Similar papers as the open-data layer asks for them (`PaperSearch.similar` and
 * `similarExplained`); answers 503 while the index is being built.
 */
export function similarSearch(deps: SimilarDeps) {
  return {
    async similar(id: string, limit: number): Promise<string[]> {
      return (await findSimilarPapers(deps, id, limit)).items.map((i) => i.id);
    },
    async similarExplained(id: string, limit: number): Promise<{ id: string; reason: string }[]> {
      const r = await findSimilarPapers(deps, id, limit);
      if (r.state === 'building') throw new UserError(503, 'Similar papers are being prepared (the search index is being built); try again in a minute.', 60);
      return r.items.map((i) => ({ id: i.id, reason: describeSimilarReason(i.reason) }));
    },
  };
}
