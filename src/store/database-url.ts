/**
 * Paths the store is given, without the database drivers: DATABASE_URL's forms (the command line
 * checks a path before any store module loads) and the files backups are written to.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Why `file` cannot be written as a plain file, or null: it is a folder (or ends in a path
 * separator: a folder that does not exist yet), or something else that is no plain file (a
 * device, a pipe). Backups and exports check it before anything is created or made owner-only.
 */
export function notAPlainFile(file: string): 'is a folder' | 'is not a plain file' | null {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (st?.isDirectory() || file.endsWith('/') || file.endsWith(path.sep)) return 'is a folder';
  return st && !st.isFile() ? 'is not a plain file' : null;
}

/**
 * Why files cannot be written in the folder `dir` (made when missing), or null: the nearest folder
 * that exists on its path is on a read-only file system, or not writable by this user. Checked
 * before a command starts, so that it stops with one line instead of failing half-way.
 */
export function folderWriteProblem(dir: string): string | null {
  let existing = path.resolve(dir);
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return `${existing} is on a read-only file system`;
    if (code === 'EACCES' || code === 'EPERM') return `cannot write in ${existing} (permission denied)`;
    return `cannot write in ${existing} (${code ?? (err as Error).message})`;
  }
}

/** Turns DATABASE_URL into a SQLite file path, or null when it names another database. */
export function sqlitePathOf(url: string): string | null {
  if (/^postgres(ql)?:\/\//.test(url)) return null;
  const p = url.replace(/^sqlite:(\/\/)?/, '');
  return p === ':memory:' ? p : path.resolve(p);
}
