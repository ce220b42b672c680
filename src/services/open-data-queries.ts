/**
 * The list query only the open-data API needs: every paper by publication date, keyset-paginated
 * (`/api/papers?cursor=`). It builds on the store's card columns, like store/listings.ts.
 */
import type { Kysely } from 'kysely';
import { attachCardDetails, CARD_COLUMNS, toCard } from '../store/cards.ts';
import type { Database } from '../store/schema.ts';
import type { PaperCard } from '../store/types.ts';

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
