/**
 * Paper keywords (migration 006): stored best first, with the version of the paper they were
 * computed from, so that new and changed papers are found and done again.
 */
import type { Kysely, Transaction } from 'kysely';
import { inLockOrder, lockPaperRows } from './dialect.ts';
import type { Database } from './schema.ts';

export interface PaperKeywordsTable {
  paper_id: string;
  position: number;
  keyword: string;
  score: number;
}

export interface PaperKeywordStateTable {
  paper_id: string;
  source_hash: string;
  computed_at: string;
}

/** The saved keyword model (migration 018): one row, replaced by each count. */
export interface KeywordModelTable {
  id: number;
  generation: number;
  docs: number;
  corpus_limit: number;
  scored_since: number;
  counted_at: string;
  data: Uint8Array;
}

export type KeywordTables = {
  paper_keywords: PaperKeywordsTable; paper_keyword_state: PaperKeywordStateTable; keyword_model: KeywordModelTable;
};
type Db = Kysely<Database> | Transaction<Database>;
type KwDb = Kysely<Database & KeywordTables>;
const kw = (db: Db): KwDb => (db as Kysely<Database>).withTables<KeywordTables>();

export interface KeywordSource {
  id: string;
  title: string;
  abstract: string;
  sourceHash: string;
}

/** Papers whose keywords are missing or were computed from an older version, by id, after `afterId`. */
export async function listPapersDueForKeywords(db: Db, limit: number, afterId = '', all = false): Promise<KeywordSource[]> {
  let q = kw(db).selectFrom('papers as p')
    .leftJoin('paper_keyword_state as k', 'k.paper_id', 'p.id')
    .select(['p.id', 'p.title', 'p.abstract', 'p.source_hash'])
    .where('p.id', '>', afterId);
  if (!all) {
    q = q.where((eb) => eb.or([eb('k.paper_id', 'is', null), eb('k.source_hash', '<>', eb.fn.coalesce('p.source_hash', eb.val('')))]));
  }
  const rows = await q.orderBy('p.id').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, title: r.title, abstract: r.abstract, sourceHash: r.source_hash ?? '' }));
}

/** How many papers are due (see listPapersDueForKeywords). */
export async function countPapersDueForKeywords(db: Db, all = false): Promise<number> {
  let q = kw(db).selectFrom('papers as p').leftJoin('paper_keyword_state as k', 'k.paper_id', 'p.id')
    .select((eb) => eb.fn.countAll<number>().as('n'));
  if (!all) q = q.where((eb) => eb.or([eb('k.paper_id', 'is', null), eb('k.source_hash', '<>', eb.fn.coalesce('p.source_hash', eb.val('')))]));
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Title and abstract of up to `limit` papers, newest first: the corpus the keyword statistics count. */
export async function listKeywordCorpus(db: Db, limit: number): Promise<{ id: string; title: string; abstract: string }[]> {
  return db.selectFrom('papers').select(['id', 'title', 'abstract'])
    .orderBy('published_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Replaces the keywords of each paper given, and records the version they came from. The papers'
 * rows are locked first: two refreshes at once over the same papers (an import and `paperboy
 * keywords`, two app processes) then write one after the other, each replacing the other's rows,
 * instead of the second inserting next to rows its delete could not see yet (a duplicate key).
 */
export async function replacePaperKeywords(
  trx: Transaction<Database>, items: { paperId: string; sourceHash: string; keywords: { keyword: string; score: number }[] }[], now: string,
): Promise<void> {
  if (items.length === 0) return;
  const db = kw(trx);
  const ids = inLockOrder(items.map((i) => i.paperId));
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    await lockPaperRows(trx, part);
    await db.deleteFrom('paper_keywords').where('paper_id', 'in', part).execute();
    await db.deleteFrom('paper_keyword_state').where('paper_id', 'in', part).execute();
  }
  const rows = items.flatMap((i) => i.keywords.map((k, position) => ({ paper_id: i.paperId, position, keyword: k.keyword, score: k.score })));
  for (let i = 0; i < rows.length; i += 2000) await db.insertInto('paper_keywords').values(rows.slice(i, i + 2000)).execute();
  const states = items.map((i) => ({ paper_id: i.paperId, source_hash: i.sourceHash, computed_at: now }));
  for (let i = 0; i < states.length; i += 2000) await db.insertInto('paper_keyword_state').values(states.slice(i, i + 2000)).execute();
}

/** The keywords of each of `ids` (best first); papers without any are absent from the map. */
export async function keywordsOf(db: Db, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await kw(db).selectFrom('paper_keywords').select(['paper_id', 'keyword'])
      .where('paper_id', 'in', ids.slice(i, i + 500)).orderBy('paper_id').orderBy('position').execute();
    for (const r of rows) {
      const list = out.get(r.paper_id);
      if (list) list.push(r.keyword);
      else out.set(r.paper_id, [r.keyword]);
    }
  }
  return out;
}

/** What the saved keyword model counted, without its data. */
export interface SavedKeywordModel {
  generation: number;
  /** Papers it counted. */
  docs: number;
  /** The corpus limit it was counted with. */
  corpusLimit: number;
  /** Papers given keywords with it (or a later count's model) since it was counted. */
  scoredSince: number;
}

export async function readKeywordModelMeta(db: Db): Promise<SavedKeywordModel | undefined> {
  const r = await kw(db).selectFrom('keyword_model').select(['generation', 'docs', 'corpus_limit', 'scored_since']).executeTakeFirst();
  return r && { generation: Number(r.generation), docs: Number(r.docs), corpusLimit: Number(r.corpus_limit), scoredSince: Number(r.scored_since) };
}

/** The saved model's data, if it is still the given generation. */
export async function readKeywordModelData(db: Db, generation: number): Promise<Uint8Array | undefined> {
  const r = await kw(db).selectFrom('keyword_model').select('data').where('generation', '=', generation).executeTakeFirst();
  return r?.data;
}

/** Saves a freshly counted model in place of the last one; returns its generation. */
export async function saveKeywordModel(
  db: Db, model: { docs: number; corpusLimit: number; countedAt: string; data: Uint8Array },
): Promise<number> {
  const row = { docs: model.docs, corpus_limit: model.corpusLimit, scored_since: 0, counted_at: model.countedAt, data: model.data };
  const r = await kw(db).insertInto('keyword_model').values({ id: 1, generation: 1, ...row })
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ ...row, generation: eb('keyword_model.generation', '+', 1) })))
    .returning('generation').executeTakeFirstOrThrow();
  return Number(r.generation);
}

/** Adds `papers` to the saved model's count of papers scored since it was counted. */
export async function addKeywordModelScored(db: Db, papers: number): Promise<void> {
  if (papers <= 0) return;
  await kw(db).updateTable('keyword_model').set((eb) => ({ scored_since: eb('scored_since', '+', papers) })).execute();
}
