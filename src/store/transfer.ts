/**
 * Whole-instance transfer at the table level: which tables and columns make up an instance,
 * reading them in key order a page at a time, and writing them back. Dialect-neutral (Kysely
 * only), so the same code moves an instance between any two stores.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from './kysely.ts';
import { authorNameKey } from '../domain/author-key.ts';
import type { Database } from './schema.ts';

/** One table of an instance, in an order that satisfies foreign keys when inserted top to bottom. */
export interface TableSpec {
  name: string;
  /** Every column that is part of the instance (what the shared schema declares). */
  columns: readonly string[];
  /** The primary key: rows are read in this order, a page at a time. */
  key: readonly string[];
  /** A generated integer id whose sequence must move past the imported ids (PostgreSQL). */
  serial?: string;
  /**
   * Instance state rather than content (secrets, job checkpoints and history): a target that only
   * holds these still counts as empty, and an import replaces them.
   */
  state?: boolean;
  /**
   * A column the program computes from another on every insert, left out of transfers so that a
   * target keys rows by its own build's rule: filled by insertRows.
   */
  derived?: { column: string; from: string; compute: (value: unknown) => unknown };
}

export const INSTANCE_TABLES: readonly TableSpec[] = [
  { name: 'users', key: ['id'], serial: 'id', columns: ['id', 'username', 'email', 'display_name', 'password_hash', 'role', 'is_demo', 'email_verified_at', 'suspended_at', 'votes_public', 'created_at'] },
  { name: 'papers', key: ['id'], columns: ['id', 'latest_version', 'title', 'abstract', 'primary_category', 'comment', 'journal_ref', 'doi', 'license', 'published_at', 'updated_at', 'withdrawn', 'code_url', 'project_url', 'upvotes', 'comments_count', 'hotness', 'source_hash', 'created_at', 'modified_at'] },
  { name: 'paper_versions', key: ['paper_id', 'version'], columns: ['paper_id', 'version', 'submitted_at', 'size'] },
  { name: 'paper_authors', key: ['paper_id', 'position'], columns: ['paper_id', 'position', 'name'],
    derived: { column: 'name_key', from: 'name', compute: (name) => authorNameKey(String(name)) } },
  { name: 'paper_categories', key: ['paper_id', 'category'], columns: ['paper_id', 'category', 'is_primary', 'position'] },
  { name: 'announcements', key: ['day', 'paper_id'], columns: ['day', 'paper_id', 'announce_type'] },
  { name: 'daily_entries', key: ['paper_id'], columns: ['paper_id', 'day', 'submitted_at', 'submitted_by', 'featured', 'pinned', 'hidden', 'added_by_curator'] },
  // When each day's list last changed: feeds' Last-Modified must not move back on the target.
  { name: 'list_changes', key: ['list', 'day'], columns: ['list', 'day', 'changed_at'] },
  { name: 'votes', key: ['user_id', 'paper_id'], columns: ['user_id', 'paper_id', 'created_at'] },
  // Ordered by id, a reply comes after the comment it answers.
  { name: 'comments', key: ['id'], serial: 'id', columns: ['id', 'paper_id', 'user_id', 'parent_id', 'body', 'score', 'created_at', 'edited_at', 'deleted_at', 'hidden_at'] },
  { name: 'comment_votes', key: ['user_id', 'comment_id'], columns: ['user_id', 'comment_id', 'created_at'] },
  { name: 'comment_reports', key: ['comment_id', 'user_id'], columns: ['comment_id', 'user_id', 'reason', 'created_at', 'resolved_at'] },
  { name: 'collections', key: ['id'], serial: 'id', columns: ['id', 'user_id', 'name', 'slug', 'is_public', 'created_at', 'changed_at'] },
  { name: 'collection_items', key: ['collection_id', 'paper_id'], columns: ['collection_id', 'paper_id', 'added_at'] },
  { name: 'subscriptions', key: ['id'], serial: 'id', columns: ['id', 'email', 'user_id', 'period', 'kind', 'query', 'created_at', 'confirmed_at', 'unsubscribed_at', 'bounced_at', 'token_nonce', 'confirm_sent_at', 'bounce_reason', 'updated_at'] },
  { name: 'outbox', key: ['id'], serial: 'id', columns: ['id', 'subscription_id', 'period_key', 'status', 'lease_owner', 'lease_until', 'attempts', 'message_id', 'last_error', 'created_at', 'sent_at', 'period', 'window_from', 'window_to', 'not_before', 'expires_at', 'handed_at', 'paper_ids', 'run_id'] },
  { name: 'author_follows', key: ['user_id', 'author_name'], columns: ['user_id', 'author_name', 'created_at'] },
  { name: 'not_interested', key: ['user_id', 'paper_id'], columns: ['user_id', 'paper_id', 'created_at'] },
  // Keywords are derived from the papers, but carrying them saves recomputing them on the target.
  { name: 'paper_keywords', key: ['paper_id', 'position'], columns: ['paper_id', 'position', 'keyword', 'score'] },
  { name: 'paper_keyword_state', key: ['paper_id'], columns: ['paper_id', 'source_hash', 'computed_at'] },
  { name: 'api_tokens', key: ['id'], serial: 'id', columns: ['id', 'user_id', 'name', 'token_hash', 'prefix', 'scope', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'] },
  { name: 'email_tokens', key: ['token_hash'], columns: ['token_hash', 'user_id', 'purpose', 'email', 'created_at', 'expires_at', 'used_at'] },
  // Signing keys: links already mailed (unsubscribe, confirmations) keep working on the new store.
  { name: 'instance_secrets', key: ['name'], state: true, columns: ['name', 'value', 'created_at'] },
  // Checkpoints (harvest watermarks, the digest's last date); leases are not carried over.
  { name: 'jobs', key: ['name'], state: true, columns: ['name', 'state', 'updated_at'] },
  { name: 'job_runs', key: ['id'], serial: 'id', state: true, columns: ['id', 'job', 'mode', 'started_at', 'finished_at', 'status', 'counts', 'error'] },
];

/**
 * Tables deliberately left out, and why: sessions (everyone signs in again), rate-limit windows
 * (seconds long), the search index and its change log (rebuilt from the papers on the target),
 * the keyword model (counted again by the target's first keyword refresh), and the migration log
 * (the target's own).
 */
export const SKIPPED_TABLES: readonly string[] = [
  'sessions', 'rate_limits', 'search_changes', 'search_index_parts', 'search_index_meta', 'keyword_model', 'schema_migrations',
];

/**
 * Tables one store has and the other lacks, each the target's own: PostgreSQL's commit counter for
 * page caches, and its search engine's documents (kept by triggers on the target), word statistics,
 * model and vectors (rebuilt on the target by paperboy reindex).
 */
export const STORE_OWN_TABLES: readonly string[] = [
  'change_counter', 'paper_search_documents', 'search_lexeme_stats', 'search_models', 'search_model_parts', 'search_paper_vectors',
];

export type Row = Record<string, unknown>;
/** The store's connection without the compile-time schema: table and column names come from INSTANCE_TABLES. */
type LooseDb = Kysely<Record<string, Row>>;
const loose = (db: Kysely<Database> | Transaction<Database>) => db as unknown as LooseDb;

export async function countRows(db: Kysely<Database> | Transaction<Database>, table: string): Promise<number> {
  const r = await loose(db).selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Up to `limit` rows after the key `after` (null: from the start), in key order, as value arrays. */
export async function readPage(
  db: Kysely<Database> | Transaction<Database>, spec: TableSpec, after: unknown[] | null, limit: number,
): Promise<unknown[][]> {
  let q = loose(db).selectFrom(spec.name).select(spec.columns as string[]);
  if (after) {
    q = spec.key.length === 1
      ? q.where(spec.key[0]!, '>', after[0])
      : q.where(({ eb, refTuple, tuple }) => eb(
        (refTuple as (...a: string[]) => never)(...(spec.key as string[])), '>', (tuple as (...a: unknown[]) => never)(...after)));
  }
  for (const k of spec.key) q = q.orderBy(k);
  const rows = await q.limit(limit).execute();
  return rows.map((r) => spec.columns.map((c) => r[c]));
}

/** The key of a row read by readPage. */
export function keyOf(spec: TableSpec, values: unknown[]): unknown[] {
  return spec.key.map((k) => values[spec.columns.indexOf(k)]);
}

/** Bound parameters per INSERT: under SQLite's limit of 32,766 and PostgreSQL's 65,535. */
const PARAMS_PER_INSERT = 10_000;

/** Inserts rows given as value arrays of `columns` (a subset of the table's). */
export async function insertRows(trx: Transaction<Database>, table: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
  const derived = INSTANCE_TABLES.find((s) => s.name === table)?.derived;
  const from = derived ? columns.indexOf(derived.from) : -1;
  const perInsert = Math.max(1, Math.floor(PARAMS_PER_INSERT / (columns.length + 1)));
  for (let i = 0; i < rows.length; i += perInsert) {
    const values = rows.slice(i, i + perInsert).map((r) => {
      const row: Row = Object.fromEntries(columns.map((c, j) => [c, r[j]]));
      if (derived && from >= 0) row[derived.column] = derived.compute(r[from]);
      return row;
    });
    await loose(trx).insertInto(table).values(values).execute();
  }
}

/** Deletes every row of the instance's tables (children first), sessions included. */
export async function clearInstance(trx: Transaction<Database>, tables: readonly TableSpec[] = INSTANCE_TABLES): Promise<void> {
  await loose(trx).deleteFrom('sessions').execute();
  for (const spec of [...tables].reverse()) await loose(trx).deleteFrom(spec.name).execute();
}

/** After explicit ids were inserted, moves PostgreSQL's sequences past them (SQLite needs nothing). */
export async function resetSequences(trx: Transaction<Database>, dialect: 'sqlite' | 'postgres', tables: readonly TableSpec[] = INSTANCE_TABLES): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const spec of tables) {
    if (!spec.serial) continue;
    await sql`SELECT setval(pg_get_serial_sequence(${spec.name}, ${spec.serial}), COALESCE((SELECT MAX(${sql.ref(spec.serial)}) FROM ${sql.table(spec.name)}), 0) + 1, false)`.execute(trx);
  }
}

/**
 * Tables and columns of the live database that no transfer covers: each must be added to
 * INSTANCE_TABLES or SKIPPED_TABLES, or an export would silently leave data behind.
 */
export async function uncoveredSchema(db: Kysely<Database>): Promise<string[]> {
  const tables = await db.introspection.getTables();
  const problems: string[] = [];
  for (const t of tables) {
    if (t.isView || t.name.startsWith('sqlite_')) continue;
    if (SKIPPED_TABLES.includes(t.name) || STORE_OWN_TABLES.includes(t.name)) continue;
    const spec = INSTANCE_TABLES.find((s) => s.name === t.name);
    if (!spec) { problems.push(`table ${t.name}`); continue; }
    const leftOut = spec.name === 'jobs' ? ['lease_owner', 'lease_until'] : spec.derived ? [spec.derived.column] : [];
    for (const c of t.columns) {
      if (!spec.columns.includes(c.name) && !leftOut.includes(c.name)) problems.push(`column ${t.name}.${c.name}`);
    }
  }
  return problems;
}
