/**
 * Authors, by name: arXiv gives names, not people, so everyone published under the same name is
 * one author here. Exact matches on paper_authors.name (index of migration 006).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { PaperCard } from './types.ts';
import { attachCardDetails, CARD_COLUMNS, toCard } from './cards.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface AuthorSummary {
  name: string;
  papers: number;
  upvotes: number;
  firstPublishedAt: string | null;
  lastPublishedAt: string | null;
}

/** How many papers carry the name, and their upvotes; null when none does. */
export async function findAuthorSummary(db: Db, name: string): Promise<AuthorSummary | null> {
  const row = await db.selectFrom('papers as p')
    .where('p.id', 'in', db.selectFrom('paper_authors').select('paper_id').where('name', '=', name))
    .select((eb) => [
      eb.fn.countAll<number>().as('papers'),
      eb.fn.coalesce(eb.fn.sum<number>('p.upvotes'), eb.val(0)).as('upvotes'),
      eb.fn.min('p.published_at').as('first'),
      eb.fn.max('p.published_at').as('last'),
    ])
    .executeTakeFirstOrThrow();
  const papers = Number(row.papers);
  if (papers === 0) return null;
  return { name, papers, upvotes: Number(row.upvotes), firstPublishedAt: row.first ?? null, lastPublishedAt: row.last ?? null };
}

/**
 * The name as papers spell it: `name` itself when a paper carries it, else the commonest spelling
 * that differs from it only in case ("yann lecun" -> "Yann LeCun"), else null. Both stores have a
 * case-insensitive index on the name for this; SQLite's NOCASE folds ASCII letters only, PostgreSQL's
 * nocase collation every script (docs/discovery.md).
 */
export async function findAuthorSpelling(db: Db, name: string): Promise<string | null> {
  const exact = await db.selectFrom('paper_authors').select('name').where('name', '=', name).limit(1).executeTakeFirst();
  if (exact) return name;
  const row = await db.selectFrom('paper_authors').select(['name', (eb) => eb.fn.countAll<number>().as('n')])
    .where(sql<boolean>`name = ${name} COLLATE nocase`)
    .groupBy('name').orderBy('n', 'desc').orderBy('name').limit(1)
    .executeTakeFirst();
  return row?.name ?? null;
}

/** One page of the papers carrying the name, newest publication first. */
export async function listAuthorPapers(db: Db, name: string, limit: number, offset: number): Promise<PaperCard[]> {
  const rows = await db.selectFrom('papers as p')
    .leftJoin('daily_entries as d', 'd.paper_id', 'p.id')
    .leftJoin('users as u', 'u.id', 'd.submitted_by')
    .select(CARD_COLUMNS)
    .where('p.id', 'in', db.selectFrom('paper_authors').select('paper_id').where('name', '=', name))
    .orderBy('p.published_at', 'desc').orderBy('p.id', 'desc')
    .limit(limit).offset(offset)
    .execute();
  return attachCardDetails(db, rows.map(toCard));
}

/** Who else is on the papers of `name` (at most `limitPapers` of them, newest first), paper by paper. */
export async function listCoauthorsByPaper(db: Db, name: string, limitPapers: number): Promise<Map<string, string[]>> {
  const ids = db.selectFrom('paper_authors as a').innerJoin('papers as p', 'p.id', 'a.paper_id')
    .select('a.paper_id').where('a.name', '=', name)
    .orderBy('p.published_at', 'desc').orderBy('p.id', 'desc').limit(limitPapers);
  const rows = await db.selectFrom('paper_authors').select(['paper_id', 'name'])
    .where('paper_id', 'in', ids).where('name', '<>', name)
    .orderBy('paper_id').orderBy('position').execute();
  const byPaper = new Map<string, string[]>();
  for (const r of rows) {
    const list = byPaper.get(r.paper_id);
    if (list) list.push(r.name);
    else byPaper.set(r.paper_id, [r.name]);
  }
  return byPaper;
}
