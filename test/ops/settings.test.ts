/**
 * The operations settings, and the periodic job's stop: waits for a run, or gives up at the
 * deadline and releases what the run holds; runs are counted in the metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { periodic } from '../../src/jobs/periodic.ts';
import { registry } from '../../src/metrics.ts';
import { tempDir } from '../helpers/store.ts';

test('operations settings: defaults, values, a token from a file, every problem at once', () => {
  const d = loadConfig({});
  assert.equal(d.metricsToken, null);
  assert.equal(d.scheduler, true);
  assert.equal(d.schedulerTickMs, 60_000);
  assert.equal(d.shutdownTimeoutMs, 25_000);
  const c = loadConfig({ PAPERBOY_METRICS_TOKEN: 'x'.repeat(20), PAPERBOY_SCHEDULER: 'false', PAPERBOY_SCHEDULER_TICK_SECONDS: '5', PAPERBOY_SHUTDOWN_TIMEOUT_SECONDS: '1.5' });
  assert.deepEqual([c.metricsToken, c.scheduler, c.schedulerTickMs, c.shutdownTimeoutMs], ['x'.repeat(20), false, 5_000, 1_500]);
  const file = path.join(tempDir(), 'token');
  fs.writeFileSync(file, 'a-token-from-a-mounted-file\n');
  assert.equal(loadConfig({ PAPERBOY_METRICS_TOKEN_FILE: file }).metricsToken, 'a-token-from-a-mounted-file');
  assert.throws(
    () => loadConfig({ PAPERBOY_METRICS_TOKEN: 'short', PAPERBOY_SCHEDULER: 'maybe', PAPERBOY_SCHEDULER_TICK_SECONDS: '0', PAPERBOY_SHUTDOWN_TIMEOUT_SECONDS: '-1' }),
    (e: Error) => e instanceof ConfigError && e.problems.length === 4
      && ['PAPERBOY_METRICS_TOKEN', 'PAPERBOY_SCHEDULER', 'PAPERBOY_SCHEDULER_TICK_SECONDS', 'PAPERBOY_SHUTDOWN_TIMEOUT_SECONDS'].every((k) => e.problems.some((p) => p.startsWith(k))),
  );
});

async function runsOf(job: string): Promise<Record<string, number>> {
  const metric = (await registry.getSingleMetric('paperboy_job_runs_total')!.get()).values;
  return Object.fromEntries(metric.filter((v) => v.labels.job === job).map((v) => [String(v.labels.outcome), v.value]));
}

test('stop waits for the run in progress, or abandons it at the deadline and releases its lease', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let abandoned = 0;
  const job = periodic(async () => { await gate; return 'ran' as const; }, {
    tickMs: 60_000, timers: false, idle: 'idle' as const, name: 'test:waits', onError: () => {}, onAbandon: async () => { abandoned++; },
  });
  const run = job.tick();
  const stopping = job.stop({ timeoutMs: 5_000 });
  await new Promise((r) => setTimeout(r, 50));
  release();
  assert.equal(await stopping, 'stopped');
  assert.equal(await run, 'ran');
  assert.equal(abandoned, 0);
  assert.equal(await job.tick(), 'idle', 'no run after a stop');

  const stuck = periodic(() => new Promise<'ran'>(() => {}), {
    tickMs: 60_000, timers: false, idle: 'idle' as const, name: 'test:stuck', onError: () => {}, onAbandon: async () => { abandoned++; },
  });
  void stuck.tick();
  const t0 = Date.now();
  assert.equal(await stuck.stop({ timeoutMs: 100 }), 'abandoned');
  assert.ok(Date.now() - t0 < 2_000);
  assert.equal(abandoned, 1);

  const failing = periodic(async (): Promise<'ran' | 'idle'> => { throw new Error('boom'); }, {
    tickMs: 60_000, timers: false, idle: 'idle', name: 'test:fails', onError: () => {},
  });
  assert.equal(await failing.tick(), 'idle');
  const quiet = periodic(async () => 'idle' as const, { tickMs: 60_000, timers: false, idle: 'idle' as const, name: 'test:quiet', onError: () => {} });
  await quiet.tick();
  assert.deepEqual(await runsOf('test:waits'), { ran: 1 });
  assert.deepEqual(await runsOf('test:fails'), { failed: 1 });
  assert.deepEqual(await runsOf('test:quiet'), {}, 'idle ticks are not runs');
});
