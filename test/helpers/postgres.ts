/**
 * Test databases on PostgreSQL: when PAPERBOY_TEST_STORE=postgres, every test store is a fresh
 * database on the server named by PAPERBOY_TEST_DATABASE_URL (an account that may create
 * databases). The schema is migrated once into a template database per set of migrations; each
 * test database is a copy of it (CREATE DATABASE ... TEMPLATE), which takes a few milliseconds.
 */
import crypto from 'node:crypto';
import { after } from 'node:test';
import pg from 'pg';
import { postgresMigrations, migratePostgres } from '../../src/store/postgres/migrate.ts';

/**
 * Clean-ups that must wait for the end of the test file: `after()` inside a `before` hook would run
 * as soon as that hook ends, while the suite still uses the database. Registered once, at the top.
 */
const atEnd: (() => Promise<void>)[] = [];
after(async () => {
  for (const fn of atEnd.splice(0).reverse()) await fn().catch((err: Error) => process.stderr.write(`test cleanup: ${err.message}\n`));
});
export function atEndOfFile(fn: () => Promise<void>): void {
  atEnd.push(fn);
}

export function testStoreKind(): 'sqlite' | 'postgres' {
  const kind = process.env.PAPERBOY_TEST_STORE ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`PAPERBOY_TEST_STORE: expected sqlite or postgres, got ${kind}`);
  return kind;
}

function serverUrl(): string {
  const url = process.env.PAPERBOY_TEST_DATABASE_URL;
  if (!url) throw new Error('PAPERBOY_TEST_STORE=postgres needs PAPERBOY_TEST_DATABASE_URL (scripts/test-postgres.sh sets both)');
  return url;
}

function urlFor(database: string): string {
  const u = new URL(serverUrl());
  u.pathname = `/${database}`;
  return u.toString();
}

/** Any number would do: one lock id so that test processes starting together build the template once. */
const TEMPLATE_LOCK_ID = 8_150_002;

let template: Promise<string> | null = null;

async function ensureTemplate(admin: pg.Client): Promise<string> {
  const migrations = postgresMigrations();
  const hash = crypto.createHash('sha256').update(migrations.map((m) => `${m.name}\n${m.sql}`).join('\n')).digest('hex').slice(0, 12);
  const name = `paperboy_template_${hash}`;
  await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_ID]);
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) {
      const building = `${name}_building_${process.pid}`;
      await admin.query(`CREATE DATABASE ${building}`);
      const pool = new pg.Pool({ connectionString: urlFor(building), max: 1 });
      try {
        await migratePostgres(pool, '2026-01-01T00:00:00.000Z', migrations);
      } finally {
        await pool.end();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_ID]);
  }
  return name;
}

/** A connection to the test server's maintenance database (CREATE, DROP, ALTER DATABASE). */
export async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** A new database, migrated (or empty, or a copy of `template`); returns its URL and a function that drops it. */
export async function createTestDatabase(opts: { migrated?: boolean; template?: string } = {}): Promise<{ url: string; drop: () => Promise<void> }> {
  return withAdmin(async (admin) => {
    const name = `paperboy_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
    // FILE_COPY copies the template's files as they are, where the default strategy writes every
    // page through the WAL: for the demo's 114 MB, about half the time; for the migrated empty
    // schema (9 MB), 0.2 s against 0.7 s a database on a busy 2-CPU machine, and a PostgreSQL pass
    // makes hundreds of them.
    if (opts.template) {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${opts.template} STRATEGY FILE_COPY`);
    } else if (opts.migrated === false) {
      await admin.query(`CREATE DATABASE ${name}`);
    } else {
      template ??= ensureTemplate(admin);
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${await template} STRATEGY FILE_COPY`);
    }
    return {
      url: urlFor(name),
      drop: () => withAdmin(async (a) => {
        // Connections still closing (a pool ending, a worker thread exiting) get up to 3 s to go by
        // themselves; FORCE then ends the rest, whose clients see "terminating connection".
        let open = 0;
        for (let i = 0; i < 60; i++) {
          const { rows } = await a.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          open = rows[0]!.n;
          if (open === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        if (open > 0) process.stderr.write(`test database ${name}: ${open} connection(s) still open after 3 s, ended by DROP ... WITH (FORCE)\n`);
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }),
    };
  });
}
