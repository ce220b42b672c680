/**
 * Combining ranked lists from several retrievers (keyword, semantic) into one. Pure.
 *
 * - Reciprocal-rank fusion (Cormack et al. 2009): score = sum of weight / (k + rank).
 * - Weighted score fusion: each list's scores normalised (min-max over the list), then a
 *   weighted sum; a document missing from a list gets that list's minimum (0 after normalising).
 *
 * @example
 * reciprocalRankFusion([[{ id: 'a', score: 9 }, { id: 'b', score: 1 }], [{ id: 'b', score: 0.9 }]])
 * // [{ id: 'b', score: 0.0325 }, { id: 'a', score: 0.0164 }]
 */

export interface Scored<T = string> {
  id: T;
  score: number;
}

/** Sorts by score descending, ties by id ascending (a stable, reproducible order). */
export function byScore<T extends string | number>(a: Scored<T>, b: Scored<T>): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Adds `bonus(i)` to the score of each of the first `depth` items of a ranking (best first) and
 * re-sorts them by score (ties by id); the items below follow unchanged.
 */
export function rescoreHead<T extends Scored>(ranked: readonly T[], depth: number, bonus: (i: number) => number): T[] {
  const head = ranked.slice(0, depth).map((h, i) => ({ ...h, score: h.score + bonus(i) }));
  return [...head.sort(byScore), ...ranked.slice(depth)];
}

/** Reciprocal-rank fusion; `k` damps the head (60 in the paper), `weights` default to 1 each. */
export function reciprocalRankFusion<T extends string | number>(
  lists: readonly (readonly Scored<T>[])[], opts: { k?: number; weights?: readonly number[] } = {},
): Scored<T>[] {
  const k = opts.k ?? 60;
  const total = new Map<T, number>();
  lists.forEach((list, li) => {
    const w = opts.weights?.[li] ?? 1;
    list.forEach((item, rank) => total.set(item.id, (total.get(item.id) ?? 0) + w / (k + rank + 1)));
  });
  return [...total].map(([id, score]) => ({ id, score })).sort(byScore);
}

/** Scales a list's scores to [0, 1] (best = 1, worst = 0; all equal -> 1). */
export function minMaxNormalize<T>(list: readonly Scored<T>[]): Scored<T>[] {
  if (list.length === 0) return [];
  let max = -Infinity;
  let min = Infinity;
  for (const s of list) { if (s.score > max) max = s.score; if (s.score < min) min = s.score; }
  const span = max - min;
  return list.map((s) => ({ id: s.id, score: span > 0 ? (s.score - min) / span : 1 }));
}

/** Weighted sum of min-max normalised scores; `weights[i]` for `lists[i]`. */
export function weightedScoreFusion<T extends string | number>(
  lists: readonly (readonly Scored<T>[])[], weights: readonly number[],
): Scored<T>[] {
  const total = new Map<T, number>();
  lists.forEach((list, li) => {
    const w = weights[li] ?? 0;
    for (const s of minMaxNormalize(list)) total.set(s.id, (total.get(s.id) ?? 0) + w * s.score);
  });
  return [...total].map(([id, score]) => ({ id, score })).sort(byScore);
}

/** The dot product of two equal-length vectors. */
export function dotProduct(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Score regularisation over a candidate list (Diaz 2005): each item's score moves, by `weight`,
 * towards the similarity-weighted mean score of its `neighbours` most similar other items
 * (positive similarities only). Items `usable` rejects (no vector) neither move nor count.
 * Returns the new scores in the same order.
 *
 * @example
 * neighbourSmoothing([1, 0.5, 0.4], (i, j) => (i + j === 3 ? 0.9 : 0.1), { neighbours: 1, weight: 0.5 })
 * // [0.75, 0.45, 0.45]: the two similar items pull each other; the first leans on its best match
 */
export function neighbourSmoothing(
  scores: readonly number[], similarity: (i: number, j: number) => number,
  opts: { neighbours: number; weight: number; usable?: (i: number) => boolean },
): number[] {
  const usable = opts.usable ?? (() => true);
  const n = scores.length;
  return scores.map((own, i) => {
    if (!usable(i) || opts.weight === 0 || opts.neighbours <= 0) return own;
    const near: { sim: number; j: number }[] = [];
    for (let j = 0; j < n; j++) if (j !== i && usable(j)) near.push({ sim: similarity(i, j), j });
    near.sort((a, b) => b.sim - a.sim || a.j - b.j);
    let num = 0;
    let den = 0;
    for (const { sim, j } of near.slice(0, opts.neighbours)) if (sim > 0) { num += sim * scores[j]!; den += sim; }
    return den > 0 ? (1 - opts.weight) * own + opts.weight * (num / den) : own;
  });
}
