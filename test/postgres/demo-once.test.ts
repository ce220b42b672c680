/**
 * Several `serve` processes starting together on an empty PostgreSQL database import the demo
 * once: the others wait for it and find it there, instead of each importing it again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { importDemoIfEmpty, type DemoReport } from '../../src/services/demo.ts';
import { IMPORT_BATCH_LINES } from '../../src/services/import.ts';
import { openStore } from '../../src/store/index.ts';
import { testStoreKind } from '../helpers/postgres.ts';
import { FIXED_NOW, tempDatabaseUrl, tempDir } from '../helpers/store.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

/** A demo file of `n` listing lines, the first tenth on the Daily list. */
function demoFile(n: number): string {
  const file = path.join(tempDir(), 'demo.jsonl');
  fs.writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify({
    id: `2505.${String(i + 1).padStart(5, '0')}`, title: `Paper ${i + 1}`, authors: ['Ada Lovelace'], categories: ['cs.CL'],
    abstract: 'An abstract.', listing_dates: ['2025-05-06'], hf_daily_published_at: i < n / 10 ? '2025-05-06T08:00:00Z' : null,
  })).join('\n'));
  return file;
}

test('three processes\' first start on one empty database: one imports the demo, the others find it', { skip }, async () => {
  const file = demoFile(40);
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

test('a process that starts while another imports the demo waits for all of it, rather than serving part of it', { skip }, async () => {
  const lines = IMPORT_BATCH_LINES * 3;
  const file = demoFile(lines);
  const url = await tempDatabaseUrl();
  // serve calls importDemoIfEmpty whenever the demo is on, with no look at the store before it.
  const [first, later] = await Promise.all([openStore(url), openStore(url)]);
  try {
    await first.migrate(FIXED_NOW);
    let started: Promise<DemoReport | null> | null = null;
    let seenAtReturn = -1;
    const importing = importDemoIfEmpty(first, {
      now: () => FIXED_NOW,
      // Once the first batch is in the store, the other process starts.
      onProgress: (p) => {
        if (started || p.lines < IMPORT_BATCH_LINES) return;
        started = importDemoIfEmpty(later, { now: () => FIXED_NOW }, file).then(async (r) => {
          seenAtReturn = Number((await later.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
          return r;
        });
      },
    }, file);
    const report = await importing;
    assert.ok(started, 'the other process started during the import');
    assert.equal(await started, null, 'it imports nothing');
    assert.equal(report!.new, lines);
    assert.equal(seenAtReturn, lines, 'it went on only once the whole demo was there');
  } finally {
    await Promise.all([first.close(), later.close()]);
  }
});
