/**
 * Database faults a person can be told about: the disk is full, the database is locked by
 * another writer for longer than the busy timeout, the file cannot be written. They answer 503
 * with Retry-After and a plain message (nothing was saved), are logged with their cause, and go
 * away by themselves once the fault is fixed: no restart is needed.
 */
const FAULTS: Record<string, string> = {
  SQLITE_FULL: 'The server has run out of disk space, so nothing was saved. Please try again later.',
  SQLITE_BUSY: 'The database is busy with another task, so nothing was saved. Please try again in a moment.',
  SQLITE_LOCKED: 'The database is busy with another task, so nothing was saved. Please try again in a moment.',
  SQLITE_IOERR: 'The server could not write to its disk, so nothing was saved. Please try again later.',
  SQLITE_READONLY: 'The database cannot be written just now, so nothing was saved. Please try again later.',
  SQLITE_CANTOPEN: 'The database cannot be opened just now. Please try again later.',
};

/** Seconds a client should wait before retrying after a store fault. */
export const STORE_FAULT_RETRY_SECONDS = 30;

/** The message for a database fault (by its SQLite code, extended codes included), or null for any other error. */
export function storeFaultMessage(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  const base = /^SQLITE_[A-Z]+/.exec(code)?.[0];
  return base ? (FAULTS[base] ?? null) : null;
}
