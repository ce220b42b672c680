/**
 * Votes and the counters and ranking key that follow them. Counts are changed in the same
 * transaction as the vote rows, so they never drift.
 */
import type { Kysely, Transaction } from 'kysely';
import { hotness } from '../domain/ranking.ts';
import type { Database } from './schema.ts';
import { lockCounterRows } from './dialect.ts';

/**
 * Recomputes `upvotes` from the votes table and the trending key from it and the paper's entry
 * time (daily list entry, else publication), for the given papers.
 */
export async function refreshPaperRanking(trx: Transaction<Database>, ids: string[], now: string): Promise<void> {
  const paperIds = [...new Set(ids)].sort(); // one lock order for every transaction (see lockCounterRows)
  for (let i = 0; i < paperIds.length; i += 500) {
    const ids = paperIds.slice(i, i + 500);
    await lockCounterRows(trx, 'papers', ids);
    const rows = await trx.selectFrom('papers as p')
      .leftJoin('daily_entries as d', 'd.paper_id', 'p.id')
      .select((eb) => [
        'p.id', 'p.published_at', 'd.submitted_at',
        eb.selectFrom('votes as v').select(eb.fn.countAll<number>().as('n')).whereRef('v.paper_id', '=', 'p.id').as('votes'),
      ])
      .where('p.id', 'in', ids)
      .execute();
    for (const r of rows) {
      const votes = Number(r.votes ?? 0);
      const entered = Date.parse(r.submitted_at ?? r.published_at ?? now);
      await trx.updateTable('papers').set({ upvotes: votes, hotness: hotness(votes, entered) }).where('id', '=', r.id).execute();
    }
  }
}

/** Creates (or finds) the generated demo accounts whose votes make up the demo's vote counts. */
export async function ensureDemoUsers(trx: Transaction<Database>, count: number, now: string): Promise<number[]> {
  const rows = Array.from({ length: count }, (_, i) => ({
    username: `demo-reader-${String(i + 1).padStart(3, '0')}`,
    display_name: `Demo reader ${i + 1}`,
    role: 'member' as const,
    is_demo: 1,
    votes_public: 1,
    created_at: now,
  }));
  for (let i = 0; i < rows.length; i += 1000) {
    await trx.insertInto('users').values(rows.slice(i, i + 1000)).onConflict((oc) => oc.column('username').doNothing()).execute();
  }
  const users = await trx.selectFrom('users').select('id').where('is_demo', '=', 1).orderBy('id').execute();
  return users.map((u) => u.id);
}

/** Inserts vote rows (ignoring ones that exist) and refreshes the papers' counts and keys. */
export async function insertVotes(trx: Transaction<Database>, votes: { userId: number; paperId: string; createdAt: string }[], now: string): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < votes.length; i += 5000) {
    const res = await trx.insertInto('votes')
      .values(votes.slice(i, i + 5000).map((v) => ({ user_id: v.userId, paper_id: v.paperId, created_at: v.createdAt })))
      .onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing())
      .executeTakeFirst();
    inserted += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  await refreshPaperRanking(trx, [...new Set(votes.map((v) => v.paperId))], now);
  return inserted;
}

/**
 * Turns a member's upvote on or off (`want`), then recounts the paper and its trending key, in
 * one transaction: the count always equals the vote rows.
 */
export async function setVote(trx: Transaction<Database>, userId: number, paperId: string, want: boolean, now: string): Promise<{ voted: boolean; upvotes: number }> {
  if (want) {
    await trx.insertInto('votes').values({ user_id: userId, paper_id: paperId, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing()).execute();
  } else {
    await trx.deleteFrom('votes').where('user_id', '=', userId).where('paper_id', '=', paperId).execute();
  }
  await refreshPaperRanking(trx, [paperId], now);
  const row = await trx.selectFrom('papers').select('upvotes').where('id', '=', paperId).executeTakeFirstOrThrow();
  return { voted: want, upvotes: row.upvotes };
}

export async function hasVoted(db: Kysely<Database>, userId: number, paperId: string): Promise<boolean> {
  return !!(await db.selectFrom('votes').select('paper_id').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst());
}

/** Which of `paperIds` the member has upvoted. */
export async function votedAmong(db: Kysely<Database>, userId: number, paperIds: string[]): Promise<Set<string>> {
  if (paperIds.length === 0) return new Set();
  const rows = await db.selectFrom('votes').select('paper_id').where('user_id', '=', userId).where('paper_id', 'in', paperIds).execute();
  return new Set(rows.map((r) => r.paper_id));
}

/** Papers a member upvoted, newest vote first. */
export async function listVotedPaperIds(db: Kysely<Database>, userId: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('votes').select('paper_id').where('user_id', '=', userId).orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => r.paper_id);
}
