/**
 * Forward-only migrations for the embedded store: numbered SQL files, each applied in its own
 * transaction and recorded in schema_migrations.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { migrationParts, SQLITE_BACKFILLS } from '../backfills.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations shipped with this build, in order. */
export function bundledMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs.readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

function ensureTable(db: BetterSqlite3.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
}

export interface SchemaStatus {
  current: number;
  latest: number;
  pending: string[];
  /** Set when the database was migrated by a newer build than this one. */
  tooNew: boolean;
}

export function schemaStatus(db: BetterSqlite3.Database, migrations = bundledMigrations()): SchemaStatus {
  ensureTable(db);
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const current = Math.max(0, ...applied);
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  return { current, latest, pending: migrations.filter((m) => !applied.has(m.version)).map((m) => m.name), tooNew: current > latest };
}

/** Applies pending migrations; returns the names applied. */
export function migrateSqlite(db: BetterSqlite3.Database, now: string, migrations = bundledMigrations()): string[] {
  ensureTable(db);
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    const apply = db.transaction(() => {
      for (const part of migrationParts(m.sql)) {
        if (part.kind === 'sql') { db.exec(part.text); continue; }
        const step = SQLITE_BACKFILLS[part.name];
        if (!step) throw new Error(`no backfill step named ${part.name}`);
        step(db);
      }
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now);
    });
    try {
      apply.immediate();
    } catch (err) {
      throw new Error(`store/migrate: ${m.name} failed, nothing of it was applied: ${(err as Error).message}`);
    }
    done.push(m.name);
  }
  return done;
}
