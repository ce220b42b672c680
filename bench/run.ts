/**
 * `npm run bench`: measures a real Paperboy server and writes the figures into BENCHMARKS.md.
 *
 * The server runs as a separate process (`node --import tsx src/main.ts serve`) on 127.0.0.1 with a
 * fresh data directory, so it imports the bundled demo corpus like a first-time install. The load
 * comes from autocannon in this process. The figures replace the section between
 * `<!-- bench:core:start -->` and `<!-- bench:core:end -->` in BENCHMARKS.md; the rest of the file
 * (other benchmarks' sections) is kept.
 *
 *   npm run bench                 full run: 15 s per figure after a 2 s warm-up, 3 runs per start time
 *   npm run bench -- --quick      smoke check: 3 s per figure, 1 start run; prints, does not write
 *   npm run bench -- --quick --write   the same, but writes BENCHMARKS.md anyway
 *   npm run bench -- --only-build-load [--compare DIR] [--write]   only the page latency during the
 *                                 first search-index build; with --compare, first the same for the server
 *                                 of another checkout DIR (an older commit), for a before/after table;
 *                                 --write puts it in its own section ("search-build") of BENCHMARKS.md
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { isoWeekOf, monthOf } from '../src/domain/dates.ts';
import { openStore } from '../src/store/index.ts';
import { LIST_SORTS } from '../src/store/types.ts';
import { PAGE_CACHE_MAX_ENTRIES } from '../src/web/page-cache.ts';
import { machine, ROOT, writeSection } from './report.ts';

const SECTION = 'core';
const HOST = '127.0.0.1';
const CONNECTIONS = 50;
/** Distinct paper ids for the mostly-uncached paper-page figure. */
const PAPER_IDS = 2000;
/** The throwaway query parameter that keeps rotated feed pages out of the page cache. */
const BUST_PARAM = '_r';
const COLD_START_TARGET_MS = 30_000;
const WARM_START_TARGET_MS = 2_000;
const FEED_RPS_TARGET = 1_500;
const FEED_P99_TARGET_MS = 50;

// ---------------------------------------------------------------------------------------------
// Options

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    quick: { type: 'boolean', default: false }, write: { type: 'boolean', default: false },
    'only-build-load': { type: 'boolean', default: false }, compare: { type: 'string' },
  },
});
const quick = flags.quick === true;
const settings = quick
  ? { duration: 3, warmup: 1, startRuns: 1 }
  : { duration: 15, warmup: 2, startRuns: 3 };
const writeDoc = !quick || flags.write === true;

const t0 = performance.now();
function log(msg: string): void {
  const s = ((performance.now() - t0) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[bench ${s}s] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------
// Child servers: every one started is tracked and killed on any way out.

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

function killAll(): void {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping servers\n`);
    killAll();
    removeTempDirs();
    process.exit(130);
  });
}

function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

interface ServerProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
  running(): boolean;
  /** The last few KB the server wrote, for error messages. */
  output(): string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The caller's environment without settings (a DATABASE_URL, PAPERBOY_*) that must not leak into the run. */
function serverEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'DATABASE_URL' && k !== 'NODE_ENV'),
  );
  return Object.assign(env, { HOST, PAPERBOY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
}

async function spawnServer(dataDir: string, root = ROOT): Promise<ServerProcess> {
  const port = await freePort();
  const env = { ...serverEnv(dataDir), PORT: String(port) };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => { children.delete(child); resolve(); });
    child.once('error', (err) => { tail += `\nspawn error: ${err.message}`; children.delete(child); resolve(); });
  });
  return {
    child,
    url: `http://${HOST}:${port}`,
    exited,
    running: () => child.exitCode === null && child.signalCode === null && children.has(child),
    output: () => tail.trim(),
  };
}

/** Polls `/` until it answers 200; returns the ms from `since`. */
async function waitReady(server: ServerProcess, since: number, timeoutMs: number): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    if (!server.running()) throw new Error(`server exited before answering:\n${server.output()}`);
    try {
      const res = await fetch(`${server.url}/`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch { /* not listening yet */ }
    if (performance.now() > deadline) throw new Error(`server did not answer / with 200 within ${timeoutMs} ms:\n${server.output()}`);
    await sleep(20);
  }
}

async function stopServer(server: ServerProcess): Promise<void> {
  if (!server.running()) return;
  server.child.kill('SIGTERM');
  const stopped = await Promise.race([server.exited.then(() => true), sleep(5000).then(() => false)]);
  if (!stopped) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

/** Starts a server on `dataDir`, runs `fn` with it, and always stops it. */
async function withServer<T>(dataDir: string, fn: (server: ServerProcess, readyMs: number) => Promise<T>, root = ROOT): Promise<T> {
  const since = performance.now();
  const server = await spawnServer(dataDir, root);
  try {
    const readyMs = await waitReady(server, since, 180_000);
    return await fn(server, readyMs);
  } finally {
    await stopServer(server);
  }
}

function newDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-bench-'));
  tempDirs.push(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// What to request: ids and feed URLs read from the demo store

/** A small seeded PRNG, so the rotation order is the same on every run. */
function shuffled<T>(items: T[], seed = 20250506): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Targets {
  /** The top paper of the latest daily list. */
  paperId: string;
  paperPaths: string[];
  /** How many of the paper ids come from the daily lists (the rest from the whole corpus). */
  dailyIds: number;
  feedPaths: string[];
  feedWindows: { days: number; weeks: number; months: number };
  /** What the demo import put in the store. */
  corpus: { papers: number; dailyEntries: number; votes: number };
}

async function readTargets(dataDir: string): Promise<Targets> {
  const config = loadConfig({ PAPERBOY_DATA_DIR: dataDir });
  const store = await openStore(config.databaseUrl);
  try {
    const daily = await store.db.selectFrom('daily_entries as d').innerJoin('papers as p', 'p.id', 'd.paper_id')
      .select(['d.paper_id as id', 'd.day as day'])
      .where('d.hidden', '=', 0)
      .orderBy('d.day', 'desc').orderBy('p.upvotes', 'desc').orderBy('p.id')
      .execute();
    if (daily.length === 0) throw new Error('the demo store has no daily list');
    const ids = [...new Set(daily.map((r) => r.id))].slice(0, PAPER_IDS);
    const dailyIds = ids.length;
    if (ids.length < PAPER_IDS) {
      const more = await store.db.selectFrom('papers').select('id').orderBy('id').limit(PAPER_IDS + ids.length).execute();
      for (const { id } of more) {
        if (ids.length >= PAPER_IDS) break;
        if (!ids.includes(id)) ids.push(id);
      }
    }

    // Every daily feed page: each day, ISO week and month with papers, in each sort order, every page.
    const counts = new Map<string, number>();
    for (const { day } of daily) {
      for (const key of [`date/${day}`, `week/${isoWeekOf(day)}`, `month/${monthOf(day)}`]) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const feedPaths: string[] = [];
    for (const [key, n] of counts) {
      const pages = Math.max(1, Math.ceil(n / config.pageSize));
      for (const sort of LIST_SORTS) {
        for (let page = 1; page <= pages; page++) feedPaths.push(`/papers/${key}?sort=${sort}${page > 1 ? `&page=${page}` : ''}`);
      }
    }
    const kinds = [...counts.keys()].map((k) => k.split('/')[0]);
    const stats = await store.stats();
    return {
      paperId: daily[0]!.id,
      paperPaths: shuffled(ids).map((id) => `/papers/${id}`),
      dailyIds,
      feedPaths: shuffled(feedPaths),
      feedWindows: {
        days: kinds.filter((k) => k === 'date').length,
        weeks: kinds.filter((k) => k === 'week').length,
        months: kinds.filter((k) => k === 'month').length,
      },
      corpus: { papers: stats.papers, dailyEntries: stats.dailyEntries, votes: stats.votes },
    };
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Load

interface LoadFigure {
  n: number;
  name: string;
  request: string;
  distinct: number;
  rps: number;
  /** The slowest and fastest one-second samples of req/s. */
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  /** Whether a throwaway query parameter kept every request out of the page cache. */
  bust: boolean;
}

/** One autocannon run: a fixed path, or a function giving the path of each request. */
function cannon(url: string, target: string | (() => string), duration: number): Promise<autocannon.Result> {
  const requests: autocannon.Request[] = typeof target === 'string'
    ? [{ method: 'GET', path: target }]
    : [{ method: 'GET', setupRequest: (req) => ({ ...req, path: target() }) }];
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration, timeout: 10, requests }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * Runs one figure. Several paths are requested in strict round-robin (one counter for all
 * connections). With `bust`, each pass over them adds a new throwaway query parameter, which the
 * app ignores but the page cache (keyed on the full URL) does not, so no request is a cache hit.
 */
async function measure(server: ServerProcess, n: number, name: string, paths: string[], bust = false): Promise<LoadFigure> {
  let i = 0;
  const next = () => {
    const p = paths[i % paths.length]!;
    const round = Math.floor(i++ / paths.length);
    return bust ? `${p}${p.includes('?') ? '&' : '?'}${BUST_PARAM}=${round}` : p;
  };
  const target = paths.length === 1 && !bust ? paths[0]! : next;
  const what = paths.length === 1 ? paths[0]! : `${paths.length.toLocaleString('en-US')} URLs in turn${bust ? `, a new ${BUST_PARAM}= each pass` : ''}`;
  const of = n > 5 ? 7 : 5;
  log(`[${n}/${of}] ${name} (${what}): warm-up ${settings.warmup} s`);
  await cannon(server.url, target, settings.warmup);
  if (!server.running()) throw new Error(`server exited during warm-up:\n${server.output()}`);
  log(`[${n}/${of}] ${name}: measuring ${settings.duration} s, ${CONNECTIONS} connections`);
  const r = await cannon(server.url, target, settings.duration);
  if (!server.running()) throw new Error(`server exited during the run:\n${server.output()}`);
  const figure: LoadFigure = {
    n, name, request: what, distinct: paths.length,
    rps: r.requests.average, rpsMin: r.requests.min, rpsMax: r.requests.max, p50: r.latency.p50, p99: r.latency.p99,
    errors: r.errors, non2xx: r.non2xx, total: r.requests.total, bust,
  };
  log(`[${n}/${of}] ${name}: ${fmtInt(figure.rps)} req/s, p50 ${figure.p50} ms, p99 ${figure.p99} ms, `
    + `${figure.errors} errors, ${figure.non2xx} non-2xx (${fmtInt(figure.total)} requests)`);
  return figure;
}

// ---------------------------------------------------------------------------------------------
// Report

const fmtInt = (x: number) => Math.round(x).toLocaleString('en-US');
const fmtSec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtKB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Starts { cold: number[]; warm: number[] }

function renderSection(figs: LoadFigure[], starts: Starts, targets: Targets, sizes: { feed: number; paper: number; css: number }, load: { start: number; end: number }): string {
  const [feed, paper, papers, feeds, asset] = figs as [LoadFigure, LoadFigure, LoadFigure, LoadFigure, LoadFigure];
  const feedHolds = feed.rps >= FEED_RPS_TARGET && feed.p99 < FEED_P99_TARGET_MS;
  const cold = median(starts.cold);
  const warm = median(starts.warm);
  const yes = (ok: boolean) => (ok ? 'yes' : '**no**');
  const row = (f: LoadFigure, target: string, holds: string) =>
    `| ${f.n} | ${f.name} | ${fmtInt(f.rps)} | ${fmtInt(f.rpsMin)}-${fmtInt(f.rpsMax)} | ${f.p50} ms | ${f.p99} ms | ${f.errors} / ${f.non2xx} | ${target} | ${holds} |`;
  const missText = (f: LoadFigure) => f.bust
    ? `every request misses the page cache (these ${fmtInt(f.distinct)} URLs alone would fit in its ${PAGE_CACHE_MAX_ENTRIES} entries, so each pass over them adds a new throwaway \`${BUST_PARAM}=<pass>\` query parameter, which the app ignores and the cache, keyed on the full URL, does not)`
    : f.distinct > PAGE_CACHE_MAX_ENTRIES + CONNECTIONS
      ? `every request misses the page cache (${fmtInt(f.distinct)} distinct URLs requested in turn, more than its ${PAGE_CACHE_MAX_ENTRIES} entries, so each is evicted before it comes round again)`
      : `some requests may hit the page cache (only ${fmtInt(f.distinct)} distinct URLs for its ${PAGE_CACHE_MAX_ENTRIES} entries)`;
  const failures = figs.filter((f) => f.errors > 0 || f.non2xx > 0);
  const w = targets.feedWindows;
  const runs = settings.startRuns;

  const lines = [
    `## Core: pages and start-up`,
    '',
    `Measured on ${new Date().toISOString().slice(0, 10)} with \`npm run bench${quick ? ' -- --quick' : ''}\`${quick ? ' (a smoke check: short runs, not for comparison)' : ''}.`,
    '',
    `- Machine: ${machine()}.`,
    `- Load: autocannon, ${CONNECTIONS} connections (HTTP/1.1 keep-alive, no pipelining) on 127.0.0.1, ${settings.duration} s per figure after a ${settings.warmup} s warm-up that is not counted. The server is a separate process (\`node --import tsx src/main.ts serve\`, LOG_LEVEL=warn) on a fresh data directory holding the bundled demo corpus.`,
    `- The load generator and the server share the same ${os.cpus().length} CPUs, so they compete for them: req/s is lower, and latency higher, than the server alone would show with the load coming from another machine.`,
    `- This is a shared virtual machine whose speed moves from second to second: the slowest and fastest one-second samples show how much within a run, and repeated runs move about as much, so compare figures within one run rather than across runs.`,
    `- req/s is the mean over one-second samples; latencies are autocannon's, in whole milliseconds, for 2xx answers; errors are connection errors and timeouts.`,
    `- Start times are the median of ${runs} run${runs > 1 ? 's' : ''}, from spawning the server process to its first 200 on \`/\`.`,
    `- Load average (1 min): ${load.start.toFixed(1)} before the first start, ${load.end.toFixed(1)} after the last figure (the bench's own server and load generator account for about ${os.cpus().length} of it)${load.start >= 1 ? `: other work was already running on these ${os.cpus().length} CPUs when the run began, so these figures are below what this machine gives when quiet` : ''}.`,
    '',
    '| # | Figure | req/s (mean) | req/s, slowest-fastest 1 s | p50 | p99 | errors / non-2xx | Target | Holds |',
    '|---|---|---:|---:|---:|---:|---:|---|---|',
    row(feed, `>= ${fmtInt(FEED_RPS_TARGET)} req/s and p99 < ${FEED_P99_TARGET_MS} ms`, yes(feedHolds)),
    row(paper, '-', '-'),
    row(papers, '-', '-'),
    row(feeds, '-', '-'),
    row(asset, '-', '-'),
    '',
    '| Start | Median | Runs (ms) | Target | Holds |',
    '|---|---:|---|---|---|',
    `| First start (empty data dir, demo import included) | ${fmtSec(cold)} | ${starts.cold.map(fmtInt).join(', ')} | < ${COLD_START_TARGET_MS / 1000} s | ${yes(cold < COLD_START_TARGET_MS)} |`,
    `| Warm start (same data dir, restart) | ${fmtSec(warm)} | ${starts.warm.map(fmtInt).join(', ')} | < ${WARM_START_TARGET_MS / 1000} s | ${yes(warm < WARM_START_TARGET_MS)} |`,
    '',
    'What the figures mean:',
    '',
    `1. \`/\` (the feed, ${fmtKB(sizes.feed)}) is rendered once and then served from the page cache for the whole run, since nothing writes to the store: this is the cost of routing, the change-token check, the security headers and sending a cached string, not of rendering a feed (figure 4 is that).`,
    `2. One paper page (\`/papers/${targets.paperId}\`, ${fmtKB(sizes.paper)}, the top paper of the latest daily list) is likewise a page-cache hit after the first request, so it measures the same cached path with a ${sizes.paper > sizes.feed ? 'larger' : 'smaller'} page.`,
    `3. Paper pages over ${fmtInt(papers.distinct)} ids (the ${fmtInt(targets.dailyIds)} papers on the daily lists, then others from the corpus, in a fixed shuffled order): ${missText(papers)}, so this is the uncached cost of a paper page, its SQLite reads and the JSX render, at ${pct(papers.rps, paper.rps)} of the cached rate of figure 2. Each page also lists its similar papers, which the server works out on a paper's first request and keeps while the search index's epoch stands (nothing writes during the run, so it stands): the first pass over the ids (the warm-up and, as far as it did not get through them, the first seconds measured) works them out, later passes find them kept; the measured ${fmtInt(papers.total)} requests are ${(papers.total / papers.distinct).toFixed(1)} passes, so the slowest seconds and the p99 are the first pass's.`,
    `4. Feed pages over ${fmtInt(feeds.distinct)} URLs (${w.days} days, ${w.weeks} ISO weeks and ${w.months} months of daily lists, ${LIST_SORTS.length} sort orders, every page): ${missText(feeds)}, so this is what a feed page costs when the cache cannot help (the first request for a URL, or any request after a vote or an import changes the data), at ${pct(feeds.rps, feed.rps)} of the cached rate of figure 1.`,
    asset.rps >= feed.rps
      ? `5. \`/assets/style.css?v=<hash>\` (${fmtKB(sizes.css)}, a buffer held in memory: no database, no page cache) is the ceiling for this server and load generator on this machine; figure 1 reaches ${pct(feed.rps, asset.rps)} of it.`
      : `5. \`/assets/style.css?v=<hash>\` (${fmtKB(sizes.css)}, a buffer held in memory: no database, no page cache) was meant as the ceiling but measured ${pct(asset.rps, feed.rps)} of figure 1's rate in this run, so it does not bound figure 1 here: both go through the same middleware and neither touches the database, the file's body is ${sizes.css > sizes.feed ? 'larger than the feed\'s' : 'about the size of the feed\'s'}, and ${asset.rpsMax >= feed.rpsMin ? 'their one-second samples overlap, so the order of the two is within this machine\'s variation' : 'the gap is wider than the spread of their one-second samples'}.`,
    `6. First start (${fmtSec(cold)}): Node and tsx start-up, the migrations, importing the demo corpus (${fmtInt(targets.corpus.papers)} papers, ${fmtInt(targets.corpus.dailyEntries)} of them on daily lists, ${fmtInt(targets.corpus.votes)} generated demo votes) with every paper's keywords scored against the corpus, and bundling the client script with esbuild, then the first (uncached) render of \`/\`; ${cold < COLD_START_TARGET_MS / 2 ? 'well within' : cold < COLD_START_TARGET_MS ? 'within' : 'over'} the ${COLD_START_TARGET_MS / 1000} s target.`,
    `7. Warm start (${fmtSec(warm)}): the same without the import (the store is already migrated and full), so what remains is process and tsx start-up, opening SQLite, the esbuild bundle and the first render; ${warm < WARM_START_TARGET_MS / 2 ? 'well within' : warm < WARM_START_TARGET_MS ? 'within' : 'over'} the ${WARM_START_TARGET_MS / 1000} s target.`,
  ];
  if (failures.length > 0) {
    lines.push('', `Errors or non-2xx answers were counted in figure(s) ${failures.map((f) => f.n).join(', ')}; those figures overstate what the server can serve correctly.`);
  }
  return lines.join('\n');
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((100 * part) / whole)}%` : 'n/a';
}

// ---------------------------------------------------------------------------------------------
// Page latency while the first search-index build runs

interface BuildLoad {
  during: LoadFigure;
  after: LoadFigure;
  /** Whether the build was still running when the "during" figure ended. */
  buildingAtEnd: boolean;
  /** From the server's first 200 to the search page no longer saying "being built". */
  buildMs: number;
}

/**
 * Whether the index is still being built: the search page says so, or that search by meaning is
 * still being prepared (keyword results come first). A server too busy to answer within 30 s is building.
 */
async function isBuilding(server: ServerProcess): Promise<boolean> {
  try {
    const res = await fetch(`${server.url}/search?q=attention`, { signal: AbortSignal.timeout(30_000) });
    return /being built|still being prepared/.test(await res.text());
  } catch {
    return true;
  }
}

/**
 * A first start on a fresh data dir builds the search index in the background: the uncached feed
 * `/` under load while it builds, then the same once it is built, on the same server.
 */
async function buildLoad(root = ROOT): Promise<BuildLoad> {
  return withServer(newDataDir(), async (server) => {
    const ready = performance.now();
    if (!(await isBuilding(server))) throw new Error('the search index was not being built on a first start');
    const during = await measure(server, 6, 'Feed `/` (uncached) while the search index is built', ['/'], true);
    const buildingAtEnd = await isBuilding(server);
    while (await isBuilding(server)) {
      if (performance.now() - ready > 600_000) throw new Error('the search index was not built within 10 minutes');
      await sleep(500);
    }
    const buildMs = performance.now() - ready;
    const after = await measure(server, 7, 'Feed `/` (uncached) once it is built', ['/'], true);
    return { during, after, buildingAtEnd, buildMs };
  }, root);
}

function buildRows(b: BuildLoad, who: string): string[] {
  const row = (f: LoadFigure, when: string) => `| ${who} | ${when} | ${fmtInt(f.rps)} | ${fmtInt(f.rpsMin)}-${fmtInt(f.rpsMax)} | ${f.p50} ms | ${f.p99} ms | ${f.errors} / ${f.non2xx} |`;
  return [
    row(b.during, `during the build${b.buildingAtEnd ? '' : ' (**it ended before the figure did**)'}`),
    row(b.after, `after it (${(b.buildMs / 1000).toFixed(0)} s after the first 200)`),
  ];
}

function renderBuildLoad(b: BuildLoad, before: { b: BuildLoad; label: string } | null = null): string {
  return [
    `First start: \`serve\` imports the demo corpus, answers, and builds the search index of its papers (keyword index, embedder training, vectors) in a worker thread while the serving thread answers. The uncached feed \`/\` (a new throwaway query parameter on each request, ${CONNECTIONS} connections, ${settings.duration} s after a ${settings.warmup} s warm-up) on that server during the build and once the search page says neither "being built" nor that search by meaning is still being prepared${before ? `, beside the same measurement of ${before.label}` : ''}. Load generator and server share the machine's ${os.cpus().length} CPUs. 0 req/s with errors means that no request was answered within autocannon's 10 s timeout. The worker thread runs at nice 10, so on a busy machine the build itself takes longer there: the serving thread gets the CPU first.`,
    '',
    '| Server | When | req/s (mean) | req/s, slowest-fastest 1 s | p50 | p99 | errors / non-2xx |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...(before ? buildRows(before.b, before.label) : []),
    ...buildRows(b, 'build in a worker thread'),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function bodyOf(url: string): Promise<string> {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return text;
}

async function main(): Promise<void> {
  if (flags['only-build-load']) {
    log(`page latency during the first search-index build; ${machine()}; load average ${os.loadavg()[0]!.toFixed(1)}`);
    let before: { b: BuildLoad; label: string } | null = null;
    if (flags.compare) {
      const dir = path.resolve(flags.compare);
      const commit = spawnSync('git', ['log', '-1', '--format=%h'], { cwd: dir, encoding: 'utf8' }).stdout.trim();
      log(`first the server of ${dir}`);
      before = { b: await buildLoad(dir), label: `the build in the serving thread${commit ? ` (commit ${commit})` : ''}` };
    }
    const after = await buildLoad();
    const loadEnd = os.loadavg()[0]!;
    const body = `## Search: pages while the first index is built\n\nMeasured on ${new Date().toISOString().slice(0, 10)} with \`node --import tsx bench/run.ts --only-build-load${flags.compare ? ' --compare DIR' : ''}\` (${machine()}; load average ${loadEnd.toFixed(1)} at the end: other work shared the machine, so compare the rows with each other, not with the figures above).\n\n${renderBuildLoad(after, before)}`;
    if (flags.write) writeSection('search-build', body);
    process.stdout.write(`\n${body}\n\n`);
    return;
  }
  log(`${quick ? 'quick smoke check' : 'full run'}: ${settings.duration} s per figure after ${settings.warmup} s warm-up, `
    + `${settings.startRuns} start run(s); ${machine()}`);

  // Start-up first, on an otherwise idle machine.
  const loadStart = os.loadavg()[0]!;
  const starts: Starts = { cold: [], warm: [] };
  let dataDir = '';
  for (let run = 1; run <= settings.startRuns; run++) {
    dataDir = newDataDir();
    log(`first start ${run}/${settings.startRuns}: empty data dir, demo import`);
    const ms = await withServer(dataDir, async (_server, readyMs) => readyMs);
    starts.cold.push(ms);
    log(`first start ${run}/${settings.startRuns}: ${fmtInt(ms)} ms to the first 200 on /`);
  }
  for (let run = 1; run <= settings.startRuns; run++) {
    log(`warm start ${run}/${settings.startRuns}: same data dir`);
    const ms = await withServer(dataDir, async (_server, readyMs) => readyMs);
    starts.warm.push(ms);
    log(`warm start ${run}/${settings.startRuns}: ${fmtInt(ms)} ms to the first 200 on /`);
  }

  // The first start builds the search index in the background (about 90 s for the demo); the load
  // figures are for a running site, so build and save it first, and report how long that takes.
  log('search index: paperboy reindex on the demo data dir');
  const indexStarted = performance.now();
  const reindex = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'reindex'], {
    cwd: ROOT, encoding: 'utf8', env: serverEnv(dataDir),
  });
  if (reindex.status !== 0) throw new Error(`reindex failed: ${reindex.stderr || reindex.stdout}`);
  const indexMs = performance.now() - indexStarted;
  log(`search index: built and saved in ${fmtInt(indexMs)} ms`);

  const targets = await readTargets(dataDir);
  log(`targets: paper ${targets.paperId}, ${targets.paperPaths.length} paper ids, ${targets.feedPaths.length} feed URLs`);

  // The load figures run against one fresh server on the imported data dir.
  const figures = await withServer(dataDir, async (server) => {
    const home = await bodyOf(`${server.url}/`);
    const hash = /\/assets\/style\.css\?v=([0-9a-f]+)/.exec(home)?.[1];
    if (!hash) throw new Error('no versioned /assets/style.css link on /');
    const cssPath = `/assets/style.css?v=${hash}`;
    const paperPath = `/papers/${targets.paperId}`;
    const sizes = {
      feed: Buffer.byteLength(home),
      paper: Buffer.byteLength(await bodyOf(`${server.url}${paperPath}`)),
      css: Buffer.byteLength(await bodyOf(`${server.url}${cssPath}`)),
    };
    const figs: LoadFigure[] = [];
    figs.push(await measure(server, 1, 'Feed `/` (page cache)', ['/']));
    figs.push(await measure(server, 2, 'One paper page (page cache)', [paperPath]));
    figs.push(await measure(server, 3, `Paper pages, ${fmtInt(targets.paperPaths.length)} ids (uncached)`, targets.paperPaths));
    // 405-odd real feed URLs would all fit in the page cache: bust it so this is the uncached cost.
    const bustFeeds = targets.feedPaths.length <= PAGE_CACHE_MAX_ENTRIES + CONNECTIONS;
    figs.push(await measure(server, 4, `Feed pages, ${fmtInt(targets.feedPaths.length)} URLs (uncached)`, targets.feedPaths, bustFeeds));
    figs.push(await measure(server, 5, 'Static asset `style.css`', [cssPath]));
    return { figs, sizes };
  });

  log('page latency during the first search-index build');
  const builds = await buildLoad();
  const section = `${renderSection(figures.figs, starts, targets, figures.sizes, { start: loadStart, end: os.loadavg()[0]! })}

Search index of the demo corpus (keyword index, embedder training, vectors), built by \`paperboy reindex\` before the load figures: ${(indexMs / 1000).toFixed(1)} s.

${renderBuildLoad(builds)}`;
  if (writeDoc) {
    writeSection(SECTION, section);
    log(`wrote the "${SECTION}" section of BENCHMARKS.md`);
  } else {
    process.stdout.write(`\n${section}\n\n`);
    log('--quick: BENCHMARKS.md left as it is (add --write to write it)');
  }

  const [feed, , papers, feeds, asset] = figures.figs as [LoadFigure, LoadFigure, LoadFigure, LoadFigure, LoadFigure];
  const feedOk = feed.rps >= FEED_RPS_TARGET && feed.p99 < FEED_P99_TARGET_MS;
  const cold = median(starts.cold);
  const warm = median(starts.warm);
  const errors = figures.figs.reduce((s, f) => s + f.errors + f.non2xx, 0);
  log(`summary: / ${fmtInt(feed.rps)} req/s p99 ${feed.p99} ms [${feedOk ? 'ok' : 'MISSED'}] | `
    + `uncached paper ${fmtInt(papers.rps)} req/s p99 ${papers.p99} ms | uncached feed ${fmtInt(feeds.rps)} req/s p99 ${feeds.p99} ms | `
    + `asset ${fmtInt(asset.rps)} req/s | first start ${fmtSec(cold)} [${cold < COLD_START_TARGET_MS ? 'ok' : 'MISSED'}] | `
    + `warm start ${fmtSec(warm)} [${warm < WARM_START_TARGET_MS ? 'ok' : 'MISSED'}] | errors+non-2xx ${errors}`);
}

main().then(
  () => { removeTempDirs(); },
  (err: Error) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    killAll();
    removeTempDirs();
    process.exitCode = 1;
  },
);
