/**
 * Steps of a migration that SQL alone cannot take, because the value comes from this program's own
 * code: a line `-- @backfill NAME` in a migration file runs the step NAME of that store at that
 * point, inside the migration's transaction (so a failed step leaves nothing of the migration).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { authorNameKey } from '../domain/author-key.ts';

export type MigrationPart = { kind: 'sql'; text: string } | { kind: 'backfill'; name: string };

const BACKFILL_LINE_RE = /^-- @backfill ([\w-]+)[ \t]*$/m;

/** A migration's SQL cut at its `-- @backfill NAME` lines, in order. */
export function migrationParts(source: string): MigrationPart[] {
  const pieces = source.split(new RegExp(BACKFILL_LINE_RE.source, 'm'));
  const parts: MigrationPart[] = [];
  pieces.forEach((p, i) => {
    if (i % 2 === 1) parts.push({ kind: 'backfill', name: p });
    else if (p.trim() !== '') parts.push({ kind: 'sql', text: p });
  });
  return parts;
}

/** What a PostgreSQL step needs of its connection. */
export interface BackfillConnection {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** Distinct names read and keyed per round trip on PostgreSQL. */
const KEY_BATCH_NAMES = 10_000;

export const SQLITE_BACKFILLS: Readonly<Record<string, (db: BetterSqlite3.Database) => void>> = {
  /** Migration 011: every author row's name_key (src/domain/author-key.ts). */
  'author-name-keys': (db) => {
    db.function('paperboy_author_name_key', { deterministic: true }, (name: unknown) => authorNameKey(String(name)));
    db.prepare('UPDATE paper_authors SET name_key = paperboy_author_name_key(name)').run();
  },
};

export const POSTGRES_BACKFILLS: Readonly<Record<string, (db: BackfillConnection) => Promise<void>>> = {
  /**
   * Migration 011: every author row's name_key. The distinct names are read once through a cursor,
   * their keys computed here and collected in a temporary table, then one UPDATE joins it: one
   * pass over paper_authors however many names there are.
   */
  'author-name-keys': async (db) => {
    await db.query('CREATE TEMPORARY TABLE author_name_keys (name TEXT NOT NULL, name_key TEXT NOT NULL) ON COMMIT DROP');
    await db.query('DECLARE author_names NO SCROLL CURSOR FOR SELECT DISTINCT name FROM paper_authors');
    for (;;) {
      const page: { rows: { name: string }[] } = await db.query(`FETCH FORWARD ${KEY_BATCH_NAMES} FROM author_names`);
      if (page.rows.length === 0) break;
      const names = page.rows.map((r) => r.name);
      await db.query('INSERT INTO author_name_keys SELECT * FROM unnest($1::text[], $2::text[])', [names, names.map(authorNameKey)]);
    }
    await db.query('CLOSE author_names');
    await db.query('ANALYZE author_name_keys');
    await db.query('UPDATE paper_authors AS a SET name_key = k.name_key FROM author_name_keys AS k WHERE a.name = k.name');
  },
};
