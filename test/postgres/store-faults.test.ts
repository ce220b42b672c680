/**
 * The database going away under a running app (PostgreSQL refusing connections, as during a
 * restart or a failover): pages and the API answer a clear 503 with Retry-After, nothing leaks,
 * and the app answers again once the database is back, without a restart.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/store/index.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { createTestDatabase, testStoreKind, withAdmin } from '../helpers/postgres.ts';
import { FIXED_NOW } from '../helpers/store.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

test('PostgreSQL refusing connections: a clear 503 with Retry-After on pages and the API, then all is well again', { skip }, async () => {
  const db = await createTestDatabase();
  const store = await openStore(db.url);
  after(async () => { await store.close(); await db.drop(); });
  await seedSmallCorpus(store);
  let now = Date.parse(FIXED_NOW);
  const { app } = await testApp(store, { now: () => now });
  assert.equal((await app.request('/papers/2505.00201')).status, 200);
  // Another process that has served nothing yet (nothing about the site is known to it).
  const { app: cold } = await testApp(store);

  const name = new URL(db.url).pathname.slice(1);
  const allow = (on: boolean) => withAdmin(async (admin) => {
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${on}`);
    if (!on) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
  });
  await allow(false);
  try {
    const page = await app.request('/papers/2505.00201?while=down');
    assert.equal(page.status, 503);
    assert.equal(page.headers.get('retry-after'), '30');
    const html = await page.text();
    assert.match(html, /The database cannot be reached just now\. Please try again in a moment\./, 'a page that only reads does not speak of saving');
    assert.doesNotMatch(html, /\bat .*\.ts:\d+|ECONNREFUSED|terminat|pg_/i, 'no stack or driver text');

    const api = await app.request('/api/papers/2505.00201?while=down', { headers: { accept: 'application/json' } });
    assert.equal(api.status, 503);
    assert.equal(api.headers.get('retry-after'), '30');
    assert.match((await api.json() as { error: string }).error, /cannot be reached just now/);

    // Every page, also once what the pages share about the site is due to be read again, and on a
    // process that never read it: the same 503 page, never a bare 500.
    now += 10 * 60_000;
    for (const [which, a] of [['warm', app], ['cold', cold]] as const) {
      for (const url of ['/?while=down', '/papers/2505.00202?while=down', '/papers/2505.00201?while=down']) {
        const res = await a.request(url);
        assert.equal(res.status, 503, `${which} ${url}`);
        assert.equal(res.headers.get('retry-after'), '30', `${which} ${url}`);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `${which} ${url}`);
        const body = await res.text();
        assert.match(body, /The database cannot be reached just now\. Please try again in a moment\./, `${which} ${url}`);
        assert.match(body, /<title>[^<]*Paperboy Test/, `${which} ${url}: the site's own page`);
      }
      const missing = await a.request('/no/such/page');
      assert.equal(missing.status, 404, `${which}: a page that needs no data still answers`);
      assert.match(await missing.text(), /There is nothing at this address/);
    }
  } finally {
    await allow(true);
  }
  const back = await app.request('/papers/2505.00201?while=back');
  assert.equal(back.status, 200, 'the pool connects again by itself');
});
