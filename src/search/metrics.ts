/**
 * Retrieval quality measures, as BEIR and trec_eval compute them. Pure.
 */

/** Graded judgements of one query: document id -> relevance (> 0 is relevant). */
export type Judgements = ReadonlyMap<string, number>;

/**
 * nDCG@k with linear gains (rel / log2(rank + 1)), the ideal ranking taken from the judgements.
 * A query without relevant documents scores 0.
 *
 * @example
 * ndcgAt(['a', 'x', 'b'], new Map([['a', 1], ['b', 1]]), 10) // 0.9197
 */
export function ndcgAt(ranked: readonly string[], judged: Judgements, k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) {
    const rel = judged.get(ranked[i]!) ?? 0;
    if (rel > 0) dcg += rel / Math.log2(i + 2);
  }
  const ideal = [...judged.values()].filter((r) => r > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += ideal[i]! / Math.log2(i + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** Recall@k: the share of relevant documents found in the first k. */
export function recallAt(ranked: readonly string[], judged: Judgements, k: number): number {
  let relevant = 0;
  for (const r of judged.values()) if (r > 0) relevant++;
  if (relevant === 0) return 0;
  let found = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) if ((judged.get(ranked[i]!) ?? 0) > 0) found++;
  return found / relevant;
}

/** The mean of a measure over queries. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
