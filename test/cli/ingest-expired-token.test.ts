/**
 * The daily catch-up whose resumptionToken expired while it stood still (`paperboy ingest --oai
 * --catch-up` after a run that failed on page 2): arXiv answers the saved token with
 * badResumptionToken, and the next run harvests the saved range again from its start instead of
 * failing on it for good. stdout carries the summary alone; what happened goes to stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oaiJobName, type OaiCheckpoint } from '../../src/services/ingest.ts';
import { openStore } from '../../src/store/index.ts';
import { runIngestCommand } from '../helpers/ingest-command.ts';
import { startReplayServer } from '../helpers/replay-server.ts';
import { fixture } from '../arxiv/support.ts';
import { tempDatabaseUrl } from '../helpers/store.ts';

const PAGE_2 = { verb: 'ListRecords', resumptionToken: '726959|1001' };

test('an expired resumptionToken does not jam the catch-up: the next run harvests its range again from the start', async () => {
  const server = await startReplayServer({
    routes: [
      { path: '/oai', query: PAGE_2, body: fixture('oai/arXivRaw-ListRecords-resumption-47001.excerpt.xml') },
      { path: '/oai', query: { verb: 'ListRecords', resumptionToken: '496549|47001' }, body: fixture('oai/arXivRaw-ListRecords-last-page.constructed.xml') },
      // Page 1 of the catch-up, whatever days it asks for (they depend on today).
      { path: '/oai', body: fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml') },
    ],
  });
  try {
    const databaseUrl = await tempDatabaseUrl();
    const args = ['--oai', '--catch-up', '--set', 'physics'];
    const job = oaiJobName({ set: 'physics', metadataPrefix: 'arXivRaw' });
    // Page 2 drops the connection: page 1 is stored with the token of page 2.
    server.injectFault({ kind: 'drop' }, { query: PAGE_2 });
    const failed = await runIngestCommand(server, databaseUrl, args);
    assert.equal(failed.code, 1, failed.out + failed.err);
    assert.match(failed.err, /^stopped: arxiv\/client: GET .*resumptionToken=726959%7C1001 failed/m);
    assert.match(failed.out, /^ingest done mode=oai new=6 updated=0 unchanged=0 announced=0 skipped=0 errors=1 pages=1 seconds=[\d.]+ failed\n$/);
    const store = await openStore(databaseUrl);
    let range: OaiCheckpoint['query'];
    try {
      const saved = await store.readJobState<OaiCheckpoint>(job);
      assert.equal(saved?.resumptionToken, '726959|1001');
      range = saved!.query;
    } finally {
      await store.close();
    }

    // By the next run the token has expired.
    server.injectFault({ kind: 'status', status: 200, body: fixture('oai/error-badResumptionToken.xml') }, { query: PAGE_2 });
    const before = server.requests.length;
    const again = await runIngestCommand(server, databaseUrl, args);
    assert.equal(again.code, 0, again.out + again.err);
    assert.deepEqual(server.requests.slice(before).map((r) => r.query.resumptionToken ?? 'start'), ['726959|1001', 'start', '726959|1001', '496549|47001']);
    assert.equal(again.err, `restarted: arxiv/oai: arXiv refused the saved resumptionToken 726959|1001 (badResumptionToken: tokens expire); harvesting ${range.from}..${range.until} again from its start (pages stored before count as unchanged)\nskipped: 0801.9999: deleted on arXiv\n`);
    assert.match(again.out, /^ingest done mode=oai new=11 updated=0 unchanged=6 announced=0 skipped=1 errors=0 pages=3 seconds=[\d.]+\n$/, 'stdout carries the summary alone');
    const after = await openStore(databaseUrl);
    try {
      const state = await after.readJobState<OaiCheckpoint>(job);
      assert.deepEqual([state?.resumptionToken, state?.watermark], [null, range.until]);
      assert.equal((await after.stats()).papers, 17);
      const [run] = await after.listJobRuns(1);
      assert.equal(run?.status, 'ok');
      assert.match(run?.error ?? '', /^arxiv\/oai: arXiv refused the saved resumptionToken 726959\|1001 /, '/admin/runs says why the range was harvested again');
    } finally {
      await after.close();
    }
  } finally {
    await server.close();
  }
});
