/**
 * The two list queries only the open-data API needs: a window's Daily papers submitted by one
 * member (`/api/daily_papers?submitter=`), and every paper by publication date, keyset-paginated
 * (`/api/papers?cursor=`). They build on the store's card columns, like store/listings.ts.
 */
import type { Kysely } from 'kysely';
import { attachCardDetails, CARD_COLUMNS, toCard } from '../store/cards.ts';
import type { Database } from '../store/schema.ts';
import type { ListSort, Page, PaperCard } from '../store/types.ts';

/** One page of a window's Daily papers that `username` submitted (hidden entries left out). */
export async function listDailyPapersBySubmitter(
  db: Kysely<Database>, q: { username: string; from: string; to: string; sort: ListSort; limit: number; offset: number },
): Promise<Page<PaperCard>> {
  const base = db.selectFrom('daily_entries as d')
    .innerJoin('papers as p', 'p.id', 'd.paper_id')
    .innerJoin('users as u', 'u.id', 'd.submitted_by')
    .where('u.username', '=', q.username)
    .where('d.day', '>=', q.from).where('d.day', '<=', q.to).where('d.hidden', '=', 0);
  let rows = base.select(CARD_COLUMNS);
  if (q.sort === 'trending') rows = rows.orderBy('p.hotness', 'desc');
  else if (q.sort === 'upvotes') rows = rows.orderBy('p.upvotes', 'desc').orderBy('p.hotness', 'desc');
  else rows = rows.orderBy('d.submitted_at', 'desc');
  const [items, total] = await Promise.all([
    rows.orderBy('p.id').limit(q.limit).offset(q.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await attachCardDetails(db, items.map(toCard)), total: Number(total.n) };
}

/** Where a page of `listPapersByPublication` ends: the last paper's publication time and id. */
export interface PublicationKey {
  publishedAt: string | null;
  id: string;
}

/**
 * Papers newest publication first (ties by id, descending), after `after`. Papers without a
 * publication date come last, by id. Reads the papers_published index.
 */
export async function listPapersByPublication(db: Kysely<Database>, after: PublicationKey | null, limit: number): Promise<PaperCard[]> {
  let q = db.selectFrom('papers as p')
    .leftJoin('daily_entries as d', 'd.paper_id', 'p.id')
    .leftJoin('users as u', 'u.id', 'd.submitted_by')
    .select(CARD_COLUMNS);
  if (after && after.publishedAt !== null) {
    const { publishedAt, id } = after;
    q = q.where((eb) => eb.or([
      eb('p.published_at', '<', publishedAt),
      eb.and([eb('p.published_at', '=', publishedAt), eb('p.id', '<', id)]),
      eb('p.published_at', 'is', null),
    ]));
  } else if (after) {
    q = q.where('p.published_at', 'is', null).where('p.id', '<', after.id);
  }
  // SQLite sorts NULL below every value, so DESC puts papers without a date last.
  const rows = await q.orderBy('p.published_at', 'desc').orderBy('p.id', 'desc').limit(limit).execute();
  return attachCardDetails(db, rows.map(toCard));
}
