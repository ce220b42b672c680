/**
 * `npm test`: the whole suite on the embedded store (SQLite), then every test that touches a store
 * again on PostgreSQL, in a throwaway cluster on a free port in a temporary folder, and a closing
 * summary of both runs in the Node test runner's format.
 *
 *   node --import tsx scripts/run-tests.ts [--store=both|sqlite|postgres] [--concurrency=N] [test files...]
 *
 * N test files run at once (default 2, or PAPERBOY_TEST_CONCURRENCY).
 *
 * PostgreSQL: its server binaries are looked for in /usr/lib/postgresql/NN/bin (NN >= 15) and on
 * PATH; when missing, the PostgreSQL run is left out with a note on installing them, and fails the
 * run when PAPERBOY_REQUIRE_ALL=1. With PAPERBOY_TEST_DATABASE_URL set, that server is used instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findPostgresBin, MIN_PG_MAJOR } from './postgres-bin.ts';
import { parseArgs } from 'node:util';

/** Tests that use a store, so they run on both; the rest (parsers, pure functions, mail) run once. */
const STORE_TEST_DIRS = ['test/store', 'test/services', 'test/web', 'test/api', 'test/cli', 'test/digest', 'test/search', 'test/jobs', 'test/browser', 'test/discovery', 'test/ops', 'test/postgres'];
/** Tests of what only the shared store does (several app processes on one database). */
const POSTGRES_ONLY_DIR = 'test/postgres';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { store: { type: 'string', default: 'both' }, concurrency: { type: 'string', default: process.env.PAPERBOY_TEST_CONCURRENCY ?? '2' } },
});
const store = values.store!;
/** Test files run side by side: each has its own databases, folders and ports, so two fit the 2-core machines CI runs on. */
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write(`run-tests: --concurrency: expected a whole number of at least 1, got ${values.concurrency}\n`);
  process.exit(2);
}
if (!['both', 'sqlite', 'postgres'].includes(store)) {
  process.stderr.write(`run-tests: --store: expected both, sqlite or postgres, got ${store}\n`);
  process.exit(2);
}
const requireAll = process.env.PAPERBOY_REQUIRE_ALL === '1';

function listTests(): string[] {
  if (positionals.length > 0) return positionals;
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) out.push(p);
    }
  };
  walk('src');
  walk('test');
  return out.sort();
}

const SUMMARY_KEYS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms'] as const;
type Summary = Record<(typeof SUMMARY_KEYS)[number], number>;
const SUMMARY_RE = /^(?:#|ℹ) (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\d+(?:\.\d+)?)\s*$/;

/** Runs Node's test runner on `files`, passing its output through; returns its summary and exit code. */
async function runNodeTests(label: string, files: string[], env: NodeJS.ProcessEnv): Promise<{ summary: Partial<Summary>; code: number }> {
  process.stdout.write(`\n== ${label}: ${files.length} test files\n`);
  const reporter = process.stdout.isTTY ? 'spec' : 'tap';
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-reporter=${reporter}`, ...files], {
    env, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const summary: Partial<Summary> = {};
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const m = SUMMARY_RE.exec(line.replace(/\u001b\[[0-9;]*m/g, ''));
      if (m) summary[m[1] as keyof Summary] = Number(m[2]);
    }
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return { summary, code };
}


function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A throwaway cluster: initdb in a temporary folder, started on a free port; `stop` removes it all. */
async function startCluster(bin: string): Promise<{ url: string; stop: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-pg-'));
  const data = path.join(dir, 'data');
  // PostgreSQL refuses to run as root: as root, run it as the postgres account (or nobody).
  const asRoot = process.getuid?.() === 0;
  const osUser = asRoot ? (spawnSync('id', ['-u', 'postgres']).status === 0 ? 'postgres' : 'nobody') : null;
  if (osUser) spawnSync('chown', ['-R', osUser, dir]);
  const run = (cmd: string, args: string[]) => {
    const full = osUser ? ['runuser', ['-u', osUser, '--', path.join(bin, cmd), ...args]] as const : [path.join(bin, cmd), args] as const;
    const r = spawnSync(full[0], [...full[1]], { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`run-tests: ${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  // Throwaway data: no fsync, no durable commits; more connections for the multi-process tests.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const stop = () => {
    try { run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']); } catch (err) { process.stderr.write(`${(err as Error).message}\n`); }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}

const files = listTests();
const storeFiles = files.filter((f) => STORE_TEST_DIRS.some((d) => f.startsWith(`${d}/`)));
const runs: { label: string; summary: Partial<Summary>; code: number }[] = [];
let missing: string | null = null;

if (store !== 'postgres') {
  const sqliteFiles = files.filter((f) => !f.startsWith(`${POSTGRES_ONLY_DIR}/`));
  runs.push({ label: 'SQLite', ...(await runNodeTests('SQLite (embedded store)', sqliteFiles, { ...process.env, PAPERBOY_TEST_STORE: 'sqlite' })) });
}
if (store !== 'sqlite' && storeFiles.length > 0) {
  let url = process.env.PAPERBOY_TEST_DATABASE_URL;
  let cluster: { url: string; stop: () => void } | null = null;
  if (!url) {
    const bin = findPostgresBin();
    if (!bin) {
      missing = `PostgreSQL ${MIN_PG_MAJOR}+ server binaries not found (initdb, pg_ctl): the PostgreSQL store's tests did not run. `
        + 'Install them with: sudo scripts/install-deps.sh (Debian: postgresql-15), or set PAPERBOY_TEST_DATABASE_URL to a server where the account may create databases.';
    } else {
      cluster = await startCluster(bin);
      url = cluster.url;
    }
  }
  if (url) {
    const stop = () => cluster?.stop();
    process.once('SIGINT', () => { stop(); process.exit(130); });
    try {
      runs.push({ label: 'PostgreSQL', ...(await runNodeTests('PostgreSQL (shared store)', storeFiles, { ...process.env, PAPERBOY_TEST_STORE: 'postgres', PAPERBOY_TEST_DATABASE_URL: url })) });
    } finally {
      stop();
    }
  }
}

// The closing summary: both runs added up, in the test runner's own format.
const total = Object.fromEntries(SUMMARY_KEYS.map((k) => [k, runs.reduce((n, r) => n + (r.summary[k] ?? 0), 0)])) as Summary;
const failedRuns = runs.filter((r) => r.code !== 0 || r.summary.fail === undefined);
const mark = process.stdout.isTTY ? 'ℹ' : '#';
process.stdout.write(`\n${mark} stores: ${runs.map((r) => `${r.label} ${r.summary.pass ?? 0}/${r.summary.tests ?? 0} passed`).join(', ')}\n`);
if (missing) process.stdout.write(`${mark} ${missing}\n`);
for (const k of SUMMARY_KEYS) process.stdout.write(`${mark} ${k} ${k === 'duration_ms' ? total[k].toFixed(3) : total[k]}\n`);
process.exit(failedRuns.length > 0 || (missing && requireAll) ? 1 : 0);
