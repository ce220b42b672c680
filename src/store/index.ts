/**
 * The store: one object the services use, whichever database is behind it.
 * `openStore(url)` picks the implementation from DATABASE_URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Driver, RawBuilder, Transaction } from 'kysely';
import { CompiledQuery, Kysely, PostgresDialect, sql, SqliteDialect } from './kysely.ts';
import type pg from 'pg';
import type { DailyEntryRecord, PaperRecord } from '../domain/paper.ts';
import type { Database } from './schema.ts';
import type { JobRun, ListQuery, Page, PaperCard, PaperDetail, StoreStats, UpsertCounts } from './types.ts';
import { migrateSqlite, schemaStatus, type SchemaStatus } from './sqlite/migrate.ts';
import { StripNulPlugin } from './postgres/no-nul-plugin.ts';
import { folderWriteProblem, notAPlainFile, sqlitePathOf } from './database-url.ts';
import { migratePostgres, postgresSchemaStatus } from './postgres/migrate.ts';
import { postgresIntegrityProblems, postgresPool, redactUrl, ChangeCounterPoller, holdConnection, type HeldConnection } from './postgres/connection.ts';
import { lockKey, lockPaperRows } from './dialect.ts';
import { findPaperById, previewUpsert, upsertPapers } from './papers.ts';
import { keepCardDetails } from './cards.ts';
import {
  addDailyEntries, latestAnnouncedDay, latestDailyDay, listAnnouncedPapers, listDailyPapers,
  neighbourAnnouncedDays, neighbourDailyDays,
} from './listings.ts';
import { ensureDemoUsers, insertVotes, refreshPaperRanking } from './votes.ts';
import { acquireLease, finishJobRun, forgetRunLease, interruptJobRun, listJobRuns, listRunningRuns, readJobState, releaseLease, reopenJobRun, startJobRun, writeJobState, writeJobStateIn, type JobStateWrite } from './jobs.ts';

export type { SchemaStatus };

/** The store behind the app. Each method is one use of the database; writes are transactions. */
export class Store {
  /** Committed write transactions of this process: with SQLite's data_version, tells when data changed. */
  private writes = 0;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
    private readonly raw: BetterSqlite3.Database | null,
    /** Where the data lives, for logs: a file path or a redacted URL. */
    readonly location: string,
    /** The connection pool of the shared store (PostgreSQL); null on SQLite. */
    private readonly pool: pg.Pool | null = null,
    /** The DATABASE_URL it was opened with, to open it again (another connection, a child process); not for logs. */
    readonly url: string = `sqlite:${location}`,
  ) {
    this.changes = pool ? new ChangeCounterPoller(pool) : null;
    // Prepared once: pragma() prepares a statement on every call, and this is read on most requests.
    this.dataVersion = raw ? raw.prepare<[], number>('PRAGMA data_version').pluck() : null;
    keepCardDetails(db, () => this.detailsToken());
  }

  /** On PostgreSQL: the shared commit counter, read in the background (other processes' writes). */
  private readonly changes: ChangeCounterPoller | null;
  /** On SQLite: `PRAGMA data_version`, moved by other connections' commits. */
  private readonly dataVersion: BetterSqlite3.Statement<[], number> | null;

  /**
   * Applies pending migrations; returns the names applied. Refuses (before touching anything) a
   * database migrated by a newer build: every command that migrates, `migrate` itself included,
   * stops there with the message `serve` gives.
   */
  async migrate(now: string): Promise<string[]> {
    const status = await this.schemaStatus();
    if (status.tooNew) throw new Error(`store: the database schema (${status.current}) is newer than this build (${status.latest}); upgrade Paperboy`);
    return this.pool ? migratePostgres(this.pool, now) : migrateSqlite(this.raw!, now);
  }

  /** PostgreSQL only: runs `fn` with one connection held throughout (session advisory locks), its loss recorded, not thrown at the process. */
  async holdConnection<T>(fn: (conn: HeldConnection) => Promise<T>): Promise<T> {
    if (!this.pool) throw new Error('store: holdConnection needs the PostgreSQL store');
    return holdConnection(this.pool, fn);
  }

  /**
   * PostgreSQL only: runs `fn` holding session advisory lock `lockId` (ids 8150001… are ours) on a
   * connection kept for the whole run. A lost connection took its lock with it, so work that must
   * not go on without it checks `conn.check()`.
   */
  async withSessionLock<T>(lockId: number, fn: (conn: HeldConnection) => Promise<T>): Promise<T> {
    return this.holdConnection(async (conn) => {
      await conn.query('SELECT pg_advisory_lock($1)', [lockId]);
      try {
        return await fn(conn);
      } finally {
        if (!conn.lost()) await conn.query('SELECT pg_advisory_unlock($1)', [lockId]);
      }
    });
  }

  async schemaStatus(): Promise<SchemaStatus> {
    return this.pool ? postgresSchemaStatus(this.pool) : schemaStatus(this.raw!);
  }

  /**
   * A write transaction. `detailsUnchanged`: it changes no paper's authors, categories or keywords
   * (votes, comments), so what is kept under detailsToken() stays valid. `lock`: a key (an address,
   * "submissions:7") that transactions of other processes holding the same key wait for, so a check
   * made inside still holds at commit (lockKey; SQLite runs one writer at a time anyway).
   */
  async transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>, opts: { detailsUnchanged?: boolean; lock?: string } = {}): Promise<T> {
    try {
      const trx = await this.db.startTransaction().execute();
      try {
        if (opts.lock !== undefined) await lockKey(trx, opts.lock);
        const result = await fn(trx);
        await trx.commit().execute();
        return result;
      } catch (err) {
        // SQLite ends the transaction itself on some failures (a full disk, an I/O error), in a
        // statement or at COMMIT: the ROLLBACK then fails ("no transaction is active"). The cause
        // is what to report; the connection is released either way.
        await trx.rollback().execute().catch(() => {});
        throw err;
      }
    } finally {
      this.writes++;
      if (!opts.detailsUnchanged) this.detailWrites++;
    }
  }

  /** Committed write transactions of this process that may have changed papers' authors, categories or keywords. */
  private detailWrites = 0;

  /**
   * Like changeToken(), but not moved by this process's votes and comments: what is derived only
   * from papers' authors, categories and keywords (card details) can be kept while it stands.
   */
  detailsToken(): string {
    const external = this.dataVersion ? String(this.dataVersion.get()) : this.changes!.current();
    return `${external}:${this.detailWrites}`;
  }

  /**
   * A token that changes whenever the data may have changed: a write by this process, or a commit
   * by another connection such as a CLI import or another app process (SQLite's data_version; on
   * PostgreSQL a shared commit counter read at most every 250 ms). Cheap enough for every request.
   */
  changeToken(): string {
    const external = this.dataVersion ? String(this.dataVersion.get()) : this.changes!.current();
    return `${external}:${this.writes}`;
  }

  /** Upserts a batch of papers and their daily entries in one transaction. */
  async importBatch(
    batch: { records: PaperRecord[]; partialRecords?: PaperRecord[]; entries: DailyEntryRecord[] }, now: string,
  ): Promise<UpsertCounts & { listed: number }> {
    const { records, partialRecords = [], entries } = batch;
    return this.transaction(async (trx) => {
      // All of the batch's papers at once, in lock order: two imports whose full and partial records
      // overlap would otherwise lock them in two rounds, and could each wait for the other.
      await lockPaperRows(trx, [...records, ...partialRecords].map((r) => r.id).concat(entries.map((e) => e.paperId)));
      const full = await upsertPapers(trx, records, now);
      const partial = await upsertPapers(trx, partialRecords, now, { onlyInsert: true });
      // A known paper is left as it is, except for a publication date it lacks (stored from a source
      // that had none); that changes its trending key when it is on no Daily list.
      const dated = await datePapersWithoutPublishedAt(trx, partialRecords, now);
      const counts = {
        new: full.new + partial.new, updated: full.updated + dated.length, unchanged: full.unchanged + partial.unchanged - dated.length,
        announced: full.announced + partial.announced,
      };
      const listed = await addDailyEntries(trx, entries, now);
      if (listed > 0 || dated.length > 0) await refreshPaperRanking(trx, [...(listed > 0 ? entries.map((e) => e.paperId) : []), ...dated], now);
      return { ...counts, listed };
    });
  }

  /**
   * Stores one page of an ingestion run and its checkpoint in one transaction: after a crash the
   * run resumes from the checkpoint of the last page that is in the store, never from a later one.
   */
  async ingestPage(records: PaperRecord[], checkpoint: JobStateWrite | JobStateWrite[] | null, now: string): Promise<UpsertCounts> {
    return this.transaction(async (trx) => {
      const counts = await upsertPapers(trx, records, now);
      for (const c of checkpoint === null ? [] : Array.isArray(checkpoint) ? checkpoint : [checkpoint]) await writeJobStateIn(trx, c, now);
      return counts;
    });
  }

  /** What ingestPage would count for `records`, without writing (a dry run). */
  previewPage(records: PaperRecord[]): Promise<UpsertCounts> { return previewUpsert(this.db, records); }

  async upsertPapers(records: PaperRecord[], now: string): Promise<UpsertCounts> {
    return this.transaction((trx) => upsertPapers(trx, records, now));
  }

  findPaperById(id: string): Promise<PaperDetail | null> { return findPaperById(this.db, id); }
  listDailyPapers(q: ListQuery): Promise<Page<PaperCard>> { return listDailyPapers(this.db, q); }
  listAnnouncedPapers(q: ListQuery): Promise<Page<PaperCard>> { return listAnnouncedPapers(this.db, q); }
  latestDailyDay(): Promise<string | null> { return latestDailyDay(this.db); }
  latestAnnouncedDay(category?: string): Promise<string | null> { return latestAnnouncedDay(this.db, category); }
  neighbourDailyDays(day: string, until?: string) { return neighbourDailyDays(this.db, day, until); }
  neighbourAnnouncedDays(day: string) { return neighbourAnnouncedDays(this.db, day); }

  /** Adds generated demo votes: `votesByPaper` maps a paper to how many demo readers upvote it. */
  async seedDemoVotes(votesByPaper: Map<string, number>, now: string): Promise<number> {
    const max = Math.max(0, ...votesByPaper.values());
    return this.transaction(async (trx) => {
      const users = await ensureDemoUsers(trx, max, now);
      const votes = [...votesByPaper].flatMap(([paperId, n]) => users.slice(0, n).map((userId) => ({ userId, paperId, createdAt: now })));
      return insertVotes(trx, votes, now);
    });
  }

  async isEmpty(): Promise<boolean> {
    const row = await this.db.selectFrom('papers').select('id').limit(1).executeTakeFirst();
    return !row;
  }

  async stats(): Promise<StoreStats> {
    const count = (t: 'papers' | 'daily_entries' | 'announcements' | 'users' | 'votes') =>
      this.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n));
    const [papers, dailyEntries, announcements, users, votes, demo, span] = await Promise.all([
      count('papers'), count('daily_entries'), count('announcements'), count('users'), count('votes'),
      this.db.selectFrom('votes as v').innerJoin('users as u', 'u.id', 'v.user_id').where('u.is_demo', '=', 1)
        .select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      this.db.selectFrom('daily_entries').select((eb) => [eb.fn.min('day').as('first'), eb.fn.max('day').as('last')]).executeTakeFirstOrThrow(),
    ]);
    return { papers, dailyEntries, announcements, users, votes, demoVotes: Number(demo.n), firstDay: span.first ?? null, lastDay: span.last ?? null };
  }

  startJobRun(job: string, mode: string | null, now: string) { return startJobRun(this.db, job, mode, now); }
  finishJobRun(id: number, result: Parameters<typeof finishJobRun>[2], now: string) { return finishJobRun(this.db, id, result, now); }
  listJobRuns(limit: number, job?: string): Promise<JobRun[]> { return listJobRuns(this.db, limit, job); }
  listRunningRuns() { return listRunningRuns(this.db); }
  interruptJobRun(id: number, error: string, now: string) { return interruptJobRun(this.db, id, error, now); }
  forgetRunLease(id: number) { return forgetRunLease(this.db, id); }
  reopenJobRun(id: number) { return reopenJobRun(this.db, id); }
  readJobState<T>(name: string) { return readJobState<T>(this.db, name); }
  writeJobState(name: string, state: unknown, now: string) { return writeJobState(this.db, name, state, now); }
  acquireLease(name: string, owner: string, until: string, now: string) { return acquireLease(this.db, name, owner, until, now); }
  releaseLease(name: string, owner: string, now: string) { return releaseLease(this.db, name, owner, now); }

  /**
   * SQLite's own consistency check plus foreign keys; on PostgreSQL (which enforces keys itself)
   * counters checked against the rows they count. Empty when all is well.
   */
  async integrityProblems(): Promise<string[]> {
    const counters = await counterProblems(this.db);
    if (!this.raw) return [...await postgresIntegrityProblems(this.pool!), ...counters];
    const integrity = (this.raw.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).filter((r) => r !== 'ok');
    const fk = (this.raw.pragma('foreign_key_check') as unknown[]).map((r) => `foreign key: ${JSON.stringify(r)}`);
    return [...integrity, ...fk, ...counters];
  }

  /** Ready to serve: the database answers and its schema is the one this build expects. */
  async readiness(): Promise<{ ok: boolean; problem: string | null }> {
    try {
      const status = await this.schemaStatus();
      if (status.pending.length > 0) return { ok: false, problem: `migrations pending: ${status.pending.join(', ')}` };
      if (status.tooNew) return { ok: false, problem: `database schema ${status.current} is newer than this build (${status.latest})` };
      return { ok: true, problem: null };
    } catch (err) {
      return { ok: false, problem: `store unreachable: ${(err as Error).message}` };
    }
  }

  /**
   * True when writing `file` would write over this store's database or one of its side files
   * (SQLite's -wal, -shm, -journal), however it is named: a relative path, a link. Backups and
   * exports refuse such a target. Always false on PostgreSQL, whose files are the server's.
   */
  isOwnFile(file: string): boolean {
    if (!this.raw) return false;
    const target = path.resolve(file);
    const live = path.resolve(this.location);
    const sameFile = (a: string, b: string) => {
      const sa = fs.statSync(a, { throwIfNoEntry: false });
      const sb = fs.statSync(b, { throwIfNoEntry: false });
      return a === b || (sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino);
    };
    return ['', '-wal', '-shm', '-journal'].some((suffix) => sameFile(target, `${live}${suffix}`));
  }

  /**
   * A consistent copy of the live database (SQLite's online backup: readers and writers go on),
   * written beside the target and renamed over it once complete: a backup that fails (a full disk)
   * leaves the last good copy as it was, not a partial file under its name.
   */
  async backup(file: string): Promise<{ bytes: number }> {
    if (!this.raw) {
      throw new Error(`store/backup: PostgreSQL is backed up with its own tools, while the site runs: pg_dump --format=custom --file=${file} "$DATABASE_URL" (restore with pg_restore; see docs/postgres.md)`);
    }
    const target = path.resolve(file);
    if (this.isOwnFile(file)) {
      throw new Error(`store/backup: ${file} is the live database (or one of its files); write the copy elsewhere`);
    }
    // Checked before anything else: the owner-only mode below must never land on the operator's folder (or a device).
    const problem = notAPlainFile(file);
    if (problem) throw new Error(`store/backup: ${file} ${problem}; name the file to write${problem === 'is a folder' ? ` in it, such as ${path.join(file, 'paperboy-YYYY-MM-DD.db')}` : ''}`);
    const unwritable = folderWriteProblem(path.dirname(target));
    if (unwritable) throw new Error(`store/backup: ${unwritable}; nothing was written`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Owner-only, like an export: the copy holds password hashes and the instance's secrets.
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
      fs.writeFileSync(tmp, '', { mode: 0o600 });
      await this.raw.backup(tmp);
      fs.chmodSync(tmp, 0o600);
      fs.renameSync(tmp, target);
    } catch (err) {
      for (const f of [tmp, `${tmp}-journal`]) fs.rmSync(f, { force: true });
      throw err;
    }
    return { bytes: fs.statSync(target).size };
  }

  async close(): Promise<void> {
    this.changes?.stop();
    await this.db.destroy();
    // Kysely ends the pool only if it ran a query itself; a store that only used the pool directly
    // (a schema check that refused the database) would otherwise keep the process alive 10 s.
    if (this.pool && !this.pool.ended) await this.pool.end();
  }
}

/**
 * Gives the stored papers of `records` that have no publication date the one their record brings,
 * in the caller's transaction; a date already stored is kept. Returns the ids it dated.
 */
async function datePapersWithoutPublishedAt(trx: Transaction<Database>, records: PaperRecord[], now: string): Promise<string[]> {
  const dates = new Map(records.filter((r) => r.publishedAt).map((r) => [r.id, r.publishedAt!]));
  const ids = [...dates.keys()];
  const undated: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await trx.selectFrom('papers').select('id').where('id', 'in', ids.slice(i, i + 500)).where('published_at', 'is', null).execute();
    undated.push(...rows.map((r) => r.id));
  }
  for (const id of undated) {
    const at = dates.get(id)!;
    await trx.updateTable('papers')
      .set({ published_at: at, updated_at: sql<string>`coalesce(updated_at, ${at})`, modified_at: now })
      .where('id', '=', id).where('published_at', 'is', null)
      .execute();
  }
  return undated;
}

/** Opens the shared store: a connection pool for Kysely; the schema is checked by readiness. */
async function openPostgres(url: string): Promise<Store> {
  const pool = await postgresPool(url);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    // node-postgres never falls back to an unencrypted connection, whatever libpq does for these modes.
    const hint = /does not support SSL/i.test((err as Error).message) && /[?&]sslmode=(prefer|allow)(&|$)/.test(url)
      ? ' (sslmode=prefer and allow do not fall back to an unencrypted connection here: use sslmode=disable for a server without TLS)' : '';
    throw new Error(`store: cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}${hint}`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new StripNulPlugin()] });
  return new Store(db, 'postgres', null, redactUrl(url), pool, url);
}

/** Kysely prepares every query anew; the same SQL text is prepared once here (measured: ~15% of a page's time). */
const STATEMENT_CACHE_SIZE = 500;
function withStatementCache(raw: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return new Proxy(raw, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value; // native methods need the real object as `this`
      }
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (!stmt) {
          stmt = target.prepare(sql);
          if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
          cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}

/**
 * Write transactions start with BEGIN IMMEDIATE: the write lock is taken at the start, so a
 * transaction that reads before it writes waits for another process's writer (busy_timeout)
 * instead of failing with "database is locked" when it tries to upgrade a stale read snapshot.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => { await connection.executeQuery(CompiledQuery.raw('begin immediate')); };
    return driver;
  }
}

/** Stored counters that must equal the rows they count, on either store. */
async function counterProblems(db: Kysely<Database>): Promise<string[]> {
  const checks: [string, RawBuilder<{ n: number | string }>][] = [
    ['papers whose upvotes differ from their vote rows',
      sql`SELECT count(*) AS n FROM papers p WHERE p.upvotes <> (SELECT count(*) FROM votes v WHERE v.paper_id = p.id)`],
    ['papers whose comment count differs from their comments',
      sql`SELECT count(*) AS n FROM papers p WHERE p.comments_count <> (SELECT count(*) FROM comments c WHERE c.paper_id = p.id AND c.deleted_at IS NULL AND c.hidden_at IS NULL)`],
    ['comments whose score differs from their vote rows',
      sql`SELECT count(*) AS n FROM comments c WHERE c.score <> (SELECT count(*) FROM comment_votes v WHERE v.comment_id = c.id)`],
  ];
  const problems: string[] = [];
  for (const [what, query] of checks) {
    const n = Number((await query.execute(db)).rows[0]?.n ?? 0);
    if (n > 0) problems.push(`${what}: ${n}`);
  }
  return problems;
}

/** SQLite: how long a write waits for another process's write lock before it fails as busy, ms. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens the store named by DATABASE_URL (a file path, `sqlite:PATH`, or `postgres://`).
 * `busyTimeoutMs` (SQLite only) replaces SQLITE_BUSY_TIMEOUT_MS, for tests that wait it out.
 */
export async function openStore(url: string, options: { busyTimeoutMs?: number } = {}): Promise<Store> {
  const file = sqlitePathOf(url);
  if (file === null) return openPostgres(url);
  if (file !== ':memory:') {
    // Owner-only, like exports and backups: the database holds password hashes and the instance's
    // secrets (SQLite gives its -wal and -shm files the database file's permissions).
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (!fs.existsSync(file)) fs.writeFileSync(file, '', { mode: 0o600, flag: 'a' });
  }
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(file);
    raw.pragma('journal_mode = WAL');
  } catch (err) {
    // WAL mode writes -wal and -shm files beside the database: a folder not writable (a read-only
    // mount) fails here, with a message that names no file.
    const hint = /unable to open|readonly/i.test((err as Error).message)
      ? ` (SQLite needs to write the file and to create ${path.basename(file)}-wal and -shm beside it: is ${path.dirname(file)} writable?)` : '';
    throw new Error(`store: cannot open SQLite database ${file}: ${(err as Error).message}${hint}`);
  }
  raw.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across process crashes, fast commits
  raw.pragma('foreign_keys = ON');
  raw.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS))}`);
  raw.pragma('cache_size = -65536'); // 64 MiB page cache
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(raw) }) });
  return new Store(db, 'sqlite', raw, file);
}
