/**
 * Several `serve` processes starting together on an empty PostgreSQL database import the demo
 * once: the others wait for it and find it there, instead of each importing it again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { importDemoIfEmpty } from '../../src/services/demo.ts';
import { openStore } from '../../src/store/index.ts';
import { testStoreKind } from '../helpers/postgres.ts';
import { FIXED_NOW, tempDatabaseUrl, tempDir } from '../helpers/store.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

test('three processes\' first start on one empty database: one imports the demo, the others find it', { skip }, async () => {
  const file = path.join(tempDir(), 'demo.jsonl');
  fs.writeFileSync(file, Array.from({ length: 40 }, (_, i) => JSON.stringify({
    id: `2505.${String(i + 1).padStart(5, '0')}`, title: `Paper ${i + 1}`, authors: ['Ada Lovelace'], categories: ['cs.CL'],
    abstract: 'An abstract.', listing_dates: ['2025-05-06'], hf_daily_published_at: i < 10 ? '2025-05-06T08:00:00Z' : null,
  })).join('\n'));
  const url = await tempDatabaseUrl();
  const stores = await Promise.all([0, 1, 2].map(() => openStore(url)));
  try {
    await stores[0]!.migrate(FIXED_NOW);
    const reports = await Promise.all(stores.map((s) => importDemoIfEmpty(s, { now: () => FIXED_NOW }, file)));
    assert.equal(reports.filter((r) => r !== null).length, 1, 'one import');
    const done = reports.find((r) => r !== null)!;
    assert.equal(done.new, 40);
    const votes = await stores[1]!.db.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(votes.n), done.demoVotes, 'demo votes cast once');
    assert.equal(await importDemoIfEmpty(stores[2]!, { now: () => FIXED_NOW }, file), null, 'a later start imports nothing');
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});
