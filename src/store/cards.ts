/**
 * The columns and follow-up reads that turn paper rows into list cards.
 */
import { KeptMap } from '../domain/kept.ts';
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

/** A paper's card details as kept: the first CARD_AUTHOR_LIMIT authors, the count, categories, keywords. */
interface Details {
  authors: string[];
  authorCount: number;
  categories: string[];
  keywords: string[];
}

/**
 * Card details kept per paper. Every list of cards needs them and they change only when a paper is
 * imported again or its keywords are recomputed, never on votes or comments; under 1 KB each
 * (12 authors, categories, keywords), so at most about 10 MB.
 */
export const CARD_DETAILS_CACHE_ENTRIES = 10_000;

interface DetailsCache { token: () => string; kept: KeptMap<string, Details> }
const detailsCaches = new WeakMap<object, DetailsCache>();

/**
 * Keeps card details read through `db` (the store's own handle, not its transactions) while
 * `token()` is unchanged; the store's detailsToken() moves on every write that may change them.
 */
export function keepCardDetails(db: Kysely<Database>, token: () => string): void {
  detailsCaches.set(db, { token, kept: new KeptMap(CARD_DETAILS_CACHE_ENTRIES) });
}

/**
 * Fills authors (the first `authorLimit`, and the exact count), categories and keywords, four reads
 * for all cards; details kept by keepCardDetails are not read again.
 */
export async function attachCardDetails(db: Db, cards: PaperCard[], authorLimit = CARD_AUTHOR_LIMIT): Promise<PaperCard[]> {
  if (cards.length === 0) return cards;
  const cache = authorLimit <= CARD_AUTHOR_LIMIT ? detailsCaches.get(db) : undefined;
  if (!cache) return readCardDetails(db, cards, authorLimit);
  const token = cache.token();
  const kept = cache.kept.at(token);
  const missing = new Map<string, PaperCard[]>();
  for (const card of cards) {
    const d = kept.get(card.id);
    if (d) fill(card, d, authorLimit);
    else missing.set(card.id, [...(missing.get(card.id) ?? []), card]);
  }
  if (missing.size === 0) return cards;
  const fresh = [...missing.values()].map(([c]) => ({ ...c!, authors: [], authorCount: 0, categories: [], keywords: [] }));
  await readCardDetails(db, fresh, CARD_AUTHOR_LIMIT);
  // Kept only if nothing that may change details was committed while they were read.
  const keep = cache.token() === token;
  for (const f of fresh) {
    const d: Details = { authors: f.authors, authorCount: f.authorCount, categories: f.categories, keywords: f.keywords };
    for (const card of missing.get(f.id)!) fill(card, d, authorLimit);
    if (keep) kept.set(f.id, d);
  }
  return cards;
}

/** Copies, so that nobody changes what is kept through a card. */
function fill(card: PaperCard, d: Details, authorLimit: number): void {
  card.authors = d.authors.slice(0, authorLimit);
  card.authorCount = d.authorCount;
  card.categories = d.categories.slice();
  card.keywords = d.keywords.slice();
}

async function readCardDetails(db: Db, cards: PaperCard[], authorLimit: number): Promise<PaperCard[]> {
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
