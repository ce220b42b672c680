/**
 * Papers: upserts from ingestion and imports, and the paper page's read.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { sql } from './kysely.ts';
import { authorNameKey } from '../domain/author-key.ts';
import type { PaperRecord } from '../domain/paper.ts';
import { hotness } from '../domain/ranking.ts';
import type { Database, PapersTable } from './schema.ts';
import type { PaperDetail, UpsertCounts } from './types.ts';
import { attachCardDetails, toCard, CARD_COLUMNS } from './cards.ts';
import { inLockOrder, isPostgres } from './dialect.ts';
import { touchListDays } from './list-changes.ts';
import { refreshPaperRanking } from './votes.ts';
import { deferSearchDocuments, refreshSearchDocuments } from './search-documents.ts';

/** SQLite allows 32,766 bound parameters a statement; keep multi-row inserts well under it. */
const MAX_PARAMS_PER_STATEMENT = 30_000;

type Db = Kysely<Database> | Transaction<Database>;

/** Inserts `rows` in as few statements as the parameter limit allows. */
async function insertChunked<T extends keyof Database>(
  db: Db,
  table: T,
  rows: Record<string, unknown>[],
  onConflict: 'nothing' | ((b: any) => any) = 'nothing',
): Promise<void> {
  if (rows.length === 0) return;
  const perRow = Object.keys(rows[0]!).length;
  const chunk = Math.max(1, Math.floor(MAX_PARAMS_PER_STATEMENT / perRow));
  for (let i = 0; i < rows.length; i += chunk) {
    let q = db.insertInto(table).values(rows.slice(i, i + chunk) as any);
    q = onConflict === 'nothing' ? q.onConflict((oc) => oc.doNothing()) : q.onConflict(onConflict);
    await q.execute();
  }
}

/** Inserts announcements not stored yet; returns the days of those it inserted. */
async function insertAnnouncements(db: Db, rows: ReturnType<typeof announcementRows>): Promise<string[]> {
  const days: string[] = [];
  const chunk = Math.floor(MAX_PARAMS_PER_STATEMENT / 3);
  for (let i = 0; i < rows.length; i += chunk) {
    const inserted = await db.insertInto('announcements').values(rows.slice(i, i + chunk))
      .onConflict((oc) => oc.doNothing()).returning('day').execute();
    days.push(...inserted.map((r) => r.day));
  }
  return days;
}

/** A hash of what a source said about a paper, to tell an unchanged record from an update. */
export function recordHash(r: PaperRecord): string {
  const content = [
    r.title, r.abstract, r.authors, r.categories, r.publishedAt, r.updatedAt,
    r.versions.map((v) => [v.version, v.submittedAt, v.size ?? null]),
    r.comment ?? null, r.journalRef ?? null, r.doi ?? null, r.license ?? null, r.withdrawn ?? false,
    r.codeUrl ?? null, r.projectUrl ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 22);
}

function latestVersionOf(r: PaperRecord): number {
  return r.versions.reduce((max, v) => Math.max(max, v.version), 1);
}

function paperRow(r: PaperRecord, now: string, hash: string): PapersTable {
  const enteredAt = Date.parse(r.publishedAt ?? now);
  return {
    id: r.id,
    latest_version: latestVersionOf(r),
    title: r.title,
    abstract: r.abstract,
    primary_category: r.categories[0] ?? null,
    comment: r.comment ?? null,
    journal_ref: r.journalRef ?? null,
    doi: r.doi ?? null,
    license: r.license ?? null,
    published_at: r.publishedAt,
    updated_at: r.updatedAt ?? r.publishedAt,
    withdrawn: r.withdrawn ? 1 : 0,
    code_url: r.codeUrl ?? null,
    project_url: r.projectUrl ?? null,
    upvotes: 0,
    comments_count: 0,
    hotness: hotness(0, Number.isFinite(enteredAt) ? enteredAt : Date.parse(now)),
    source_hash: hash,
    created_at: now,
    modified_at: now,
  };
}

const authorRows = (r: PaperRecord) => r.authors.map((name, position) => ({ paper_id: r.id, position, name, name_key: authorNameKey(name) }));
const categoryRows = (r: PaperRecord) =>
  [...new Set(r.categories)].map((category, position) => ({ paper_id: r.id, category, is_primary: position === 0 ? 1 : 0, position }));
const versionRows = (r: PaperRecord) =>
  r.versions.map((v) => ({ paper_id: r.id, version: v.version, submitted_at: v.submittedAt, size: v.size ?? null }));
const announcementRows = (r: PaperRecord) =>
  (r.announcedOn ?? []).map((day) => ({ day, paper_id: r.id, announce_type: r.announceType ?? 'new' }));

/** What upsertPapers needs to know of a stored paper to tell what a record changes. */
type StoredVersion = { latest_version: number; source_hash: string | null };

/**
 * The stored version of those of `ids` that exist. On PostgreSQL their rows are locked (in lock
 * order) until the transaction ends, and the read sees the latest commit: no other writer changes
 * them between this read and the writes decided on it (a stale record passing the "newer?" check
 * against a version another writer has since replaced).
 */
async function readStoredForUpdate(trx: Transaction<Database>, ids: string[]): Promise<Map<string, StoredVersion>> {
  const stored = new Map<string, StoredVersion>();
  const sorted = inLockOrder(ids);
  const locking = isPostgres(trx);
  for (let i = 0; i < sorted.length; i += 500) {
    let q = trx.selectFrom('papers').select(['id', 'latest_version', 'source_hash']).where('id', 'in', sorted.slice(i, i + 500));
    if (locking) q = q.orderBy(sql`id collate "C"`).forNoKeyUpdate();
    for (const row of await q.execute()) stored.set(row.id, row);
  }
  return stored;
}

interface UpsertPlan {
  fresh: PaperRecord[];
  changed: PaperRecord[];
  /** Older than the stored version: they only add to its version history. */
  versionsOnly: PaperRecord[];
}

function planUpsert(records: PaperRecord[], stored: Map<string, StoredVersion>, hashes: Map<string, string>, onlyInsert: boolean): UpsertPlan {
  const plan: UpsertPlan = { fresh: [], changed: [], versionsOnly: [] };
  for (const r of records) {
    const old = stored.get(r.id);
    if (!old) plan.fresh.push(r);
    else if (onlyInsert || old.source_hash === hashes.get(r.id)) continue;
    else if (latestVersionOf(r) < old.latest_version) plan.versionsOnly.push(r);
    else plan.changed.push(r);
  }
  return plan;
}

/**
 * Inserts the papers no other writer has inserted meanwhile; returns the ids it inserted. Given in
 * lock order, so two writers adding the same papers wait for each other instead of deadlocking.
 */
async function insertNewPapers(trx: Transaction<Database>, rows: PapersTable[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  if (rows.length === 0) return inserted;
  const chunk = Math.max(1, Math.floor(MAX_PARAMS_PER_STATEMENT / Object.keys(rows[0]!).length));
  for (let i = 0; i < rows.length; i += chunk) {
    const added = await trx.insertInto('papers').values(rows.slice(i, i + chunk))
      .onConflict((oc) => oc.doNothing()).returning('id').execute();
    for (const row of added) inserted.add(row.id);
  }
  return inserted;
}

/**
 * Inserts new papers and updates changed ones, keyed by arXiv id, in the caller's transaction.
 * A record older than the stored version only adds to the version history; announcements are
 * merged in every case. Idempotent: the same records twice leave the same store. With `onlyInsert`
 * (sources that know less than arXiv, such as a daily-papers page), existing papers are left as they are.
 * Two writers at once on one PostgreSQL database leave what one after the other would have.
 */
export async function upsertPapers(
  trx: Transaction<Database>, records: PaperRecord[], now: string, opts: { onlyInsert?: boolean } = {},
): Promise<UpsertCounts> {
  if (records.length === 0) return { new: 0, updated: 0, unchanged: 0, announced: 0 };
  // The last record for an id wins within a batch, as it would across batches. Papers are written
  // in lock order (see inLockOrder).
  const byId = new Map(records.map((r) => [r.id, r]));
  const ordered = inLockOrder([...byId.keys()]).map((id) => byId.get(id)!);
  const hashes = new Map(ordered.map((r) => [r.id, recordHash(r)]));
  const onlyInsert = opts.onlyInsert ?? false;
  const plan = planUpsert(ordered, await readStoredForUpdate(trx, [...byId.keys()]), hashes, onlyInsert);
  // Each written paper's search document once, at the end, not at each statement (search-documents.ts).
  const writes = plan.fresh.length + plan.changed.length > 0;
  if (writes) await deferSearchDocuments(trx, true);

  const inserted = await insertNewPapers(trx, plan.fresh.map((r) => paperRow(r, now, hashes.get(r.id)!)));
  const fresh = plan.fresh.filter((r) => inserted.has(r.id));
  const lost = plan.fresh.filter((r) => !inserted.has(r.id));
  if (lost.length > 0) {
    // Another writer inserted these since the read above (and has committed): update what it
    // stored, as if this transaction had come second, rather than splice two sources' lists.
    const again = planUpsert(lost, await readStoredForUpdate(trx, lost.map((r) => r.id)), hashes, onlyInsert);
    plan.changed.push(...again.changed);
    plan.versionsOnly.push(...again.versionsOnly);
  }
  await insertChunked(trx, 'paper_authors', fresh.flatMap(authorRows));
  await insertChunked(trx, 'paper_categories', fresh.flatMap(categoryRows));

  for (const r of plan.changed) await updatePaper(trx, r, now, hashes.get(r.id)!);
  await insertChunked(trx, 'paper_authors', plan.changed.flatMap(authorRows));
  await insertChunked(trx, 'paper_categories', plan.changed.flatMap(categoryRows));

  const withVersions = [...fresh, ...plan.changed, ...plan.versionsOnly];
  await insertChunked(trx, 'paper_versions', withVersions.flatMap(versionRows), (oc: any) =>
    oc.columns(['paper_id', 'version']).doUpdateSet((eb: any) => ({
      submitted_at: eb.fn.coalesce('excluded.submitted_at', 'paper_versions.submitted_at'),
      size: eb.fn.coalesce('excluded.size', 'paper_versions.size'),
    })),
  );
  // The days whose New on arXiv gained a paper (a harvest after the RSS read adds to a day already
  // served): their feeds' date moves on, and only theirs.
  const announced = await insertAnnouncements(trx, ordered.flatMap(announcementRows));
  await touchListDays(trx, 'new', announced, now);
  if (writes) {
    await refreshSearchDocuments(trx, [...fresh, ...plan.changed].map((r) => r.id));
    await deferSearchDocuments(trx, false);
  }
  return { new: fresh.length, updated: plan.changed.length, unchanged: ordered.length - fresh.length - plan.changed.length, announced: announced.length };
}

/**
 * What {@link upsertPapers} would count for `records`, read without writing or locking anything
 * (a dry run). A paper another writer stores meanwhile may make the real run's counts differ.
 */
export async function previewUpsert(db: Db, records: PaperRecord[]): Promise<UpsertCounts> {
  if (records.length === 0) return { new: 0, updated: 0, unchanged: 0, announced: 0 };
  const byId = new Map(records.map((r) => [r.id, r]));
  const ids = [...byId.keys()];
  const stored = new Map<string, StoredVersion>();
  const announcedBefore = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const some = ids.slice(i, i + 500);
    for (const row of await db.selectFrom('papers').select(['id', 'latest_version', 'source_hash']).where('id', 'in', some).execute()) stored.set(row.id, row);
    for (const row of await db.selectFrom('announcements').select(['paper_id', 'day']).where('paper_id', 'in', some).execute()) announcedBefore.add(`${row.paper_id} ${row.day}`);
  }
  const hashes = new Map([...byId.values()].map((r) => [r.id, recordHash(r)]));
  const plan = planUpsert([...byId.values()], stored, hashes, false);
  const announcing = new Set([...byId.values()].flatMap(announcementRows).map((a) => `${a.paper_id} ${a.day}`));
  const announced = [...announcing].filter((key) => !announcedBefore.has(key)).length;
  return { new: plan.fresh.length, updated: plan.changed.length, unchanged: byId.size - plan.fresh.length - plan.changed.length, announced };
}

/** Writes a changed record over its stored paper, and clears its authors and categories for the new ones. */
async function updatePaper(trx: Transaction<Database>, r: PaperRecord, now: string, hash: string): Promise<void> {
  const row = paperRow(r, now, hash);
  // Sources differ in what they know (RSS has no journal ref, the API no licence): a field the
  // incoming record leaves empty keeps what the store has, so no source erases another's data.
  // In SQL, not from an earlier read, so a curator's link stored meanwhile is kept too.
  const keep = <T,>(value: T | null | undefined, column: string) => sql<T>`coalesce(${value ?? null}, ${sql.ref(column)})`;
  await trx
    .updateTable('papers')
    .set({
      latest_version: row.latest_version, title: row.title, abstract: row.abstract,
      primary_category: row.primary_category,
      comment: keep(r.comment, 'comment'), journal_ref: keep(r.journalRef, 'journal_ref'),
      doi: keep(r.doi, 'doi'), license: keep(r.license, 'license'),
      updated_at: keep(r.updatedAt, 'updated_at'),
      withdrawn: r.withdrawn === undefined ? sql<number>`withdrawn` : (r.withdrawn ? 1 : 0),
      code_url: keep(r.codeUrl, 'code_url'), project_url: keep(r.projectUrl, 'project_url'),
      source_hash: row.source_hash, modified_at: now,
    })
    .where('id', '=', r.id)
    .execute();
  if (r.publishedAt) {
    // The first version's date only ever moves earlier (a source may know only the announcement).
    const moved = await trx.updateTable('papers').set({ published_at: r.publishedAt })
      .where('id', '=', r.id)
      .where((eb) => eb.or([eb('published_at', 'is', null), eb('published_at', '>', r.publishedAt!)]))
      .executeTakeFirst();
    // A paper on no Daily list is trending from its publication: its key moves with the date.
    if (Number(moved.numUpdatedRows) > 0) await refreshPaperRanking(trx, [r.id], now);
  }
  await trx.deleteFrom('paper_authors').where('paper_id', '=', r.id).execute();
  await trx.deleteFrom('paper_categories').where('paper_id', '=', r.id).execute();
}

/** The paper page's read: the paper, all its authors, versions, categories, list entry. */
export async function findPaperById(db: Db, id: string): Promise<PaperDetail | null> {
  const row = await db
    .selectFrom('papers as p')
    .leftJoin('daily_entries as d', 'd.paper_id', 'p.id')
    .leftJoin('users as u', 'u.id', 'd.submitted_by')
    .select(CARD_COLUMNS)
    .select(['p.primary_category', 'p.latest_version', 'p.updated_at', 'p.comment', 'p.journal_ref', 'p.doi', 'p.license'])
    .where('p.id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  const [card] = await attachCardDetails(db, [toCard(row)], Number.MAX_SAFE_INTEGER);
  const [versions, announced] = await Promise.all([
    db.selectFrom('paper_versions').select(['version', 'submitted_at', 'size']).where('paper_id', '=', id).orderBy('version').execute(),
    db.selectFrom('announcements').select('day').where('paper_id', '=', id).orderBy('day').execute(),
  ]);
  return {
    ...card!,
    primaryCategory: row.primary_category,
    latestVersion: row.latest_version,
    updatedAt: row.updated_at,
    versions: versions.map((v) => ({ version: v.version, submittedAt: v.submitted_at, size: v.size })),
    comment: row.comment,
    journalRef: row.journal_ref,
    doi: row.doi,
    license: row.license,
    announcedOn: announced.map((a) => a.day),
  };
}
