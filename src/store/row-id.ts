/**
 * Row ids (comments, collections, subscriptions, API tokens, ...) are 32-bit on PostgreSQL, where
 * a larger number in a query is an error rather than no row: an id from outside (an address, a
 * form, a cursor) is checked with isRowId before it reaches the store.
 */
export const MAX_ROW_ID = 2_147_483_647;

/** Whether `n` can name a row: a whole number from 1 to MAX_ROW_ID. */
export function isRowId(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_ROW_ID;
}
