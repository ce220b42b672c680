/**
 * `paperboy ingest` stopped (SIGTERM, as a service manager stops it) while it computes the keywords
 * of what it stored: it ends with exit 130 before the last paper's keywords, the papers it fetched
 * are kept, so are the keywords it computed, and the papers it did not reach are left for the next run
 * (`paperboy keywords` here). A real process, on the test run's store.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { openStore } from '../../src/store/index.ts';
import { fixture } from '../arxiv/support.ts';
import { paperRecord } from '../helpers/factories.ts';
import { nodeArgs, runPaperboyAsync } from '../helpers/paperboy.ts';
import { startReplayServer } from '../helpers/replay-server.ts';
import { FIXED_NOW, keywordsBegun, papersWithKeywords, tempDatabaseUrl, tempDir } from '../helpers/store.ts';

const children: ChildProcess[] = [];
after(() => { for (const c of children) c.kill('SIGKILL'); });

/** Papers already in the store whose keywords were never computed: the run's keywords phase takes them on too. */
const WAITING = 6_000;

test('SIGTERM while ingest computes keywords: exit 130 before the last paper, the fetched paper and the keywords done are kept, the rest stay due', { timeout: 120_000 }, async () => {
  const server = await startReplayServer({
    routes: [{ path: '/api/query', query: { id_list: '1707.08567', start: '0', max_results: '1' }, body: fixture('atom-2026/id_1707.08567.xml') }],
  });
  const databaseUrl = await tempDatabaseUrl();
  const store = await openStore(databaseUrl);
  try {
    await store.migrate(FIXED_NOW);
    const records = Array.from({ length: WAITING }, (_, i) => paperRecord({
      id: `2506.${String(10000 + i)}`, title: `Paper number ${i} on sparse attention`, abstract: `We study case ${i} of sparse attention for long documents.`,
    }));
    for (let i = 0; i < records.length; i += 1_000) await store.importBatch({ records: records.slice(i, i + 1_000), entries: [] }, FIXED_NOW);

    const env = {
      ...process.env, LOG_LEVEL: 'silent', PAPERBOY_DATA_DIR: tempDir(), DATABASE_URL: databaseUrl,
      PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`, PAPERBOY_ARXIV_OAI_URL: `${server.url}/oai`, PAPERBOY_ARXIV_RSS_URL: `${server.url}/rss`,
      PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0',
    };
    const child = spawn(process.execPath, [...nodeArgs('src/main.ts'), 'ingest', '--api', '--ids', '1707.08567'], { env });
    children.push(child);
    const out = { stdout: '', stderr: '', ended: false };
    child.stdout.on('data', (d) => { out.stdout += d; });
    child.stderr.on('data', (d) => { out.stderr += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { out.ended = true; resolve(code); }));
    while (!(await keywordsBegun(store))) {
      assert.ok(!out.ended, `the ingest ended before its keywords phase was seen:\n${out.stdout}${out.stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGTERM');
    assert.equal(await exited, 130, out.stdout + out.stderr);

    assert.match(out.stdout, /^ingest done mode=api new=1 updated=0 unchanged=0 /m, 'the harvest itself finished');
    const said = /keywords: stopped after (\d+) of (\d+) papers; the others are computed by the next run/.exec(out.stderr);
    assert.ok(said, out.stderr);
    const [done, due] = [Number(said[1]), Number(said[2])];
    assert.equal(due, WAITING + 1);
    assert.ok(done < due, `stopped before the last paper (${done} of ${due})`);
    assert.equal(await papersWithKeywords(store), done, 'the keywords said to be done are in the store');
    assert.equal((await store.stats()).papers, WAITING + 1, 'the fetched paper is kept');

    const next = await runPaperboyAsync(['keywords'], { DATABASE_URL: databaseUrl, PAPERBOY_DATA_DIR: env.PAPERBOY_DATA_DIR });
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.equal(await papersWithKeywords(store), WAITING + 1, 'the next run computed the keywords left undone');
  } finally {
    await store.close();
    await server.close();
  }
});
