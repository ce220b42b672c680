import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createArxivClient, harvestOai, type ArxivClientOptions, type HarvestPage } from '../../src/arxiv/client.ts';
import { ArxivApiError, ArxivError, ArxivHttpError, ArxivParseError, OaiError, RssFeedError } from '../../src/arxiv/errors.ts';
import { startReplayServer, type ReplayServer } from '../helpers/replay-server.ts';
import { FakeClock, fixture, sharedFile } from './support.ts';

const UA = 'paperboy-test/1.0 (+https://papers.example.org; admin@example.org)';
const PAGE_1 = { verb: 'ListRecords', metadataPrefix: 'arXivRaw', from: '2014-10-01' };
const PAGE_2 = { verb: 'ListRecords', resumptionToken: '726959|1001' };
const PAGE_3 = { verb: 'ListRecords', resumptionToken: '496549|47001' };

let server: ReplayServer;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock();
  server = await startReplayServer({
    clock,
    routes: [
      { path: '/api/query', query: { search_query: 'testing', start: '0', max_results: '10' }, body: fixture('atom-2026/q_testing_s0_m10.xml') },
      { path: '/api/query', query: { search_query: 'testing', start: '5', max_results: '10' }, body: fixture('atom-2026/q_testing_s5_m10.xml') },
      { path: '/api/query', query: { search_query: 'testing', start: '10', max_results: '10' }, body: fixture('atom-2026/q_testing_s10_m10.xml') },
      { path: '/oai', query: PAGE_1, body: fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml') },
      { path: '/oai', query: PAGE_2, body: fixture('oai/arXivRaw-ListRecords-resumption-47001.excerpt.xml') },
      { path: '/oai', query: PAGE_3, body: fixture('oai/arXivRaw-ListRecords-last-page.constructed.xml') },
      {
        path: '/oai',
        query: { verb: 'GetRecord', identifier: 'oai:arXiv.org:1302.2146', metadataPrefix: 'arXivRaw' },
        body: fixture('oai/arXivRaw-GetRecord-1302.2146.xml'),
      },
      {
        path: '/oai',
        query: { verb: 'GetRecord', identifier: 'oai:arXiv.org:0801.9999', metadataPrefix: 'arXivRaw' },
        body: fixture('oai/error-idDoesNotExist.xml'),
      },
      {
        path: '/rss/cs.CL+cs.LG',
        headers: { etag: '"feed-2024-11-28"', 'last-modified': 'Thu, 28 Nov 2024 05:00:00 GMT' },
        body: fixture('rss/all-archives-2024-11-28.excerpt.xml'),
      },
      { path: '/rss/astroph', body: fixture('rss/error-bad-archive.xml') },
    ],
  });
});

afterEach(async () => {
  await server.close();
});

function client(extra: Partial<ArxivClientOptions> = {}) {
  return createArxivClient({
    apiUrl: `${server.url}/api/query`,
    oaiUrl: `${server.url}/oai`,
    rssUrl: `${server.url}/rss`,
    userAgent: UA,
    clock,
    maxRetries: 3,
    timeoutMs: 10_000,
    ...extra,
  });
}

const testingPage = (start: number) => ({ searchQuery: 'testing', start, maxResults: 10 });

/** Milliseconds between consecutive request starts, on the fake clock. */
function gaps(): number[] {
  return server.requests.slice(1).map((r, i) => r.at - server.requests[i]!.at);
}

describe('arXiv client: rate limit and headers', () => {
  test('concurrent calls are serialised and start exactly 3 s apart', async () => {
    const arxiv = client();
    const pages = await Promise.all([arxiv.apiQuery(testingPage(0)), arxiv.apiQuery(testingPage(5)), arxiv.apiQuery(testingPage(10))]);
    assert.deepEqual(pages.map((p) => p.startIndex), [0, 5, 10]);
    assert.deepEqual(pages.map((p) => p.records.length), [10, 10, 10]);
    assert.deepEqual(server.requests.map((r) => r.query.start), ['0', '5', '10']);
    assert.deepEqual(gaps(), [3000, 3000]);
    assert.deepEqual(clock.sleeps, [3000, 3000]);
    assert.equal(server.maxInFlight(), 1);
  });

  test('no wait when the last request started long enough ago', async () => {
    const arxiv = client();
    await arxiv.apiQuery(testingPage(0));
    await clock.sleep(5_000); // the caller did other work meanwhile
    await arxiv.apiQuery(testingPage(5));
    assert.deepEqual(gaps(), [5000]);
    assert.deepEqual(clock.sleeps, [5000]);
  });

  test('a clock set back a month (it was ahead) holds the next request up 3 s, not until the earlier start comes round', async () => {
    const arxiv = client();
    await arxiv.apiQuery(testingPage(0)); // while the clock is a month ahead
    const back = -30 * 86_400_000;
    await clock.sleep(back); // set right again
    await arxiv.apiQuery(testingPage(5));
    assert.deepEqual(clock.sleeps, [back, 3000]);
  });

  test('every request carries the User-Agent and asks for XML', async () => {
    const arxiv = client();
    await arxiv.apiQuery(testingPage(0));
    await arxiv.oaiGetRecord('1302.2146');
    await arxiv.rss(['cs.CL', 'cs.LG']);
    assert.equal(server.requests.length, 3);
    for (const r of server.requests) {
      assert.equal(r.headers['user-agent'], UA);
      assert.match(String(r.headers.accept), /xml/);
    }
  });

  test('a client needs a User-Agent', () => {
    assert.throws(() => createArxivClient({ userAgent: '  ' }), /userAgent is required/);
  });
});

describe('arXiv client: retries', () => {
  test('503 with Retry-After in seconds: waits exactly that long, then succeeds', async () => {
    server.injectFault({ kind: 'status', status: 503, retryAfter: '7' });
    const page = await client().apiQuery(testingPage(0));
    assert.equal(page.records.length, 10);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0]!.fault, 'status');
    assert.deepEqual(gaps(), [7000]);
    assert.deepEqual(clock.sleeps, [7000]);
  });

  test('429 with Retry-After as an HTTP date', async () => {
    server.injectFault({ kind: 'status', status: 429, retryAfter: new Date(clock.now() + 20_000).toUTCString() });
    await client().apiQuery(testingPage(0));
    assert.deepEqual(gaps(), [20_000]);
  });

  test('a short Retry-After still respects the 3 s spacing', async () => {
    server.injectFault({ kind: 'status', status: 503, retryAfter: '1' });
    await client().apiQuery(testingPage(0));
    assert.deepEqual(gaps(), [3000]);
  });

  test('5xx without Retry-After backs off exponentially', async () => {
    for (let i = 0; i < 3; i++) server.injectFault({ kind: 'status', status: 500 });
    const page = await client({ backoffBaseMs: 10_000 }).apiQuery(testingPage(0));
    assert.equal(page.records.length, 10);
    assert.deepEqual(gaps(), [10_000, 20_000, 40_000]);
  });

  test('a connection dropped mid-body is retried', async () => {
    server.injectFault({ kind: 'drop' });
    const page = await client({ backoffBaseMs: 10_000 }).apiQuery(testingPage(0));
    assert.equal(page.records.length, 10);
    assert.deepEqual(server.requests.map((r) => r.fault), ['drop', null]);
    assert.deepEqual(gaps(), [10_000]);
  });

  test('a truncated body is retried', async () => {
    server.injectFault({ kind: 'truncate' });
    const page = await client().apiQuery(testingPage(0));
    assert.equal(page.records.length, 10);
    assert.deepEqual(server.requests.map((r) => r.fault), ['truncate', null]);
  });

  test('a slow response times out and is retried', async () => {
    server.injectFault({ kind: 'slow', delayMs: 10_000 });
    const started = Date.now();
    const page = await client({ timeoutMs: 150 }).apiQuery(testingPage(0));
    assert.equal(page.records.length, 10);
    assert.deepEqual(server.requests.map((r) => r.fault), ['slow', null]);
    assert.ok(Date.now() - started < 5_000, 'the client waited for the slow response instead of timing out');
  });

  test('an HTML 503 page is retried', async () => {
    server.injectFault({ kind: 'html', status: 503 });
    const page = await client().apiQuery(testingPage(0));
    assert.equal(page.records.length, 10);
    assert.equal(server.requests.length, 2);
  });

  test('gives up after maxRetries with the last status', async () => {
    for (let i = 0; i < 3; i++) server.injectFault({ kind: 'status', status: 503 });
    await assert.rejects(client({ maxRetries: 2 }).apiQuery(testingPage(0)), (e: unknown) => {
      assert.ok(e instanceof ArxivHttpError);
      assert.equal(e.status, 503);
      assert.equal(e.attempts, 3);
      assert.match(e.message, /^arxiv\/client: GET http:\/\/127\.0\.0\.1:\d+\/api\/query\?.* failed after 3 attempts: HTTP 503/);
      return true;
    });
    assert.equal(server.requests.length, 3);
  });

  test('a Retry-After longer than the client waits fails at once, saying how long', async () => {
    server.injectFault({ kind: 'status', status: 503, retryAfter: '3600' });
    await assert.rejects(client().apiQuery(testingPage(0)), (e: unknown) => e instanceof ArxivHttpError && e.retryAfterMs === 3_600_000);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  test('connection refused is retried, then reported without a status', async () => {
    const dead = await startReplayServer();
    const url = dead.url;
    await dead.close();
    const arxiv = createArxivClient({ apiUrl: `${url}/api/query`, userAgent: UA, clock, maxRetries: 1, backoffBaseMs: 10_000 });
    await assert.rejects(arxiv.apiQuery(testingPage(0)), (e: unknown) => e instanceof ArxivHttpError && e.status === null && e.attempts === 2);
    assert.deepEqual(clock.sleeps, [10_000]);
  });
});

describe('arXiv client: failures that are reported, not retried', () => {
  test('malformed XML', async () => {
    server.injectFault({ kind: 'malformed' });
    await assert.rejects(client().apiQuery(testingPage(0)), (e: unknown) => e instanceof ArxivParseError && e.kind === 'malformed');
    assert.equal(server.requests.length, 1);
  });

  test('an HTML page served with status 200', async () => {
    server.injectFault({ kind: 'html' });
    await assert.rejects(client().apiQuery(testingPage(0)), (e: unknown) => e instanceof ArxivParseError && e.kind === 'html');
    assert.equal(server.requests.length, 1);
  });

  test('the API error answer (HTTP 400) is an ArxivApiError with the status, not retried', async () => {
    // The recorded 400 body (for id_list=abc) served for a query the client lets through.
    server.addRoute({ path: '/api/query', query: { search_query: 'bad', start: '0', max_results: '10' }, status: 400, body: fixture('atom-2026/id_abc.http400.xml') });
    await assert.rejects(
      client().apiQuery({ searchQuery: 'bad', start: 0, maxResults: 10 }),
      (e: unknown) =>
        e instanceof ArxivApiError &&
        e.status === 400 &&
        e.apiMessage === 'incorrect id format for abc' &&
        e.message === 'arxiv/atom: api error (HTTP 400): incorrect id format for abc',
    );
    assert.equal(server.requests.length, 1);
  });

  test('an unknown route (HTTP 404) is an ArxivHttpError', async () => {
    await assert.rejects(
      client().apiQuery({ searchQuery: 'nothing-recorded', start: 0, maxResults: 10 }),
      (e: unknown) => e instanceof ArxivHttpError && e.status === 404 && e.attempts === 1,
    );
    assert.equal(server.requests.length, 1);
  });

  test('arguments are checked before any request', async () => {
    const arxiv = client();
    await assert.rejects(arxiv.apiQuery({ searchQuery: 'x', start: 0, maxResults: 5000 }), RangeError);
    await assert.rejects(arxiv.apiQuery({ start: 0, maxResults: 10 }), TypeError);
    await assert.rejects(arxiv.apiQuery({ idList: ['abc'], start: 0, maxResults: 10 }), TypeError);
    await assert.rejects(arxiv.oaiListRecords({ from: '2024/01/01', metadataPrefix: 'arXivRaw' }), RangeError);
    await assert.rejects(arxiv.oaiGetRecord('not an id'), TypeError);
    await assert.rejects(arxiv.rss(['cs CL']), RangeError);
    assert.equal(server.requests.length, 0);
  });
});

describe('arXiv client: OAI-PMH', () => {
  test('a harvest follows resumptionTokens to the end, one page at a time', async () => {
    const arxiv = client();
    const pages: HarvestPage[] = [];
    const checkpoints: (string | null)[] = [];
    for await (const page of harvestOai(arxiv, { from: '2014-10-01', metadataPrefix: 'arXivRaw' })) {
      pages.push(page);
      checkpoints.push(page.resumptionToken); // stored after the page's records
    }
    assert.deepEqual(pages.map((p) => p.page), [1, 2, 3]);
    assert.deepEqual(pages.map((p) => p.records.length), [6, 10, 1]);
    assert.deepEqual(pages.map((p) => p.deleted.map((d) => d.id)), [[], [], ['0801.9999']]);
    assert.deepEqual(checkpoints, ['726959|1001', '496549|47001', null]);
    assert.deepEqual(pages.map((p) => p.cursor), [0, 46000, 47000]);
    assert.deepEqual(pages.map((p) => p.completeListSize), [58011, 907096, 47002]);
    assert.deepEqual(server.requests.map((r) => r.query), [PAGE_1, PAGE_2, PAGE_3]);
    assert.deepEqual(gaps(), [3000, 3000]);
  });

  test('a harvest resumes from a saved token', async () => {
    const pages: HarvestPage[] = [];
    for await (const page of harvestOai(client(), { metadataPrefix: 'arXivRaw', resumptionToken: '496549|47001' })) pages.push(page);
    assert.equal(pages.length, 1);
    assert.deepEqual(pages[0]!.records.map((r) => r.id), ['1302.2146']);
    assert.deepEqual(server.requests.map((r) => r.query), [PAGE_3]);
  });

  test('a transient 503 mid-harvest is retried and the harvest completes', async () => {
    server.injectFault({ kind: 'status', status: 503, retryAfter: '5' }, { path: '/oai', query: PAGE_2 });
    const pages: HarvestPage[] = [];
    for await (const page of harvestOai(client(), { from: '2014-10-01', metadataPrefix: 'arXivRaw' })) pages.push(page);
    assert.equal(pages.length, 3);
    assert.deepEqual(server.requests.map((r) => r.fault), [null, 'status', null, null]);
    assert.deepEqual(gaps(), [3000, 5000, 3000]);
  });

  test('an OAI error mid-harvest names the page and the token', async () => {
    server.addRoute({ path: '/oai', query: { verb: 'ListRecords', resumptionToken: 'expired|1' }, body: fixture('oai/error-badResumptionToken.xml') });
    const pages: HarvestPage[] = [];
    await assert.rejects(
      (async () => {
        for await (const page of harvestOai(client(), { metadataPrefix: 'arXivRaw', resumptionToken: 'expired|1' })) pages.push(page);
      })(),
      (e: unknown) =>
        e instanceof OaiError &&
        e.code === 'badResumptionToken' &&
        e.message === 'arxiv/oai: page 1 (resumptionToken expired|1): badResumptionToken: The resumptionToken supplied is illegal for this repository',
    );
    assert.equal(pages.length, 0);
  });

  test('a page that fails to parse mid-harvest names the page', async () => {
    server.injectFault({ kind: 'malformed' }, { path: '/oai', query: PAGE_2 });
    const pages: HarvestPage[] = [];
    await assert.rejects(
      (async () => {
        for await (const page of harvestOai(client(), { from: '2014-10-01', metadataPrefix: 'arXivRaw' })) pages.push(page);
      })(),
      (e: unknown) => e instanceof ArxivParseError && e.message.startsWith('arxiv/oai: page 2 (resumptionToken 726959|1001): malformed: '),
    );
    assert.equal(pages.length, 1, 'page 1 was yielded (and can be stored) before page 2 failed');
  });

  test('a server that repeats a token does not loop forever', async () => {
    server.addRoute({ path: '/oai', query: { verb: 'ListRecords', resumptionToken: 'again|1' }, body: fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml').replace('726959|1001', 'again|1') });
    let pages = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of harvestOai(client(), { metadataPrefix: 'arXivRaw', resumptionToken: 'again|1' })) pages++;
      })(),
      (e: unknown) => e instanceof ArxivError && e.message === 'arxiv/oai: page 1 (resumptionToken again|1): the server returned resumptionToken again|1 again (followed for page 1); stopping to avoid a loop',
    );
    assert.equal(pages, 1);
    assert.equal(server.requests.length, 1);
  });

  test('a server that cycles through tokens (A, B, A, ...) does not loop forever', async () => {
    const page = (next: string) => fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml').replace('726959|1001', next);
    server.addRoute({ path: '/oai', query: { verb: 'ListRecords', resumptionToken: 'A|1' }, body: page('B|2') });
    server.addRoute({ path: '/oai', query: { verb: 'ListRecords', resumptionToken: 'B|2' }, body: page('A|1') });
    let pages = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of harvestOai(client(), { metadataPrefix: 'arXivRaw', resumptionToken: 'A|1' })) pages++;
      })(),
      (e: unknown) => e instanceof ArxivError && e.message === 'arxiv/oai: page 2 (resumptionToken B|2): the server returned resumptionToken A|1 again (followed for page 1); stopping to avoid a loop',
    );
    assert.equal(pages, 2, 'both pages were yielded (and can be stored) before the loop was seen');
    assert.deepEqual(server.requests.map((r) => r.query.resumptionToken), ['A|1', 'B|2']);

    // The same from the start of a list: page 1 has no token, so a cycle is seen at its first repeat.
    server.addRoute({ path: '/oai', query: { verb: 'ListRecords', metadataPrefix: 'arXivRaw', set: 'cycle' }, body: page('A|1') });
    pages = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of harvestOai(client(), { set: 'cycle', metadataPrefix: 'arXivRaw' })) pages++;
      })(),
      /page 3 \(resumptionToken B\|2\): the server returned resumptionToken A\|1 again \(followed for page 2\)/,
    );
    assert.equal(pages, 3);
  });

  test('noRecordsMatch: one empty page, then done', async () => {
    server.addRoute({ path: '/oai', query: { verb: 'ListRecords', metadataPrefix: 'arXivRaw', set: 'moo' }, body: fixture('oai/error-noRecordsMatch.xml') });
    const pages: HarvestPage[] = [];
    for await (const page of harvestOai(client(), { set: 'moo', metadataPrefix: 'arXivRaw' })) pages.push(page);
    assert.equal(pages.length, 1);
    assert.deepEqual(pages[0]!.records, []);
    assert.equal(pages[0]!.resumptionToken, null);
  });

  test('GetRecord by any form of the id', async () => {
    const res = await client().oaiGetRecord('https://arxiv.org/abs/1302.2146v2');
    assert.equal(res.record?.id, '1302.2146');
    assert.equal(res.record?.versions.length, 2);
    assert.equal(res.deleted, null);
  });

  test('GetRecord of an unknown id throws idDoesNotExist', async () => {
    await assert.rejects(
      client().oaiGetRecord('0801.9999'),
      (e: unknown) => e instanceof OaiError && e.code === 'idDoesNotExist' && e.message.startsWith('arxiv/oai: GetRecord 0801.9999: idDoesNotExist: '),
    );
  });

  const big = sharedFile('arxiv-oai-pmh/arxivraw-listrecords-1000/ListRecords_arXivRaw_resumption_47001.xml');
  test('a real 1,000-record page through the client', { skip: big.skip }, async () => {
    server.addRoute({ path: '/oai', query: { verb: 'ListRecords', resumptionToken: '496549|46001' }, body: big.text! });
    const page = await client().oaiListRecords({ resumptionToken: '496549|46001' });
    assert.equal(page.records.length, 1000);
    assert.equal(page.resumptionToken?.value, '496549|47001');
  });
});

describe('arXiv client: RSS', () => {
  test('conditional GET: validators are sent back and a 304 is "not modified"', async () => {
    const arxiv = client();
    const first = await arxiv.rss(['cs.CL', 'cs.LG']);
    assert.equal(first.notModified, false);
    assert.equal(first.notModified === false && first.records.length, 19);
    assert.equal(first.notModified === false && first.day, '2024-11-28');
    const second = await arxiv.rss(['cs.CL', 'cs.LG']);
    assert.deepEqual(second, { notModified: true });
    assert.equal(server.requests[0]!.headers['if-none-match'], undefined);
    assert.equal(server.requests[1]!.headers['if-none-match'], '"feed-2024-11-28"');
    assert.equal(server.requests[1]!.headers['if-modified-since'], 'Thu, 28 Nov 2024 05:00:00 GMT');
    const forced = await arxiv.rss(['cs.CL', 'cs.LG'], { conditional: false });
    assert.equal(forced.notModified, false);
    assert.equal(server.requests[2]!.headers['if-none-match'], undefined);
  });

  test('the error feed throws RssFeedError', async () => {
    await assert.rejects(client().rss(['astroph']), (e: unknown) => e instanceof RssFeedError && /Bad archive 'astroph'/.test(e.feedMessage));
  });
});
