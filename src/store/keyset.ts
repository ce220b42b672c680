/**
 * Keyset paging for lists ordered by two columns (a sort key, then a unique tie-break): a page is
 * "the rows after this one" or "the rows before this one" in the list's order, found with a WHERE
 * on the two columns instead of OFFSET, so a page costs the same however deep it is, and rows
 * added or removed elsewhere in the list neither repeat nor skip rows on the next page. The same
 * SQL runs on SQLite and PostgreSQL; each compares with the column's own collation, as its ORDER BY does.
 */
import type { RawBuilder, SqlBool } from 'kysely';
import { sql } from './kysely.ts';

type Direction = 'asc' | 'desc';
/** Which way from the cursor row: `older` follows the list's order, `newer` goes back up it. */
export type Toward = 'older' | 'newer';
export type KeysetKey = readonly [string | number, string | number];

export interface KeysetSpec {
  /** The sort column and the tie-break column, as SQL references (`c.hidden_at`, `c.id`). */
  columns: readonly [string, string];
  /** The list's order on each column. */
  order: readonly [Direction, Direction];
}

/** A position in a list: the rows after (`older`) or before (`newer`) the row with this key. */
export interface KeysetCursor { toward: Toward; key: KeysetKey }

const flip = (d: Direction): Direction => (d === 'asc' ? 'desc' : 'asc');

/** The order to read rows in, from the cursor outwards: the list's own for `older`, reversed for `newer`. */
export function keysetOrder(spec: KeysetSpec, toward: Toward): readonly [Direction, Direction] {
  return toward === 'older' ? spec.order : [flip(spec.order[0]), flip(spec.order[1])];
}

/**
 * The rows strictly past `key` in the reading order of `toward` (see keysetOrder). The leading
 * bound on the sort column alone (`a >= k`) is implied by the rest, but it is what lets SQLite and
 * PostgreSQL start reading the index at the key instead of at the top of the list.
 */
export function keysetWhere(spec: KeysetSpec, toward: Toward, key: KeysetKey): RawBuilder<SqlBool> {
  const [a, b] = spec.columns.map((c) => sql.ref(c));
  const [da, db] = keysetOrder(spec, toward);
  const op = (d: Direction) => sql.raw(d === 'asc' ? '>' : '<');
  const opOrEqual = (d: Direction) => sql.raw(d === 'asc' ? '>=' : '<=');
  return sql<SqlBool>`(${a} ${opOrEqual(da)} ${key[0]} and (${a} ${op(da)} ${key[0]} or (${a} = ${key[0]} and ${b} ${op(db)} ${key[1]})))`;
}

export interface KeysetPage<T> {
  items: T[];
  /** How many rows the whole list has. */
  total: number;
  /** The cursor of the next page down the list, or null at its end. */
  older: KeysetCursor | null;
  /** The cursor of the page above, `'first'` when that is the list's first page, or null on the first page. */
  newer: KeysetCursor | 'first' | null;
}

/**
 * Reads one page of `size` rows at `cursor` (null: the first page). `read(toward, key, limit)`
 * returns up to `limit` rows past `key` (or from the start when `key` is null) in the reading order
 * of `toward`. A `newer` page that would come out short reaches the top of the list: the first page
 * is shown instead, so pages stay full.
 */
export async function readKeysetPage<T>(
  read: (toward: Toward, key: KeysetKey | null, limit: number) => Promise<T[]>,
  keyOf: (row: T) => KeysetKey,
  count: () => Promise<number>,
  cursor: KeysetCursor | null,
  size: number,
): Promise<KeysetPage<T>> {
  const totalP = count();
  let items: T[];
  let hasOlder: boolean;
  if (cursor?.toward === 'newer') {
    const above = await read('newer', cursor.key, size + 1);
    if (above.length <= size) return readKeysetPage(read, keyOf, () => totalP, null, size);
    items = above.slice(0, size).reverse();
    hasOlder = (await read('older', keyOf(items.at(-1)!), 1)).length > 0;
  } else {
    const rows = await read('older', cursor?.key ?? null, size + 1);
    items = rows.slice(0, size);
    hasOlder = rows.length > size;
  }
  let newer: KeysetPage<T>['newer'] = null;
  if (cursor) {
    const top = items.length > 0 ? keyOf(items[0]!) : cursor.key;
    const above = await read('newer', top, size + 1);
    newer = above.length === 0 ? null : above.length <= size ? 'first' : { toward: 'newer', key: top };
  }
  return {
    items, total: await totalP, newer,
    older: hasOlder && items.length > 0 ? { toward: 'older', key: keyOf(items.at(-1)!) } : null,
  };
}
