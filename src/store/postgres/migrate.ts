/**
 * Forward-only migrations for the shared store (PostgreSQL): numbered SQL files, each applied in
 * its own transaction and recorded in schema_migrations, exactly as on the embedded store.
 *
 * Adding a migration: write `NNN_name.sql` twice, once in src/store/sqlite/migrations and once in
 * src/store/postgres/migrations, with the same number and name and the same meaning (same tables,
 * columns, indexes; each in its dialect). A test (test/store/migrations.test.ts) fails when the two
 * folders disagree. When a change only concerns one store, the other gets a file that says so.
 * A value only the program can compute is set by a `-- @backfill NAME` line (src/store/backfills.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { bundledMigrations, type Migration, type SchemaStatus } from '../sqlite/migrate.ts';
import { migrationParts, POSTGRES_BACKFILLS } from '../backfills.ts';
import { holdConnection, type HeldConnection } from './connection.ts';

export const POSTGRES_MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Any number would do: one lock id so that two processes starting together migrate one after the other. */
const MIGRATION_LOCK_ID = 8_150_001;

const ENSURE_TABLE = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';

export function postgresMigrations(): Migration[] {
  return bundledMigrations(POSTGRES_MIGRATIONS_DIR);
}

async function appliedVersions(client: Pick<HeldConnection, 'query'>): Promise<Set<number>> {
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((r) => r.version));
}

export async function postgresSchemaStatus(pool: pg.Pool, migrations = postgresMigrations()): Promise<SchemaStatus> {
  const { rows } = await pool.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  const applied = rows[0]?.t ? await appliedVersions(pool) : new Set<number>();
  const current = Math.max(0, ...applied);
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  return { current, latest, pending: migrations.filter((m) => !applied.has(m.version)).map((m) => m.name), tooNew: current > latest };
}

/** Applies pending migrations; returns the names applied. Safe to run from several processes at once. */
export async function migratePostgres(pool: pg.Pool, now: string, migrations = postgresMigrations()): Promise<string[]> {
  // One connection for the lock and the transactions, its loss an error of this call (never an unhandled 'error' event).
  return holdConnection(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await client.query(ENSURE_TABLE);
      const applied = await appliedVersions(client);
      const done: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        try {
          await client.query('BEGIN');
          for (const part of migrationParts(m.sql)) {
            if (part.kind === 'sql') { await client.query(part.text); continue; }
            const step = POSTGRES_BACKFILLS[part.name];
            if (!step) throw new Error(`no backfill step named ${part.name}`);
            await step(client);
          }
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(`store/migrate: ${m.name} failed, nothing of it was applied: ${(err as Error).message}`);
        }
        done.push(m.name);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
    }
  });
}
