import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/store.ts';
import { PROJECT_ROOT, runPaperboy, spawnPaperboy } from '../helpers/paperboy.ts';
import { digestUsageError } from '../../src/cli/digest.ts';
import { runEvalSearch } from '../../src/cli/eval-search.ts';
import { parseReindexArgs } from '../../src/cli/reindex.ts';
import { parseSearchArgs } from '../../src/cli/search.ts';
import { runExport, runImportAll } from '../../src/cli/transfer.ts';
import { loadConfig } from '../../src/config.ts';

const paperboy = runPaperboy;

type Out = { write(s: string): unknown };

/** What a command function wrote to its two streams, and the code it returned. */
async function captured(run: (out: Out, err: Out) => number | null | Promise<number | null>): Promise<{ code: number | null; out: string; err: string }> {
  const text = { out: '', err: '' };
  const code = await run({ write: (s: string) => { text.out += s; return true; } }, { write: (s: string) => { text.err += s; return true; } });
  return { code, ...text };
}

/** The store opener handed to a command whose arguments are wrong: asking for it fails the test. */
const unopened = (): never => { throw new Error('the store was opened'); };

const row = (id: string) => JSON.stringify({ id, title: 'Sparse attention', authors: ['A'], categories: ['cs.CL'], abstract: 'x', listing_dates: ['2025-05-06'] });

test('--help answers with the usage and does nothing else; unknown flags and stray arguments give usage and exit 2', () => {
  const dir = tempDir();
  const env = { PAPERBOY_DATA_DIR: dir };
  for (const cmd of ['serve', 'migrate', 'stats', 'backup', 'import', 'export', 'search', 'reindex', 'keywords', 'admin']) {
    const r = paperboy([cmd, '--help'], env);
    assert.equal(r.code, 0, `${cmd} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`usage: paperboy ${cmd}`), cmd);
  }
  for (const cmd of ['search', 'export', 'digest']) {
    const r = paperboy([cmd, '-h'], env);
    assert.equal(r.code, 0, `${cmd} -h: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`usage:\\s+paperboy ${cmd}`), `${cmd} -h`);
  }
  assert.deepEqual(fs.readdirSync(dir), [], 'no database was created, no server started, no file named --help written');
  assert.equal(fs.existsSync('--help'), false);

  const cases: [string[], RegExp][] = [
    [['serve', '--bogus-flag'], /serve: Unknown option '--bogus-flag'/],
    [['serve', 'now'], /serve: takes no arguments/],
    [['migrate', '--bogus'], /migrate: Unknown option '--bogus'/],
    [['stats', '--bogus'], /stats: Unknown option '--bogus'/],
    [['backup'], /backup: needs more arguments/],
    [['backup', 'a.db', 'b.db'], /backup: takes at most 1 argument/],
    [['backup', '--to', 'x.db'], /backup: Unknown option '--to'/],
    [['import', '--bogus', 'x.jsonl'], /import: Unknown option '--bogus'/],
    [['import'], /usage: paperboy import FILE/],
  ];
  for (const [args, message] of cases) {
    const r = paperboy(args, env);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /usage: paperboy/, args.join(' '));
  }
  assert.deepEqual(fs.readdirSync(dir), [], 'nothing ran');
});

test('ingest, admin and import --all: usage errors say what is wrong on stderr, exit 2, and create no database', async () => {
  const dir = tempDir();
  const env = { PAPERBOY_DATA_DIR: dir, PAPERBOY_ARXIV_API_URL: 'http://127.0.0.1:9/api', PAPERBOY_ARXIV_OAI_URL: 'http://127.0.0.1:9/oai', PAPERBOY_ARXIV_RSS_URL: 'http://127.0.0.1:9/rss', PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0' };
  // The command line itself, once per command: stderr, exit 2, nothing on stdout, no database.
  const cases: [string[], RegExp][] = [
    [['ingest'], /^ingest: choose one of --oai, --api, --rss/],
    [['ingest', '--bogus'], /^ingest: Unknown option '--bogus'/],
    [['admin'], /^admin: name a subcommand/],
    [['admin', 'create-user', '--bogus'], /^admin: Unknown option '--bogus'/],
    [['import', '--all'], /^import: --all needs the FILE to read\n/],
  ];
  for (const [args, message] of cases) {
    const r = paperboy(args, env);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /usage:\s+paperboy/, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
  for (const args of [['ingest', '--help'], ['import', '--all', '--help'], ['admin', 'create-user', '--help']]) {
    const r = paperboy(args, env);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /usage:\s+paperboy (ingest|import --all|admin create-user)/, args.join(' '));
  }
  assert.deepEqual(fs.readdirSync(dir), [], 'no database was created');

  // The rest of import --all's wording, through the same function in this process (ingest's: test/commands/ingest-cli.test.ts).
  for (const [args, message] of [[['--all', 'a.gz', 'b.gz'], /^import: --all reads one FILE \(got 2 arguments\)/], [['--all', '--bogus', 'x.gz'], /^import: Unknown option '--bogus'/]] as const) {
    const r = await captured((out, err) => runImportAll(unopened, [...args], out, err));
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, message, args.join(' '));
    assert.match(r.err, /usage: paperboy import --all FILE/, args.join(' '));
  }
});

test('usage errors of the commands that read name the problem, then print the usage (exit 2), with or without a database, and create none', async () => {
  // The command line itself, once per command, in a folder without a database and in one with.
  const cases: [string[], RegExp][] = [
    [['search', 'x', '--mode', 'bogus'], /^search: --mode is hybrid, keyword or semantic\n/],
    [['export'], /^export: name the FILE to write\n/],
    [['keywords', '--bogus'], /^keywords: Unknown option '--bogus'/],
    [['reindex', '--drop-semantic'], /^reindex: --drop-semantic goes with --keyword-only/],
    [['eval-search'], /^eval-search: name the BEIR folder \(DIR\)\n/],
    [['digest', 'send', '--period', 'monthly'], /^digest: --period must be daily or weekly\n/],
  ];
  const empty = tempDir();
  const withDb = tempDir();
  assert.equal(paperboy(['migrate'], { PAPERBOY_DATA_DIR: withDb }).code, 0);
  for (const dir of [empty, withDb]) {
    for (const [args, problem] of cases) {
      const what = `${args.join(' ')} (${dir === empty ? 'no database' : 'a database'})`;
      const r = paperboy(args, { PAPERBOY_DATA_DIR: dir });
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assert.match(r.stderr, problem, what);
      assert.match(r.stderr, new RegExp(`usage:\\s+paperboy ${args[0]}`), what);
      assert.equal(r.stdout, '', what);
    }
  }
  assert.deepEqual(fs.readdirSync(empty), [], 'no database was created');

  // The rest of the wording, through the functions main calls before it looks for a database.
  const digest = loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_DATA_DIR: empty }).digest;
  const codeOf = (parsed: number | object) => (typeof parsed === 'number' ? parsed : null);
  const check = {
    search: (args: string[], out: Out, err: Out) => codeOf(parseSearchArgs(args, out, err)),
    export: (args: string[], out: Out, err: Out) => runExport(unopened, args, out, err),
    reindex: (args: string[], out: Out, err: Out) => codeOf(parseReindexArgs(args, out, err)),
    'eval-search': (args: string[], out: Out, err: Out) => runEvalSearch(args, out as NodeJS.WritableStream, err as NodeJS.WritableStream),
    digest: (args: string[], _out: Out, err: Out) => digestUsageError(args, digest, () => Date.now(), err),
  };
  const wording: [keyof typeof check, string[], RegExp][] = [
    ['search', [], /^search: give a query\n/],
    ['search', ['x', '--sort', 'bogus'], /^search: --sort is relevance, date or upvotes\n/],
    ['search', ['x', '--limit', '0'], /^search: --page is 1 or more, --limit 1 to 100\n/],
    ['search', ['x', '--bogus'], /^search: Unknown option '--bogus'/],
    ['export', ['a', 'b'], /^export: takes one FILE \(got 2 arguments\)/],
    ['reindex', ['--bogus'], /^reindex: Unknown option '--bogus'/],
    ['eval-search', ['dir', '--split', 'dev'], /^eval-search: --split is train or test\n/],
    ['digest', [], /^digest: name a subcommand/],
    ['digest', ['status', 'x'], /^digest: status takes no arguments/],
    ['digest', ['send', '--date', '2025-13-01'], /^digest: --date must be a day \(YYYY-MM-DD\), got "2025-13-01"\n/],
  ];
  for (const [command, args, problem] of wording) {
    const what = [command, ...args].join(' ');
    const r = await captured((out, err) => check[command](args, out, err));
    assert.equal(r.code, 2, `${what}: ${r.err}`);
    assert.match(r.err, problem, what);
    assert.match(r.err, new RegExp(`usage:\\s+paperboy ${command}`), what);
    assert.equal(r.out, '', what);
  }
});

test('search without a query prints the usage and exits 2', () => {
  const dir = tempDir();
  const env = { PAPERBOY_DATA_DIR: dir };
  assert.equal(paperboy(['migrate'], env).code, 0);
  const r = paperboy(['search'], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /search: give a query/);
  assert.match(r.stderr, /usage: paperboy search "QUERY"/);
  assert.doesNotMatch(r.stdout, /papers for/);
});

test('commands that only read say "no database" instead of creating one; migrate and import create it', () => {
  const dir = tempDir();
  const db = path.join(dir, 'restore', 'typo.db');
  const env = { DATABASE_URL: `sqlite:${db}` };
  const cases: string[][] = [['stats'], ['export', path.join(dir, 'out.jsonl.gz')], ['search', 'attention'], ['backup', path.join(dir, 'copy.db')], ['digest', 'status'], ['digest', 'send', '--dry-run'], ['reindex'], ['keywords']];
  for (const args of cases) {
    const r = paperboy(args, env);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, new RegExp(`^${args[0]}: no database at ${db.replace(/[.]/g, '\\.')}`), args.join(' '));
    assert.doesNotMatch(r.stdout, /papers=0/);
  }
  const unknown = paperboy(['digest', 'sned'], env);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /digest: unknown subcommand "sned"/);
  assert.equal(fs.existsSync(path.dirname(db)), false, 'no file or folder was created');

  const file = path.join(dir, 'in.jsonl');
  fs.writeFileSync(file, row('2505.00001'));
  assert.equal(paperboy(['import', file], env).code, 0);
  assert.match(paperboy(['stats'], env).stdout, /papers=1/);

  const fresh = path.join(dir, 'fresh.db');
  assert.equal(paperboy(['migrate'], { DATABASE_URL: fresh }).code, 0);
  assert.ok(fs.existsSync(fresh));
});

test('a DATABASE_URL of another scheme is refused before anything is created', () => {
  const dir = tempDir();
  for (const url of ['mysql://user:s3cret@db/paperboy', 'postgress://u:s3cret@h/db']) {
    const r = paperboy(['stats'], { DATABASE_URL: url }, { cwd: dir });
    assert.equal(r.code, 2, url);
    assert.match(r.stderr, /DATABASE_URL: ".*:\/\/\.\.\." is not a store Paperboy knows/);
    assert.doesNotMatch(r.stderr + r.stdout, /s3cret/);
  }
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('backup and export refuse to write onto the live database; backups and exports are readable by their owner only', () => {
  const dir = tempDir();
  const env = { PAPERBOY_DATA_DIR: dir };
  const file = path.join(dir, 'in.jsonl');
  fs.writeFileSync(file, row('2505.00001'));
  assert.equal(paperboy(['import', file], env).code, 0);
  const live = path.join(dir, 'paperboy.db');
  const link = path.join(dir, 'link-to-live.db');
  fs.symlinkSync(live, link);
  const before = fs.readFileSync(live);
  for (const target of [live, `${live}-wal`, path.relative(process.cwd(), live), link]) {
    const r = paperboy(['backup', target], env);
    assert.equal(r.code, 1, target);
    assert.match(r.stderr, /is the live database/);
    assert.doesNotMatch(r.stdout, /backup done/);
    const e = paperboy(['export', target], env);
    assert.equal(e.code, 1, `export ${target}`);
    assert.match(e.stderr, /export: .* is the live database \(or one of its files\); write the export elsewhere/);
    assert.doesNotMatch(e.stdout, /export done/);
  }
  assert.deepEqual(fs.readFileSync(live), before);
  assert.match(paperboy(['stats'], env).stdout, /papers=1/);

  const copy = path.join(dir, 'copy.db');
  assert.equal(paperboy(['backup', copy], env).code, 0);
  assert.equal(fs.statSync(copy).mode & 0o777, 0o600);
  const exported = path.join(dir, 'instance.jsonl.gz');
  const e = paperboy(['export', exported], env);
  assert.equal(e.code, 0, e.stderr);
  assert.equal(fs.statSync(exported).mode & 0o777, 0o600);
});

test('import lists bad lines on stderr: the first 100, then how many more', () => {
  const dir = tempDir();
  const file = path.join(dir, 'many.jsonl');
  fs.writeFileSync(file, `${Array.from({ length: 150 }, () => '{x').join('\n')}\n`);
  const r = paperboy(['import', file], { PAPERBOY_DATA_DIR: dir });
  assert.equal(r.code, 1);
  const listed = r.stderr.split('\n').filter((l) => l.startsWith(`${file}:`) && /^.*:\d+: /.test(l));
  assert.equal(listed.length, 100);
  assert.match(r.stderr, /\.\.\. and 50 more bad lines \(the first 100 are listed\)/);
  assert.match(r.stdout, /^import done lines=150 .*errors=150/m);
  assert.doesNotMatch(r.stdout, /many\.jsonl:\d+:/);
});

test('a reader that goes away early (paperboy ... | head) ends the command quietly', async () => {
  const child = spawnPaperboy(['help'], { env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.destroy(); // the reader closes its end before the command writes
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(stderr, '', 'no stack trace');
  assert.equal(code, 0);
});

test('the installed command works from any folder: pages render (the project tsconfig, with its JSX settings, is found) and the search index builds in its worker', async () => {
  const { freePort } = await import('../helpers/server-process.ts');
  const port = await freePort();
  const elsewhere = tempDir();
  const data = path.join(elsewhere, 'data');
  fs.mkdirSync(data);
  const file = path.join(elsewhere, 'one.jsonl');
  fs.writeFileSync(file, `${row('2505.00001')}\n`);
  assert.equal(paperboy(['import', file], { PAPERBOY_DATA_DIR: data }).code, 0);
  // bin/paperboy.mjs runs the sources through tsx, as an installed copy does, whatever way this test runs.
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/paperboy.mjs'), 'serve'], {
    cwd: elsewhere, env: { ...process.env, LOG_LEVEL: 'info', PORT: String(port), PAPERBOY_DATA_DIR: data, PAPERBOY_DEMO: 'false', PAPERBOY_INGEST_SCHEDULE: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  try {
    let res: Response | null = null;
    for (let i = 0; i < 300 && !res; i++) {
      res = await fetch(`http://127.0.0.1:${port}/about`).catch(() => null);
      if (!res) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(res, `the server answered: ${log}`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<h1>/);
    // The build worker loads its TypeScript module through tsx too (src/search/worker-boot.mjs).
    for (let i = 0; i < 600 && !/search: index saved/.test(log); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(log, /search: keyword index built papers=1 /);
    assert.match(log, /search: index saved generation=1 /);
    assert.doesNotMatch(log, /build failed/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});
