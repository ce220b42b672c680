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

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

test('PostgreSQL refusing connections: a clear 503 with Retry-After on pages and the API, then all is well again', { skip }, async () => {
  const db = await createTestDatabase();
  const store = await openStore(db.url);
  after(async () => { await store.close(); await db.drop(); });
  await seedSmallCorpus(store);
  const { app } = await testApp(store);
  assert.equal((await app.request('/papers/2505.00201')).status, 200);

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
    assert.match(html, /The database cannot be reached just now, so nothing was saved/);
    assert.doesNotMatch(html, /\bat .*\.ts:\d+|ECONNREFUSED|terminat|pg_/i, 'no stack or driver text');

    const api = await app.request('/api/papers/2505.00201?while=down', { headers: { accept: 'application/json' } });
    assert.equal(api.status, 503);
    assert.equal(api.headers.get('retry-after'), '30');
    assert.match((await api.json() as { error: string }).error, /cannot be reached just now/);
  } finally {
    await allow(true);
  }
  const back = await app.request('/papers/2505.00201?while=back');
  assert.equal(back.status, 200, 'the pool connects again by itself');
});
