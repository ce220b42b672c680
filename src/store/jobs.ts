/**
 * Job runs: when each job ran, in what mode, with what counts and errors (shown to admins).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { lockKey } from './dialect.ts';
import type { JobRun } from './types.ts';

export async function startJobRun(db: Kysely<Database>, job: string, mode: string | null, now: string): Promise<number> {
  const row = await db.insertInto('job_runs').values({ job, mode, started_at: now, status: 'running' }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Records how a run ended: status, counts, error and finish time, all four in one statement. A run
 * closed as interrupted meanwhile (its process stalled past its lease) gets its real end too, which
 * replaces every field the closing wrote, so no trace of the closing is left beside it.
 */
export async function finishJobRun(
  db: Kysely<Database>, id: number, result: { status: 'ok' | 'failed'; counts: Record<string, number>; error?: string | null }, now: string,
): Promise<void> {
  await db.updateTable('job_runs')
    .set({ finished_at: now, status: result.status, counts: JSON.stringify(result.counts), error: result.error ?? null })
    .where('id', '=', id).execute();
}

export async function listJobRuns(db: Kysely<Database>, limit: number, job?: string): Promise<JobRun[]> {
  let q = db.selectFrom('job_runs').selectAll().orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit);
  if (job) q = q.where('job', '=', job);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id, job: r.job, mode: r.mode, startedAt: r.started_at, finishedAt: r.finished_at, status: r.status,
    counts: r.counts ? (JSON.parse(r.counts) as Record<string, number>) : null, error: r.error,
  }));
}

/** A job's checkpoint (watermarks, resumption tokens), or null. */
export async function readJobState<T>(db: Kysely<Database> | Transaction<Database>, name: string): Promise<T | null> {
  const row = await db.selectFrom('jobs').select('state').where('name', '=', name).executeTakeFirst();
  return row?.state ? (JSON.parse(row.state) as T) : null;
}

export async function writeJobState(db: Kysely<Database> | Transaction<Database>, name: string, state: unknown, now: string): Promise<void> {
  const value = state === null ? null : JSON.stringify(state);
  await db.insertInto('jobs').values({ name, state: value, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ state: value, updated_at: now }))
    .execute();
}

/**
 * A checkpoint written with a page: either its new state, or `update`, which is given the state
 * stored now (read in the page's transaction, after any other writer of the same job committed) and
 * returns the state to store, or undefined to leave it as it is.
 */
export type JobStateWrite =
  | { job: string; state: unknown }
  | { job: string; update: (current: unknown) => unknown };

/**
 * Writes `w` inside `trx`. An `update` reads and writes under the job's lock (PostgreSQL: an
 * advisory lock on its name, held to the end of the transaction; SQLite: the write lock that
 * BEGIN IMMEDIATE took), so two transactions updating one job's state run one after the other and
 * the second sees what the first wrote: a value that may only move forward (a harvest's watermark)
 * cannot be moved back by a writer that read it before another moved it.
 */
export async function writeJobStateIn(trx: Transaction<Database>, w: JobStateWrite, now: string): Promise<void> {
  if ('state' in w) return writeJobState(trx, w.job, w.state, now);
  await lockKey(trx, `jobs:${w.job}`);
  const next = w.update(await readJobState(trx, w.job));
  if (next !== undefined) await writeJobState(trx, w.job, next, now);
}

/**
 * Takes the named lease until `until` if nobody holds an unexpired one; true when taken. One
 * statement, so two processes can never both take it.
 */
export async function acquireLease(db: Kysely<Database>, name: string, owner: string, until: string, now: string): Promise<boolean> {
  await db.insertInto('jobs').values({ name, state: null, updated_at: now }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const res = await db.updateTable('jobs')
    .set({ lease_owner: owner, lease_until: until, updated_at: now })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function releaseLease(db: Kysely<Database>, name: string, owner: string, now: string): Promise<void> {
  await db.updateTable('jobs').set({ lease_owner: null, lease_until: null, updated_at: now })
    .where('name', '=', name).where('lease_owner', '=', owner).execute();
}

/** The jobs-table row that says a run's process is alive: its lease, renewed while the run goes on. */
export const runLeaseName = (runId: number) => `run:${runId}`;

/** Runs still marked running, with the lease of the process running each (null when it took none). */
export async function listRunningRuns(db: Kysely<Database>): Promise<{ id: number; job: string; startedAt: string; leaseOwner: string | null; leaseUntil: string | null; hasLease: boolean }[]> {
  const runs = await db.selectFrom('job_runs').select(['id', 'job', 'started_at']).where('status', '=', 'running').execute();
  if (runs.length === 0) return [];
  const leases = await db.selectFrom('jobs').select(['name', 'lease_owner', 'lease_until'])
    .where('name', 'in', runs.map((r) => runLeaseName(r.id))).execute();
  const byName = new Map(leases.map((l) => [l.name, l]));
  return runs.map((r) => {
    const lease = byName.get(runLeaseName(r.id));
    return { id: r.id, job: r.job, startedAt: r.started_at, leaseOwner: lease?.lease_owner ?? null, leaseUntil: lease?.lease_until ?? null, hasLease: lease !== undefined };
  });
}

/** Closes a run whose process is gone as failed, if it is still marked running; true when it was. */
export async function interruptJobRun(db: Kysely<Database>, id: number, error: string, now: string): Promise<boolean> {
  const res = await db.updateTable('job_runs').set({ status: 'failed', finished_at: now, error })
    .where('id', '=', id).where('status', '=', 'running').executeTakeFirst();
  await db.deleteFrom('jobs').where('name', '=', runLeaseName(id)).execute();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Opens again a run that was closed as interrupted from outside (its lease had lapsed: its process
 * stalled) when its process turns out to be alive: it is `running` again, with no finish time and no
 * error. A run its own process recorded (counts are always set then, Ctrl-C included) is never
 * opened again. True when it was.
 */
export async function reopenJobRun(db: Kysely<Database>, id: number): Promise<boolean> {
  const res = await db.updateTable('job_runs').set({ status: 'running', finished_at: null, error: null })
    .where('id', '=', id).where('status', '=', 'failed').where('counts', 'is', null).where('error', 'like', 'interrupted:%')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Removes a finished run's lease row. */
export async function forgetRunLease(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom('jobs').where('name', '=', runLeaseName(id)).execute();
}
