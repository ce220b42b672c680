/**
 * /readyz while PostgreSQL refuses this database's connections (as during maintenance, or a
 * failover before the new primary takes them): it answers 503 with the server's reason, not a
 * connection timeout and never a 500; /healthz still answers, and once connections are
 * taken again /readyz is ready without a restart.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/store/index.ts';
import { testApp } from '../helpers/app.ts';
import { createTestDatabase, testStoreKind, withAdmin } from '../helpers/postgres.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

test('/readyz says "not ready" at once while the database refuses connections, and ready again after', { skip }, async () => {
  const db = await createTestDatabase();
  const name = new URL(db.url).pathname.slice(1);
  const store = await openStore(db.url);
  after(async () => {
    await withAdmin((a) => a.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));
    await store.close();
    await db.drop();
  });
  const { app } = await testApp(store);
  const ready = async () => {
    const res = await app.request('/readyz');
    return { status: res.status, text: await res.text() };
  };
  assert.deepEqual(await ready(), { status: 200, text: 'ready' });

  // No new connections, and the pool's open ones ended (their process goes on: see connection-loss.test.ts).
  await withAdmin(async (a) => {
    await a.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  });
  const refused = await ready();
  assert.equal(refused.status, 503);
  // The server's refusal itself, not the pool giving up on a connection ("timeout exceeded when trying to connect").
  assert.match(refused.text, /^not ready: store unreachable: .*(not currently accepting connections|terminat)/);
  assert.equal((await app.request('/healthz')).status, 200, 'the process itself still answers');

  await withAdmin((a) => a.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));
  assert.deepEqual(await ready(), { status: 200, text: 'ready' }, 'ready again, without a restart');
});
