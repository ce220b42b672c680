/**
 * The page addresses of /admin/moderation's lists: the queue of reported comments and the three
 * undo lists. Each list pages on its own through its query parameter (`reported`, `comments`,
 * `papers`, `accounts`), whose value is a keyset cursor written as
 * `older~KEY~TIEBREAK` or `newer~KEY~TIEBREAK` (the row the page starts after or ends before); a
 * link for one list keeps the other lists where they are. A value this page could not have made
 * is a 400 that says so, never a query.
 */
import { parseArxivId } from '../domain/arxiv-id.ts';
import { UserError } from '../services/errors.ts';
import type { KeysetCursor, KeysetKey, KeysetPage } from '../store/keyset.ts';
import { MAX_ROW_ID as MAX_ID } from '../store/row-id.ts';

const MODERATION_LISTS = ['reported', 'comments', 'papers', 'accounts'] as const;
export type ModerationList = (typeof MODERATION_LISTS)[number];
export type ModerationCursors = Record<ModerationList, KeysetCursor | null>;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A comment id or a count of reports: a whole number from 1 to MAX_ID, written plainly. */
const positive = (s: string) => /^[1-9]\d{0,9}$/.test(s) && Number(s) <= MAX_ID;
/** Each list's key pair from the two strings of a cursor, or null when they are not one. */
const KEYS: Record<ModerationList, (a: string, b: string) => KeysetKey | null> = {
  reported: (a, b) => (positive(a) && positive(b) ? [Number(a), Number(b)] : null),
  comments: (a, b) => (TIMESTAMP.test(a) && positive(b) ? [a, Number(b)] : null),
  papers: (a, b) => (DAY.test(a) && parseArxivId(b)?.id === b ? [a, b] : null),
  accounts: (a, b) => (TIMESTAMP.test(a) && /^[^\p{Cc}\p{Cs}~]{1,100}$/u.test(b) ? [a, b] : null),
};

/** The cursor of `list` from its query value (absent or empty: the first page); a value it cannot be is a 400. */
function parseModerationCursor(list: ModerationList, value: string | undefined): KeysetCursor | null {
  if (value === undefined || value === '') return null;
  const m = /^(older|newer)~([^~]*)~(.*)$/s.exec(value);
  const key = m ? KEYS[list](m[2]!, m[3]!) : null;
  if (!m || !key) throw new UserError(400, `That page of the moderation lists does not exist: "${list}" is not a page this site made. Open /admin/moderation to start from the first page.`);
  return { toward: m[1] as KeysetCursor['toward'], key };
}

export function parseModerationCursors(query: (name: string) => string | undefined): ModerationCursors {
  return Object.fromEntries(MODERATION_LISTS.map((l) => [l, parseModerationCursor(l, query(l))])) as ModerationCursors;
}

const encode = (c: KeysetCursor) => encodeURIComponent(`${c.toward}~${c.key[0]}~${c.key[1]}`);

/** The address of the moderation page with these lists' pages (the first page of a list leaves its parameter out). */
export function moderationHref(cursors: ModerationCursors): string {
  const query = MODERATION_LISTS.filter((l) => cursors[l]).map((l) => `${l}=${encode(cursors[l]!)}`).join('&');
  return query ? `/admin/moderation?${query}` : '/admin/moderation';
}

export interface PagerLinks { newer: string | null; older: string | null }

/** The "Newer" and "Older" links of one list's page, each keeping the other lists' pages, and landing on the list (`#anchor`). */
export function pagerLinks(cursors: ModerationCursors, list: ModerationList, page: Pick<KeysetPage<unknown>, 'newer' | 'older'>, anchor: string): PagerLinks {
  const to = (c: KeysetCursor | null) => `${moderationHref({ ...cursors, [list]: c })}#${anchor}`;
  return {
    newer: page.newer === null ? null : to(page.newer === 'first' ? null : page.newer),
    older: page.older === null ? null : to(page.older),
  };
}
