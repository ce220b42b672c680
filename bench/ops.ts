/**
 * Operations figures: exporting and importing a whole instance (the demo corpus with its votes),
 * and what the request metrics cost per request. Writes the `ops` section of BENCHMARKS.md.
 *
 *   node --import tsx bench/ops.ts [--quick]    (--quick: print only, fewer repetitions)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { openStore, type Store } from '../src/store/index.ts';
import { importDemo } from '../src/services/demo.ts';
import { exportInstance, importInstance } from '../src/services/instance-file.ts';
import { requestMetrics } from '../src/web/metrics-routes.ts';
import { machine, writeSection } from './report.ts';

const quick = process.argv.includes('--quick');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-bench-ops-'));
const now = () => new Date().toISOString();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function fresh(name: string): Promise<Store> {
  const s = await openStore(`sqlite:${path.join(dir, name)}`);
  await s.migrate(now());
  return s;
}

try {
  const source = await fresh('source.db');
  await importDemo(source, { now });
  const runs = quick ? 1 : 3;
  const file = path.join(dir, 'instance.jsonl.gz');
  const exportMs: number[] = [];
  const importMs: number[] = [];
  let rows = 0;
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const ex = await exportInstance(source, file, { now: now() });
    exportMs.push(ex.ms);
    rows = ex.rows;
    bytes = ex.bytes;
    const target = await fresh(`target-${i}.db`);
    const im = await importInstance(target, file, { replace: false });
    importMs.push(im.ms);
    if (im.rows !== rows) throw new Error(`bench: imported ${im.rows} rows of ${rows}`);
    await target.close();
  }
  const stats = await source.stats();
  await source.close();
  const dbBytes = fs.statSync(path.join(dir, 'source.db')).size;

  // Request metrics: the same trivial app with and without the middleware, in-process.
  const plain = new Hono();
  plain.get('/papers/:id', (c) => c.text('ok'));
  const metered = new Hono();
  metered.use('*', requestMetrics());
  metered.get('/papers/:id', (c) => c.text('ok'));
  const n = quick ? 20_000 : 50_000;
  const perRequestUs = async (app: Hono) => {
    for (let i = 0; i < 2_000; i++) await app.request(`/papers/2505.${String(i).padStart(5, '0')}`); // warm-up
    // CPU time of this process, not wall time: other work on the machine does not count against it.
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await app.request(`/papers/2505.${String(i % 100_000).padStart(5, '0')}`);
    const t = process.cpuUsage(t0);
    return (t.user + t.system) / n;
  };
  const rounds = quick ? 2 : 11;
  const plainUs: number[] = [];
  const meteredUs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    plainUs.push(await perRequestUs(plain));
    meteredUs.push(await perRequestUs(metered));
  }
  const overheadUs = median(meteredUs) - median(plainUs);

  const load = os.loadavg()[0]!.toFixed(1);
  const body = `## Operations: export, import, metrics

Measured on ${new Date().toISOString().slice(0, 10)} with \`npm run bench:ops\`.

- Machine: ${machine()}. Load average (1 min) at the end of the run: ${load} on ${os.cpus().length} CPUs${Number(load) > os.cpus().length ? ': the machine was busy with other work, so these times are slower than on an idle one' : ''}.
- Instance: the bundled demo corpus with its demo votes in a SQLite store (${fmt(stats.papers)} papers, ${fmt(stats.dailyEntries)} daily entries, ${fmt(stats.users)} users, ${fmt(stats.votes)} votes; database file ${(dbBytes / 2 ** 20).toFixed(1)} MiB).

| Figure | Median of ${runs} | Runs (ms) | Rate |
|---|---:|---|---:|
| \`export\` to one file (${fmt(rows)} rows, ${(bytes / 2 ** 20).toFixed(1)} MiB gzipped) | ${fmt(median(exportMs))} ms | ${exportMs.map(fmt).join(', ')} | ${fmt(rows / (median(exportMs) / 1000))} rows/s |
| \`import --all\` into a fresh store (one transaction) | ${fmt(median(importMs))} ms | ${importMs.map(fmt).join(', ')} | ${fmt(rows / (median(importMs) / 1000))} rows/s |

| Request metrics | Median of ${rounds} rounds of ${fmt(n)} requests |
|---|---:|
| A trivial in-process route, no metrics | ${median(plainUs).toFixed(2)} µs of CPU per request |
| The same with the metrics middleware (route label, counter, histogram, in-flight gauge) | ${median(meteredUs).toFixed(2)} µs of CPU per request |
| Cost of the metrics per request | ${overheadUs.toFixed(2)} µs |

The two apps run in turn, round after round, in one process (app.request, no sockets), and the
figure is the CPU time of the process divided by the requests, so other work on the machine
counts less than in wall-clock figures. The cost of the metrics is the difference between the two
rows; for scale, the cached feed of the core figures answers about 22,000 requests a second on
these 2 CPUs, which they share with the load generator: at most about 90 µs of CPU per request.`;
  process.stdout.write(`${body}\n`);
  if (!quick) writeSection('ops', body);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
