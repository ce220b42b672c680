/**
 * Database faults a person can be told about, on either store: the disk is full, the database is
 * busy (locked past the busy timeout, a deadlock, out of connections), read-only, or cannot be
 * reached. They answer 503 with Retry-After and a plain message (nothing was saved), are logged
 * with their cause, and go away by themselves once the fault is fixed: no restart is needed.
 *
 * One more answer is not a fault: a write that refers to a row deleted a moment before (a vote
 * from an account being deleted, a comment on a paper being removed) fails on its foreign key and
 * answers 409, since retrying the same request cannot succeed.
 */
import { isForeignKeyViolation } from '../store/dialect.ts';
import { isConnectionLoss } from '../store/postgres/connection.ts';

const FULL = 'The server has run out of disk space, so nothing was saved. Please try again later.';
const BUSY = 'The database is busy with another task, so nothing was saved. Please try again in a moment.';
const IO = 'The server could not write to its disk, so nothing was saved. Please try again later.';
const READ_ONLY = 'The database cannot be written just now, so nothing was saved. Please try again later.';
const UNREACHABLE = 'The database cannot be reached just now, so nothing was saved. Please try again in a moment.';
const GONE = 'Something this request refers to was removed a moment ago, so nothing was saved. Reload the page to see what is there now.';

/** SQLite's result codes (extended codes are matched by their base). */
const SQLITE_FAULTS: Record<string, string> = {
  SQLITE_FULL: FULL,
  SQLITE_BUSY: BUSY,
  SQLITE_LOCKED: BUSY,
  SQLITE_IOERR: IO,
  SQLITE_READONLY: READ_ONLY,
  SQLITE_CANTOPEN: 'The database cannot be opened just now. Please try again later.',
};

/** PostgreSQL's SQLSTATE codes; a two-character key stands for its whole class. */
const POSTGRES_FAULTS: Record<string, string> = {
  53100: FULL, // disk_full
  53200: BUSY, // out_of_memory
  53300: BUSY, // too_many_connections
  '40P01': BUSY, // deadlock_detected
  40001: BUSY, // serialization_failure
  '55P03': BUSY, // lock_not_available
  25006: READ_ONLY, // read_only_sql_transaction (e.g. a standby after a failover)
  '08': UNREACHABLE, // connection exceptions
  '57P': UNREACHABLE, // admin_shutdown, crash_shutdown, cannot_connect_now
};


/** Seconds a client should wait before retrying after a store fault. */
export const STORE_FAULT_RETRY_SECONDS = 30;

export interface StoreFault {
  /** 503: try again later (with Retry-After); 409: the request refers to something removed meanwhile. */
  status: 409 | 503;
  message: string;
}

/**
 * What to tell the person about a database error, or null for any other error (a 500, logged).
 * `reading`: the request only reads (GET, HEAD), so "nothing was saved" is left out of the message.
 */
export function storeFault(err: unknown, opts: { reading?: boolean } = {}): StoreFault | null {
  const fault = classify(err);
  return fault && opts.reading ? { ...fault, message: fault.message.replace(', so nothing was saved', '') } : fault;
}

function classify(err: unknown): StoreFault | null {
  const e = err as { code?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (isForeignKeyViolation(err)) return { status: 409, message: GONE };
  const sqliteBase = /^SQLITE_[A-Z]+/.exec(code)?.[0];
  const sqlState = /^[0-9A-Z]{5}$/.test(code) ? code : null;
  const unavailable = (sqliteBase ? SQLITE_FAULTS[sqliteBase] : undefined)
    ?? (sqlState ? POSTGRES_FAULTS[sqlState] ?? POSTGRES_FAULTS[sqlState.slice(0, 3)] ?? POSTGRES_FAULTS[sqlState.slice(0, 2)] : undefined)
    // A lost or refused connection, as the store itself tells one (a socket error, or the pool's
    // and driver's messages: "Connection terminated", "... is not queryable"): one list for both.
    ?? (isConnectionLoss(err) ? UNREACHABLE : undefined);
  return unavailable ? { status: 503, message: unavailable } : null;
}
