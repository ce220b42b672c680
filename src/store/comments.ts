/**
 * Comments on papers: threads, edits, soft deletion, reports and moderation, comment votes.
 * `papers.comments_count` counts visible comments and changes in the same transaction.
 */
import type { Kysely, RawBuilder, SqlBool, Transaction } from 'kysely';
import { sql } from './kysely.ts';
import type { Database } from './schema.ts';
import { lockCounterRows } from './dialect.ts';
import { keysetOrder, keysetWhere, type KeysetKey, type KeysetSpec, type Toward } from './keyset.ts';
import { isRowId } from './row-id.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface CommentRow {
  id: number;
  paperId: string;
  parentId: number | null;
  userId: number | null;
  username: string | null;
  body: string;
  score: number;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  hiddenAt: string | null;
  reports: number;
}

export type CommentOrder = 'oldest' | 'newest' | 'top';

const visible = (c: { deleted_at: string | null; hidden_at: string | null }) => !c.deleted_at && !c.hidden_at;

async function recount(trx: Transaction<Database>, paperId: string): Promise<void> {
  await lockCounterRows(trx, 'papers', [paperId]);
  const r = await trx.selectFrom('comments').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('paper_id', '=', paperId).where('deleted_at', 'is', null).where('hidden_at', 'is', null).executeTakeFirstOrThrow();
  await trx.updateTable('papers').set({ comments_count: Number(r.n) }).where('id', '=', paperId).execute();
}

export async function insertComment(trx: Transaction<Database>, c: { paperId: string; userId: number; parentId: number | null; body: string }, now: string): Promise<number> {
  const row = await trx.insertInto('comments').values({
    paper_id: c.paperId, user_id: c.userId, parent_id: c.parentId, body: c.body, score: 0, created_at: now, edited_at: null, deleted_at: null, hidden_at: null,
  }).returning('id').executeTakeFirstOrThrow();
  await recount(trx, c.paperId);
  return row.id;
}

export async function findComment(db: Db, id: number): Promise<{ id: number; paperId: string; userId: number | null; parentId: number | null; deletedAt: string | null; hiddenAt: string | null; body: string } | null> {
  const r = await db.selectFrom('comments').select(['id', 'paper_id', 'user_id', 'parent_id', 'deleted_at', 'hidden_at', 'body']).where('id', '=', id).executeTakeFirst();
  return r ? { id: r.id, paperId: r.paper_id, userId: r.user_id, parentId: r.parent_id, deletedAt: r.deleted_at, hiddenAt: r.hidden_at, body: r.body } : null;
}

/** Replaces the text of a comment that is neither deleted nor hidden; false when it is (by now). */
export async function editComment(db: Db, id: number, body: string, now: string): Promise<boolean> {
  const r = await db.updateTable('comments').set({ body, edited_at: now })
    .where('id', '=', id).where('deleted_at', 'is', null).where('hidden_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Soft deletion keeps the thread's shape: replies stay, the text goes. */
export async function softDeleteComment(trx: Transaction<Database>, id: number, paperId: string, now: string): Promise<void> {
  await trx.updateTable('comments').set({ deleted_at: now, body: '' }).where('id', '=', id).execute();
  await recount(trx, paperId);
}

export async function setCommentHidden(trx: Transaction<Database>, id: number, paperId: string, hidden: boolean, now: string): Promise<void> {
  await trx.updateTable('comments').set({ hidden_at: hidden ? now : null }).where('id', '=', id).execute();
  if (hidden) await trx.updateTable('comment_reports').set({ resolved_at: now }).where('comment_id', '=', id).where('resolved_at', 'is', null).execute();
  await recount(trx, paperId);
}

/**
 * Records a member's report of a comment that is still shown (neither deleted nor hidden by a
 * moderator, checked in the same statement); false when nothing was recorded: reported already,
 * or the comment is gone or hidden.
 */
export async function reportComment(db: Db, commentId: number, userId: number, reason: string | null, now: string): Promise<boolean> {
  const r = await db.insertInto('comment_reports').columns(['comment_id', 'user_id', 'reason', 'created_at', 'resolved_at'])
    .expression(db.selectFrom('comments').select([
      'id', sql<number>`cast(${userId} as integer)`.as('user_id'), sql<string | null>`cast(${reason} as text)`.as('reason'),
      sql<string>`cast(${now} as text)`.as('created_at'), sql<string | null>`cast(null as text)`.as('resolved_at'),
    ]).where('id', '=', commentId).where('deleted_at', 'is', null).where('hidden_at', 'is', null))
    .onConflict((oc) => oc.columns(['comment_id', 'user_id']).doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function dismissReports(db: Db, commentId: number, now: string): Promise<void> {
  await db.updateTable('comment_reports').set({ resolved_at: now }).where('comment_id', '=', commentId).where('resolved_at', 'is', null).execute();
}

export async function setCommentVote(trx: Transaction<Database>, userId: number, commentId: number, want: boolean, now: string): Promise<number> {
  if (want) {
    await trx.insertInto('comment_votes').values({ user_id: userId, comment_id: commentId, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'comment_id']).doNothing()).execute();
  } else {
    await trx.deleteFrom('comment_votes').where('user_id', '=', userId).where('comment_id', '=', commentId).execute();
  }
  await lockCounterRows(trx, 'comments', [commentId]);
  const r = await trx.selectFrom('comment_votes').select((eb) => eb.fn.countAll<number>().as('n')).where('comment_id', '=', commentId).executeTakeFirstOrThrow();
  await trx.updateTable('comments').set({ score: Number(r.n) }).where('id', '=', commentId).execute();
  return Number(r.n);
}

/** Recomputes `score` from the comment votes, for the given comments (those a deleted account had voted on). */
export async function recountCommentScores(trx: Transaction<Database>, ids: number[]): Promise<void> {
  const commentIds = [...new Set(ids)].sort((a, b) => a - b);
  for (let i = 0; i < commentIds.length; i += 500) {
    const chunk = commentIds.slice(i, i + 500);
    await lockCounterRows(trx, 'comments', chunk);
    await trx.updateTable('comments')
      .set((eb) => ({ score: eb.selectFrom('comment_votes as v').select(eb.fn.countAll<number>().as('n')).whereRef('v.comment_id', '=', 'comments.id') }))
      .where('id', 'in', chunk).execute();
  }
}

const commentSelect = (db: Db) => db.selectFrom('comments as c').leftJoin('users as u', 'u.id', 'c.user_id')
  .select((eb) => [
    'c.id', 'c.paper_id', 'c.parent_id', 'c.user_id', 'u.username', 'c.body', 'c.score', 'c.created_at', 'c.edited_at', 'c.deleted_at', 'c.hidden_at',
    eb.selectFrom('comment_reports as r').select(eb.fn.countAll<number>().as('n')).whereRef('r.comment_id', '=', 'c.id').where('r.resolved_at', 'is', null).as('reports'),
  ]);

type SelectedRow = Awaited<ReturnType<ReturnType<typeof commentSelect>['execute']>>[number];
const toRow = (r: SelectedRow): CommentRow => ({
  id: r.id, paperId: r.paper_id, parentId: r.parent_id, userId: r.user_id, username: r.username ?? null, body: r.body, score: r.score,
  createdAt: r.created_at, editedAt: r.edited_at, deletedAt: r.deleted_at, hiddenAt: r.hidden_at, reports: Number(r.reports ?? 0),
});

/**
 * A thread is a comment on the paper itself with every reply under it. Threads are listed in the
 * discussion's order: `oldest` and `newest` by when the comment was written, `top` by its points
 * (the older first among equals); the id breaks ties, so every thread has one place.
 */
function threadOrder(order: CommentOrder): RawBuilder<unknown> {
  return order === 'newest' ? sql`created_at desc, id desc`
    : order === 'top' ? sql`score desc, created_at asc, id asc`
      : sql`created_at asc, id asc`;
}

/** How many threads a paper's discussion has (hidden and deleted comments keep their place). */
export async function countPaperThreads(db: Db, paperId: string): Promise<number> {
  const r = await db.selectFrom('comments').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('paper_id', '=', paperId).where('parent_id', 'is', null).executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * One page of a paper's discussion: `limit` threads from `offset` in `order`, each with all its
 * replies (hidden ones included: they keep their place, only moderators see their text). Reads the
 * page's comments on the paper from their index, then walks down the reply links from them, so a
 * page costs what it shows, not what the whole discussion holds. Threads are assembled by the caller.
 */
export async function listPaperThreadPage(db: Db, paperId: string, order: CommentOrder, offset: number, limit: number): Promise<CommentRow[]> {
  const inPage = sql<SqlBool>`c.id in (
    with recursive tree(id) as (
      select id from (select id from comments where paper_id = ${paperId} and parent_id is null order by ${threadOrder(order)} limit ${limit} offset ${offset}) roots
      union all
      select k.id from comments k join tree t on k.parent_id = t.id
    ) select id from tree)`;
  const rows = await commentSelect(db).where(inPage).orderBy('c.created_at').orderBy('c.id').execute();
  return rows.map(toRow);
}

/**
 * Where the thread holding a comment of this paper stands in the discussion's `order`: how many
 * threads come before it (0 for the first); null when the paper has no such comment.
 */
export async function findThreadIndex(db: Db, paperId: string, commentId: number, order: CommentOrder): Promise<number | null> {
  if (!isRowId(commentId)) return null;
  const root = await sql<{ id: number; created_at: string; score: number }>`
    with recursive up(id, parent_id) as (
      select id, parent_id from comments where id = ${commentId} and paper_id = ${paperId}
      union all
      select c.id, c.parent_id from comments c join up on c.id = up.parent_id
    ) select r.id, r.created_at, r.score from up join comments r on r.id = up.id where up.parent_id is null`.execute(db);
  const top = root.rows[0];
  if (!top) return null;
  const before = order === 'newest' ? sql<SqlBool>`(created_at > ${top.created_at} or (created_at = ${top.created_at} and id > ${top.id}))`
    : order === 'top' ? sql<SqlBool>`(score > ${top.score} or (score = ${top.score} and (created_at < ${top.created_at} or (created_at = ${top.created_at} and id < ${top.id}))))`
      : sql<SqlBool>`(created_at < ${top.created_at} or (created_at = ${top.created_at} and id < ${top.id}))`;
  const r = await db.selectFrom('comments').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('paper_id', '=', paperId).where('parent_id', 'is', null).where(before).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The order of the comments API's pages: oldest first, the id breaking ties. */
const API_ORDER: KeysetSpec = { columns: ['c.created_at', 'c.id'], order: ['asc', 'asc'] };

/**
 * A paper's comments oldest first, up to `limit` after `key` (a [created_at, id] pair; null: from
 * the first), hidden ones included (the API shows them without their text).
 */
export async function listPaperCommentsAfter(db: Db, paperId: string, key: KeysetKey | null, limit: number): Promise<CommentRow[]> {
  let q = commentSelect(db).where('c.paper_id', '=', paperId);
  if (key) q = q.where(keysetWhere(API_ORDER, 'older', key));
  const rows = await q.orderBy('c.created_at').orderBy('c.id').limit(limit).execute();
  return rows.map(toRow);
}

/** The comments on a paper that a member has upvoted (their ids). */
export async function listUpvotedCommentIds(db: Db, userId: number, paperId: string): Promise<Set<number>> {
  const rows = await db.selectFrom('comment_votes as v').innerJoin('comments as c', 'c.id', 'v.comment_id')
    .select('v.comment_id').where('v.user_id', '=', userId).where('c.paper_id', '=', paperId).execute();
  return new Set(rows.map((r) => Number(r.comment_id)));
}

export async function listUserComments(db: Db, userId: number, limit: number): Promise<(CommentRow & { paperTitle: string })[]> {
  const rows = await commentSelect(db).innerJoin('papers as p', 'p.id', 'c.paper_id').select('p.title')
    .where('c.user_id', '=', userId).where('c.deleted_at', 'is', null).where('c.hidden_at', 'is', null)
    .orderBy('c.created_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...toRow(r), paperTitle: r.title }));
}

/** Open reports per comment (a derived table to join). */
const openReports = (db: Db) => db.selectFrom('comment_reports').select((eb) => ['comment_id', eb.fn.countAll<number>().as('n')])
  .where('resolved_at', 'is', null).groupBy('comment_id');

/** The reported comments' order on the admin page: most open reports first, the newer comment first among equals. */
const REPORTED_ORDER: KeysetSpec = { columns: ['o.n', 'c.id'], order: ['desc', 'desc'] };

/**
 * Comments with open reports, the moderators' queue: up to `limit` past `key` (an [open reports,
 * id] pair; null: from the start) in the reading order of `toward`, each with its reports' reasons.
 */
export async function listReportedComments(
  db: Db, toward: Toward, key: KeysetKey | null, limit: number,
): Promise<(CommentRow & { paperTitle: string; reasons: string[] })[]> {
  const [first, second] = keysetOrder(REPORTED_ORDER, toward);
  let q = commentSelect(db).innerJoin(openReports(db).as('o'), 'o.comment_id', 'c.id').innerJoin('papers as p', 'p.id', 'c.paper_id').select('p.title');
  if (key) q = q.where(keysetWhere(REPORTED_ORDER, toward, key));
  const rows = await q.orderBy('o.n', first).orderBy('c.id', second).limit(limit).execute();
  const ids = rows.map((r) => r.id);
  const reasons = ids.length ? await db.selectFrom('comment_reports').select(['comment_id', 'reason']).where('comment_id', 'in', ids).where('resolved_at', 'is', null).orderBy('created_at').execute() : [];
  return rows.map((r) => ({ ...toRow(r), paperTitle: r.title, reasons: reasons.filter((x) => x.comment_id === r.id && x.reason).map((x) => x.reason!) }));
}

/** How many comments have open reports (the queue's length). */
export async function countReportedComments(db: Db): Promise<number> {
  const r = await db.selectFrom(openReports(db).as('o')).innerJoin('comments as c', 'c.id', 'o.comment_id').innerJoin('papers as p', 'p.id', 'c.paper_id')
    .select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export { visible as isCommentVisible };

/** The hidden comments' order on the admin page: most recently hidden first, the newer comment first among those hidden at once. */
const HIDDEN_COMMENTS_ORDER: KeysetSpec = { columns: ['c.hidden_at', 'c.id'], order: ['desc', 'desc'] };

/**
 * Comments a moderator hid (and did not delete), the admin's list to unhide from: up to `limit`
 * past `key` (a [hidden_at, id] pair; null: from the start) in the reading order of `toward`.
 */
export async function listHiddenComments(db: Db, toward: Toward, key: KeysetKey | null, limit: number): Promise<(CommentRow & { paperTitle: string })[]> {
  const [first, second] = keysetOrder(HIDDEN_COMMENTS_ORDER, toward);
  let q = commentSelect(db).innerJoin('papers as p', 'p.id', 'c.paper_id').select('p.title')
    .where('c.hidden_at', 'is not', null).where('c.deleted_at', 'is', null);
  if (key) q = q.where(keysetWhere(HIDDEN_COMMENTS_ORDER, toward, key));
  const rows = await q.orderBy('c.hidden_at', first).orderBy('c.id', second).limit(limit).execute();
  return rows.map((r) => ({ ...toRow(r), paperTitle: r.title }));
}

export async function countHiddenComments(db: Db): Promise<number> {
  const r = await db.selectFrom('comments').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('hidden_at', 'is not', null).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
  return Number(r.n);
}
