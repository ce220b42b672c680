/**
 * The shared store's connection: a pg pool whose values come back as the embedded store returns
 * them, the commit counter behind the page caches, and the PostgreSQL integrity checks.
 */
import pg from 'pg';

/** How long a request waits for a free connection before the store reports it unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;
/** How often each process reads the shared commit counter: the most a page cache lags another process. */
export const CHANGE_POLL_MS = 250;

/**
 * Counts (bigint) and sums (numeric) come back as numbers, as on SQLite. Counts of this app stay
 * far below 2^53.
 */
function numberTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
  types.setTypeParser(pg.types.builtins.NUMERIC, (v: string) => Number(v));
  return types;
}

export function postgresPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types: numberTypes() });
  // An idle connection that the server closes (restart, failover) is dropped; the next query connects anew.
  pool.on('error', () => {});
  return pool;
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
