/**
 * `npm run bench:postgres`: the feed and search figures on PostgreSQL, beside SQLite, in one run.
 *
 * Starts a throwaway PostgreSQL cluster (initdb on a free port in a temporary folder), then:
 *
 * 1. Feed: the bundled demo corpus imported by a first `paperboy serve` start and its search index
 *    built by `paperboy reindex`, on SQLite and on PostgreSQL; then autocannon on the feed, page
 *    cached (`/`) and uncached (every day, week and month page, a new throwaway query parameter on
 *    each pass), against one SQLite `serve`, one PostgreSQL `serve`, and two PostgreSQL `serve`
 *    processes on the same database (different ports, connections split between them; the second
 *    with PAPERBOY_SCHEDULER=false).
 * 2. Search: bench/search.ts's synthetic corpus (generated once into a SQLite file and cached),
 *    copied into a PostgreSQL database; the in-memory index built from it and saved there, then
 *    loaded by a fresh process and queried with bench/search.ts's query mix: build and load time,
 *    p50/p99 per mode, database size, resident memory.
 *
 * The cluster, the servers and the scratch folders are removed at the end, also on an error or
 * Ctrl-C.
 *
 *   npm run bench:postgres                         full run (1,000,000 papers), writes BENCHMARKS.md
 *   node --import tsx bench/postgres.ts --papers 20000 --duration 5    a smaller run; prints only
 *   ... --only feed | --only search                one half; --write puts it in BENCHMARKS.md beside the
 *                                                  other half as written there
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { isoWeekOf, monthOf } from '../src/domain/dates.ts';
import { parseQuery } from '../src/search/query.ts';
import { SearchIndex, type SearchMode } from '../src/search/search-index.ts';
import { searchPapers } from '../src/search/service.ts';
import { openStore } from '../src/store/index.ts';
import { LIST_SORTS } from '../src/store/types.ts';
import { cleanEnv, startServe, type ServeProcess } from '../test/helpers/server-process.ts';
import { findPostgresBin } from '../scripts/postgres-bin.ts';
import { startCluster, type Cluster } from './postgres-cluster.ts';
import { machine, percentile, readSection, ROOT, writeSection } from './report.ts';
import { makeQueries } from './search-queries.ts';

const SECTION = 'postgres';
const QUERIES = 300; // as bench/search.ts
const WARMUP_QUERIES = 30;
/**
 * Server settings of the throwaway cluster. Durability is off because the data is thrown away
 * (it speeds up the loads, not the read-only feed and search figures); shared_buffers is raised from
 * the 128 MB default to what a machine of this size would give it; room for two servers' pools.
 */
const PG_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'shared_buffers=1GB', 'max_connections=100'];
/** Rows per INSERT when copying the synthetic corpus into PostgreSQL. */
const COPY_BATCH = 2_000;

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    papers: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: 'all' },
    'corpus-dir': { type: 'string', default: path.join(ROOT, '.tmp', 'bench-search') },
    write: { type: 'boolean', default: false },
    // Internal: the search phases run in their own processes (clean memory figures).
    phase: { type: 'string' },
    url: { type: 'string' },
    out: { type: 'string' },
  },
});

function intFlag(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`bench/postgres: --${name}: expected a whole number >= ${min}, got ${value}\n`);
    process.exit(2);
  }
  return n;
}
const PAPERS = intFlag('papers', flags.papers, 1000);
const DURATION = intFlag('duration', flags.duration, 1);
const WARMUP = intFlag('warmup', flags.warmup, 0);
const CONNECTIONS = intFlag('connections', flags.connections, 2);
const ONLY = flags.only!;
if (!['all', 'feed', 'search'].includes(ONLY)) {
  process.stderr.write(`bench/postgres: --only: expected feed or search, got ${ONLY}\n`);
  process.exit(2);
}
const CORPUS_DIR = path.resolve(flags['corpus-dir']!);
const CORPUS_DB = path.join(CORPUS_DIR, `papers-${PAPERS}.db`);

const t0 = performance.now();
function log(msg: string): void {
  process.stderr.write(`[bench:postgres ${((performance.now() - t0) / 1000).toFixed(0).padStart(5)}s] ${msg}\n`);
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const sec = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

// -------------------------------------------------------------------------------------------------
// Everything started is tracked and removed on any way out.

const servers = new Set<ServeProcess>();
const children = new Set<ChildProcess>();
const scratch: string[] = [];
let cluster: Cluster | null = null;

function cleanUp(): void {
  for (const s of servers) { try { s.child.kill('SIGKILL'); } catch { /* gone */ } }
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  servers.clear();
  children.clear();
  cluster?.stop();
  cluster = null;
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

function scratchDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `paperboy-bench-${name}-`));
  scratch.push(dir);
  return dir;
}

async function serve(dataDir: string, env: Record<string, string>): Promise<ServeProcess> {
  const s = await startServe(dataDir, env);
  servers.add(s);
  return s;
}

async function stop(s: ServeProcess): Promise<void> {
  await s.stop();
  servers.delete(s);
}

/** Runs `node --import tsx ARGS` in ROOT; resolves when it exits 0, with its output. */
function node(args: string[], env: NodeJS.ProcessEnv, label: string, inherit = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, stdio: ['ignore', inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout?.on('data', (c: Buffer) => { out = (out + c.toString('utf8')).slice(-8000); });
    child.stderr?.on('data', (c: Buffer) => { out = (out + c.toString('utf8')).slice(-8000); });
    child.once('error', (err) => { children.delete(child); reject(err); });
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${label} failed (${signal ?? `exit ${code}`})${out ? `:\n${out}` : ''}`));
    });
  });
}

// -------------------------------------------------------------------------------------------------
// CPU accounting: how busy the machine and the app processes were during a figure.

function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = line.reduce((a, b) => a + b, 0);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU seconds used so far by a process (user + system), from /proc. */
function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return NaN;
  }
}

/** CPU seconds so far of each process of a PostgreSQL server (its postmaster and every backend), by pid. */
function serverCpu(postmaster: number | null): Map<number, number> {
  const out = new Map<number, number>();
  if (postmaster === null) return out;
  out.set(postmaster, processCpuSeconds(postmaster));
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) out.set(Number(name), processCpuSeconds(Number(name)));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

/** CPU seconds used between two readings (a backend started meanwhile counts from zero). */
function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, now] of after) if (Number.isFinite(now)) sum += now - (before.get(pid) ?? 0);
  return sum;
}

// -------------------------------------------------------------------------------------------------
// Feed

interface FeedTargets { feedPaths: string[]; windows: { days: number; weeks: number; months: number }; papers: number; dailyEntries: number }

/** Every daily feed page (each day, ISO week and month with papers, each sort order, every page), from the store. */
async function readFeedTargets(env: Record<string, string>): Promise<FeedTargets> {
  const config = loadConfig(env);
  const store = await openStore(config.databaseUrl);
  try {
    const daily = await store.db.selectFrom('daily_entries').select('day').where('hidden', '=', 0).execute();
    if (daily.length === 0) throw new Error('bench/postgres: the demo store has no daily list');
    const counts = new Map<string, number>();
    for (const { day } of daily) {
      for (const key of [`date/${day}`, `week/${isoWeekOf(day)}`, `month/${monthOf(day)}`]) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const feedPaths: string[] = [];
    for (const [key, n] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
      const pages = Math.max(1, Math.ceil(n / config.pageSize));
      for (const sort of LIST_SORTS) for (let page = 1; page <= pages; page++) feedPaths.push(`/papers/${key}?sort=${sort}${page > 1 ? `&page=${page}` : ''}`);
    }
    const kinds = [...counts.keys()].map((k) => k.split('/')[0]);
    const stats = await store.stats();
    return {
      feedPaths,
      windows: { days: kinds.filter((k) => k === 'date').length, weeks: kinds.filter((k) => k === 'week').length, months: kinds.filter((k) => k === 'month').length },
      papers: stats.papers, dailyEntries: stats.dailyEntries,
    };
  } finally {
    await store.close();
  }
}

interface LoadFigure {
  rps: number; rpsMin: number; rpsMax: number; p50: number; p99: number;
  errors: number; non2xx: number; total: number;
  /** Share of the machine's CPU time that was busy (all processes, other work included). */
  machineBusy: number;
  /** CPU seconds of the app processes, of the PostgreSQL server (null on SQLite) and of this process (autocannon), per second of the figure. */
  appCpu: number; pgCpu: number | null; loadGenCpu: number;
}

function cannon(urls: string[], next: () => string, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({
      url: urls.length === 1 ? urls[0]! : urls, connections: CONNECTIONS, duration, timeout: 10,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: next() }) }],
    }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * One figure: `paths` in strict round-robin over all connections, the connections spread evenly
 * over the servers. With `bust`, each pass adds a new throwaway query parameter, which the app
 * ignores and the page caches (keyed on the full URL) do not: every request is a cache miss.
 */
async function measure(label: string, procs: ServeProcess[], paths: string[], bust: boolean, postmaster: number | null): Promise<LoadFigure> {
  let i = 0;
  const next = () => {
    const p = paths[i % paths.length]!;
    const pass = Math.floor(i++ / paths.length);
    return bust ? `${p}${p.includes('?') ? '&' : '?'}_r=${pass}` : p;
  };
  const urls = procs.map((p) => p.url);
  if (WARMUP > 0) await cannon(urls, next, WARMUP);
  const m0 = machineTicks();
  const a0 = procs.map((p) => processCpuSeconds(p.pid));
  const pg0 = serverCpu(postmaster);
  const l0 = process.cpuUsage();
  const r = await cannon(urls, next, DURATION);
  const m1 = machineTicks();
  const pg1 = serverCpu(postmaster);
  const appCpu = procs.reduce((s, p, k) => s + processCpuSeconds(p.pid) - a0[k]!, 0) / DURATION;
  const l1 = process.cpuUsage(l0);
  for (const p of procs) if (!p.running()) throw new Error(`bench/postgres: a server exited during "${label}":\n${p.output()}`);
  const f: LoadFigure = {
    rps: r.requests.average, rpsMin: r.requests.min, rpsMax: r.requests.max, p50: r.latency.p50, p99: r.latency.p99,
    errors: r.errors, non2xx: r.non2xx, total: r.requests.total,
    machineBusy: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
    appCpu, pgCpu: postmaster === null ? null : cpuSince(pg0, pg1) / DURATION, loadGenCpu: (l1.user + l1.system) / 1e6 / DURATION,
  };
  log(`${label}: ${fmt(f.rps)} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, ${f.errors} errors, ${f.non2xx} non-2xx; machine CPU ${(f.machineBusy * 100).toFixed(0)}% busy`);
  return f;
}

interface FeedRow { store: string; processes: number; cached: LoadFigure; uncached: LoadFigure }
interface Prepared { firstStartMs: number; reindexMs: number }
interface FeedResults { rows: FeedRow[]; prepared: Record<string, Prepared>; targets: FeedTargets; loadStart: string; loadEnd: string }

/** First start (migrations and the demo import), then `paperboy reindex`, so the servers measured load a saved index. */
async function prepareDemo(dataDir: string, env: Record<string, string>): Promise<Prepared> {
  const started = performance.now();
  await stop(await serve(dataDir, env));
  const firstStartMs = performance.now() - started;
  const at = performance.now();
  await node(['src/main.ts', 'reindex'], cleanEnv({ PAPERBOY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env }), 'paperboy reindex');
  return { firstStartMs, reindexMs: performance.now() - at };
}

async function feedFigures(store: string, procs: ServeProcess[], targets: FeedTargets, postmaster: number | null): Promise<FeedRow> {
  const label = `${store}, ${procs.length} process${procs.length > 1 ? 'es' : ''}`;
  log(`${label}: feed / (page cache), ${DURATION} s`);
  const cached = await measure(`${label}, feed / (page cache)`, procs, ['/'], false, postmaster);
  log(`${label}: ${fmt(targets.feedPaths.length)} feed pages (uncached), ${DURATION} s`);
  const uncached = await measure(`${label}, feed pages (uncached)`, procs, targets.feedPaths, true, postmaster);
  return { store, processes: procs.length, cached, uncached };
}

async function runFeed(c: Cluster): Promise<FeedResults> {
  const loadStart = loadavg();
  const prepared: Record<string, Prepared> = {};
  const rows: FeedRow[] = [];

  log('SQLite: first start (demo import) and reindex');
  const sqliteDir = scratchDir('sqlite');
  prepared.SQLite = await prepareDemo(sqliteDir, {});
  const targets = await readFeedTargets({ PAPERBOY_DATA_DIR: sqliteDir });
  {
    const s = await serve(sqliteDir, {});
    try { rows.push(await feedFigures('SQLite', [s], targets, null)); } finally { await stop(s); }
  }

  const admin = new pg.Client({ connectionString: c.url });
  await admin.connect();
  await admin.query('CREATE DATABASE paperboy_feed');
  await admin.end();
  const databaseUrl = c.urlFor('paperboy_feed');
  log('PostgreSQL: first start (migrations, demo import) and reindex');
  const pgDirs = [scratchDir('pg-a'), scratchDir('pg-b')];
  prepared.PostgreSQL = await prepareDemo(pgDirs[0]!, { DATABASE_URL: databaseUrl });
  const pgTargets = await readFeedTargets({ PAPERBOY_DATA_DIR: pgDirs[0]!, DATABASE_URL: databaseUrl });
  if (pgTargets.feedPaths.join() !== targets.feedPaths.join()) throw new Error('bench/postgres: the two stores hold different daily lists after the demo import');
  {
    const s = await serve(pgDirs[0]!, { DATABASE_URL: databaseUrl });
    try { rows.push(await feedFigures('PostgreSQL', [s], targets, c.postmaster())); } finally { await stop(s); }
  }
  {
    const a = await serve(pgDirs[0]!, { DATABASE_URL: databaseUrl });
    const b = await serve(pgDirs[1]!, { DATABASE_URL: databaseUrl, PAPERBOY_SCHEDULER: 'false' });
    try { rows.push(await feedFigures('PostgreSQL', [a, b], targets, c.postmaster())); } finally { await stop(a); await stop(b); }
  }
  return { rows, prepared, targets, loadStart, loadEnd: loadavg() };
}

// -------------------------------------------------------------------------------------------------
// Search at scale

interface Latency { p50: number; p90: number; p99: number; mean: number }
interface BuildResult { buildMs: number; phasesMs: Record<string, number>; peakRssMiB: number }
interface QueryResult { loadMs: number; rssAfterLoadMiB: number; rssAfterQueriesMiB: number; latency: Record<string, Latency>; examples: string[] }
interface SearchResults {
  papers: number; corpusMs: number | null; copyMs: number; rows: { papers: number; authors: number; categories: number };
  sqliteBytes: number; dbBytesBefore: number; dbBytesAfter: number; indexBytes: number;
  build: BuildResult; query: QueryResult; loadStart: string; loadEnd: string;
}

function summary(ms: number[]): Latency {
  const at = (p: number) => +percentile(ms, p).toFixed(2);
  return { p50: at(50), p90: at(90), p99: at(99), mean: +(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(2) };
}

/** Copies one table of the SQLite corpus into PostgreSQL, COPY_BATCH rows per INSERT ... SELECT FROM unnest(...). */
async function copyTable(src: BetterSqlite3.Database, dst: pg.Client, table: string, columns: { name: string; type: string }[], order: string): Promise<number> {
  const names = columns.map((c) => c.name);
  const sql = `INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${columns.map((c, k) => `$${k + 1}::${c.type}[]`).join(', ')})`;
  const rows = src.prepare(`SELECT ${names.join(', ')} FROM ${table} ORDER BY ${order}`).raw().iterate() as IterableIterator<unknown[]>;
  let batch: unknown[][] = columns.map(() => []);
  let n = 0;
  let inBatch = 0;
  const flush = async () => {
    if (inBatch === 0) return;
    await dst.query(sql, batch);
    batch = columns.map(() => []);
    inBatch = 0;
  };
  for (const row of rows) {
    row.forEach((v, k) => batch[k]!.push(v));
    inBatch++;
    n++;
    if (inBatch >= COPY_BATCH) {
      await flush();
      if (n % 100_000 === 0) log(`  ${table}: ${fmt(n)} rows`);
    }
  }
  await flush();
  return n;
}

async function copyCorpus(url: string): Promise<SearchResults['rows']> {
  const src = new BetterSqlite3(CORPUS_DB, { readonly: true });
  const dst = new pg.Client({ connectionString: url });
  await dst.connect();
  try {
    const papers = await copyTable(src, dst, 'papers', [
      { name: 'id', type: 'text' }, { name: 'latest_version', type: 'int' }, { name: 'title', type: 'text' }, { name: 'abstract', type: 'text' },
      { name: 'primary_category', type: 'text' }, { name: 'published_at', type: 'text' }, { name: 'updated_at', type: 'text' }, { name: 'code_url', type: 'text' },
      { name: 'upvotes', type: 'int' }, { name: 'hotness', type: 'float8' }, { name: 'created_at', type: 'text' }, { name: 'modified_at', type: 'text' },
    ], 'id');
    const authors = await copyTable(src, dst, 'paper_authors', [{ name: 'paper_id', type: 'text' }, { name: 'position', type: 'int' }, { name: 'name', type: 'text' }], 'paper_id, position');
    const categories = await copyTable(src, dst, 'paper_categories', [
      { name: 'paper_id', type: 'text' }, { name: 'category', type: 'text' }, { name: 'is_primary', type: 'int' }, { name: 'position', type: 'int' },
    ], 'paper_id, category');
    log('  VACUUM ANALYZE');
    await dst.query('VACUUM ANALYZE');
    return { papers, authors, categories };
  } finally {
    await dst.end();
    src.close();
  }
}

async function databaseBytes(url: string): Promise<{ db: number; index: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ db: string; idx: string }>("SELECT pg_database_size(current_database()) AS db, pg_total_relation_size('search_index_parts') AS idx");
    return { db: Number(rows[0]!.db), index: Number(rows[0]!.idx) };
  } finally {
    await c.end();
  }
}

/** Child process: builds the index from PostgreSQL and saves it there (what `paperboy reindex` does). */
async function phaseBuild(url: string, out: string): Promise<void> {
  const store = await openStore(url);
  const index = SearchIndex.detached(store, { log: (m) => log(m) });
  const started = performance.now();
  const phasesMs: Record<string, number> = {};
  let last = '';
  let at = performance.now();
  await index.rebuild((p) => {
    if (p.phase !== last) {
      if (last) phasesMs[last] = Math.round(performance.now() - at);
      last = p.phase;
      at = performance.now();
    }
  });
  if (last) phasesMs[last] = Math.round(performance.now() - at);
  const buildMs = Math.round(performance.now() - started);
  await index.close();
  await store.close();
  const result: BuildResult = { buildMs, phasesMs, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
  fs.writeFileSync(out, JSON.stringify(result));
}

/** Child process: loads the saved index from PostgreSQL (what `serve` does at start) and queries it. */
async function phaseQuery(url: string, out: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const started = performance.now();
  const store = await openStore(url);
  const index = await SearchIndex.open(store, { log: (m) => log(m) });
  const loadMs = Math.round(performance.now() - started);
  const status = index.status();
  if (status.state !== 'ready' || status.semantic !== 'ready' || status.papers !== PAPERS) {
    throw new Error(`bench/postgres: the saved index was not loaded (state ${status.state}, semantic ${status.semantic}, ${status.papers} papers of ${PAPERS})`);
  }
  gc();
  const rssAfterLoad = process.memoryUsage().rss;
  const raw = new BetterSqlite3(CORPUS_DB, { readonly: true });
  const queries = makeQueries(raw, QUERIES);
  raw.close();
  const latency: Record<string, Latency> = {};
  const run = async (name: string, fn: (q: string) => Promise<unknown>) => {
    for (const q of queries.slice(0, WARMUP_QUERIES)) await fn(q.text);
    const ms: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      await fn(q.text);
      ms.push(performance.now() - t);
    }
    latency[name] = summary(ms);
    log(`  ${name}: p50 ${latency[name]!.p50} ms, p99 ${latency[name]!.p99} ms`);
  };
  for (const mode of ['hybrid', 'keyword', 'semantic'] as SearchMode[]) {
    await run(`index:${mode}`, (q) => index.search({ query: parseQuery(q), mode, sort: 'relevance', offset: 0, limit: 10 }));
  }
  await run('searchPapers:hybrid', (q) => searchPapers({ store, index }, { q, mode: 'hybrid', pageSize: 20 }));
  gc();
  const rssAfterQueries = process.memoryUsage().rss;
  await index.close();
  await store.close();
  const result: QueryResult = { loadMs, rssAfterLoadMiB: mib(rssAfterLoad), rssAfterQueriesMiB: mib(rssAfterQueries), latency, examples: queries.slice(0, 4).map((q) => q.text) };
  fs.writeFileSync(out, JSON.stringify(result));
}

async function runSearch(c: Cluster): Promise<SearchResults> {
  const loadStart = loadavg();
  let corpusMs: number | null = null;
  if (!fs.existsSync(CORPUS_DB)) {
    log(`corpus: generating ${fmt(PAPERS)} synthetic papers with bench/search.ts (cached in ${path.relative(ROOT, CORPUS_DB)})`);
    const at = performance.now();
    await node(['bench/search.ts', '--phase', 'gen', '--papers', String(PAPERS), '--dir', CORPUS_DIR], process.env, 'corpus generation', true);
    corpusMs = performance.now() - at;
  } else {
    log(`corpus: ${path.relative(ROOT, CORPUS_DB)} exists`);
  }
  const admin = new pg.Client({ connectionString: c.url });
  await admin.connect();
  await admin.query('CREATE DATABASE paperboy_search');
  await admin.end();
  const url = c.urlFor('paperboy_search');
  const store = await openStore(url);
  await store.migrate(new Date(0).toISOString());
  await store.close();

  log(`copying ${fmt(PAPERS)} papers into PostgreSQL`);
  const copyStarted = performance.now();
  const rows = await copyCorpus(url);
  const copyMs = performance.now() - copyStarted;
  const before = await databaseBytes(url);
  log(`copied in ${sec(copyMs)}; database ${fmt(mib(before.db))} MiB`);

  const work = scratchDir('search');
  const phase = async (name: string) => {
    const out = path.join(work, `${name}.json`);
    await node(['--expose-gc', fileURLToPath(import.meta.url), '--phase', name, '--url', url, '--out', out, '--papers', String(PAPERS), '--corpus-dir', CORPUS_DIR],
      process.env, `search ${name}`, true);
    return JSON.parse(fs.readFileSync(out, 'utf8')) as unknown;
  };
  log('index build from PostgreSQL (own process)');
  const build = await phase('build') as BuildResult;
  log(`built in ${sec(build.buildMs)}, peak RSS ${fmt(build.peakRssMiB)} MiB`);
  const after = await databaseBytes(url);
  log('index load and queries (own process)');
  const query = await phase('query') as QueryResult;
  return {
    papers: PAPERS, corpusMs, copyMs, rows, sqliteBytes: fs.statSync(CORPUS_DB).size,
    dbBytesBefore: before.db, dbBytesAfter: after.db, indexBytes: after.index, build, query, loadStart, loadEnd: loadavg(),
  };
}

// -------------------------------------------------------------------------------------------------
// Report

function feedReport(f: FeedResults, when: string): string {
  const base = f.rows[0]!;
  const pct = (x: number, of: number) => `${Math.round((100 * x) / of)}%`;
  const row = (r: FeedRow, which: 'cached' | 'uncached') => {
    const x = r[which];
    const pgCpu = x.pgCpu ?? null;
    const perRequest = (cpu: number) => `${((cpu * 1000) / x.rps).toFixed(cpu / x.rps < 0.001 ? 3 : 1)} ms`;
    const cost = `${perRequest(x.appCpu)}${pgCpu === null ? '' : ` + ${perRequest(pgCpu)}`}`;
    return `| ${r.store} | ${r.processes} | ${which === 'cached' ? '`/` (page cache)' : `${fmt(f.targets.feedPaths.length)} feed pages (uncached)`} | ${fmt(x.rps)} | ${fmt(x.rpsMin)}-${fmt(x.rpsMax)} | ${pct(x.rps, base[which].rps)} | ${x.p50} ms | ${x.p99} ms | ${x.errors} / ${x.non2xx} | ${x.appCpu.toFixed(2)} / ${pgCpu === null ? '-' : pgCpu.toFixed(2)} / ${x.loadGenCpu.toFixed(2)} | ${(x.machineBusy * 100).toFixed(0)}% | ${cost} |`;
  };
  const p = (name: string) => f.prepared[name]!;
  return [
    '### Feed: one and two app processes',
    '',
    `${when} Load average (1, 5, 15 min) at the start ${f.loadStart}, at the end ${f.loadEnd}. The demo corpus (${fmt(f.targets.papers)} papers, ${fmt(f.targets.dailyEntries)} on daily lists) imported by a first \`paperboy serve\` start and its search index built by \`paperboy reindex\`, on each store; then autocannon in the bench process, ${CONNECTIONS} connections on 127.0.0.1 (with two processes, ${CONNECTIONS / 2} on each), ${DURATION} s per figure after a ${WARMUP} s warm-up. The uncached figure requests every page of the ${f.targets.windows.days} days, ${f.targets.windows.weeks} ISO weeks and ${f.targets.windows.months} months of daily lists in each sort order, in turn, with a new throwaway query parameter on each pass, so no request is a page-cache hit. The second PostgreSQL process runs with PAPERBOY_SCHEDULER=false, on its own data folder; both share the database.`,
    '',
    '| Store | `serve` processes | Request | req/s (mean) | slowest-fastest 1 s | vs SQLite | p50 | p99 | errors / non-2xx | CPU s per s: app / PostgreSQL / load generator | machine CPU busy | CPU per request: app (+ PostgreSQL) |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...f.rows.map((r) => row(r, 'cached')),
    ...f.rows.map((r) => row(r, 'uncached')),
    '',
    `CPU columns: seconds of CPU per second of the figure used by the \`serve\` processes together, by the PostgreSQL server (its postmaster and backends) and by autocannon, out of the ${os.cpus().length} a second the machine has; "machine CPU busy" counts every process, other work included. CPU per request divides the first two by req/s; it rises too when other work crowds the machine (shared caches, time taken from the virtual machine), but less than req/s falls. Preparing the stores: first start with the demo import ${sec(p('SQLite').firstStartMs)} on SQLite, ${sec(p('PostgreSQL').firstStartMs)} on PostgreSQL; \`paperboy reindex\` ${sec(p('SQLite').reindexMs)} and ${sec(p('PostgreSQL').reindexMs)}.`,
  ].join('\n');
}

function searchReport(s: SearchResults, when: string): string {
  const L = s.query.latency;
  const row = (name: string, label: string) => {
    const x = L[name];
    return x ? `| ${label} | ${x.p50.toFixed(1)} ms | ${x.p90.toFixed(1)} ms | ${x.p99.toFixed(1)} ms |` : '';
  };
  const full = s.papers >= 1_000_000;
  return [
    `### Search at ${fmt(s.papers)} papers on PostgreSQL`,
    '',
    `${when} Load average (1, 5, 15 min) at the start ${s.loadStart}, at the end ${s.loadEnd}.${full ? '' : ` A smaller corpus than the million this benchmark is meant for (the index build takes several times longer on a busy machine than on a quiet one): \`npm run bench:postgres\` (default \`--papers 1000000\`) is the full run.`} bench/search.ts's synthetic corpus (${fmt(s.rows.papers)} papers, ${fmt(s.rows.authors)} author rows, ${fmt(s.rows.categories)} category rows), copied from its SQLite file into PostgreSQL (${COPY_BATCH.toLocaleString('en-US')} rows per INSERT, the store's triggers on: ${sec(s.copyMs)}, then VACUUM ANALYZE). The index is built from PostgreSQL and saved there in one process, as \`paperboy reindex\` does, then loaded by a fresh process, as \`paperboy serve\` does at start, which answers bench/search.ts's ${QUERIES} queries of 1-5 words (one in four only of the corpus's most common title words, e.g. ${s.query.examples.map((q) => `"${q}"`).join(', ')}), after ${WARMUP_QUERIES} warm-up queries, one at a time.`,
    '',
    '| Query path (top 10) | p50 | p90 | p99 |',
    '|---|---:|---:|---:|',
    row('index:hybrid', '**Hybrid (default)**'),
    row('index:keyword', 'Keyword (BM25F, MaxScore)'),
    row('index:semantic', 'Semantic (scan of every vector)'),
    row('searchPapers:hybrid', 'Hybrid, whole search call: 20 cards read from PostgreSQL, highlights, count'),
    '',
    '| Build, size, memory | |',
    '|---|---:|',
    `| Index build from PostgreSQL, saved there | ${sec(s.build.buildMs)} (${Object.entries(s.build.phasesMs).map(([k, v]) => `${k} ${sec(v)}`).join(', ')}) |`,
    `| Peak memory of the build | ${fmt(s.build.peakRssMiB)} MiB |`,
    `| Database size (pg_database_size) without / with the saved index | ${fmt(mib(s.dbBytesBefore))} MiB / ${fmt(mib(s.dbBytesAfter))} MiB (the index table ${fmt(mib(s.indexBytes))} MiB); the SQLite file of the same corpus, with its own saved index: ${fmt(mib(s.sqliteBytes))} MiB |`,
    `| Start: loading the saved index from PostgreSQL | ${sec(s.query.loadMs)} |`,
    `| Resident memory with the index loaded / after the queries | ${fmt(s.query.rssAfterLoadMiB)} MiB / ${fmt(s.query.rssAfterQueriesMiB)} MiB |`,
  ].join('\n');
}

/** How one half was measured: the day and the command, for its subsection. */
interface Measured { on: string; command: string }

/** The command line that reproduces this run. */
function commandLine(): string {
  const extra = [
    ...(ONLY !== 'all' ? [`--only ${ONLY}`] : []),
    ...(ONLY !== 'feed' && PAPERS !== 1_000_000 ? [`--papers ${PAPERS}`] : []),
    ...(ONLY !== 'search' && DURATION !== 15 ? [`--duration ${DURATION}`] : []),
  ];
  return extra.length ? `npm run bench:postgres -- ${extra.join(' ')}` : 'npm run bench:postgres';
}

/**
 * The figures of the last written run of each half, so that `--only feed` and `--only search` can
 * be run (and written) apart and the section still holds both.
 */
const SAVED = path.join(ROOT, '.tmp', 'bench-postgres', 'results.json');
interface Saved { feed?: { results: FeedResults; measured: Measured }; search?: { results: SearchResults; measured: Measured } }
function readSaved(): Saved {
  try { return JSON.parse(fs.readFileSync(SAVED, 'utf8')) as Saved; } catch { return {}; }
}

/**
 * One half of the section as BENCHMARKS.md holds it now: the feed half runs from "### Feed" to the
 * first "### Search", the search half from there to the end. A checkout has no saved figures
 * (.tmp is not committed), so a written `--only` run keeps the other half's text this way.
 */
function writtenHalf(kind: 'feed' | 'search'): string | null {
  const text = readSection(SECTION);
  if (!text) return null;
  const feed = text.indexOf('### Feed');
  const search = text.indexOf('### Search');
  if (kind === 'feed') return feed >= 0 ? text.slice(feed, search > feed ? search : undefined).trim() : null;
  return search >= 0 ? text.slice(search).trim() : null;
}

function report(saved: Saved, c: Cluster, keepWritten = false): string {
  const when = (m: Measured) => `Measured on ${m.on} with \`${m.command}\`.`;
  const feedText = saved.feed ? feedReport(saved.feed.results, when(saved.feed.measured)) : keepWritten ? writtenHalf('feed') : null;
  const searchText = saved.search ? searchReport(saved.search.results, when(saved.search.measured)) : keepWritten ? writtenHalf('search') : null;
  return [
    '## PostgreSQL beside SQLite',
    '',
    `Machine: ${machine()}. PostgreSQL ${c.version} in a throwaway cluster on the same machine (${c.settings.join(', ')}; durability is off because the data is thrown away, which speeds up the loads, not the read-only figures). Everything (app processes, PostgreSQL, the load generator) shares the ${os.cpus().length} CPUs. The machine is shared with other work: a load average above ${os.cpus().length} means other work competed for the CPUs, so the figures are lower bounds; compare rows of one table with each other rather than with other sections. What the figures mean: docs/postgres.md, "Benchmarks".`,
    ...(feedText ? ['', feedText] : []),
    ...(searchText ? ['', searchText] : []),
  ].join('\n');
}

// -------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (flags.phase === 'build' || flags.phase === 'query') {
    if (!flags.url || !flags.out) throw new Error('bench/postgres: --phase needs --url and --out');
    return flags.phase === 'build' ? phaseBuild(flags.url, flags.out) : phaseQuery(flags.url, flags.out);
  }
  process.on('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`bench:postgres: ${signal}, stopping servers and the cluster\n`);
      cleanUp();
      process.exit(130);
    });
  }
  const bin = findPostgresBin();
  if (!bin) throw new Error('bench/postgres: PostgreSQL 15+ server binaries (initdb, pg_ctl) not found; install them with: sudo scripts/install-deps.sh');
  log(`${machine()}; load average ${loadavg()}`);
  log(`starting a throwaway PostgreSQL cluster (${bin})`);
  cluster = await startCluster(bin, PG_SETTINGS);
  const c = cluster;
  try {
    const measured: Measured = { on: new Date().toISOString().slice(0, 10), command: commandLine() };
    const feed = ONLY === 'search' ? null : { results: await runFeed(c), measured };
    const search = ONLY === 'feed' ? null : { results: await runSearch(c), measured };
    // A run of one half, written, keeps the other half's last written figures.
    const saved: Saved = flags.write ? { ...readSaved(), ...(feed ? { feed } : {}), ...(search ? { search } : {}) } : { ...(feed ? { feed } : {}), ...(search ? { search } : {}) };
    const body = report(saved, c, flags.write === true);
    process.stdout.write(`\n${body}\n\n`);
    if (flags.write) {
      fs.mkdirSync(path.dirname(SAVED), { recursive: true });
      fs.writeFileSync(SAVED, JSON.stringify(saved, null, 2));
      writeSection(SECTION, body);
      log('BENCHMARKS.md: section "postgres" written');
    }
  } finally {
    cleanUp();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:postgres: ${err.stack ?? err}\n`);
  cleanUp();
  process.exit(1);
});
