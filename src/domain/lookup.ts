/**
 * Looks a word from outside (a form field, a query parameter, a parsed unit) up in a fixed table.
 * Only the table's own entries count: a plain `table[word]` would also find what every object
 * inherits (`constructor`, `toString`, `__proto__`), which is truthy and not a table entry.
 */
export function ownEntry<V>(table: Readonly<Record<string, V>>, word: unknown): V | undefined {
  return typeof word === 'string' && Object.hasOwn(table, word) ? table[word] : undefined;
}
