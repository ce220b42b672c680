/**
 * The catch-up's watermark only moves forward, also when harvests run at the same time: a daily
 * catch-up and back-fills given by hand, interleaved in one process (on PostgreSQL their
 * transactions run side by side on the pool's connections) and in two processes on one database.
 * Every value ever written to the watermark is logged by a trigger, so a step back shows even
 * when a later write hides it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.ts';
import { spawn } from 'node:child_process';
import { ingestOai, oaiJobName, type IngestDeps, type OaiCheckpoint, type OaiIngestQuery } from '../../src/services/ingest.ts';
import type { Store } from '../../src/store/index.ts';
import { emptyOaiArxiv, seeded } from '../helpers/fake-oai.ts';
import { FIXED_NOW, tempDatabaseUrl, tempStore } from '../helpers/store.ts';
import { openStore } from '../../src/store/index.ts';
import { nodeArgs } from '../helpers/paperboy.ts';

const base = { set: 'cs', metadataPrefix: 'arXivRaw' } as const;
const MARK = oaiJobName(base);
const TODAY = FIXED_NOW.slice(0, 10);

/** Logs every watermark written to the catch-up's checkpoint, in the order the writes happened. */
async function logWatermarks(store: Store): Promise<() => Promise<(string | null)[]>> {
  if (store.dialect === 'postgres') {
    await sql`CREATE TABLE test_watermarks (seq BIGSERIAL PRIMARY KEY, watermark TEXT)`.execute(store.db);
    await sql.raw(`CREATE FUNCTION test_log_watermark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO test_watermarks (watermark) VALUES (NEW.state::jsonb ->> 'watermark'); RETURN NEW; END $$`).execute(store.db);
    await sql.raw(`CREATE TRIGGER test_log_watermark AFTER INSERT OR UPDATE ON jobs FOR EACH ROW
      WHEN (NEW.name = '${MARK}') EXECUTE FUNCTION test_log_watermark()`).execute(store.db);
  } else {
    await sql`CREATE TABLE test_watermarks (seq INTEGER PRIMARY KEY AUTOINCREMENT, watermark TEXT)`.execute(store.db);
    for (const event of ['INSERT', 'UPDATE']) {
      await sql.raw(`CREATE TRIGGER test_log_watermark_${event} AFTER ${event} ON jobs WHEN NEW.name = '${MARK}'
        BEGIN INSERT INTO test_watermarks (watermark) VALUES (json_extract(NEW.state, '$.watermark')); END`).execute(store.db);
    }
  }
  return async () => {
    const rows = await sql<{ watermark: string | null }>`SELECT watermark FROM test_watermarks ORDER BY seq`.execute(store.db);
    return rows.rows.map((r) => r.watermark);
  };
}

test('a catch-up and back-fills running at the same time never move the watermark back', { timeout: 120_000 }, async () => {
  const store = await tempStore();
  const written = await logWatermarks(store);
  for (let round = 0; round < 6; round++) {
    const random = seeded(1000 + round);
    const start = `2026-10-${String(1 + round).padStart(2, '0')}`;
    // Each round starts behind every harvest's end (a step back the test makes, left out of the log).
    await store.writeJobState(MARK, { query: { ...base, from: start }, resumptionToken: null, watermark: start } satisfies OaiCheckpoint, FIXED_NOW);
    await sql`DELETE FROM test_watermarks`.execute(store.db);
    const deps: IngestDeps = { store, client: emptyOaiArxiv(random, 5), now: () => FIXED_NOW, categories: ['cs'] };
    // Back-fills that start before the watermark and end after it move it to their end; the
    // catch-up moves it to today. Whatever order they finish in, it ends at today.
    const backfills: OaiIngestQuery[] = Array.from({ length: 6 }, (_, i) => ({
      ...base, from: '2026-01-01', until: `2026-11-${String(10 + 3 * i + Math.floor(random() * 3)).padStart(2, '0')}`,
    }));
    const catchUp: OaiIngestQuery = { ...base, from: start, until: TODAY };
    const runs = [...backfills.map((q) => () => ingestOai(deps, q)), () => ingestOai(deps, catchUp, { catchUp: true })]
      .sort(() => random() - 0.5);
    const reports = await Promise.all(runs.map((run) => run()));
    for (const r of reports) assert.equal(r.failure, null);

    const seq = [start, ...await written()];
    for (let k = 1; k < seq.length; k++) {
      assert.ok(seq[k] !== null && seq[k]! >= seq[k - 1]!, `round ${round}: the watermark went from ${seq[k - 1]} back to ${seq[k]} (writes: ${seq.join(' ')})`);
    }
    const state = await store.readJobState<OaiCheckpoint>(MARK);
    assert.equal(state?.watermark, TODAY, `round ${round}: the catch-up's end`);
    assert.equal(state?.resumptionToken, null, `round ${round}: the catch-up finished`);
  }
});

test('two processes running back-fills at the same time never move the watermark back', { timeout: 180_000 }, async () => {
  const url = await tempDatabaseUrl();
  const store = await openStore(url);
  try {
    await store.migrate(FIXED_NOW);
    await store.writeJobState(MARK, { query: { ...base, from: '2019-12-01' }, resumptionToken: null, watermark: '2019-12-31' } satisfies OaiCheckpoint, FIXED_NOW);
    const written = await logWatermarks(store);
    const COUNT = 150;
    // One process ends its back-fills on even days, the other on odd ones, both moving forward in
    // step: whichever commits second must not put back the other's later day.
    const start = (first: string, seed: number) => {
      const child = spawn(process.execPath, [...nodeArgs('test/helpers/backfill-process.ts'), url, first, '2', String(COUNT), String(seed)], { env: { ...process.env, LOG_LEVEL: 'silent' } });
      let out = '';
      const ready = new Promise<void>((resolve) => child.stdout.on('data', (d) => { out += d; if (out.includes('ready')) resolve(); }));
      child.stderr.on('data', (d) => { out += d; });
      const exited = new Promise<string>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`back-fill process exited ${code}: ${out}`))));
      });
      return { child, ready, exited };
    };
    const processes = [start('2020-01-01', 1), start('2020-01-02', 2)];
    await Promise.all(processes.map((p) => p.ready));
    for (const p of processes) p.child.stdin.write('go\n');
    const outs = await Promise.all(processes.map((p) => p.exited));
    for (const out of outs) assert.match(out, /^done$/m);
    const seq = await written();
    assert.ok(seq.length >= COUNT, `${seq.length} writes`);
    for (let k = 1; k < seq.length; k++) {
      assert.ok(seq[k] !== null && seq[k]! > seq[k - 1]!, `write ${k}: the watermark went from ${seq[k - 1]} to ${seq[k]}`);
    }
    // The last back-fill of the odd days ends a day after the even ones' last.
    assert.equal((await store.readJobState<OaiCheckpoint>(MARK))?.watermark, '2020-10-26');
    assert.equal(seq.at(-1), '2020-10-26');
  } finally {
    await store.close();
  }
});

test('a back-fill that ends before the watermark leaves the catch-up checkpoint as it is (its token too)', async () => {
  const q: OaiIngestQuery = { ...base, from: '2026-01-01', until: '2026-11-20' };
  const store = await tempStore();
  await store.writeJobState(MARK, { query: { ...base, from: '2026-11-27' }, resumptionToken: 'abc|1001', watermark: '2026-11-25' } satisfies OaiCheckpoint, FIXED_NOW);
  const deps: IngestDeps = { store, client: emptyOaiArxiv(seeded(7), 0), now: () => FIXED_NOW, categories: ['cs'] };
  await ingestOai(deps, q);
  assert.deepEqual(await store.readJobState<OaiCheckpoint>(MARK), { query: { ...base, from: '2026-11-27' }, resumptionToken: 'abc|1001', watermark: '2026-11-25' },
    'an interrupted catch-up keeps its token, and the watermark its place');
});
