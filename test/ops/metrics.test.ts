/**
 * /metrics on a real server: request counters by route pattern and status after real traffic,
 * latency histograms, search latency, scheduled job runs, mail sent, process metrics, and who
 * may read it (loopback without a proxy header, or the metrics token).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { paperRecord } from '../helpers/factories.ts';
import { insertSubscription, digestDb } from '../../src/store/subscriptions.ts';

/** Parses the Prometheus text format into `name{labels}` -> value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m) out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`, { headers });
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

const v = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

test('after real traffic, /metrics counts requests by route pattern and status, with latencies, jobs, mail and search', async () => {
  const { server, store } = await startTestServer({
    PAPERBOY_DEMO: 'false', PAPERBOY_INGEST_SCHEDULE: 'off', PAPERBOY_DIGEST_SCHEDULE: '00:00', PAPERBOY_SCHEDULER_TICK_SECONDS: '1',
  });
  try {
    await seedSmallCorpus(store);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await store.importBatch({
      records: [paperRecord({ id: '2511.00001', title: 'Yesterday in the daily list', categories: ['cs.CL'] })],
      entries: [{ paperId: '2511.00001', day: yesterday, submittedAt: `${yesterday}T08:00:00.000Z` }],
    }, new Date().toISOString());
    await insertSubscription(digestDb(store.db), {
      email: 'reader@example.org', userId: null, period: 'daily', kind: 'trending', query: null, nonce: 'n1', confirmed: true, confirmSent: true,
    }, new Date(Date.now() - 7 * 86_400_000).toISOString());

    const before = await scrape(server.url);
    const get = async (path: string, status: number) => {
      const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      await res.arrayBuffer();
      assert.equal(res.status, status, path);
    };
    await get('/papers/2505.00201', 200);
    await get('/papers/2505.00202', 200);
    await get('/papers/2505.00201', 200); // a page-cache hit still counts under its route
    await get('/papers/2504.99999', 404);
    await get('/papers/not-an-id', 400);
    await get('/no/such/page/at/all', 404);
    await get('/no/such/page/either', 404);
    await get('/', 200);
    // Search answers once the index has been built in the background.
    for (let i = 0; i < 100; i++) {
      const html = await (await fetch(`${server.url}/search?q=sparse+attention`)).text();
      // The result's link: its title is marked up (<mark>Sparse</mark> <mark>attention</mark> ...), so
      // the plain words never matched and this waited its 100 rounds every time.
      if (html.includes('href="/papers/2505.00201"')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // A confirmation e-mail from the subscribe box.
    const sub = await fetch(`${server.url}/subscribe`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(server.url).origin },
      body: new URLSearchParams({ email: 'new@example.org', period: 'daily', kind: 'trending' }).toString(),
    });
    assert.equal(sub.status, 200, await sub.text());

    // The digest scheduler ticks every second: wait for its run, and for the confirmation e-mail,
    // which leaves after the answer.
    let after = await scrape(server.url);
    const waiting = () => v(after, 'paperboy_job_runs_total{job="scheduler:digest",outcome="sent"}') === 0
      || v(after, 'paperboy_mail_sent_total{kind="notice"}') === v(before, 'paperboy_mail_sent_total{kind="notice"}');
    for (let i = 0; i < 100 && waiting(); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await scrape(server.url);
    }
    const d = (key: string) => v(after, key) - v(before, key);

    assert.equal(d('paperboy_http_requests_total{method="GET",route="/papers/:id",status="200"}'), 3);
    assert.equal(d('paperboy_http_requests_total{method="GET",route="/papers/:id",status="404"}'), 1);
    assert.equal(d('paperboy_http_requests_total{method="GET",route="/papers/:id",status="400"}'), 1);
    assert.equal(d('paperboy_http_requests_total{method="GET",route="unmatched",status="404"}'), 2);
    assert.equal(d('paperboy_http_requests_total{method="GET",route="/",status="200"}'), 1);
    assert.equal(d('paperboy_http_requests_total{method="POST",route="/subscribe",status="200"}'), 1);
    assert.equal(d('paperboy_http_request_duration_seconds_count{method="GET",route="/papers/:id"}'), 5);
    assert.ok(v(after, 'paperboy_http_request_duration_seconds_sum{method="GET",route="/papers/:id"}') > 0);
    assert.ok(d('paperboy_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/papers/:id"}') === 5);
    assert.ok(d('paperboy_search_duration_seconds_count{mode="hybrid"}') + d('paperboy_search_duration_seconds_count{mode="keyword"}') >= 1, 'search latency recorded');
    assert.equal(d('paperboy_mail_sent_total{kind="notice"}'), 1);
    assert.equal(d('paperboy_job_runs_total{job="scheduler:digest",outcome="sent"}'), 1);
    assert.equal(d('paperboy_mail_sent_total{kind="digest"}'), 1, 'the digest to the confirmed subscriber');
    assert.ok(v(after, 'paperboy_job_duration_seconds_count{job="scheduler:digest"}') >= 1);
    assert.equal(v(after, 'paperboy_http_requests_in_flight'), 1, 'the scrape itself is in flight');
    // Process metrics.
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.ok(after.has(name), name);
    }
    // Bounded labels: no raw path or id ever becomes a label value.
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.doesNotMatch(text, /2505\.00201|not-an-id|no\/such/);
  } finally {
    await server.close();
    await store.close();
  }
});

test('/metrics: loopback only without a token (not through a proxy); with a token, the bearer token only', async () => {
  const open = await startTestServer({ PAPERBOY_DEMO: 'false', PAPERBOY_INGEST_SCHEDULE: 'off', PAPERBOY_DIGEST_SCHEDULE: 'off' });
  const token = 'a-long-metrics-token-0123456789';
  const locked = await startTestServer({ PAPERBOY_DEMO: 'false', PAPERBOY_INGEST_SCHEDULE: 'off', PAPERBOY_DIGEST_SCHEDULE: 'off', PAPERBOY_METRICS_TOKEN: token });
  try {
    assert.equal((await fetch(`${open.server.url}/metrics`)).status, 200);
    for (const h of ['x-forwarded-for', 'x-real-ip', 'forwarded']) {
      const res = await fetch(`${open.server.url}/metrics`, { headers: { [h]: h === 'forwarded' ? 'for=203.0.113.9' : '203.0.113.9' } });
      assert.equal(res.status, 403, h);
      assert.match(await res.text(), /PAPERBOY_METRICS_TOKEN/);
    }
    const none = await fetch(`${locked.server.url}/metrics`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await fetch(`${locked.server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
    assert.equal((await fetch(`${locked.server.url}/metrics`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.9' } })).status, 200);
    await scrape(locked.server.url, { authorization: `Bearer ${token}` });
  } finally {
    await open.server.close();
    await open.store.close();
    await locked.server.close();
    await locked.store.close();
  }
});

test('PAPERBOY_SCHEDULER=false: a web-only process serves pages and runs no scheduled job', async () => {
  const { server, store } = await startTestServer({
    PAPERBOY_DEMO: 'false', PAPERBOY_INGEST_SCHEDULE: '00:00', PAPERBOY_DIGEST_SCHEDULE: '00:00', PAPERBOY_SCHEDULER_TICK_SECONDS: '1', PAPERBOY_SCHEDULER: 'false',
    PAPERBOY_ARXIV_API_URL: 'http://127.0.0.1:9/api', PAPERBOY_ARXIV_OAI_URL: 'http://127.0.0.1:9/oai', PAPERBOY_ARXIV_RSS_URL: 'http://127.0.0.1:9/rss', PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0',
  });
  try {
    await seedSmallCorpus(store);
    await insertSubscription(digestDb(store.db), {
      email: 'reader@example.org', userId: null, period: 'daily', kind: 'trending', query: null, nonce: 'n1', confirmed: true, confirmSent: true,
    }, new Date(Date.now() - 7 * 86_400_000).toISOString());
    assert.equal((await fetch(`${server.url}/papers/2505.00201`)).status, 200);
    await new Promise((r) => setTimeout(r, 2_500)); // more than two ticks of a scheduler, were one running
    assert.deepEqual(await store.listJobRuns(10), []);
    assert.equal((await store.db.selectFrom('jobs').select('name').execute()).length, 0, 'no job took a lease or wrote state');
    assert.equal((await digestDb(store.db).selectFrom('outbox').select('id').execute()).length, 0);
  } finally {
    await server.close();
    await store.close();
  }
});
