/**
 * Ingestion end to end: a real HTTP server replays recorded arXiv responses, the real client
 * (on a fake clock, so nothing sleeps) fetches them, and the real store keeps them.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createArxivClient } from '../../src/arxiv/client.ts';
import { ingestApi, ingestOai, ingestRss, oaiJobName, catchUpQuery, nextWatermark, type IngestDeps, type OaiCheckpoint } from '../../src/services/ingest.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { startReplayServer, type ReplayRoute, type ReplayServer } from '../helpers/replay-server.ts';
import { FakeClock, fixture } from '../arxiv/support.ts';
import { tempDatabaseUrl, tempDir, tempStore } from '../helpers/store.ts';
import { testStoreKind } from '../helpers/postgres.ts';
import { closeAbandonedRuns, RUN_LEASE_MS } from '../../src/services/run-liveness.ts';
import { runLeaseName } from '../../src/store/jobs.ts';
import { sql } from '../../src/store/kysely.ts';
import { nodeArgs } from '../helpers/paperboy.ts';

const UA = 'Paperboy-test/0.1 (mailto:admin@example.org)';
const ALL = ['nucl-ex', 'nucl-th', 'math-ph', 'math', 'gr-qc', 'astro-ph', 'quant-ph', 'hep-th', 'hep-ph', 'hep-ex', 'q-bio', 'physics', 'cond-mat', 'cs', 'stat', 'eess', 'q-fin', 'econ', 'nlin', 'hep-lat'];

const oaiRoutes = (extra: Record<string, string> = {}): ReplayRoute[] => [
  { path: '/oai', query: { verb: 'ListRecords', metadataPrefix: 'arXivRaw', from: '2014-10-01', ...extra }, body: fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml') },
  { path: '/oai', query: { verb: 'ListRecords', resumptionToken: '726959|1001' }, body: fixture('oai/arXivRaw-ListRecords-resumption-47001.excerpt.xml') },
  { path: '/oai', query: { verb: 'ListRecords', resumptionToken: '496549|47001' }, body: fixture('oai/arXivRaw-ListRecords-last-page.constructed.xml') },
];

let server: ReplayServer;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock(Date.parse('2026-11-28T02:00:00Z'));
  server = await startReplayServer({
    clock,
    routes: [
      ...oaiRoutes(),
      { path: '/api/query', query: { id_list: '1707.08567', start: '0', max_results: '1' }, body: fixture('atom-2026/id_1707.08567.xml') },
      { path: '/api/query', query: { id_list: 'quant-ph/0201082v1', start: '0', max_results: '1' }, body: fixture('atom-2026/id_quant-ph_0201082v1.xml') },
      { path: '/rss/cs.CV+cs.CY', headers: { etag: '"d1"' }, body: fixture('rss/all-archives-2024-11-28.excerpt.xml') },
      { path: '/rss/astroph', body: fixture('rss/error-bad-archive.xml') },
    ],
  });
});
afterEach(async () => { await server.close(); });

function deps(store: Store, overrides: Partial<IngestDeps> = {}): IngestDeps {
  return {
    store,
    client: createArxivClient({ apiUrl: `${server.url}/api/query`, oaiUrl: `${server.url}/oai`, rssUrl: `${server.url}/rss`, userAgent: UA, clock, maxRetries: 1 }),
    now: () => new Date(clock.now()).toISOString(),
    categories: ALL,
    ...overrides,
  };
}

/** Everything a harvest writes, for comparing two stores. */
async function snapshot(store: Store) {
  const papers = await store.db.selectFrom('papers').select(['id', 'title', 'abstract', 'latest_version', 'published_at', 'updated_at', 'withdrawn', 'source_hash']).orderBy('id').execute();
  const versions = await store.db.selectFrom('paper_versions').selectAll().orderBy('paper_id').orderBy('version').execute();
  const authors = await store.db.selectFrom('paper_authors').selectAll().orderBy('paper_id').orderBy('position').execute();
  const categories = await store.db.selectFrom('paper_categories').selectAll().orderBy('paper_id').orderBy('position').execute();
  return { papers, versions, authors, categories };
}

describe('OAI-PMH harvest', () => {
  test('follows resumptionTokens through every page, three seconds apart, and records the run', async () => {
    const store = await tempStore();
    const report = await ingestOai(deps(store), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    assert.equal(report.failure, null);
    assert.deepEqual([report.pages, report.new, report.skipped, report.errors], [3, 17, 1, 0]); // 6 + 10 + 1 records, 1 deleted
    assert.equal((await store.stats()).papers, 17);
    const starts = server.requests.map((r) => r.at);
    assert.deepEqual(starts.slice(1).map((t, i) => t - starts[i]!), [3000, 3000]);
    assert.ok(server.requests.every((r) => r.headers['user-agent'] === UA));
    const state = await store.readJobState<OaiCheckpoint>(oaiJobName({ metadataPrefix: 'arXivRaw' }));
    assert.equal(state?.resumptionToken, null);
    assert.equal(state?.watermark, '2026-11-28');
    const [run] = await store.listJobRuns(1);
    assert.equal(run?.status, 'ok');
    assert.equal(run?.counts?.new, 17);
    // A second harvest of the same pages changes nothing.
    const again = await ingestOai(deps(store), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    assert.deepEqual([again.new, again.updated, again.unchanged], [0, 0, 17]);
  });

  test('records outside the instance categories are skipped and counted', async () => {
    const store = await tempStore();
    const report = await ingestOai(deps(store, { categories: ['hep-th', 'math.AG'] }), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    const stored = await store.db.selectFrom('paper_categories').select('paper_id').distinct().execute();
    assert.equal(report.new, stored.length);
    assert.ok(report.new > 0 && report.new < 17);
    assert.equal(report.new + report.skipped, 18);
    assert.equal(report.skips.length, report.skipped, 'each skipped record is named');
    for (const line of report.skips) assert.match(line, /^\S+: (not in PAPERBOY_CATEGORIES \([a-z-]+(\.[A-Za-z-]+)?( [a-z-]+(\.[A-Za-z-]+)?)*\)|deleted on arXiv)$/);
    assert.ok(report.skips.some((l) => /not in PAPERBOY_CATEGORIES \(.*cs\./.test(l)));
    assert.equal(report.problems.length, 0, 'skips are not counted as problems');
  });

  test('a run that fails on page 2 keeps page 1, and the next run resumes at page 2 and ends in the same store', async () => {
    const reference = await tempStore();
    await ingestOai(deps(reference), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });

    const store = await tempStore();
    server.injectFault({ kind: 'malformed' }, { query: { verb: 'ListRecords', resumptionToken: '726959|1001' } });
    const failed = await ingestOai(deps(store), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    assert.match(failed.failure ?? '', /page 2/);
    assert.ok(failed.errors > 0);
    assert.equal((await store.stats()).papers, 6, 'page 1 is stored, nothing of page 2');
    const [run] = await store.listJobRuns(1);
    assert.equal(run?.status, 'failed');

    const before = server.requests.length;
    const resumed = await ingestOai(deps(store), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    assert.equal(resumed.failure, null);
    assert.equal(new URL(server.requests[before]!.url, server.url).searchParams.get('resumptionToken'), '726959|1001', 'resumed at page 2');
    assert.deepEqual(await snapshot(store), await snapshot(reference));
  });

  /** arXiv's answer to a token it no longer has (they expire after some hours), for the next request for page 2. */
  const refusePage2 = () => server.injectFault({ kind: 'status', status: 200, body: fixture('oai/error-badResumptionToken.xml') }, { query: { verb: 'ListRecords', resumptionToken: '726959|1001' } });
  const tokensAsked = (from: number) => server.requests.slice(from).map((r) => r.query.resumptionToken ?? 'start');

  for (const catchUp of [false, true]) {
    test(`${catchUp ? 'the catch-up' : 'a range given by hand'}: a saved token arXiv refuses (expired) is dropped, the range is harvested again from its start and counted honestly, once`, async () => {
      const reference = await tempStore();
      await ingestOai(deps(reference), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
      const store = await tempStore();
      const query = { from: '2014-10-01', metadataPrefix: 'arXivRaw' as const };
      const job = catchUp ? oaiJobName(query) : `${oaiJobName(query)}:2014-10-01..`;
      // Page 1 is stored with the token of page 2; page 2 fails, and by the next run the token has expired.
      server.injectFault({ kind: 'malformed' }, { query: { verb: 'ListRecords', resumptionToken: '726959|1001' } });
      assert.ok((await ingestOai(deps(store), query, { catchUp })).failure);
      assert.equal((await store.readJobState<OaiCheckpoint>(job))?.resumptionToken, '726959|1001');

      // A dry run sees the same and writes nothing.
      refusePage2();
      const dry = await ingestOai(deps(store, { dryRun: true }), query, { catchUp });
      assert.equal(dry.failure, null);
      assert.deepEqual([dry.new, dry.unchanged, dry.pages, dry.notes.length], [11, 6, 3, 1]);
      assert.equal((await store.readJobState<OaiCheckpoint>(job))?.resumptionToken, '726959|1001', 'the dry run wrote no checkpoint');

      refusePage2();
      const before = server.requests.length;
      const report = await ingestOai(deps(store), query, { catchUp });
      assert.equal(report.failure, null);
      assert.deepEqual(tokensAsked(before), ['726959|1001', 'start', '726959|1001', '496549|47001'], 'refused, then pages 1, 2 and 3');
      // Page 1 was stored by the first run: harvested again, its papers are unchanged, not new.
      assert.deepEqual([report.new, report.updated, report.unchanged, report.skipped, report.errors, report.pages], [11, 0, 6, 1, 0, 3]);
      assert.deepEqual(report.notes, ['arxiv/oai: arXiv refused the saved resumptionToken 726959|1001 (badResumptionToken: tokens expire); harvesting 2014-10-01..today again from its start (pages stored before count as unchanged)']);
      assert.deepEqual(await snapshot(store), await snapshot(reference));
      const state = await store.readJobState<OaiCheckpoint>(job);
      assert.deepEqual([state?.resumptionToken, state?.query], [null, query]);
      assert.equal((await store.readJobState<OaiCheckpoint>(oaiJobName(query)))?.watermark, '2026-11-28', 'the watermark moves as after any finished harvest');
      const [run] = await store.listJobRuns(1);
      assert.deepEqual([run?.status, run?.error, run?.counts?.unchanged], ['ok', report.notes[0], 6], '/admin/runs shows the note');
      if (catchUp) assert.deepEqual(await catchUpQuery(store, query, '2026-11-28', '2026-11-25'), { ...query, from: '2026-11-28', until: '2026-11-28' }, 'the next catch-up starts at the new watermark');
    });
  }

  test('a run stopped while it starts again after a refused token leaves a checkpoint the next run finishes from', async () => {
    const reference = await tempStore();
    await ingestOai(deps(reference), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    const store = await tempStore();
    const base = { metadataPrefix: 'arXivRaw' as const };
    const job = oaiJobName(base);
    // The catch-up of a week, interrupted after its first page: its range and watermark are saved with the token.
    const saved: OaiCheckpoint = { query: { ...base, from: '2014-10-01', until: '2014-10-31' }, resumptionToken: '726959|1001', watermark: '2014-10-01' };
    await store.writeJobState(job, saved, '2026-11-27T00:00:00Z');
    for (const r of oaiRoutes({ until: '2014-10-31' })) server.addRoute(r);
    const query = await catchUpQuery(store, base, '2026-11-28', '2026-11-25');
    assert.deepEqual(query, saved.query, 'the catch-up finishes the saved range first');

    // The token is refused, and the first page of the new start fails: nothing of the new start is stored.
    refusePage2();
    server.injectFault({ kind: 'malformed' }, { query: { verb: 'ListRecords', metadataPrefix: 'arXivRaw', from: '2014-10-01', until: '2014-10-31' } });
    const stopped = await ingestOai(deps(store), query, { catchUp: true });
    assert.match(stopped.failure ?? '', /^arxiv\/oai: page 1: malformed/);
    assert.equal(stopped.notes.length, 1);
    assert.deepEqual(await store.readJobState<OaiCheckpoint>(job), saved, 'the checkpoint is as it was: range, token and watermark');

    // The next run is refused the same token, starts over the same way, and finishes.
    refusePage2();
    const again = await ingestOai(deps(store), await catchUpQuery(store, base, '2026-11-28', '2026-11-25'), { catchUp: true });
    assert.equal(again.failure, null);
    assert.deepEqual([again.new, again.unchanged, again.pages], [17, 0, 3]);
    assert.deepEqual(await snapshot(store), await snapshot(reference));
    assert.deepEqual(await store.readJobState<OaiCheckpoint>(job), { query: saved.query, resumptionToken: null, watermark: '2014-10-31' });
  });

  test('a token arXiv sent in this run and then refused fails the run, without starting over again', async () => {
    const store = await tempStore();
    const query = { from: '2014-10-01', metadataPrefix: 'arXivRaw' as const };
    refusePage2();
    const fresh = await ingestOai(deps(store), query);
    assert.match(fresh.failure ?? '', /^arxiv\/oai: page 2 \(resumptionToken 726959\|1001\): badResumptionToken: .* \(arXiv refused a resumptionToken it sent in this run; the next run resumes there, or starts the range again if arXiv still refuses it\)$/);
    assert.deepEqual([fresh.pages, fresh.new, fresh.errors, fresh.notes], [1, 6, 1, []]);

    // Resumed from the saved token, which is refused: one new start, whose page 2 is refused too.
    refusePage2();
    refusePage2();
    const before = server.requests.length;
    const resumed = await ingestOai(deps(store), query);
    assert.match(resumed.failure ?? '', /page 2 \(resumptionToken 726959\|1001\): badResumptionToken: .*it sent in this run/);
    assert.deepEqual(tokensAsked(before), ['726959|1001', 'start', '726959|1001'], 'started over once, not again');
    assert.deepEqual([resumed.pages, resumed.unchanged, resumed.errors, resumed.notes.length], [1, 6, 1, 1]);
    const [run] = await store.listJobRuns(1);
    assert.equal(run?.status, 'failed');
  });

  test('the catch-up starts at the last watermark, or finishes an interrupted harvest first', async () => {
    const store = await tempStore();
    const base = { set: 'cs', metadataPrefix: 'arXivRaw' as const };
    assert.deepEqual(await catchUpQuery(store, base, '2026-11-28', '2026-11-25'), { ...base, from: '2026-11-25', until: '2026-11-28' });
    await store.writeJobState(oaiJobName(base), { query: { ...base, from: '2026-11-20' }, resumptionToken: 'abc', watermark: '2026-11-19' }, '2026-11-28T00:00:00Z');
    assert.deepEqual(await catchUpQuery(store, base, '2026-11-28', '2026-11-25'), { ...base, from: '2026-11-20' });
    await store.writeJobState(oaiJobName(base), { query: { ...base, from: '2026-11-20' }, resumptionToken: null, watermark: '2026-11-27' }, '2026-11-28T00:00:00Z');
    assert.deepEqual(await catchUpQuery(store, base, '2026-11-28', '2026-11-25'), { ...base, from: '2026-11-27', until: '2026-11-28' });
  });

  test('a dry run counts what a real run would store (new, updated, unchanged) and writes nothing', async () => {
    const store = await tempStore();
    const report = await ingestOai(deps(store, { dryRun: true }), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    assert.deepEqual([report.new, report.updated, report.unchanged, report.skipped], [17, 0, 0, 1]);
    assert.equal((await store.stats()).papers, 0);
    assert.deepEqual(await store.listJobRuns(5), []);
    assert.deepEqual(await store.db.selectFrom('jobs').selectAll().execute(), [], 'no checkpoint, no lease');

    const real = await ingestOai(deps(store), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    assert.deepEqual([real.new, real.updated, real.unchanged], [17, 0, 0], 'the dry run said what this run did');
    // One paper's stored copy differs from what arXiv sends now: a real run would update it.
    await store.db.updateTable('papers').set({ source_hash: 'older' }).where('id', '=', '0801.4243').execute();
    const runs = (await store.listJobRuns(5)).length;
    const again = await ingestOai(deps(store, { dryRun: true }), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    assert.deepEqual([again.new, again.updated, again.unchanged], [0, 1, 16]);
    const row = await store.db.selectFrom('papers').select('source_hash').where('id', '=', '0801.4243').executeTakeFirst();
    assert.equal(row?.source_hash, 'older', 'the dry run wrote nothing');
    assert.equal((await store.listJobRuns(5)).length, runs);
  });

  test('titles are stored with TeX accents decoded and math kept', async () => {
    const store = await tempStore();
    await ingestOai(deps(store), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    const paper = await store.findPaperById('0801.4243');
    assert.match(paper?.title ?? '', /^A Gröbner basis proof/);
    assert.doesNotMatch(paper?.title ?? '', /\\/);
    const titles = await store.db.selectFrom('papers').select('title').where('title', 'like', '%$%').execute();
    for (const t of titles) assert.match(t.title, /\$[^$]+\$/, 'math is kept between its dollars');
  });

  test('a back-fill of an old range leaves the catch-up watermark where it is', async () => {
    const store = await tempStore();
    for (const r of oaiRoutes({ until: '2014-10-31' })) server.addRoute(r);
    const base = { metadataPrefix: 'arXivRaw' as const };
    // Only the back-fill, on a new instance: the first catch-up still reaches back a few days only.
    await ingestOai(deps(store), { ...base, from: '2014-10-01', until: '2014-10-31' });
    assert.equal((await store.readJobState<OaiCheckpoint>(oaiJobName(base)))?.watermark ?? null, null);
    assert.deepEqual(await catchUpQuery(store, base, '2026-11-28', '2026-11-25'), { ...base, from: '2026-11-25', until: '2026-11-28' });

    // A harvest up to today sets it; a back-fill afterwards does not move it back.
    await ingestOai(deps(store), { ...base, from: '2014-10-01' });
    assert.equal((await store.readJobState<OaiCheckpoint>(oaiJobName(base)))?.watermark, '2026-11-28');
    clock.sleep(86_400_000); // a day later
    await ingestOai(deps(store), { ...base, from: '2014-10-01', until: '2014-10-31' });
    assert.equal((await store.readJobState<OaiCheckpoint>(oaiJobName(base)))?.watermark, '2026-11-28');
    assert.deepEqual(await catchUpQuery(store, base, '2026-11-29', '2026-11-26'), { ...base, from: '2026-11-28', until: '2026-11-29' });
  });

  test("a harvest of a range given by hand keeps an interrupted catch-up's token", async () => {
    const store = await tempStore();
    const base = { metadataPrefix: 'arXivRaw' as const };
    const interrupted: OaiCheckpoint = { query: { ...base, from: '2026-11-20', until: '2026-11-27' }, resumptionToken: 'abc|1001', watermark: '2026-11-20' };
    await store.writeJobState(oaiJobName(base), interrupted, '2026-11-27T00:00:00Z');
    for (const r of oaiRoutes({ until: '2014-10-31' })) server.addRoute(r);
    const report = await ingestOai(deps(store), { ...base, from: '2014-10-01', until: '2014-10-31' });
    assert.equal(report.new, 17);
    assert.deepEqual(await store.readJobState<OaiCheckpoint>(oaiJobName(base)), interrupted);
    assert.deepEqual(await catchUpQuery(store, base, '2026-11-28', '2026-11-25'), interrupted.query, 'the catch-up finishes it first');
  });

  test('the watermark only moves forward, over days that are all stored', () => {
    const q = (from?: string, until?: string) => ({ metadataPrefix: 'arXivRaw' as const, from, until });
    assert.equal(nextWatermark('2026-11-20', q('2026-11-20', '2026-11-28'), '2026-11-28', true), '2026-11-28');
    assert.equal(nextWatermark('2026-11-27', q('2026-11-20', '2026-11-25'), '2026-11-28', true), '2026-11-27', 'an older catch-up finishing late');
    assert.equal(nextWatermark('2026-11-20', q('2024-01-01', '2024-01-31'), '2026-11-28', false), '2026-11-20');
    assert.equal(nextWatermark('2026-11-20', q('2026-11-10'), '2026-11-28', false), '2026-11-28', 'overlapping it, up to today');
    assert.equal(nextWatermark('2026-11-20', q('2026-11-24'), '2026-11-28', false), '2026-11-20', 'a gap before the range: not all stored');
    assert.equal(nextWatermark(null, q('2025-01-01'), '2026-11-28', false), '2026-11-28');
    assert.equal(nextWatermark(null, q('2025-01-01', '2025-01-31'), '2026-11-28', false), null);
    assert.equal(nextWatermark(null, q('2026-11-25', '2026-11-28'), '2026-11-28', true), '2026-11-28');
    assert.equal(nextWatermark('2026-12-28', q('2026-11-25', '2026-11-28'), '2026-11-28', true), '2026-11-28', 'one written while the clock was a month ahead: a catch-up replaces it');
    assert.equal(nextWatermark('2026-12-28', q('2024-01-01', '2024-01-31'), '2026-11-28', false), '2026-12-28', 'a range given by hand leaves it');
  });

  test('killed with SIGKILL at random moments, then run again: the same store as one clean run', { timeout: 180_000 }, async () => {
    const reference = await tempStore();
    await ingestOai(deps(reference), { from: '2014-10-01', metadataPrefix: 'arXivRaw' });
    for (const r of oaiRoutes({ set: 'cs' })) server.addRoute(r);

    const dir = tempDir();
    const databaseUrl = await tempDatabaseUrl(dir);
    const env = {
      ...process.env, LOG_LEVEL: 'silent', PAPERBOY_DATA_DIR: dir, DATABASE_URL: databaseUrl, PAPERBOY_CATEGORIES: ALL.join(','),
      PAPERBOY_ARXIV_OAI_URL: `${server.url}/oai`, PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`, PAPERBOY_ARXIV_RSS_URL: `${server.url}/rss`,
      PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0',
    };
    const run = (killAfterMs: number | null) => new Promise<number | null>((resolve) => {
      // Slow pages make a run last longer than the latest kill (2 s), so a kill lands mid-harvest
      // however fast the rest of the run is (the first run is always killed, at a random moment).
      for (let i = 0; i < 3; i++) server.injectFault({ kind: 'slow', delayMs: 700 });
      const child = spawn(process.execPath, [...nodeArgs('src/main.ts'), 'ingest', '--oai', '--from', '2014-10-01', '--set', 'cs'], { env, stdio: 'ignore', cwd: path.resolve('.') });
      const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.on('exit', (code) => { if (timer) clearTimeout(timer); resolve(code); });
    });
    let killed = 0;
    for (let i = 0; i < 6; i++) {
      const code = await run(600 + Math.floor(Math.random() * 1400));
      if (code === null) killed++;
    }
    assert.equal(await run(null), 0, 'the final run completes');
    const store = await openStore(databaseUrl);
    try {
      assert.deepEqual(await store.integrityProblems(), []);
      assert.deepEqual(await snapshot(store), await snapshot(reference));
    } finally {
      await store.close();
    }
    assert.ok(killed >= 1, `at least one run was killed mid-way (${killed})`);
  });
});

describe('API and RSS', () => {
  test('id lookups through the API', async () => {
    const store = await tempStore();
    let report = await ingestApi(deps(store), { ids: ['1707.08567'] });
    assert.equal(report.failure, null);
    assert.equal(report.new, 1);
    assert.ok(await store.findPaperById('1707.08567'));
    report = await ingestApi(deps(store), { ids: ['quant-ph/0201082v1'] });
    assert.equal(report.new, 1);
    assert.equal((await store.findPaperById('quant-ph/0201082'))?.id, 'quant-ph/0201082');
  });

  test('ids arXiv does not have are named and counted as errors', async () => {
    const store = await tempStore();
    // arXiv's answer when one of two ids does not exist: only the other's entry.
    server.addRoute({ path: '/api/query', query: { id_list: '2501.99999,1707.08567', start: '0', max_results: '2' }, body: fixture('atom-2026/id_0808.05394_1707.08567.xml') });
    const report = await ingestApi(deps(store), { ids: ['2501.99999', '1707.08567'] });
    assert.equal(report.failure, null);
    assert.deepEqual([report.new, report.errors], [1, 1]);
    assert.deepEqual(report.problems, ['2501.99999: not found on arXiv']);
    const [run] = await store.listJobRuns(1);
    assert.match(run?.error ?? '', /2501\.99999: not found on arXiv/);
    // A versioned id that arXiv returns is found.
    const versioned = await ingestApi(deps(store), { ids: ['quant-ph/0201082v1'] });
    assert.deepEqual([versioned.new, versioned.errors, versioned.problems], [1, 0, []]);
  });

  test('a run whose end cannot be recorded lets its lease lapse, and is then closed as interrupted, by this process too', async () => {
    const store = await tempStore();
    // The database refuses to record any run's end, as it would while it is away (a trigger: a real refusal, not a stand-in store).
    const refuse = testStoreKind() === 'postgres'
      ? [sql`CREATE FUNCTION refuse_run_end() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the database is away'; END $$`,
        sql`CREATE TRIGGER refuse_run_end BEFORE UPDATE ON job_runs FOR EACH ROW WHEN (NEW.status <> 'running') EXECUTE FUNCTION refuse_run_end()`]
      : [sql`CREATE TRIGGER refuse_run_end BEFORE UPDATE ON job_runs WHEN NEW.status <> 'running' BEGIN SELECT RAISE(ABORT, 'the database is away'); END`];
    for (const q of refuse) await q.execute(store.db);
    await assert.rejects(ingestApi(deps(store), { ids: ['1707.08567'] }), /the database is away/);
    assert.ok(await store.findPaperById('1707.08567'), 'the paper itself was stored');
    const [run] = await store.listJobRuns(1);
    assert.equal(run?.status, 'running');
    await sql`DROP TRIGGER refuse_run_end${testStoreKind() === 'postgres' ? sql` ON job_runs` : sql``}`.execute(store.db);

    const nowIso = new Date(clock.now()).toISOString();
    assert.deepEqual(await closeAbandonedRuns(store, nowIso), [], 'its lease still runs: not yet');
    const lapsed = new Date(clock.now() + RUN_LEASE_MS + 1_000).toISOString();
    assert.deepEqual(await closeAbandonedRuns(store, lapsed), [run!.id], 'the lease was no longer renewed');
    const [closed] = await store.listJobRuns(1);
    assert.equal(closed?.status, 'failed');
    assert.match(closed?.error ?? '', /^interrupted: its process stopped reporting/);
    assert.equal(await store.db.selectFrom('jobs').select('name').where('name', '=', runLeaseName(run!.id)).executeTakeFirst(), undefined, 'its lease is gone with it');
  });

  test('a paper asked for by id is stored whatever the instance categories', async () => {
    const store = await tempStore();
    const report = await ingestApi(deps(store, { categories: ['hep-th'] }), { ids: ['1707.08567'] }); // a cs.IT paper
    assert.equal(report.new, 1);
    assert.equal(report.skipped, 0);
    assert.deepEqual((await store.findPaperById('1707.08567'))?.categories, ['cs.IT']);
  });

  test('RSS fills New on arXiv for the day; an unchanged feed is not re-read', async () => {
    const store = await tempStore();
    const d = deps(store, { categories: ['cs'] }); // one client: it remembers the feed's validators
    const report = await ingestRss(d, ['cs.CV', 'cs.CY']);
    assert.equal(report.failure, null);
    const announced = await store.listAnnouncedPapers({ from: '2024-11-28', to: '2024-11-28', sort: 'newest', limit: 50, offset: 0 });
    assert.equal(announced.total, report.new);
    assert.ok(announced.items.some((p) => p.id === '2411.17700'));
    assert.ok(report.skipped > 0, 'non-cs items skipped');
    const second = await ingestRss(d, ['cs.CV', 'cs.CY']);
    assert.deepEqual([second.new, second.pages], [0, 0]);
    assert.equal(server.requests.at(-1)?.headers['if-none-match'], '"d1"');
  });

  test('an error feed fails the run with a clear message and writes nothing', async () => {
    const store = await tempStore();
    const report = await ingestRss(deps(store), ['astroph']);
    assert.ok(report.failure);
    assert.equal(report.errors, 1);
    assert.equal((await store.stats()).papers, 0);
    const [run] = await store.listJobRuns(1);
    assert.equal(run?.status, 'failed');
  });
});
