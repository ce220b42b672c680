/**
 * The shared store's connection: a pg pool whose values come back as the embedded store returns
 * them, the commit counter behind the page caches, and the PostgreSQL integrity checks.
 *
 * The driver (pg) is loaded when the first pool is made: a process on the embedded store never
 * loads it (about 50 ms of every command's and server's start).
 */
import type pg from 'pg';

/** How long a request waits for a free connection before the store reports it unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;
/** How often each process reads the shared commit counter: the most a page cache lags another process. */
export const CHANGE_POLL_MS = 250;

/**
 * Counts (bigint) and sums (numeric) come back as numbers, as on SQLite. Counts of this app stay
 * far below 2^53.
 */
function numberTypes(driver: typeof pg): pg.CustomTypesConfig {
  const types = new driver.TypeOverrides();
  types.setTypeParser(driver.types.builtins.INT8, (v: string) => Number(v));
  types.setTypeParser(driver.types.builtins.NUMERIC, (v: string) => Number(v));
  return types;
}

export async function postgresPool(url: string): Promise<pg.Pool> {
  const { default: driver } = await import('pg');
  const pool = new driver.Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types: numberTypes(driver) });
  // An idle connection that the server closes (restart, failover) is dropped; the next query connects anew.
  pool.on('error', () => {});
  // A connection in use when the server closes it (a query in flight, a transaction or a session
  // lock held across awaits) emits 'error' on the client itself, which the pool does not listen to
  // while the client is checked out: without a listener Node would stop the process. The query in
  // flight fails with the cause, later queries on that client fail ("not queryable"), and the pool
  // drops it when it is released; the process goes on and connects anew.
  pool.on('connect', (client) => { client.on('error', ignoreLostConnection); });
  return pool;
}

/** The listener every pooled connection keeps (see postgresPool); its users see the error through their queries. */
function ignoreLostConnection(): void {}

/** The connection was closed under a lease held across awaits (see holdConnection). */
export class ConnectionLostError extends Error {
  /** The cause's code (57P01, ECONNRESET, ...), so storeFault() recognises it as the database being away. */
  readonly code: string | undefined;
  constructor(cause: Error) {
    super(`the database connection was lost: ${cause.message}`, { cause });
    this.name = 'ConnectionLostError';
    this.code = (cause as { code?: string }).code;
  }
}

/**
 * True for an error that says the database went away (the connection was lost or refused, the
 * server is shutting down or starting): something that passes by itself, unlike a bad statement.
 */
export function isConnectionLoss(err: unknown): boolean {
  if (err instanceof ConnectionLostError) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  return /^(08...|57P0[1-4])$/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)
    || /^(timeout exceeded when trying to connect|Connection terminated)|is not queryable|is not currently accepting connections/.test(message);
}

/** One connection held for a whole task (a session advisory lock), and whether it is still there. */
export interface HeldConnection {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Throws ConnectionLostError once the server closed the connection (its session locks are gone with it). */
  check(): void;
  /** The error that closed the connection, or null while it is open. */
  lost(): Error | null;
}

/**
 * Runs `fn` with one connection of the pool checked out for its whole run, listening for that
 * connection's errors for the length of the lease: a server restart, failover or
 * pg_terminate_backend meanwhile is recorded (check() throws it), never an unhandled 'error'
 * event. A lost connection is dropped from the pool on release.
 */
export async function holdConnection<T>(pool: pg.Pool, fn: (conn: HeldConnection) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | null = null;
  const onError = (err: Error) => { lost ??= err; };
  client.on('error', onError);
  const held: HeldConnection = {
    query: async <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
      held.check();
      try {
        return await client.query<R>(text, values);
      } catch (err) {
        if (lost) throw new ConnectionLostError(lost);
        throw err;
      }
    },
    check: () => { if (lost) throw new ConnectionLostError(lost); },
    lost: () => lost,
  };
  try {
    return await fn(held);
  } finally {
    client.removeListener('error', onError);
    client.release(lost ?? undefined);
  }
}

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/**
 * Reads change_counter (moved by every commit that changes what public pages show, see migration
 * 008) every CHANGE_POLL_MS while someone asks for it. Starts on the first call, so commands that
 * never serve pages never poll.
 */
export class ChangeCounterPoller {
  private value = 'start';
  private timer: NodeJS.Timeout | null = null;
  private reading = false;
  private stopped = false;

  constructor(private readonly pool: pg.Pool) {}

  current(): string {
    if (!this.timer && !this.stopped) {
      this.timer = setInterval(() => void this.read(), CHANGE_POLL_MS);
      this.timer.unref();
      void this.read();
    }
    return this.value;
  }

  private async read(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const { rows } = await this.pool.query<{ n: number }>('SELECT n FROM change_counter WHERE id = 1');
      this.value = String(rows[0]?.n ?? 'none');
    } catch {
      this.value = `unreadable-${Date.now()}`; // nothing is served from the cache while the counter cannot be read
    } finally {
      this.reading = false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** PostgreSQL enforces keys and constraints itself: what is left to check is that none was skipped. */
export async function postgresIntegrityProblems(pool: pg.Pool): Promise<string[]> {
  const problems: string[] = [];
  const checks: [string, string][] = [
    ['foreign keys not validated',
      'SELECT count(*) AS n FROM pg_constraint WHERE contype = \'f\' AND NOT convalidated AND connamespace = current_schema()::regnamespace'],
  ];
  for (const [what, query] of checks) {
    const { rows } = await pool.query<{ n: number }>(query);
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) problems.push(`${what}: ${n}`);
  }
  return problems;
}
