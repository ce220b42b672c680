/**
 * DATABASE_URL's forms, without the database drivers: the command line checks a path before any
 * store module loads.
 */
import path from 'node:path';

/** Turns DATABASE_URL into a SQLite file path, or null when it names another database. */
export function sqlitePathOf(url: string): string | null {
  if (/^postgres(ql)?:\/\//.test(url)) return null;
  const p = url.replace(/^sqlite:(\/\/)?/, '');
  return p === ':memory:' ? p : path.resolve(p);
}
