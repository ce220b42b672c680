/**
 * Where the PostgreSQL server binaries are: shared by the test runner's throwaway cluster and the
 * PostgreSQL benchmark's.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The oldest PostgreSQL the store supports. */
export const MIN_PG_MAJOR = 15;

/** The server binaries (initdb, pg_ctl) of the newest PostgreSQL >= MIN_PG_MAJOR, or null. */
export function findPostgresBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    const majors = fs.readdirSync(base).map(Number).filter((n) => n >= MIN_PG_MAJOR).sort((a, b) => b - a);
    for (const m of majors) if (fs.existsSync(path.join(base, String(m), 'bin', 'initdb'))) return path.join(base, String(m), 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? path.dirname(which.stdout.trim()) : null;
}
