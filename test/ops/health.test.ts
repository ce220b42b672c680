import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';

test('/healthz and /readyz are never cached: no-store, no ETag, and no 304 for a client that sends one', async () => {
  const { server, store } = await startTestServer({ PAPERBOY_DEMO: 'false' });
  try {
    for (const path of ['/healthz', '/readyz']) {
      const first = await fetch(`${server.url}${path}`);
      assert.equal(first.status, 200, path);
      await first.text();
      assert.equal(first.headers.get('cache-control'), 'no-store', path);
      assert.equal(first.headers.get('etag'), null, path);
      const again = await fetch(`${server.url}${path}`, { headers: { 'If-None-Match': '*' } });
      assert.equal(again.status, 200, `${path} answers in full every time`);
      assert.match(await again.text(), /^(ok|ready)$/);
    }
    const page = await fetch(`${server.url}/`);
    await page.text();
    assert.ok(page.headers.get('etag'), 'pages keep their ETag');
  } finally {
    await server.close();
    await store.close();
  }
});
