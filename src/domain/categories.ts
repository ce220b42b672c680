/**
 * Which papers belong to an instance: those with a category the operator follows. A followed
 * archive without a subject (`cs`, `hep-th`) takes all of its categories.
 *
 * @example
 * inCategories(['cs.CL', 'stat.ML'], ['cs']) // true
 */
export function inCategories(paperCategories: readonly string[], followed: readonly string[]): boolean {
  if (followed.length === 0) return true;
  return paperCategories.some((c) => followed.some((f) => c === f || (!f.includes('.') && c.startsWith(`${f}.`))));
}
