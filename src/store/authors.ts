/**
 * Authors, by name: arXiv gives names, not people, so everyone published under the same name is
 * one author here. Exact matches on paper_authors.name (index of migration 006); spellings that
 * differ in case or spacing meet on paper_authors.name_key (migration 011).
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from './kysely.ts';
import { authorNameKey } from '../domain/author-key.ts';
import { isPostgres } from './dialect.ts';
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

/** Names keyed per statement when filling missing keys. */
const MISSING_KEYS_BATCH = 1_000;

/**
 * Sets the name_key of author rows that have none: rows an older build wrote during a rolling
 * upgrade, whose names are not plain ASCII (PostgreSQL's migration 014 fills the others' keys
 * itself). Returns the rows set. A probe of an empty partial index when there are none; on SQLite,
 * where every row has its key, it does nothing.
 */
export async function fillMissingAuthorNameKeys(db: Db): Promise<number> {
  if (!isPostgres(db)) return 0;
  let filled = 0;
  for (;;) {
    const { rows } = await sql<{ name: string }>`SELECT DISTINCT name FROM paper_authors WHERE name_key IS NULL LIMIT ${MISSING_KEYS_BATCH}`.execute(db);
    if (rows.length === 0) return filled;
    const names = rows.map((r) => r.name);
    const done = await sql`UPDATE paper_authors AS a SET name_key = k.name_key
      FROM unnest(${names}::text[], ${names.map(authorNameKey)}::text[]) AS k (name, name_key)
      WHERE a.name = k.name AND a.name_key IS NULL`.execute(db);
    filled += Number(done.numAffectedRows ?? 0);
    if (rows.length < MISSING_KEYS_BATCH) return filled;
  }
}

/** Spellings of one key looked at, at most: a key real names share has a handful. */
const MAX_SPELLINGS = 100;

/**
 * The name as papers spell it: `name` itself when a paper carries it, else the commonest spelling
 * that differs from it only in case or spacing ("yann  lecun" -> "Yann LeCun", "ÉMILE DURAND" ->
 * "Émile Durand"), ties to the first in code point order, else null. Spellings meet on
 * paper_authors.name_key (src/domain/author-key.ts, migration 011), computed by the program, so both
 * stores answer alike; the tie is broken here, not by either store's collation.
 */
export async function findAuthorSpelling(db: Db, name: string): Promise<string | null> {
  const exact = await db.selectFrom('paper_authors').select('name').where('name', '=', name).limit(1).executeTakeFirst();
  if (exact) return name;
  await fillMissingAuthorNameKeys(db);
  const rows = await db.selectFrom('paper_authors').select(['name', (eb) => eb.fn.countAll<number>().as('n')])
    .where('name_key', '=', authorNameKey(name))
    .groupBy('name').orderBy('n', 'desc').limit(MAX_SPELLINGS)
    .execute();
  let best: { name: string; n: number } | null = null;
  for (const r of rows) {
    const n = Number(r.n);
    if (!best || n > best.n || (n === best.n && codePointLess(r.name, best.name))) best = { name: r.name, n };
  }
  return best?.name ?? null;
}

/** Code point order (JavaScript's `<` compares UTF-16 units, which differs past U+FFFF). */
function codePointLess(a: string, b: string): boolean {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]!.codePointAt(0)! < y[i]!.codePointAt(0)!;
  }
  return x.length < y.length;
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
