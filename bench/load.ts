/**
 * `npm run bench:load`: a realistic mix of traffic against a real `paperboy serve` on the demo
 * corpus, at 50 and 200 connections, and (with --soak) the server's memory before and after a long
 * run. Figures go to the "Reliability" section of BENCHMARKS.md.
 *
 * The mix, per request drawn at random (seeded): feed pages (day, week, month, New on arXiv, with
 * sorts and pages), paper pages over 2,000 ids, search, the JSON APIs (Hugging Face-shaped and
 * /api/v1), RSS/Atom feeds, pages seen by signed-in members, and signed-in writes: upvotes
 * (toggled on and off) and comments, each with the member's session cookie and CSRF token.
 * Members come through X-Forwarded-For with PAPERBOY_TRUST_PROXY=true, as behind a load balancer.
 *
 *   npm run bench:load                         50 and 200 connections x 60 s
 *   npm run bench:load -- --duration 10        shorter runs (prints; writes with --write)
 *   npm run bench:load -- --soak 10            adds a 10-minute soak at 50 connections: RSS before/after
 *   npm run bench:load -- --cpu-prof DIR       writes a V8 CPU profile of the server to DIR (open it in Chrome's DevTools)
 *
 * Each run also prints the server's CPU time per request (user + system, all its threads): unlike
 * req/s and latency, it hardly depends on what else runs on the machine.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { isoWeekOf, monthOf } from '../src/domain/dates.ts';
import { openStore } from '../src/store/index.ts';
import { makeMembers, type Member } from '../test/helpers/members.ts';
import { nodeArgs, PROJECT_ROOT } from '../test/helpers/paperboy.ts';
import { cleanEnv, startServe, type ServeProcess } from '../test/helpers/server-process.ts';
import { seededRandom as rng } from '../src/search/linalg.ts';
import { machine, writeSection } from './report.ts';

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: { 'data-dir': { type: 'string' }, duration: { type: 'string', default: '60' }, soak: { type: 'string', default: '0' }, 'cpu-prof': { type: 'string' }, write: { type: 'boolean', default: false }, members: { type: 'string', default: '2000' } },
});
const DURATION_S = Number(flags.duration);
const SOAK_MIN = Number(flags.soak);
const MEMBERS = Number(flags.members);
const writeDoc = DURATION_S >= 60 || flags.write === true;
const P99_TARGET_MS = 200; // at 200 connections
const SOAK_GROWTH_TARGET = 0.10; // RSS may grow at most 10% over the soak

const t0 = performance.now();
const log = (msg: string) => process.stdout.write(`[load ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);


interface Targets { paperIds: string[]; days: string[]; words: string[]; categories: string[] }

/** The kinds of request in the mix and their weights (per 1,000 requests). */
const MIX = [
  ['feed pages', 280], ['paper pages', 230], ['search', 80], ['JSON API', 120], ['RSS/Atom feeds', 50],
  ['signed-in pages', 180], ['upvote/un-upvote', 50], ['comment', 10],
] as const;
type Kind = (typeof MIX)[number][0];

function makeRequest(host: string, t: Targets, members: Member[], rand: () => number, votedState: Map<string, boolean>) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const total = MIX.reduce((a, [, w]) => a + w, 0);
  return (counts: Record<Kind, number>) => {
    let r = rand() * total;
    let kind: Kind = MIX[0][0];
    for (const [k, w] of MIX) { if ((r -= w) < 0) { kind = k; break; } }
    counts[kind]++;
    const member = pick(members);
    const anon = { host, 'x-forwarded-for': member.ip }; // a reader's own address too
    const signed = { host, cookie: member.cookie, 'x-forwarded-for': member.ip };
    switch (kind) {
      case 'feed pages': {
        const day = pick(t.days);
        return { method: 'GET', headers: anon, path: pick([
          '/', `/papers/date/${day}`, `/papers/week/${isoWeekOf(day)}`, `/papers/month/${monthOf(day)}`, '/new', `/new/${pick(t.categories)}`,
          `/papers/date/${day}?sort=${pick(['trending', 'upvotes', 'newest'])}`, `/?sort=${pick(['upvotes', 'newest'])}`,
        ]) };
      }
      case 'paper pages': return { method: 'GET', headers: anon, path: `/papers/${pick(t.paperIds)}` };
      case 'search': return { method: 'GET', headers: anon, path: `/search?q=${encodeURIComponent(`${pick(t.words)} ${pick(t.words)}`)}` };
      case 'JSON API': return { method: 'GET', headers: anon, path: pick([
        `/api/daily_papers?date=${pick(t.days)}`, `/api/papers/${pick(t.paperIds)}`, `/api/v1/papers/${pick(t.paperIds)}`, `/api/papers/search?q=${encodeURIComponent(pick(t.words))}`, '/api/v1/daily',
      ]) };
      case 'RSS/Atom feeds': return { method: 'GET', headers: anon, path: pick(['/feeds/daily.rss', '/feeds/daily.atom', '/feeds/weekly.rss', `/feeds/new/${pick(t.categories)}.atom`]) };
      case 'signed-in pages': return { method: 'GET', headers: signed, path: pick(['/', `/papers/${pick(t.paperIds)}`, `/papers/date/${pick(t.days)}`, '/settings', '/collections']) };
      case 'upvote/un-upvote': {
        const paper = pick(t.paperIds.slice(0, 300));
        const key = `${member.id}:${paper}`;
        const want = !votedState.get(key);
        votedState.set(key, want);
        return {
          method: 'POST', path: '/actions/vote',
          headers: { ...signed, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ _csrf: member.csrf, paper, want: want ? '1' : '0' }).toString(),
        };
      }
      case 'comment': return {
        method: 'POST', path: '/actions/comment',
        headers: { ...signed, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: member.csrf, paper: pick(t.paperIds.slice(0, 300)), body: `Load-test comment ${Math.floor(rand() * 1e9)}: *interesting* result.` }).toString(),
      };
    }
  };
}

interface Soak { minutes: number; before: number; after: number; figure: Figure; samples: number[] }

interface Figure {
  label: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  status: Record<string, number>;
  counts: Record<Kind, number>;
}

function run(server: ServeProcess, t: Targets, members: Member[], connections: number, seconds: number, label: string, seed: number): Promise<Figure> {
  const next = makeRequest(new URL(server.url).host, t, members, rng(seed), new Map());
  const counts = Object.fromEntries(MIX.map(([k]) => [k, 0])) as Record<Kind, number>;
  return new Promise((resolve, reject) => {
    autocannon({
      url: server.url, connections, duration: seconds, timeout: 10,
      requests: [{ setupRequest: () => next(counts) }],
    }, (err, r) => {
      if (err) return reject(err);
      const status = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]));
      resolve({
        label, connections, seconds, requests: r.requests.total, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max,
        errors: r.errors, timeouts: r.timeouts, status, counts,
      });
    });
  });
}

async function readTargets(store: Awaited<ReturnType<typeof openStore>>): Promise<Targets> {
  const daily = await store.db.selectFrom('daily_entries').select('paper_id').orderBy('day', 'desc').limit(300).execute();
  const more = await store.db.selectFrom('papers').select('id').orderBy('id').limit(1700).execute();
  const days = (await store.db.selectFrom('daily_entries').select('day').distinct().orderBy('day', 'desc').limit(40).execute()).map((r) => r.day);
  const titles = await store.db.selectFrom('papers').select('title').limit(400).execute();
  const words = [...new Set(titles.flatMap((r) => r.title.toLowerCase().split(/[^a-z]+/)).filter((w) => w.length >= 5))].slice(0, 400);
  const categories = (await store.db.selectFrom('announcements as a').innerJoin('paper_categories as c', 'c.paper_id', 'a.paper_id').select('c.category').distinct().limit(10).execute()).map((r) => r.category).filter((c) => /^[a-z-]+\.[A-Z]{2}$/.test(c));
  return { paperIds: [...new Set([...daily.map((r) => r.paper_id), ...more.map((r) => r.id)])], days, words, categories: categories.length ? categories : ['cs.CL'] };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  log(`${DURATION_S} s per run${SOAK_MIN ? `, soak ${SOAK_MIN} min` : ''}; ${machine()}; load average now ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  // --data-dir keeps a prepared demo store (import and index built) between runs; by default a fresh one.
  const keep = flags['data-dir'] ? path.resolve(flags['data-dir']) : null;
  const dataDir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-load-'));
  const env = { PAPERBOY_TRUST_PROXY: 'true' };
  try {
    if (!keep || !fs.existsSync(path.join(dataDir, 'paperboy.db'))) {
      log('first start: demo import');
      await (await startServe(dataDir, env)).stop();
      log('search index: paperboy reindex');
      const reindex = spawnSync(process.execPath, [...nodeArgs('src/main.ts'), 'reindex'], { cwd: PROJECT_ROOT, encoding: 'utf8', env: cleanEnv({ PAPERBOY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }) });
      if (reindex.status !== 0) throw new Error(`reindex failed: ${reindex.stderr || reindex.stdout}`);
    }
    const store = await openStore(loadConfig({ PAPERBOY_DATA_DIR: dataDir }).databaseUrl);
    const members = await makeMembers(store, MEMBERS, `l${Date.now().toString(36)}`);
    const targets = await readTargets(store);
    log(`${members.length} members, ${targets.paperIds.length} paper ids, ${targets.days.length} days, ${targets.words.length} search words`);

    const profile = flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags['cpu-prof'])}`] : [];
    const server = await startServe(dataDir, env, undefined, profile);
    const figures: Figure[] = [];
    let soak: Soak | null = null;
    try {
      log('warm-up 5 s');
      await run(server, targets, members, 50, 5, 'warm-up', 1);
      for (const [connections, seed] of [[50, 2], [200, 3]] as const) {
        log(`${connections} connections x ${DURATION_S} s`);
        const cpu0 = server.cpuMs();
        const f = await run(server, targets, members, connections, DURATION_S, `${connections} connections`, seed);
        const cpuPerRequest = (server.cpuMs() - cpu0) / Math.max(1, f.requests);
        figures.push(f);
        // Server CPU per request does not depend on what else shares the machine, unlike req/s and latency.
        log(`  ${fmt(f.rps)} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, errors ${f.errors}, statuses ${JSON.stringify(f.status)}, server CPU ${cpuPerRequest.toFixed(2)} ms/request`);
      }
      if (SOAK_MIN > 0) {
        const before = server.rss();
        log(`soak: 50 connections x ${SOAK_MIN} min, RSS before ${mib(before)}`);
        const samples: number[] = [before];
        const sampler = setInterval(() => samples.push(server.rss()), 60_000); // a plateau is caches filling; a steady climb is a leak
        const f = await run(server, targets, members, 50, SOAK_MIN * 60, `soak ${SOAK_MIN} min`, 4);
        clearInterval(sampler);
        const after = server.rss();
        samples.push(after);
        soak = { minutes: SOAK_MIN, before, after, figure: f, samples };
        log(`  RSS after ${mib(after)} (${(((after - before) / before) * 100).toFixed(1)}%), ${fmt(f.rps)} req/s, p99 ${f.p99} ms, statuses ${JSON.stringify(f.status)}`);
      }
    } finally {
      await server.stop();
    }
    const problems = await store.integrityProblems();
    const counts = await store.db.selectFrom('papers').select((eb) => [eb.fn.sum<number>('upvotes').as('shown')]).executeTakeFirstOrThrow();
    const rows = await store.db.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await store.close();
    log(`after the runs: integrity ${problems.length ? problems.join('; ') : 'ok'}, upvotes shown ${counts.shown} = vote rows ${rows.n}: ${Number(counts.shown) === Number(rows.n)}`);

    const body = report(figures, soak, problems, Number(counts.shown) === Number(rows.n));
    process.stdout.write(`\n${body}\n`);
    if (writeDoc) {
      writeSection('reliability-load', body);
      if (soak) writeSection('reliability-soak', soakReport(soak));
      log('BENCHMARKS.md updated');
    }
  } finally {
    if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const fivexx = (f: Figure) => Object.entries(f.status).filter(([k]) => k.startsWith('5')).reduce((a, [, v]) => a + v, 0);
const other = (f: Figure) => Object.entries(f.status).filter(([k]) => !/^[23]/.test(k)).map(([k, v]) => `${k}: ${fmt(v)}`).join(', ') || 'none';

function report(figures: Figure[], soak: Soak | null, problems: string[], countsMatch: boolean): string {
  const at200 = figures.find((f) => f.connections === 200);
  const mixLine = MIX.map(([k, w]) => `${k} ${(w / 10).toFixed(0)}%`).join(', ');
  return [
    '## Reliability',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; load average at the start ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (above 2 means other work shared the CPUs, and the figures are lower bounds). The server and autocannon share the 2 CPUs.`,
    '',
    '### Load: a realistic mix',
    '',
    `\`npm run bench:load\`: a real \`paperboy serve\` (separate process, LOG_LEVEL=warn, PAPERBOY_TRUST_PROXY=true) on the demo corpus with its search index built, autocannon in the bench process on 127.0.0.1, ${MEMBERS} signed-in members (own session, CSRF token and X-Forwarded-For address each). Mix: ${mixLine}. Votes toggle on and off; comments are real Markdown comments.`,
    '',
    '| connections | seconds | requests | req/s | p50 ms | p99 ms | max ms | connection errors | timeouts | 5xx | other non-2xx/3xx |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...figures.map((f) => `| ${f.connections} | ${f.seconds} | ${fmt(f.requests)} | ${fmt(f.rps)} | ${f.p50} | ${f.p99} | ${f.max} | ${f.errors} | ${f.timeouts} | ${fivexx(f)} | ${other(f)} |`),
    '',
    `After the runs: SQLite integrity check ${problems.length ? `found ${problems.join('; ')}` : 'ok'}; shown upvotes equal vote rows: ${countsMatch ? 'yes' : 'NO'}.`,
    '',
    figures.every((f) => f.errors === f.timeouts) && figures.some((f) => f.errors > 0)
      ? 'Every connection error above is a request that had no answer within autocannon\'s 10 s timeout (none was refused or reset); at 200 connections the 2 CPUs (shared by the server and autocannon) are saturated, so requests queue: the server answers about as many requests a second as at 50 connections, and the queue grows past the timeout. No 5xx, and no write lost or counted twice.'
      : '',
    '',
    at200 ? `Goals: zero errors and zero 5xx (${at200.errors + fivexx(at200) + (figures[0] ? figures[0].errors + fivexx(figures[0]) : 0) === 0 ? 'met' : 'not met'}); p99 under ${P99_TARGET_MS} ms at 200 connections (${at200.p99 < P99_TARGET_MS ? 'met' : `not met: ${at200.p99} ms`}).` : '',
    '',
    soak ? '' : 'Soak: see below (run with `npm run bench:load -- --soak 10`).',
  ].join('\n');
}

/** A steady climb (a leak) or a sawtooth (the collector at work, caches filling): peaks of the first and second half compared. */
function trend(samples: number[]): string {
  const half = Math.floor(samples.length / 2);
  const first = Math.max(...samples.slice(0, half));
  const second = Math.max(...samples.slice(half));
  const growth = (second - first) / first;
  return `Peak RSS in the first half ${mib(first)}, in the second ${mib(second)} (${(growth * 100).toFixed(1)}%): ${growth <= SOAK_GROWTH_TARGET ? 'no steady climb; the before/after difference is where the collector happened to be' : 'a climb: look for a leak'}.`;
}

function soakReport(s: Soak): string {
  const growth = (s.after - s.before) / s.before;
  return [
    '### Soak: memory over a long run',
    '',
    `\`npm run bench:load -- --soak ${s.minutes}\`: the same mix at 50 connections for ${s.minutes} minutes, right after the load runs above, measured ${new Date().toISOString().slice(0, 10)}; load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (the server and autocannon alone keep it near 2).`,
    '',
    `| minutes | requests | req/s | p99 ms | 5xx | RSS before | RSS after | growth |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${s.minutes} | ${fmt(s.figure.requests)} | ${fmt(s.figure.rps)} | ${s.figure.p99} | ${fivexx(s.figure)} | ${mib(s.before)} | ${mib(s.after)} | ${(growth * 100).toFixed(1)}% |`,
    '',
    `RSS each minute: ${s.samples.map(mib).join(', ')}.`,
    '',
    trend(s.samples),
    '',
    `Goal: no growth beyond ${SOAK_GROWTH_TARGET * 100}% (${growth <= SOAK_GROWTH_TARGET ? 'met' : 'not met'}).`,
  ].join('\n');
}

main().catch((err) => { process.stderr.write(`bench:load: ${(err as Error).stack ?? err}\n`); process.exit(1); });
