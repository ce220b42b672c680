/**
 * `npm test`: the whole suite on the embedded store (SQLite), and every test that touches a store
 * again on PostgreSQL, in a throwaway cluster on a free port in a temporary folder, and a closing
 * summary of both runs in the Node test runner's format.
 *
 *   node --import tsx scripts/run-tests.ts [--compiled] [--store=both|sqlite|postgres] [--concurrency=N] [--write-weights] [test files...]
 *
 * --compiled (what `npm test` runs): type-checks the project and compiles it with tsc into
 * .test-build/ in the same pass, then runs the compiled test files, and the `paperboy` commands
 * and helper scripts they start, with plain Node. tsx's module loader costs every process: `paperboy
 * stats` on a database takes about 1.1 s of CPU through it and 0.4 s compiled, and the suite
 * starts several hundred processes. Without --compiled, everything runs from the sources through
 * tsx, as `paperboy` itself does (quicker for a few files: nothing is compiled).
 * Either way the working folder is the project's, so tests find their fixtures by the same paths.
 *
 * N test files run at once (default 2, or PAPERBOY_TEST_CONCURRENCY), each in its own process,
 * from one queue for both stores: the files expected to take longest first (scripts/test-weights.json,
 * files not listed there before all others), so that no long file starts last while the other core
 * has nothing left to do. Each file's report is printed whole when it ends, under a line naming the
 * file, its store and its time; --write-weights records those times in scripts/test-weights.json.
 *
 * Files that ask for the bundled demo corpus share one import of it per run and store
 * (test/helpers/demo-store.ts), in a folder this runner makes and removes (PAPERBOY_TEST_RUN_DIR).
 *
 * PostgreSQL: its server binaries are looked for in /usr/lib/postgresql/NN/bin (NN >= 15) and on
 * PATH; when missing, the PostgreSQL run is left out with a note on installing them, and fails the
 * run when PAPERBOY_REQUIRE_ALL=1. With PAPERBOY_TEST_DATABASE_URL set, that server is used instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findPostgresBin, MIN_PG_MAJOR } from './postgres-bin.ts';
import { parseArgs } from 'node:util';

/** Tests that use a store, so they run on both; the rest (parsers, pure functions, mail) run once. */
const STORE_TEST_DIRS = ['test/store', 'test/services', 'test/web', 'test/api', 'test/cli', 'test/digest', 'test/search', 'test/jobs', 'test/browser', 'test/discovery', 'test/ops', 'test/postgres'];
/** Tests of what only the shared store does (several app processes on one database). */
const POSTGRES_ONLY_DIR = 'test/postgres';
/**
 * Tests in Chromium (test/browser/, and the files named *browser.test.ts elsewhere) run on SQLite
 * alone in the whole suite: they test what the pages and their script do in a browser, while what
 * the store does under those pages is tested on both stores through HTTP by the tests beside them
 * (test/web, test/api, test/search, ...), and two app processes on one PostgreSQL database by
 * test/postgres/multi-process.test.ts. They were a third of the PostgreSQL pass's time, which kept
 * the suite over its time budget. Files named on the command line run on the stores asked for.
 */
const isChromiumFile = (f: string) => f.startsWith('test/browser/') || f.endsWith('browser.test.ts');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    compiled: { type: 'boolean', default: false },
    store: { type: 'string', default: 'both' },
    concurrency: { type: 'string', default: process.env.PAPERBOY_TEST_CONCURRENCY ?? '2' },
    'write-weights': { type: 'boolean', default: false },
  },
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

type StoreLabel = 'SQLite' | 'PostgreSQL';
/** A test file on a store (or the demo import that the store's test servers share, run ahead of them). */
interface Job { store: StoreLabel; file: string; env: NodeJS.ProcessEnv }
interface Done { summary: Partial<Summary>; code: number | null; signal: NodeJS.Signals | null; ms: number; failures: string[] }

/**
 * The failing tests in a file's TAP output, a few lines each (name, where, the error's first lines),
 * for the recap at the end of the run: a long run's log is often read from its tail alone.
 * Suites that failed only through a subtest are left out; the subtest is named.
 */
function tapFailures(output: string, file: string): string[] {
  // Where it failed: the first line of the error's stack in the test file (TAP's `location` is where
  // the test is declared, and under a loader not even that line).
  const inFile = new RegExp(`([^\\s()]*${path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}):(\\d+):(\\d+)`);
  const lines = output.split('\n');
  const found: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]!);
    if (!head) continue;
    const indent = head[1]!.length;
    const block: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim() === '...' && line.length - line.trimStart().length === indent + 2) break;
      block.push(line.trim());
    }
    if (block.some((l) => l === "failureType: 'subtestsFailed'")) continue;
    const stack = block.findIndex((l) => l.startsWith('stack:'));
    const stackAt = stack < 0 ? undefined : block.slice(stack + 1).map((l) => inFile.exec(l)).find((m) => m !== null);
    const location = stackAt ? `${stackAt[1]!.replace(/^'|^file:\/\//g, '')}:${stackAt[2]}:${stackAt[3]}`
      : block.find((l) => l.startsWith('location:'))?.replace(/^location: '?|'$/g, '');
    const at = block.findIndex((l) => l.startsWith('error:'));
    let error: string[] = [];
    if (at >= 0) {
      const first = block[at]!.replace(/^error: ?/, '');
      error = first === '|-' || first === '|' || first === '>-' ? block.slice(at + 1).filter((l) => l !== '').slice(0, 3) : [first];
    }
    found.push([`${head[2]}${location ? ` (${path.relative(process.cwd(), location)})` : ''}`, ...error.map((e) => `    ${e}`)].join('\n'));
  }
  return found;
}

/** Expected seconds per file and store (scripts/test-weights.json): longest first, and files not listed before all. */
const WEIGHTS_FILE = path.join('scripts', 'test-weights.json');
type Weights = Partial<Record<StoreLabel, Record<string, number>>>;
function readWeights(): Weights {
  try {
    return JSON.parse(fs.readFileSync(WEIGHTS_FILE, 'utf8')) as Weights;
  } catch {
    return {};
  }
}
const weights = readWeights();
const weightOf = (job: Job) => weights[job.store]?.[job.file] ?? Number.MAX_VALUE;

/** The compiled project (--compiled): tsc's output, beside links to every other file it needs. */
const BUILD_DIR = '.test-build';
/** What the compiled JavaScript reads or runs as it is (SQL, CSS, the client's TypeScript that esbuild bundles, fixtures), linked into the build folder. */
const BUILD_TREES = ['src', 'test', 'bench', 'scripts'];

/**
 * Type-checks and compiles the project into BUILD_DIR (incrementally: a second run recompiles only
 * what changed), then links every file tsc did not write (migrations, assets, fixtures) and the
 * demo corpus into it, and marks its .js files as ES modules. False when tsc found errors.
 */
async function compile(): Promise<boolean> {
  process.stdout.write(`== type-checking and compiling into ${BUILD_DIR}/\n`);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  // Not spawnSync: the demo imports started before it report through this process meanwhile.
  const child = spawn(process.execPath, [
    tsc, '-p', 'tsconfig.json', '--noEmit', 'false', '--outDir', BUILD_DIR, '--rewriteRelativeImportExtensions',
    '--sourceMap', '--incremental', '--tsBuildInfoFile', path.join(BUILD_DIR, '.tsbuildinfo'),
  ], { stdio: 'inherit' });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (status !== 0) return false;
  const link = (from: string, to: string) => {
    try {
      fs.lstatSync(to);
    } catch {
      fs.symlinkSync(path.resolve(from), to);
    }
  };
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const from = path.join(dir, e.name);
      const to = path.join(BUILD_DIR, from);
      if (e.isDirectory()) {
        fs.mkdirSync(to, { recursive: true });
        walk(from);
      } else link(from, to);
    }
  };
  for (const tree of BUILD_TREES) walk(tree);
  link('demo', path.join(BUILD_DIR, 'demo'));
  fs.writeFileSync(path.join(BUILD_DIR, 'package.json'), '{ "type": "module" }\n');
  return true;
}

/** Node's options for the project's modules: compiled (stack traces still name the TypeScript lines), or through tsx. */
const LOADER_OPTIONS = values.compiled ? ['--enable-source-maps'] : ['--import', 'tsx'];
/** The module to run for `file`, a TypeScript path from the project's root. */
const entry = (file: string) => (values.compiled ? path.join(BUILD_DIR, file.replace(/\.tsx?$/, '.js')) : file);

/** Runs one test file in its own process, its output held back until it ends; returns its summary. */
async function runFile(job: Job): Promise<Done> {
  const reporter = process.stdout.isTTY ? 'spec' : 'tap';
  const started = Date.now();
  const child = spawn(process.execPath, [...LOADER_OPTIONS, `--test-reporter=${reporter}`, entry(job.file)], {
    env: job.env, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  const ms = Date.now() - started;
  const output = Buffer.concat(chunks).toString('utf8');
  const summary: Partial<Summary> = {};
  for (const line of output.split('\n')) {
    const m = SUMMARY_RE.exec(line.replace(/\u001b\[[0-9;]*m/g, ''));
    if (m) summary[m[1] as keyof Summary] = Number(m[2]);
  }
  let note = '';
  if ((code !== 0 || summary.tests === undefined) && !summary.fail) {
    // Ended without a failing test to show for it (a crash while loading, a signal): one failure of the file.
    summary.tests = (summary.tests ?? 0) + 1;
    summary.fail = 1;
    note = `not ok - ${job.file} ended with ${signal ? `signal ${signal}` : `exit code ${code}`} before reporting its tests\n`;
  }
  process.stdout.write(`\n== ${job.store}: ${job.file} (${(ms / 1000).toFixed(1)} s)\n${output}${output.endsWith('\n') || output === '' ? '' : '\n'}${note}`);
  const failures = tapFailures(output, job.file);
  if (note) failures.push(note.trim());
  return { summary, code, signal, ms, failures };
}

/** The demo imports still running, stopped if the run ends early. */
const preparing = new Set<ReturnType<typeof spawn>>();

/** Imports the demo for a store's test servers; a failure is shown, and the test files that want the demo then try again themselves. */
async function prepare(job: Job): Promise<Done> {
  const started = Date.now();
  const r = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
    // From the sources: it starts before the project is compiled (see below).
    const child = spawn(process.execPath, ['--import', 'tsx', job.file], { env: job.env, stdio: ['ignore', 'pipe', 'pipe'] });
    preparing.add(child);
    child.on('close', () => preparing.delete(child));
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('close', (code, signal) => resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') }));
  });
  if (r.code !== 0) process.stderr.write(`run-tests: importing the demo for the ${job.store} test servers failed (${r.signal ?? r.code}):\n${r.output}\n`);
  return { summary: {}, code: r.code, signal: r.signal, ms: Date.now() - started, failures: [] };
}

/** Runs `jobs` `concurrency` at a time, heaviest first; resolves with each job's result, in the order given. */
async function runAll(jobs: Job[]): Promise<Done[]> {
  const order = jobs.map((job, i) => ({ job, i })).sort((x, y) => weightOf(y.job) - weightOf(x.job) || x.i - y.i);
  const results: Done[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const { job, i } = order[next++]!;
      results[i] = await runFile(job);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
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
const storeFiles = files.filter((f) => STORE_TEST_DIRS.some((d) => f.startsWith(`${d}/`))
  && (positionals.length > 0 || !isChromiumFile(f)));
const sqliteFiles = store !== 'postgres' ? files.filter((f) => !f.startsWith(`${POSTGRES_ONLY_DIR}/`)) : [];
let missing: string | null = null;
let cluster: { url: string; stop: () => void } | null = null;
let postgresUrl: string | null = null;
const started = Date.now();

if (store !== 'sqlite' && storeFiles.length > 0) {
  postgresUrl = process.env.PAPERBOY_TEST_DATABASE_URL ?? null;
  if (!postgresUrl) {
    const bin = findPostgresBin();
    if (!bin) {
      missing = `PostgreSQL ${MIN_PG_MAJOR}+ server binaries not found (initdb, pg_ctl): the PostgreSQL store's tests did not run. `
        + 'Install them with: sudo scripts/install-deps.sh (Debian: postgresql-15), or set PAPERBOY_TEST_DATABASE_URL to a server where the account may create databases.';
    } else {
      cluster = await startCluster(bin);
      postgresUrl = cluster.url;
    }
  }
}
const postgresFiles = postgresUrl ? storeFiles : [];

// This run's shared fixtures (the demo corpus imported once per store), removed at the end.
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-test-run-'));
const cleanUp = async () => {
  for (const child of preparing) child.kill('SIGKILL');
  await dropDemoTemplate().catch((err: Error) => process.stderr.write(`run-tests: ${err.message}\n`));
  cluster?.stop();
  fs.rmSync(runDir, { recursive: true, force: true });
};
/** The PostgreSQL copy of the demo, on a server this run did not start (a throwaway cluster goes as a whole). */
async function dropDemoTemplate(): Promise<void> {
  if (!postgresUrl || cluster) return;
  const { demoTemplateName } = await import('../test/helpers/demo-store.ts');
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${demoTemplateName(runDir)}`);
  } finally {
    await admin.end();
  }
}
process.once('SIGINT', () => { void cleanUp().finally(() => process.exit(130)); });
process.once('SIGTERM', () => { void cleanUp().finally(() => process.exit(143)); });

// Password hashes at the fast test cost (src/services/passwords.ts), unless the caller chose.
const env = { PAPERBOY_TEST_FAST_PASSWORDS: '1', ...process.env, PAPERBOY_TEST_RUN_DIR: runDir };
// With the whole suite, the demo import each store's test servers share is made first.
const DEMO_STORE = 'test/helpers/demo-store.ts';
const prepareJobs: Job[] = positionals.length > 0 ? [] : [
  ...(sqliteFiles.length > 0 ? [{ store: 'SQLite' as const, file: DEMO_STORE, env: { ...env, PAPERBOY_TEST_STORE: 'sqlite' } }] : []),
  ...(postgresFiles.length > 0 ? [{ store: 'PostgreSQL' as const, file: DEMO_STORE, env: { ...env, PAPERBOY_TEST_STORE: 'postgres', PAPERBOY_TEST_DATABASE_URL: postgresUrl! } }] : []),
];
// The demo imports start first, from the sources, beside the compiler: tsc works on one core for
// about half a minute, and the imports fill the other.
const prepared = Promise.all(prepareJobs.map((job) => prepare(job)));
if (values.compiled && !(await compile())) {
  await cleanUp();
  process.stderr.write('run-tests: type errors (above): no test ran\n');
  process.exit(1);
}
const jobs: Job[] = [
  ...sqliteFiles.map((file) => ({ store: 'SQLite' as const, file, env: { ...env, PAPERBOY_TEST_STORE: 'sqlite' } })),
  ...postgresFiles.map((file) => ({ store: 'PostgreSQL' as const, file, env: { ...env, PAPERBOY_TEST_STORE: 'postgres', PAPERBOY_TEST_DATABASE_URL: postgresUrl! } })),
];
if (sqliteFiles.length > 0) process.stdout.write(`\n== SQLite (embedded store): ${sqliteFiles.length} test files\n`);
if (postgresFiles.length > 0) process.stdout.write(`== PostgreSQL (shared store): ${postgresFiles.length} test files\n`);
let results: Done[];
try {
  [results] = await Promise.all([runAll(jobs), prepared]);
} finally {
  await cleanUp();
}

const runs = (['SQLite', 'PostgreSQL'] as const).flatMap((label) => {
  const mine = results.filter((_, i) => jobs[i]!.store === label);
  if (mine.length === 0) return [];
  const summary = Object.fromEntries(SUMMARY_KEYS.map((k) => [k, mine.reduce((n, r) => n + (r.summary[k] ?? 0), 0)])) as Summary;
  return [{ label, summary, failed: mine.some((r) => r.code !== 0 || r.summary.fail === undefined) }];
});

if (values['write-weights']) {
  const next: Weights = readWeights();
  jobs.forEach((job, i) => { (next[job.store] ??= {})[job.file] = Math.round(results[i]!.ms / 100) / 10; });
  for (const label of Object.keys(next) as StoreLabel[]) next[label] = Object.fromEntries(Object.entries(next[label]!).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(WEIGHTS_FILE, `${JSON.stringify(next, null, 2)}\n`);
}

// The failing tests again, where a reader of the log's tail sees them; then the ten longest files, then the closing summary: both runs added up, in the test runner's own format.
const mark = process.stdout.isTTY ? 'ℹ' : '#';
const longest = jobs.map((job, i) => ({ job, ms: results[i]!.ms })).sort((x, y) => y.ms - x.ms).slice(0, 10);
const failed = jobs.flatMap((job, i) => results[i]!.failures.map((f) => `${job.file} (${job.store}): ${f}`));
if (failed.length > 0) {
  const shown = failed.slice(0, 20);
  process.stdout.write(`\n${mark} failing tests (${failed.length}):\n${shown.map((f) => `${mark}   ${f.replace(/\n/g, `\n${mark}   `)}`).join('\n')}\n`);
  if (failed.length > shown.length) process.stdout.write(`${mark}   ... and ${failed.length - shown.length} more above\n`);
}
process.stdout.write(`\n${mark} longest files: ${longest.map((l) => `${l.job.file} (${l.job.store}) ${(l.ms / 1000).toFixed(1)} s`).join(', ')}\n`);
const total = Object.fromEntries(SUMMARY_KEYS.map((k) => [k, runs.reduce((n, r) => n + r.summary[k], 0)])) as Summary;
total.duration_ms = Date.now() - started;
process.stdout.write(`${mark} stores: ${runs.map((r) => `${r.label} ${r.summary.pass}/${r.summary.tests} passed`).join(', ')}\n`);
if (missing) process.stdout.write(`${mark} ${missing}\n`);
for (const k of SUMMARY_KEYS) process.stdout.write(`${mark} ${k} ${k === 'duration_ms' ? total[k].toFixed(3) : total[k]}\n`);
process.exit(runs.some((r) => r.failed) || (missing && requireAll) ? 1 : 0);
