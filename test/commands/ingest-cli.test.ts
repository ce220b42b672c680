import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixture } from '../arxiv/support.ts';
import { startReplayServer } from '../helpers/replay-server.ts';
import { tempDir } from '../helpers/store.ts';
import { runPaperboyAsync } from '../helpers/paperboy.ts';
import { INGEST_USAGE, runIngest } from '../../src/cli/ingest.ts';
import { loadConfig } from '../../src/config.ts';

/** Runs the command without blocking this process (the replay server answers from it). */
const paperboy = runPaperboyAsync;

test('ingest: a paper asked for by id is stored whatever PAPERBOY_CATEGORIES; skipped papers are named with the reason', async () => {
  const server = await startReplayServer({
    routes: [
      { path: '/api/query', query: { id_list: '1707.08567', start: '0', max_results: '1' }, body: fixture('atom-2026/id_1707.08567.xml') },
      { path: '/rss/cs.CV+cs.CY', body: fixture('rss/all-archives-2024-11-28.excerpt.xml') },
    ],
  });
  try {
    const env = {
      PAPERBOY_DATA_DIR: tempDir(), PAPERBOY_CATEGORIES: 'cs.CV',
      PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`, PAPERBOY_ARXIV_OAI_URL: `${server.url}/oai`, PAPERBOY_ARXIV_RSS_URL: `${server.url}/rss`,
      PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0',
    };
    const ids = await paperboy(['ingest', '--api', '--ids', '1707.08567'], env); // a cs.IT paper
    assert.equal(ids.code, 0, ids.stdout + ids.stderr);
    assert.match(ids.stdout, /ingest done mode=api new=1 updated=0 unchanged=0 announced=0 skipped=0/);

    const rss = await paperboy(['ingest', '--rss', 'cs.CV', 'cs.CY'], env);
    assert.equal(rss.code, 0, rss.stdout + rss.stderr);
    const skipped = Number(/ skipped=(\d+)/.exec(rss.stdout)?.[1]);
    assert.ok(skipped > 0, rss.stdout);
    const named = rss.stderr.split('\n').filter((l) => /^skipped: \S+: not in PAPERBOY_CATEGORIES \(.+\)$/.test(l));
    assert.equal(named.length, Math.min(skipped, 5), rss.stderr);
    for (const line of named) assert.doesNotMatch(line, /\(([^)]* )?cs\.CV( [^)]*)?\)$/, 'a named paper is outside the categories');
    if (skipped > 5) assert.match(rss.stderr, new RegExp(`^skipped: \\.\\.\\. and ${skipped - 5} more$`, 'm'));
    assert.match(rss.stdout, /^ingest done mode=rss [^\n]*\n$/, 'stdout carries the summary alone');
  } finally {
    await server.close();
  }
});

test('ingest --api --ids: ids arXiv does not have are named on stderr and the command exits 1', async () => {
  const server = await startReplayServer({
    routes: [
      // arXiv's answer when one of two ids does not exist: only the other's entry.
      { path: '/api/query', query: { id_list: '2501.99999,1707.08567', start: '0', max_results: '2' }, body: fixture('atom-2026/id_0808.05394_1707.08567.xml') },
    ],
  });
  try {
    const env = {
      PAPERBOY_DATA_DIR: tempDir(), PAPERBOY_CATEGORIES: 'cs.CV',
      PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`, PAPERBOY_ARXIV_OAI_URL: `${server.url}/oai`, PAPERBOY_ARXIV_RSS_URL: `${server.url}/rss`,
      PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0',
    };
    const r = await paperboy(['ingest', '--api', '--ids', '2501.99999,1707.08567'], env);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^skipped: 2501\.99999: not found on arXiv$/m);
    assert.match(r.stdout, /ingest done mode=api new=1 updated=0 unchanged=0 announced=0 skipped=0 errors=1 /);
  } finally {
    await server.close();
  }
});

test('ingest --dry-run: on a missing database it says so and creates nothing; on a real one it counts what a run would store', async () => {
  const server = await startReplayServer({
    routes: [{ path: '/api/query', query: { id_list: '1707.08567', start: '0', max_results: '1' }, body: fixture('atom-2026/id_1707.08567.xml') }],
  });
  try {
    const dir = tempDir();
    const env = {
      PAPERBOY_DATA_DIR: dir, PAPERBOY_CATEGORIES: 'cs.IT',
      PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`, PAPERBOY_ARXIV_OAI_URL: `${server.url}/oai`, PAPERBOY_ARXIV_RSS_URL: `${server.url}/rss`,
      PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0',
    };
    const missing = await paperboy(['ingest', '--api', '--ids', '1707.08567', '--dry-run'], env);
    assert.equal(missing.code, 1, missing.stdout + missing.stderr);
    assert.match(missing.stderr, /^ingest: no database at .*paperboy\.db/);
    assert.deepEqual(fs.readdirSync(dir), [], 'no database was created');
    assert.equal(server.requests.length, 0, 'nothing was fetched');

    const migrate = await paperboy(['migrate'], env);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'paperboy.db')));
    const dry = await paperboy(['ingest', '--api', '--ids', '1707.08567', '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /ingest done mode=api new=1 updated=0 unchanged=0 .*\(dry run: nothing written\)/);
    const real = await paperboy(['ingest', '--api', '--ids', '1707.08567'], env);
    assert.match(real.stdout, /ingest done mode=api new=1 updated=0 unchanged=0 /, 'the dry run said what this run did');
  } finally {
    await server.close();
  }
});

test('ingest: a usage error (no mode or two, a missing or bad value, an option the chosen mode does not take, two that exclude each other) names the problem; nothing is opened or run', async () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_DATA_DIR: tempDir() });
  const cases: [string[], string][] = [
    [[], 'choose one of --oai, --api, --rss'],
    [['--oai', '--rss'], 'choose one of --oai, --api, --rss'],
    [['--oai'], '--oai needs --from DATE or --catch-up'],
    [['--oai', '--from', '2025-02-30'], '--from: "2025-02-30" is not a date (YYYY-MM-DD)'],
    [['--oai', '--from', '2025-05-02', '--until', '2025-05-01'], '--until is before --from'],
    [['--oai', '--catch-up', '--prefix', 'oai_dc'], '--prefix: arXivRaw or arXiv'],
    [['--api', '--ids', '2407.13168,not-an-id'], '--ids: not arXiv ids: not-an-id'],
    [['--api', '--ids', ''], '--ids: give at least one arXiv id'],
    [['--api', '--ids', ' , '], '--ids: give at least one arXiv id'],
    [['--api', '--query', 'x', '--max', '0'], '--max: a whole number from 1 to 30000'],
    [['--api'], '--api needs --query or --ids'],
    [['--rss', 'cs.CL;DROP'], 'not arXiv categories: cs.CL;DROP'],
    [['--rss', 'cs.cl'], 'cs.cl is not an arXiv category (did you mean cs.CL?)'],
    [['--rss', 'cs.CL', 'cs.XY', 'stat.ml'], 'cs.XY is not an arXiv category (arxiv.org/category_taxonomy lists them: cs.CL, math.AG, hep-th, ...); stat.ml is not an arXiv category (did you mean stat.ML?)'],
    [['--oai', '--from', '2025-05-01', '--catch-up'], '--catch-up cannot be used with --from'],
    [['--oai', '--catch-up', '--until', '2025-05-03'], '--catch-up cannot be used with --until'],
    [['--oai', '--from', '2025-05-01', '--query', 'ti:x'], '--oai does not take --query'],
    [['--oai', '--from', '2025-05-01', 'cs.CL'], '--oai takes no arguments (got "cs.CL")'],
    [['--oai', '--catch-up', '--set', 'cs;x'], '--set: "cs;x" is not an OAI set (cs, physics, physics:hep-th, ...)'],
    [['--rss', '--from', '2025-05-01'], '--rss does not take --from'],
    [['--rss', 'cs.CL', '--max', '5', '--set', 'cs'], '--rss does not take --set, --max'],
    [['--api', '--ids', '2407.13168', '--max', '5'], '--ids cannot be used with --max'],
    [['--api', '--ids', '2407.13168', '--query', 'ti:x'], '--ids cannot be used with --query'],
    [['--api', '--query', 'ti:x', '--catch-up'], '--api does not take --catch-up'],
    [['--api', '--query', 'ti:x', 'extra'], '--api takes no arguments (got "extra")'],
    [['--api', '--query', ' '], '--query: give a query'],
  ];
  for (const [args, message] of cases) {
    let out = '';
    let err = '';
    const sink = (add: (s: string) => void) => ({ write: (s: string) => { add(s); return true; } }) as unknown as NodeJS.WritableStream;
    const code = await runIngest(config, () => { throw new Error('the store was opened'); }, args, sink((s) => { out += s; }), sink((s) => { err += s; }));
    assert.equal(code, 2, args.join(' '));
    assert.equal(err, `ingest: ${message}\n${INGEST_USAGE}`, args.join(' '));
    assert.equal(out, '', args.join(' '));
  }
  // The modes' own options still go together.
  const dir = tempDir();
  const r = await paperboy(['ingest', '--oai', '--from', '2025-05-01', '--catch-up'], { PAPERBOY_DATA_DIR: dir, PAPERBOY_ARXIV_OAI_URL: 'http://127.0.0.1:9/oai' });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /^ingest: --catch-up cannot be used with --from\nusage:/);
  assert.equal(r.stdout, '');
  assert.deepEqual(fs.readdirSync(dir), [], 'no database was created');
});
