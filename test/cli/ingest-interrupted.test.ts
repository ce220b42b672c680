/**
 * A back-fill (`paperboy ingest --oai --from D`) that arXiv stops mid-range, run again: the pages
 * before the error are kept, the rerun resumes after them, nothing is stored twice, the exit status
 * and the summary line say what happened, and /admin/runs shows the failed run with its error
 * beside the run that finished the range. And a real `paperboy ingest` process stopped with SIGTERM
 * (as a service manager stops it) while a page is on its way.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { openStore, type Store } from '../../src/store/index.ts';
import { testApp } from '../helpers/app.ts';
import { runIngestCommand, ALL_ARCHIVES } from '../helpers/ingest-command.ts';
import { startReplayServer, type ReplayServer } from '../helpers/replay-server.ts';
import { fixture } from '../arxiv/support.ts';
import { tempDatabaseUrl, tempDir } from '../helpers/store.ts';
import { nodeArgs } from '../helpers/paperboy.ts';

const PAGE_2 = { verb: 'ListRecords', resumptionToken: '726959|1001' };

function oaiServer(): Promise<ReplayServer> {
  return startReplayServer({
    routes: [
      { path: '/oai', query: { verb: 'ListRecords', metadataPrefix: 'arXivRaw', from: '2014-10-01', set: 'cs' }, body: fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml') },
      { path: '/oai', query: PAGE_2, body: fixture('oai/arXivRaw-ListRecords-resumption-47001.excerpt.xml') },
      { path: '/oai', query: { verb: 'ListRecords', resumptionToken: '496549|47001' }, body: fixture('oai/arXivRaw-ListRecords-last-page.constructed.xml') },
    ],
  });
}

/** The back-fill of cs from 2014-10-01, its stdout and stderr together as a terminal shows them. */
async function ingest(server: ReplayServer, databaseUrl: string): Promise<{ code: number; out: string }> {
  const r = await runIngestCommand(server, databaseUrl, ['--oai', '--from', '2014-10-01', '--set', 'cs']);
  return { code: r.code, out: r.all };
}

/** What the store holds, row for row, in the tables a harvest writes. */
async function contents(store: Store): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['papers', 'paper_versions', 'paper_authors', 'paper_categories'] as const) {
    const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

for (const [what, fault, said] of [
  ['an HTTP 500', { kind: 'status', status: 500, body: 'Internal Server Error' }, /500/],
  ['a page that is not well-formed XML', { kind: 'malformed' }, /resumptionToken=726959%7C1001|page 2/],
] as const) test(`a back-fill stopped by ${what} on page 2 keeps page 1, exits 1 with the summary, and a rerun finishes it without storing anything twice`, async () => {
  const server = await oaiServer();
  try {
    // The same range, never stopped: what the store should end as.
    const cleanUrl = await tempDatabaseUrl();
    assert.equal((await ingest(server, cleanUrl)).code, 0);
    const clean = await openStore(cleanUrl);
    const expected = await contents(clean);
    await clean.close();

    const databaseUrl = await tempDatabaseUrl();
    server.injectFault(fault, { query: PAGE_2 });
    const first = await ingest(server, databaseUrl);
    assert.equal(first.code, 1, first.out);
    assert.match(first.out, /^stopped: /m);
    assert.match(/^stopped: .*$/m.exec(first.out)![0], said, 'the error names what went wrong');
    assert.match(first.out, /^ingest done mode=oai new=6 updated=0 unchanged=0 announced=0 skipped=\d+ errors=1 pages=1 /m);

    const store = await openStore(databaseUrl);
    try {
      assert.equal((await contents(store)).papers, 6, 'page 1 is kept');
      const second = await ingest(server, databaseUrl);
      assert.equal(second.code, 0, second.out);
      assert.match(second.out, /^ingest done mode=oai new=11 updated=0 unchanged=0 announced=0 skipped=\d+ errors=0 pages=2 /m, 'resumed at page 2');
      assert.deepEqual(await contents(store), expected, 'the store an uninterrupted run makes');

      const [ok, failed] = await store.listJobRuns(5);
      assert.deepEqual([ok?.status, failed?.status], ['ok', 'failed']);
      assert.match(failed?.error ?? '', said);
      const { app } = await testApp(store);
      const res = await app.request('/admin/runs', { headers: { Authorization: `Basic ${Buffer.from('admin:correct horse battery').toString('base64')}` } });
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<td class="status failed">failed<\/td>/);
      assert.match(html, /<td class="status ok">ok<\/td>/);
      assert.doesNotMatch(html, /interrupted/);
    } finally {
      await store.close();
    }
  } finally {
    await server.close();
  }
});

const children: ChildProcess[] = [];
after(() => { for (const c of children) c.kill('SIGKILL'); });

test('SIGTERM stops a real back-fill mid-range: exit 130, its summary counts the page it stored, /admin/runs says interrupted, and a rerun finishes it', { timeout: 120_000 }, async () => {
  const server = await oaiServer();
  try {
    const databaseUrl = await tempDatabaseUrl();
    server.injectFault({ kind: 'slow', delayMs: 20_000 }, { query: PAGE_2 });
    const child = spawn(process.execPath, [...nodeArgs('src/main.ts'), 'ingest', '--oai', '--from', '2014-10-01', '--set', 'cs'], { env: {
      ...process.env, LOG_LEVEL: 'silent', PAPERBOY_DATA_DIR: tempDir(), DATABASE_URL: databaseUrl, PAPERBOY_CATEGORIES: ALL_ARCHIVES.join(','),
      PAPERBOY_ARXIV_OAI_URL: `${server.url}/oai`, PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`, PAPERBOY_ARXIV_RSS_URL: `${server.url}/rss`,
      PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0',
    } });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    let ended = false;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { ended = true; resolve(code); }));
    // Page 1 is stored once page 2 has been asked for (a child that ends before that fails here, with its output).
    while (!server.requests.some((r) => r.url.includes('resumptionToken'))) {
      assert.ok(!ended, `the ingest ended before asking for page 2:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    assert.equal(await exited, 130, out);
    assert.match(out, /^stopped: interrupted: /m);
    assert.match(out, /^ingest done mode=oai new=6 .* errors=0 pages=1 seconds=[\d.]+ interrupted$/m, 'a stop asked for is no error');

    const store = await openStore(databaseUrl);
    try {
      const { app } = await testApp(store);
      const html = await (await app.request('/admin/runs', { headers: { Authorization: `Basic ${Buffer.from('admin:correct horse battery').toString('base64')}` } })).text();
      assert.match(html, /<td class="status interrupted">interrupted<\/td>/);
      assert.equal((await contents(store)).papers, 6);
      const again = await ingest(server, databaseUrl);
      assert.equal(again.code, 0, again.out);
      assert.match(again.out, /^ingest done mode=oai new=11 updated=0 unchanged=0 /m);
      assert.equal((await contents(store)).papers, 17);
    } finally {
      await store.close();
    }
  } finally {
    await server.close();
  }
});
