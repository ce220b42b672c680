/**
 * What "For you" reads and writes: a member's history (upvotes, saved papers, "not interested"),
 * the papers of a period, and the "not interested" marks (migration 007).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

export interface NotInterestedTable {
  user_id: number;
  paper_id: string;
  created_at: string;
}

type Db = Kysely<Database> | Transaction<Database>;
type DiscoveryDatabase = Database & { not_interested: NotInterestedTable };
const withMarks = (db: Db) => (db as Kysely<Database>).withTables<{ not_interested: NotInterestedTable }>() as unknown as Kysely<DiscoveryDatabase>;

export type HistorySignal = 'upvote' | 'saved' | 'not-interested';

export interface HistoryRow {
  paperId: string;
  signal: HistorySignal;
  at: string;
}

/** Marks a paper "not interested" for a member (again is fine), or (`want` false) takes it back. */
export async function setNotInterested(db: Db, userId: number, paperId: string, want: boolean, now: string): Promise<void> {
  const d = withMarks(db);
  if (want) {
    await d.insertInto('not_interested').values({ user_id: userId, paper_id: paperId, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing()).execute();
  } else {
    await d.deleteFrom('not_interested').where('user_id', '=', userId).where('paper_id', '=', paperId).execute();
  }
}

/** The papers a member marked "not interested", newest mark first, at most `limit`. */
export async function listNotInterested(db: Db, userId: number, limit: number): Promise<{ paperId: string; title: string; at: string }[]> {
  const rows = await withMarks(db).selectFrom('not_interested as n').innerJoin('papers as p', 'p.id', 'n.paper_id')
    .select(['n.paper_id', 'p.title', 'n.created_at'])
    .where('n.user_id', '=', userId)
    .orderBy('n.created_at', 'desc').orderBy('n.paper_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ paperId: r.paper_id, title: r.title, at: r.created_at }));
}

/** Which of `paperIds` the member marked "not interested". */
export async function notInterestedAmong(db: Db, userId: number, paperIds: string[]): Promise<Set<string>> {
  if (paperIds.length === 0) return new Set();
  const rows = await withMarks(db).selectFrom('not_interested').select('paper_id').where('user_id', '=', userId).where('paper_id', 'in', paperIds).execute();
  return new Set(rows.map((r) => r.paper_id));
}

/**
 * A member's history, most recent first, at most `limit` of each kind: upvotes, papers in their
 * collections, "not interested" marks.
 */
export async function listMemberHistory(db: Db, userId: number, limit: number): Promise<HistoryRow[]> {
  const d = withMarks(db);
  const [votes, saved, marks] = await Promise.all([
    d.selectFrom('votes').select(['paper_id', 'created_at']).where('user_id', '=', userId).orderBy('created_at', 'desc').limit(limit).execute(),
    d.selectFrom('collection_items as i').innerJoin('collections as c', 'c.id', 'i.collection_id')
      .select(['i.paper_id as paper_id', 'i.added_at as created_at']).where('c.user_id', '=', userId).orderBy('i.added_at', 'desc').limit(limit).execute(),
    d.selectFrom('not_interested').select(['paper_id', 'created_at']).where('user_id', '=', userId).orderBy('created_at', 'desc').limit(limit).execute(),
  ]);
  const rows: HistoryRow[] = [
    ...votes.map((r) => ({ paperId: r.paper_id, signal: 'upvote' as const, at: r.created_at })),
    ...saved.map((r) => ({ paperId: r.paper_id, signal: 'saved' as const, at: r.created_at })),
    ...marks.map((r) => ({ paperId: r.paper_id, signal: 'not-interested' as const, at: r.created_at })),
  ];
  return rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

/** A cheap fingerprint of a member's history: changes whenever they vote, save or dismiss. */
export async function memberHistoryVersion(db: Db, userId: number): Promise<string> {
  const d = withMarks(db);
  const [v, s, m] = await Promise.all([
    d.selectFrom('votes').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('at')]).where('user_id', '=', userId).executeTakeFirst(),
    d.selectFrom('collection_items as i').innerJoin('collections as c', 'c.id', 'i.collection_id')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('i.added_at').as('at')]).where('c.user_id', '=', userId).executeTakeFirst(),
    d.selectFrom('not_interested').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('at')]).where('user_id', '=', userId).executeTakeFirst(),
  ]);
  return [v, s, m].map((r) => `${r?.n ?? 0}@${r?.at ?? ''}`).join('|');
}

/** A paper of some member's history, with the time of its latest upvote, save or dismissal. */
export interface RecentHistoryPaper {
  paperId: string;
  at: string;
}

/**
 * Papers in members' histories (upvoted, saved to a collection, marked "not interested" by anyone),
 * most recently touched first, from the latest `limit` rows of each kind at or after `since` (all
 * when null). Votes are read through their `created_at` index.
 */
export async function listRecentHistoryPapers(db: Db, since: string | null, limit: number): Promise<RecentHistoryPaper[]> {
  const d = withMarks(db);
  const [votes, saved, marks] = await Promise.all([
    d.selectFrom('votes').select(['paper_id', 'created_at'])
      .$if(since !== null, (q) => q.where('created_at', '>=', since!)).orderBy('created_at', 'desc').limit(limit).execute(),
    d.selectFrom('collection_items').select(['paper_id', 'added_at as created_at'])
      .$if(since !== null, (q) => q.where('added_at', '>=', since!)).orderBy('added_at', 'desc').limit(limit).execute(),
    d.selectFrom('not_interested').select(['paper_id', 'created_at'])
      .$if(since !== null, (q) => q.where('created_at', '>=', since!)).orderBy('created_at', 'desc').limit(limit).execute(),
  ]);
  const latest = new Map<string, string>();
  for (const r of [...votes, ...saved, ...marks]) {
    const at = latest.get(r.paper_id);
    if (at === undefined || r.created_at > at) latest.set(r.paper_id, r.created_at);
  }
  return [...latest].map(([paperId, at]) => ({ paperId, at })).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.paperId < b.paperId ? -1 : 1));
}

export interface PeriodPaper {
  id: string;
  title: string;
  abstract: string;
  upvotes: number;
}

/**
 * Papers new in [from, to] (days, inclusive): announced by arXiv or entered on the Daily papers
 * list then, most upvoted first, at most `limit`. Left out: papers arXiv withdrew, and papers
 * curators hid from the list (however arXiv announced them: hiding takes a paper out of what the
 * site recommends).
 */
export async function listPeriodPapers(db: Db, from: string, to: string, limit: number): Promise<PeriodPaper[]> {
  return db.selectFrom('papers as p')
    .select(['p.id', 'p.title', 'p.abstract', 'p.upvotes'])
    .where((eb) => eb.or([
      eb('p.id', 'in', eb.selectFrom('announcements').select('paper_id').where('day', '>=', from).where('day', '<=', to)),
      eb('p.id', 'in', eb.selectFrom('daily_entries').select('paper_id').where('day', '>=', from).where('day', '<=', to)),
    ]))
    .where('p.withdrawn', '=', 0)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('daily_entries as h').select('h.paper_id').whereRef('h.paper_id', '=', 'p.id').where('h.hidden', '=', 1))))
    .orderBy('p.upvotes', 'desc').orderBy('p.id')
    .limit(limit)
    .execute();
}

/** The latest day that has papers (announced or listed), or null on an empty store. */
export async function latestPaperDay(db: Db): Promise<string | null> {
  const [a, d] = await Promise.all([
    db.selectFrom('announcements').select((eb) => eb.fn.max('day').as('day')).executeTakeFirst(),
    db.selectFrom('daily_entries').select((eb) => eb.fn.max('day').as('day')).executeTakeFirst(),
  ]);
  const days = [a?.day, d?.day].filter((x): x is string => !!x);
  return days.length ? days.sort()[days.length - 1]! : null;
}

/** Authors of papers, in order, by paper. */
export async function listAuthorsOf(db: Db, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = await db.selectFrom('paper_authors').select(['paper_id', 'name']).where('paper_id', 'in', ids).orderBy('paper_id').orderBy('position').execute();
  for (const r of rows) { let l = out.get(r.paper_id); if (!l) out.set(r.paper_id, (l = [])); l.push(r.name); }
  return out;
}

/** The titles of papers by id (unknown ids are left out). */
export async function listPaperTitlesByIds(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('papers').select(['id', 'title']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.title]));
}

/** Titles and abstracts of papers, by id. */
/** Which of `ids` arXiv has withdrawn: no paper to read, so none to recommend. */
export async function withdrawnAmong(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('papers').select('id').where('id', 'in', ids).where('withdrawn', '=', 1).execute();
  return new Set(rows.map((r) => r.id));
}

export async function listPaperTextsByIds(db: Db, ids: string[]): Promise<Map<string, { title: string; abstract: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('papers').select(['id', 'title', 'abstract']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, { title: r.title, abstract: r.abstract }]));
}
