/**
 * Job runs whose process died are closed as interrupted, and only those: a run of a live process,
 * here or on another machine, stays running. End to end: `paperboy ingest` killed with SIGKILL, or
 * stopped with SIGINT, against a real HTTP server replaying arXiv's pages.
 */
import { after, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeAbandonedRuns, processOwner, RUN_HEARTBEAT_MS, RUN_LEASE_MS } from '../../src/services/run-liveness.ts';
import { createArxivClient } from '../../src/arxiv/client.ts';
import { runLeaseName } from '../../src/store/jobs.ts';
import { ingestOai, INTERRUPTED, oaiRangeJobName, type IngestDeps } from '../../src/services/ingest.ts';
import { sql } from '../../src/store/kysely.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { testApp } from '../helpers/app.ts';
import { startReplayServer, type ReplayServer } from '../helpers/replay-server.ts';
import { fixture } from '../arxiv/support.ts';
import { FIXED_NOW, tempDatabaseUrl, tempDir, tempStore } from '../helpers/store.ts';
import { nodeArgs } from '../helpers/paperboy.ts';

const NOW = FIXED_NOW;
const at = (offsetMs: number) => new Date(Date.parse(NOW) + offsetMs).toISOString();
const ALL = ['nucl-ex', 'nucl-th', 'math-ph', 'math', 'gr-qc', 'astro-ph', 'quant-ph', 'hep-th', 'hep-ph', 'hep-ex', 'q-bio', 'physics', 'cond-mat', 'cs', 'stat', 'eess', 'q-fin', 'econ', 'nlin', 'hep-lat'];
const machine = processOwner.split('|')[0]!;

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

const children: ChildProcess[] = [];
after(() => { for (const c of children) c.kill('SIGKILL'); });

async function status(store: Store, id: number) {
  const row = await store.db.selectFrom('job_runs').select(['status', 'error', 'finished_at']).where('id', '=', id).executeTakeFirstOrThrow();
  return row;
}

test('runs of processes that are gone are closed as interrupted; runs of live processes are left alone; /admin/runs shows it', async () => {
  const store = await tempStore();
  const run = async (startedAt: string, owner: string | null, leaseUntil?: string) => {
    const id = await store.startJobRun('ingest', `oai cs ${owner ?? 'no lease'}`, startedAt);
    if (owner) await store.acquireLease(runLeaseName(id), owner, leaseUntil!, startedAt);
    return id;
  };
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  children.push(live);

  const elsewhereAlive = await run(at(-60_000), 'another-machine|4242|abcd', at(RUN_LEASE_MS - 60_000));
  const elsewhereSilent = await run(at(-3_600_000), 'another-machine|4243|abcd', at(-60_000));
  const unleasedRecent = await run(at(-3_600_000), null);
  const unleasedOld = await run(at(-7 * 3_600_000), null);
  // A digest keeps no lease: however long it runs (a large send to a slow mail server), it is its own to finish.
  const digestLong = await store.startJobRun('digest', 'daily 2026-11-28', at(-7 * 3_600_000));
  const finished = await run(at(-60_000), null);
  await store.finishJobRun(finished, { status: 'ok', counts: { new: 1 } }, at(-30_000));
  const hereDead = machine ? await run(at(-60_000), `${machine}|${await deadPid()}|abcd`, at(RUN_LEASE_MS - 60_000)) : null;
  // Renewed by its process: its lease runs past the time the page is shown below.
  const hereAlive = machine ? await run(at(-60_000), `${machine}|${live.pid}|abcd`, at(2 * RUN_LEASE_MS)) : null;

  const closed = await closeAbandonedRuns(store, NOW);
  const expected = [elsewhereSilent, unleasedOld, ...(hereDead ? [hereDead] : [])];
  assert.deepEqual([...closed].sort((a, b) => a - b), expected.sort((a, b) => a - b));
  for (const id of [elsewhereAlive, unleasedRecent, digestLong, ...(hereAlive ? [hereAlive] : [])]) assert.equal((await status(store, id)).status, 'running');
  assert.equal((await status(store, finished)).status, 'ok');
  assert.match((await status(store, elsewhereSilent)).error ?? '', /^interrupted: its process stopped reporting/);
  assert.match((await status(store, unleasedOld)).error ?? '', /^interrupted: /);
  if (hereDead) {
    assert.deepEqual(await status(store, hereDead), { status: 'failed', error: 'interrupted: its process ended', finished_at: NOW });
    assert.equal(await store.db.selectFrom('jobs').select('name').where('name', '=', runLeaseName(hereDead)).executeTakeFirst(), undefined, 'its lease row is gone');
  }
  assert.deepEqual(await closeAbandonedRuns(store, NOW), [], 'a second sweep (another process) finds nothing more');

  // The page sweeps too: a run whose lease runs out meanwhile shows as interrupted.
  const { app } = await testApp(store, { now: () => Date.parse(at(RUN_LEASE_MS)) });
  const res = await app.request('/admin/runs', { headers: { Authorization: `Basic ${Buffer.from('admin:correct horse battery').toString('base64')}` } });
  assert.equal(res.status, 200);
  const html = await res.text();
  const rowOf = (id: number) => new RegExp(`<td>oai cs ${id === elsewhereAlive ? 'another-machine\\|4242' : ''}[^<]*</td><td class="status (\\w+)">`);
  assert.equal(rowOf(elsewhereAlive).exec(html)?.[1], 'interrupted', 'its lease ran out');
  assert.equal((await status(store, elsewhereAlive)).status, 'failed');
  assert.match(html, /<td class="status interrupted">interrupted<\/td>/);
  assert.match(html, /interrupted: its process stopped reporting at/);
  if (hereAlive) assert.equal((await status(store, hereAlive)).status, 'running', 'a live process that renews its lease keeps its run');
});

function oaiServer(): Promise<ReplayServer> {
  return startReplayServer({
    routes: [
      { path: '/oai', query: { verb: 'ListRecords', metadataPrefix: 'arXivRaw', from: '2014-10-01', set: 'cs' }, body: fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml') },
      { path: '/oai', query: { verb: 'ListRecords', resumptionToken: '726959|1001' }, body: fixture('oai/arXivRaw-ListRecords-resumption-47001.excerpt.xml') },
      { path: '/oai', query: { verb: 'ListRecords', resumptionToken: '496549|47001' }, body: fixture('oai/arXivRaw-ListRecords-last-page.constructed.xml') },
    ],
  });
}

function startIngest(server: ReplayServer, databaseUrl: string) {
  const env = {
    ...process.env, LOG_LEVEL: 'silent', PAPERBOY_DATA_DIR: tempDir(), DATABASE_URL: databaseUrl, PAPERBOY_CATEGORIES: ALL.join(','),
    PAPERBOY_ARXIV_OAI_URL: `${server.url}/oai`, PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`, PAPERBOY_ARXIV_RSS_URL: `${server.url}/rss`,
    PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0',
  };
  const child = spawn(process.execPath, [...nodeArgs('src/main.ts'), 'ingest', '--oai', '--from', '2014-10-01', '--set', 'cs'], { env });
  children.push(child);
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stdout += d; });
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout })));
  return { child, exited };
}

/** Waits until the slow second page has been asked for: page 1 is stored, the run is mid-way. */
async function untilPage2(server: ReplayServer): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!server.requests.some((r) => r.url.includes('resumptionToken'))) {
    if (Date.now() > deadline) throw new Error('page 2 was never asked for');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An ingest on a new database, its second page held back `slowMs`: returned once page 1 is stored. */
async function ingestUntilPage2(server: ReplayServer, slowMs: number) {
  const databaseUrl = await tempDatabaseUrl();
  server.injectFault({ kind: 'slow', delayMs: slowMs }, { query: { verb: 'ListRecords', resumptionToken: '726959|1001' } });
  const first = startIngest(server, databaseUrl);
  await untilPage2(server);
  return { databaseUrl, first };
}

test('an ingest killed with SIGKILL is shown as interrupted once the next run starts; the next run finishes the harvest', { timeout: 120_000 }, async () => {
  const server = await oaiServer();
  try {
    const { databaseUrl, first } = await ingestUntilPage2(server, 8_000);
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');

    const store = await openStore(databaseUrl);
    try {
      const [killed] = await store.listJobRuns(1);
      assert.equal(killed?.status, 'running', 'nothing closed it when it died');
      const second = startIngest(server, databaseUrl);
      const done = await second.exited;
      assert.equal(done.code, 0, done.stdout);
      const runs = await store.listJobRuns(5);
      assert.equal(runs.length, 2);
      const old = runs.find((r) => r.id === killed!.id)!;
      // Same machine: known at once. Elsewhere it would be when its lease ran out.
      if (machine) assert.deepEqual([old.status, old.error], ['failed', 'interrupted: its process ended']);
      assert.equal(runs.find((r) => r.id !== killed!.id)?.status, 'ok');
      assert.equal((await store.stats()).papers, 17);
      assert.deepEqual(await store.db.selectFrom('jobs').select('name').where('name', 'like', 'run:%').execute(), [], 'no lease is left behind');
    } finally {
      await store.close();
    }
  } finally {
    await server.close();
  }
});

test('SIGINT stops an ingest at once: exit 130, the run is recorded as interrupted, the next run resumes', { timeout: 120_000 }, async () => {
  const server = await oaiServer();
  try {
    const { databaseUrl, first } = await ingestUntilPage2(server, 20_000);
    const sent = Date.now();
    first.child.kill('SIGINT');
    const stopped = await first.exited;
    assert.equal(stopped.code, 130, stopped.stdout);
    assert.ok(Date.now() - sent < 10_000, 'it did not wait for the slow page');
    assert.match(stopped.stdout, /^stopped: interrupted: /m);

    const store = await openStore(databaseUrl);
    try {
      const [run] = await store.listJobRuns(1);
      assert.equal(run?.status, 'failed');
      assert.match(run?.error ?? '', /^interrupted: /);
      assert.equal(run?.counts?.new, 6, 'page 1 was stored');
      const second = startIngest(server, databaseUrl);
      const done = await second.exited;
      assert.equal(done.code, 0, done.stdout);
      assert.match(done.stdout, /new=11 /, 'resumed at page 2');
      assert.equal((await store.stats()).papers, 17);
    } finally {
      await store.close();
    }
  } finally {
    await server.close();
  }
});

test('SIGINT while a page is being written: the run is recorded once that page is in, and its counts are the papers stored', { timeout: 120_000 }, async () => {
  const server = await oaiServer();
  try {
    const slowMs = 1_000;
    // Page 3 is slow too: on SQLite, SIGINT is taken once page 2's writer has the lock (see below),
    // and must find the run fetching page 3, not finished.
    server.injectFault({ kind: 'slow', delayMs: 20_000 }, { query: { verb: 'ListRecords', resumptionToken: '496549|47001' } });
    const { databaseUrl, first } = await ingestUntilPage2(server, slowMs);
    const store = await openStore(databaseUrl);
    try {
      // Another writer holds what page 2's transaction needs (PostgreSQL: the run's checkpoint row;
      // SQLite: the write lock), so that page is being written when SIGINT comes, and commits after it.
      const checkpoint = oaiRangeJobName({ set: 'cs', metadataPrefix: 'arXivRaw', from: '2014-10-01' });
      let release!: () => void;
      const released = new Promise<void>((resolve) => { release = resolve; });
      let holding!: () => void;
      const held = new Promise<void>((resolve) => { holding = resolve; });
      const holder = store.transaction(async (trx) => {
        await trx.updateTable('jobs').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('name', '=', checkpoint).execute();
        holding();
        await released;
      });
      await held;
      if (store.dialect === 'postgres') {
        // Until page 2's transaction is seen waiting for the row.
        const deadline = Date.now() + 30_000;
        for (;;) {
          // Only this database's sessions: other test files share the cluster and may wait on locks of their own.
          const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(store.db);
          if (Number(rows[0]?.n) > 0) break;
          if (Date.now() > deadline) throw new Error('page 2 was never written');
          await new Promise((r) => setTimeout(r, 50));
        }
      } else {
        // SQLite's writer waits in its busy handler (up to 5 s), where nothing shows from outside:
        // give it time to read page 2 once it is sent. SIGINT is taken once it has the lock.
        const asked = server.requests.find((r) => r.url.includes('resumptionToken'))!.at;
        await new Promise((r) => setTimeout(r, Math.max(0, asked + slowMs + 1_200 - Date.now())));
      }
      first.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 1_000));
      release();
      await holder;
      const stopped = await first.exited;
      assert.equal(stopped.code, 130, stopped.stdout);

      const [run] = await store.listJobRuns(1);
      assert.equal(run?.status, 'failed');
      assert.match(run?.error ?? '', /^interrupted: /);
      const stored = (await store.stats()).papers;
      assert.equal(stored, 16, 'page 2 was committed after SIGINT');
      assert.equal(run?.counts?.new, stored, 'the run counts every paper it stored');
      assert.equal(run?.counts?.pages, 2);
      assert.match(stopped.stdout, new RegExp(`new=${stored} `), 'and so does its summary line');

      // Page 3's slowness was for the first run (on PostgreSQL it stops before asking for page 3).
      server.clearFaults();
      const second = startIngest(server, databaseUrl);
      const done = await second.exited;
      assert.equal(done.code, 0, done.stdout);
      assert.match(done.stdout, new RegExp(`new=${17 - stored} `), 'resumed after the last stored page');
      assert.equal((await store.stats()).papers, 17);
    } finally {
      await store.close();
    }
  } finally {
    await server.close();
  }
});

/**
 * An ingest in this process whose second page is held back `stallMs` (the process stalls there, as
 * when its machine is suspended), on a clock the test moves: returned once page 1 is stored.
 */
async function stalledIngest(store: Store, stallMs: number) {
  const server = await oaiServer();
  server.injectFault({ kind: 'slow', delayMs: stallMs }, { query: { verb: 'ListRecords', resumptionToken: '726959|1001' } });
  const clock = { t: Date.parse(NOW) };
  const deps: IngestDeps = {
    store, categories: ALL, now: () => new Date(clock.t).toISOString(),
    client: createArxivClient({ oaiUrl: `${server.url}/oai`, userAgent: 'Paperboy-test/0.1 (mailto:admin@example.org)', minIntervalMs: 0, maxRetries: 0 }),
  };
  const report = ingestOai(deps, { from: '2014-10-01', set: 'cs', metadataPrefix: 'arXivRaw' });
  await untilPage2(server);
  const [run] = await store.listJobRuns(1);
  assert.equal(run?.status, 'running');
  return { server, clock, report, runId: run.id, now: deps.now };
}

const adminRuns = async (store: Store, now: string) => {
  const { app } = await testApp(store, { now: () => Date.parse(now) });
  const res = await app.request('/admin/runs', { headers: { Authorization: `Basic ${Buffer.from('admin:correct horse battery').toString('base64')}` } });
  assert.equal(res.status, 200);
  return res.text();
};

test('a run closed as interrupted whose process was only stalled ends with its real end: status, counts, finish time, nothing left of the closing', { timeout: 60_000 }, async () => {
  const store = await tempStore();
  const { server, clock, report, runId, now } = await stalledIngest(store, 1_500);
  try {
    clock.t += RUN_LEASE_MS + 60_000; // no renewal for longer than the lease
    assert.deepEqual(await closeAbandonedRuns(store, now()), [runId]);
    assert.equal((await status(store, runId)).status, 'failed');
    assert.match((await status(store, runId)).error ?? '', /^interrupted: its process stopped reporting at /);
    assert.match(await adminRuns(store, now()), /<td class="status interrupted">interrupted<\/td>/);

    clock.t += 1_000;
    const done = await report; // the stall ends; the harvest goes on to its end
    assert.equal(done.failure, null);
    const [run] = await store.listJobRuns(1);
    assert.deepEqual(
      { id: run?.id, status: run?.status, error: run?.error, finishedAt: run?.finishedAt, new: run?.counts?.new, pages: run?.counts?.pages },
      { id: runId, status: 'ok', error: null, finishedAt: now(), new: 17, pages: 3 },
    );
    assert.equal((await store.stats()).papers, 17);
    const html = await adminRuns(store, now());
    assert.match(html, /<td class="status ok">ok<\/td>/);
    assert.doesNotMatch(html, /interrupted/);
    assert.deepEqual(await store.db.selectFrom('jobs').select('name').where('name', 'like', 'run:%').execute(), [], 'no lease is left behind');
    assert.deepEqual(await closeAbandonedRuns(store, new Date(clock.t + 2 * RUN_LEASE_MS).toISOString()), [], 'and it is never closed again');
    assert.equal((await status(store, runId)).status, 'ok');
  } finally {
    await server.close();
  }
});

test('a run closed as interrupted is running again at its process\'s next renewal, and can be closed again if it stalls again', { timeout: 60_000 }, async () => {
  const store = await tempStore();
  mock.timers.enable({ apis: ['setInterval'] }); // the run's heartbeat, moved by hand
  try {
    const { server, clock, report, runId, now } = await stalledIngest(store, 2_000);
    try {
      clock.t += RUN_LEASE_MS + 60_000;
      assert.deepEqual(await closeAbandonedRuns(store, now()), [runId]);
      mock.timers.tick(RUN_HEARTBEAT_MS); // the process wakes up and renews its lease
      const deadline = Date.now() + 10_000;
      while ((await status(store, runId)).status !== 'running') {
        if (Date.now() > deadline) throw new Error('the run was never opened again');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(await status(store, runId), { status: 'running', error: null, finished_at: null });
      assert.deepEqual(await closeAbandonedRuns(store, now()), [], 'its lease is fresh');
      assert.match(await adminRuns(store, now()), /<td class="status running">running<\/td>/);

      const done = await report;
      assert.equal(done.failure, null);
      const [run] = await store.listJobRuns(1);
      assert.deepEqual([run?.status, run?.error, run?.counts?.new], ['ok', null, 17]);
    } finally {
      await server.close();
    }

    // A run its own process recorded as interrupted (Ctrl-C) is its end: a renewal never opens it.
    const stopped = await store.startJobRun('ingest', 'oai cs', NOW);
    await store.finishJobRun(stopped, { status: 'failed', counts: { new: 3 }, error: INTERRUPTED }, NOW);
    assert.equal(await store.reopenJobRun(stopped), false);
    assert.equal((await status(store, stopped)).status, 'failed');
  } finally {
    mock.timers.reset();
  }
});
