/**
 * What every command shares: strict argument parsing with `--help`, the check that a command which
 * only reads finds an existing database, and a quiet exit when the reader of stdout goes away.
 */
import fs from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { sqlitePathOf } from '../store/database-url.ts';

interface Out { write(s: string): unknown }

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments strictly: `--help` writes `usage` to `out` (exit 0); an unknown flag,
 * a missing value or a wrong number of positionals writes the problem and `usage` to `err` (exit 2).
 * Returns the parsed values, or the exit code when the command should stop.
 *
 * @example
 * const args = parseCommand('backup', rest, {}, BACKUP_USAGE, { positionals: [1, 1] }, out, err);
 * if (typeof args === 'number') return args;
 */
export function parseCommand<O extends Options>(
  command: string, args: string[], options: O, usage: string,
  opts: { positionals?: [min: number, max: number] }, out: Out, err: Out,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } | number {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    err.write(`${command}: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) { out.write(usage); return 0; }
  const [min, max] = opts.positionals ?? [0, 0];
  const n = parsed.positionals.length;
  if (n < min || n > max) {
    const what = max === 0 ? `takes no arguments (got "${parsed.positionals.join(' ')}")` : n < min ? 'needs more arguments' : `takes at most ${max} argument${max === 1 ? '' : 's'}`;
    err.write(`${command}: ${what}\n${usage}`);
    return 2;
  }
  return { values, positionals: parsed.positionals };
}

/** True when the arguments ask for help (`--help` or `-h`, before any `--`): the usage, without opening the store. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * For commands that only read: the SQLite file DATABASE_URL names must exist already (a typo in the
 * path would otherwise create, and migrate, a new empty database). Returns the problem, or null.
 */
export function missingDatabase(databaseUrl: string): string | null {
  const file = sqlitePathOf(databaseUrl);
  if (file === null || file === ':memory:' || fs.existsSync(file)) return null;
  return `no database at ${file} (check DATABASE_URL or PAPERBOY_DATA_DIR; paperboy migrate or serve creates one)`;
}

/** Writes `COMMAND: no database at PATH ...` to `err` and returns true when the database is missing. */
export function noDatabase(command: string, databaseUrl: string, err: Out): boolean {
  const problem = missingDatabase(databaseUrl);
  if (problem) err.write(`${command}: ${problem}\n`);
  return problem !== null;
}

/**
 * Ends the process quietly when the reader of `stream` goes away (`paperboy search x | head`),
 * as command-line tools do, instead of failing with a stack trace on EPIPE.
 */
export function exitQuietlyOnBrokenPipe(stream: NodeJS.WritableStream & { on(event: 'error', fn: (err: NodeJS.ErrnoException) => void): unknown }): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
    throw err;
  });
}

export const SERVE_USAGE = `usage: paperboy serve
  Starts the web server (and, unless PAPERBOY_SCHEDULER=false, the scheduled jobs). It migrates the
  database first and imports the demo corpus into an empty store (PAPERBOY_DEMO). Settings come from
  environment variables: see docs/configuration.md.
`;
export const MIGRATE_USAGE = 'usage: paperboy migrate\n  Applies pending database migrations (creates the SQLite database if there is none).\n';
export const STATS_USAGE = 'usage: paperboy stats\n  Prints counts of what the store holds.\n';
export const BACKUP_USAGE = `usage: paperboy backup FILE
  Writes a consistent copy of the SQLite database to FILE (readable by its owner only) while the site
  runs. FILE must not be the live database. On PostgreSQL use pg_dump (docs/postgres.md).
`;
