/**
 * `npm run bench:load-kinds`: where the server's time goes in the load mix (bench/load.ts). A real
 * `paperboy serve` on the demo corpus answers each kind of request in the mix, one at a time (one
 * connection, so the time is the server's own work, not queueing), with votes in between as in
 * the mix (each vote moves the change token that the caches are keyed by). Prints, per kind, the
 * server's CPU time per request (from /proc, so other work on the machine hardly changes it; the
 * votes' own CPU taken out) and the wall-clock p50, and each kind's share of the mix's CPU time.
 *
 *   npm run bench:load-kinds -- --data-dir /tmp/pb-load   (reuse a store prepared by bench:load)
 *   npm run bench:load-kinds -- --profile DIR              also writes a V8 CPU profile of the server to DIR
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { isoWeekOf, monthOf } from '../src/domain/dates.ts';
import { seededRandom } from '../src/search/linalg.ts';
import { openStore } from '../src/store/index.ts';
import { makeMembers } from '../test/helpers/members.ts';
import { nodeArgs, PROJECT_ROOT } from '../test/helpers/paperboy.ts';
import { cleanEnv, startServe } from '../test/helpers/server-process.ts';
import { machine } from './report.ts';

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: { 'data-dir': { type: 'string' }, per: { type: 'string', default: '200' }, profile: { type: 'string' } },
});
const PER = Number(flags.per);

/** Same weights as bench/load.ts's MIX (per 1,000 requests). */
const WEIGHTS: Record<string, number> = {
  'feed pages': 280, 'paper pages': 230, search: 80, 'JSON API': 120, 'RSS/Atom feeds': 50,
  'signed-in pages': 180, 'upvote/un-upvote': 50, comment: 10,
};

async function main(): Promise<void> {
  const keep = flags['data-dir'] ? path.resolve(flags['data-dir']) : null;
  const dataDir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-kinds-'));
  const env: Record<string, string> = { PAPERBOY_TRUST_PROXY: 'true' };
  try {
    if (!keep || !fs.existsSync(path.join(dataDir, 'paperboy.db'))) {
      await (await startServe(dataDir, {})).stop();
      const r = spawnSync(process.execPath, [...nodeArgs('src/main.ts'), 'reindex'], { cwd: PROJECT_ROOT, encoding: 'utf8', env: cleanEnv({ PAPERBOY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }) });
      if (r.status !== 0) throw new Error(`reindex failed: ${r.stderr || r.stdout}`);
    }
    const store = await openStore(loadConfig({ PAPERBOY_DATA_DIR: dataDir }).databaseUrl);
    const members = await makeMembers(store, 50, `k${Date.now().toString(36)}`);
    const ids = [...new Set([
      ...(await store.db.selectFrom('daily_entries').select('paper_id').orderBy('day', 'desc').limit(300).execute()).map((r) => r.paper_id),
      ...(await store.db.selectFrom('papers').select('id').orderBy('id').limit(1700).execute()).map((r) => r.id),
    ])];
    const days = (await store.db.selectFrom('daily_entries').select('day').distinct().orderBy('day', 'desc').limit(40).execute()).map((r) => r.day);
    const titles = await store.db.selectFrom('papers').select('title').limit(400).execute();
    const words = [...new Set(titles.flatMap((r) => r.title.toLowerCase().split(/[^a-z]+/)).filter((w) => w.length >= 5))].slice(0, 400);
    await store.close();

    const server = await startServe(dataDir, env, 180_000, flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags.profile)}`] : []);
    const rand = seededRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const voted = new Map<string, boolean>();
    const vote = async () => {
      const m = pick(members);
      const paper = pick(ids.slice(0, 300));
      const want = !voted.get(`${m.id}:${paper}`);
      voted.set(`${m.id}:${paper}`, want);
      const res = await fetch(`${server.url}/actions/vote`, {
        method: 'POST', headers: { cookie: m.cookie, 'x-forwarded-for': m.ip, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ _csrf: m.csrf, paper, want: want ? '1' : '0' }).toString(),
      });
      await res.arrayBuffer();
    };
    type Req = { label: string; url: string; init?: RequestInit };
    const anon = (label: string, url: string): Req => ({ label, url, init: { headers: { 'x-forwarded-for': pick(members).ip } } });
    const signed = (label: string, url: string): Req => { const m = pick(members); return { label, url, init: { headers: { cookie: m.cookie, 'x-forwarded-for': m.ip } } }; };
    const kinds: [string, string, () => Req][] = [
      ['feed pages', 'feed: /', () => anon('feed', '/')],
      ['feed pages', 'feed: day', () => anon('feed', `/papers/date/${pick(days)}`)],
      ['feed pages', 'feed: week', () => anon('feed', `/papers/week/${isoWeekOf(pick(days))}`)],
      ['feed pages', 'feed: month', () => anon('feed', `/papers/month/${monthOf(pick(days))}`)],
      ['feed pages', 'feed: /new', () => anon('feed', '/new')],
      ['paper pages', 'paper page', () => anon('paper', `/papers/${pick(ids)}`)],
      ['search', 'search', () => anon('search', `/search?q=${encodeURIComponent(`${pick(words)} ${pick(words)}`)}`)],
      ['JSON API', 'api: /api/daily_papers', () => anon('api', `/api/daily_papers?date=${pick(days)}`)],
      ['JSON API', 'api: /api/papers/:id', () => anon('api', `/api/papers/${pick(ids)}`)],
      ['JSON API', 'api: /api/v1/papers/:id', () => anon('api', `/api/v1/papers/${pick(ids)}`)],
      ['JSON API', 'api: /api/papers/search', () => anon('api', `/api/papers/search?q=${encodeURIComponent(pick(words))}`)],
      ['JSON API', 'api: /api/v1/daily', () => anon('api', '/api/v1/daily')],
      ['RSS/Atom feeds', 'feeds: daily.rss', () => anon('rss', '/feeds/daily.rss')],
      ['RSS/Atom feeds', 'feeds: weekly.rss', () => anon('rss', '/feeds/weekly.rss')],
      ['signed-in pages', 'signed-in: /', () => signed('s', '/')],
      ['signed-in pages', 'signed-in: paper', () => signed('s', `/papers/${pick(ids)}`)],
      ['signed-in pages', 'signed-in: day', () => signed('s', `/papers/date/${pick(days)}`)],
      ['signed-in pages', 'signed-in: /settings', () => signed('s', '/settings')],
      ['signed-in pages', 'signed-in: /collections', () => signed('s', '/collections')],
      // Not in the mix's shares: a paper page whose similar papers were already worked out (20 papers, seen in the warm-up).
      ['', 'paper page seen before (signed in)', () => signed('s', `/papers/${pick(ids.slice(0, 20))}`)],
    ];
    // Warm up every route once (JIT, first-call caches).
    for (const [, , make] of kinds) { for (let i = 0; i < 10; i++) { const r = make(); await (await fetch(server.url + r.url, r.init)).arrayBuffer(); } }
    for (const id of ids.slice(0, 20)) await (await fetch(`${server.url}/papers/${id}`, signed('s', '').init)).arrayBuffer();
    const rows: { kind: string; sub: string; mean: number; p50: number }[] = [];
    const p50 = (ms: number[]) => ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
    // Votes first: their CPU is taken out of the other kinds' batches.
    const wms: number[] = [];
    let cpu0 = server.cpuMs();
    for (let i = 0; i < PER; i++) { const t = performance.now(); await vote(); wms.push(performance.now() - t); }
    const voteCpu = (server.cpuMs() - cpu0) / PER;
    for (const [kind, sub, make] of kinds) {
      const ms: number[] = [];
      let votes = 0;
      cpu0 = server.cpuMs();
      for (let i = 0; i < PER; i++) {
        if (rand() < 0.06) { await vote(); votes++; } // the mix's share of writes (votes + comments), between reads
        const r = make();
        const t = performance.now();
        const res = await fetch(server.url + r.url, r.init);
        await res.arrayBuffer();
        ms.push(performance.now() - t);
        if (res.status >= 400) throw new Error(`${r.url}: ${res.status}`);
      }
      rows.push({ kind, sub, mean: Math.max(0, server.cpuMs() - cpu0 - votes * voteCpu) / PER, p50: p50(ms) });
    }
    rows.push({ kind: 'upvote/un-upvote', sub: 'upvote', mean: voteCpu, p50: p50(wms) });
    await server.stop();

    const byKind = new Map<string, number[]>();
    for (const r of rows) if (WEIGHTS[r.kind]) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.mean]);
    const kindMean = new Map([...byKind].map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length]));
    const total = [...kindMean].reduce((a, [k, m]) => a + m * (WEIGHTS[k] ?? 0), 0);
    process.stdout.write(`${machine()}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n\n| request | server CPU ms | wall p50 ms |\n|---|---:|---:|\n`);
    for (const r of rows) process.stdout.write(`| ${r.sub} | ${r.mean.toFixed(2)} | ${r.p50.toFixed(1)} |\n`);
    process.stdout.write('\n| kind (mix weight) | server CPU ms | share of server CPU |\n|---|---:|---:|\n');
    for (const [k, m] of kindMean) process.stdout.write(`| ${k} (${WEIGHTS[k]! / 10}%) | ${m.toFixed(1)} | ${((m * WEIGHTS[k]!) / total * 100).toFixed(0)}% |\n`);
    process.stdout.write(`\nserver CPU per request of the mix: ${(total / 1000).toFixed(2)} ms; comments (1%) are counted at the vote's cost\n`);
  } finally {
    if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => { process.stderr.write(`bench:load-kinds: ${(err as Error).stack ?? err}\n`); process.exit(1); });
