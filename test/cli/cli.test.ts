import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/store.ts';
import { startTestServer } from '../helpers/server.ts';
import { runPaperboy } from '../helpers/paperboy.ts';

const paperboy = runPaperboy;

test('serve with the demo off starts empty', async () => {
  const { server, store } = await startTestServer({ PAPERBOY_DEMO: 'false' });
  try {
    assert.equal((await store.stats()).papers, 0);
    assert.match(await (await fetch(`${server.url}/`)).text(), /No daily list yet/);
  } finally {
    await server.close();
    await store.close();
  }
});

test('backup writes a consistent copy that opens as a store with the same data; /readyz says ready', async () => {
  const { server, store, dataDir } = await startTestServer({ PAPERBOY_DEMO: 'false' });
  try {
    const file = path.join(dataDir, 'in.jsonl');
    fs.writeFileSync(file, JSON.stringify({ id: '2505.00001', title: 'T', authors: ['A'], categories: ['cs.CL'], abstract: 'x', listing_dates: ['2025-05-06'] }));
    assert.equal(paperboy(['import', file], { PAPERBOY_DATA_DIR: dataDir }).code, 0);
    const copy = path.join(tempDir(), 'copy.db');
    const r = paperboy(['backup', copy], { PAPERBOY_DATA_DIR: dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /backup done file=.*copy\.db bytes=\d+/);
    const { openStore } = await import('../../src/store/index.ts');
    const restored = await openStore(`sqlite:${copy}`);
    try {
      assert.equal((await restored.stats()).papers, 1);
      assert.deepEqual(await restored.integrityProblems(), []);
      assert.deepEqual(await restored.readiness(), { ok: true, problem: null });
    } finally {
      await restored.close();
    }
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), 'ready');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.close();
    await store.close();
  }
});
