/**
 * Counts in running text: "1 paper", "2 papers", "0 papers".
 */

/** `n` and the noun, singular for exactly one (`many` for nouns whose plural is not `one` + "s"). */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
