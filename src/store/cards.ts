/**
 * The columns and follow-up reads that turn paper rows into list cards.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { PaperCard } from './types.ts';
import { keywordsOf } from './keywords.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** How many author names a card carries; the count is always exact. */
export const CARD_AUTHOR_LIMIT = 12;

/** Select list for `papers as p` left-joined with `daily_entries as d` and `users as u`. */
export const CARD_COLUMNS = [
  'p.id', 'p.title', 'p.abstract', 'p.published_at', 'p.upvotes', 'p.comments_count', 'p.withdrawn',
  'p.code_url', 'p.project_url', 'd.day', 'd.submitted_at', 'd.featured', 'd.pinned', 'd.hidden',
  'u.username as submitted_by_name',
] as const;

export interface CardRow {
  id: string;
  title: string;
  abstract: string;
  published_at: string | null;
  upvotes: number;
  comments_count: number;
  withdrawn: number;
  code_url: string | null;
  project_url: string | null;
  day: string | null;
  submitted_at: string | null;
  featured: number | null;
  pinned: number | null;
  hidden: number | null;
  submitted_by_name: string | null;
}

export function toCard(row: CardRow): PaperCard {
  return {
    id: row.id,
    title: row.title,
    abstract: row.abstract,
    authors: [],
    authorCount: 0,
    categories: [],
    publishedAt: row.published_at,
    upvotes: row.upvotes,
    commentsCount: row.comments_count,
    withdrawn: row.withdrawn === 1,
    codeUrl: row.code_url,
    projectUrl: row.project_url,
    keywords: [],
    entry: row.day
      ? {
          day: row.day,
          submittedAt: row.submitted_at!,
          submittedBy: row.submitted_by_name,
          featured: row.featured === 1,
          pinned: row.pinned === 1,
          hidden: row.hidden === 1,
        }
      : null,
  };
}

/** Fills authors (the first `authorLimit`, and the exact count), categories and keywords, four reads for all cards. */
export async function attachCardDetails(db: Db, cards: PaperCard[], authorLimit = CARD_AUTHOR_LIMIT): Promise<PaperCard[]> {
  if (cards.length === 0) return cards;
  const ids = cards.map((c) => c.id);
  const byId = new Map(cards.map((c) => [c.id, c]));
  const [authors, counts, categories, keywords] = await Promise.all([
    db.selectFrom('paper_authors').select(['paper_id', 'name'])
      .where('paper_id', 'in', ids)
      // "all authors" is a limit past any position; PostgreSQL's integer column takes no larger bound
      .$if(authorLimit <= 2 ** 31 - 1, (q) => q.where('position', '<', authorLimit))
      .orderBy('paper_id').orderBy('position').execute(),
    db.selectFrom('paper_authors').select(['paper_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('paper_id', 'in', ids).groupBy('paper_id').execute(),
    db.selectFrom('paper_categories').select(['paper_id', 'category'])
      .where('paper_id', 'in', ids).orderBy('paper_id').orderBy('position').execute(),
    keywordsOf(db, ids),
  ]);
  for (const a of authors) byId.get(a.paper_id)!.authors.push(a.name);
  for (const c of counts) byId.get(c.paper_id)!.authorCount = Number(c.n);
  for (const c of categories) byId.get(c.paper_id)!.categories.push(c.category);
  for (const card of cards) card.keywords = keywords.get(card.id) ?? [];
  return cards;
}
