/**
 * Crash safety under write load: a real `paperboy serve` takes votes, comments and submissions
 * from signed-in members (with real sessions and CSRF tokens) while `paperboy ingest` harvests from
 * a replayed arXiv and `paperboy digest send` delivers to a real SMTP server; at a random moment all
 * of them are killed with SIGKILL, and the store is checked before the next start:
 *
 * - SQLite's integrity_check and foreign_key_check are clean;
 * - counts equal rows (papers.upvotes = its vote rows, papers.comments_count = its visible comments);
 * - every write the server acknowledged is there (a vote state whose answer came back and was not
 *   followed by an unanswered change of the same vote, every comment whose redirect came back,
 *   every submission whose redirect came back);
 * - no duplicate (each comment text once; each subscriber at most one digest per period, beyond
 *   the messages whose hand-over the sender itself reports as unknown).
 *
 * Used by test/hardening/crash.test.ts (a few kills, CI) and bench/crash.ts (20 kills, figures).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { fixture } from '../arxiv/support.ts';
import { paperRecord } from '../helpers/factories.ts';
import { makeMembers, type Member } from '../helpers/members.ts';
import { startReplayServer, type ReplayRoute, type ReplayServer } from '../helpers/replay-server.ts';
import { cleanEnv, startServe, type ServeProcess } from '../helpers/server-process.ts';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.ts';
import { nodeArgs, PROJECT_ROOT } from '../helpers/paperboy.ts';

export interface CrashOptions {
  kills: number;
  /** The random moment of each kill falls in [minMs, maxMs) after the load starts. */
  minMs?: number;
  maxMs?: number;
  /** Concurrent writers. */
  writers?: number;
  log?: (msg: string) => void;
}

export interface CrashReport {
  kills: number;
  killMs: number[];
  /** Milliseconds from the restart to /readyz answering ready. */
  restartMs: number[];
  acknowledged: { votes: number; comments: number; submissions: number };
  unanswered: number;
  /** Problems found after some restart (empty when all is well). */
  problems: string[];
  integrityChecks: number;
  digest: { subscribers: number; messages: number; duplicates: number; unknownHandOvers: number; missing: number };
  ingest: { runs: number; killed: number; finalPapers: number };
}

const DIGEST_DATE = '2025-05-06';
const PAPERS = 300;
const SUBSCRIBERS = 150;

const oaiRoutes = (): ReplayRoute[] => [
  { path: '/oai', query: { verb: 'ListRecords', metadataPrefix: 'arXivRaw', from: '2014-10-01', set: 'cs' }, body: fixture('oai/arXivRaw-ListRecords-from-2014-10-01.xml') },
  { path: '/oai', query: { verb: 'ListRecords', resumptionToken: '726959|1001' }, body: fixture('oai/arXivRaw-ListRecords-resumption-47001.excerpt.xml') },
  { path: '/oai', query: { verb: 'ListRecords', resumptionToken: '496549|47001' }, body: fixture('oai/arXivRaw-ListRecords-last-page.constructed.xml') },
  { path: '/api/query', body: fixture('atom-2026/id_1707.08567.xml') },
];

/** One vote key's history as the client saw it. */
interface VoteKey { acked: boolean | null; pendingAfterAck: boolean }

interface Ledger {
  votes: Map<string, VoteKey>;
  comments: Map<string, number>; // body -> id
  submissions: Set<string>;
  unanswered: number;
}

function child(args: string[], env: NodeJS.ProcessEnv): { proc: ChildProcess; exited: Promise<number | null>; out: () => string } {
  const proc = spawn(process.execPath, [...nodeArgs('src/main.ts'), ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => { out = (out + c.toString()).slice(-8000); });
  proc.stderr!.on('data', (c: Buffer) => { out = (out + c.toString()).slice(-8000); });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, exited, out: () => out };
}

/** One writer: random votes, comments and submissions until `stop` is set; records what was acknowledged. */
async function writer(url: string, members: Member[], papers: string[], ledger: Ledger, stop: { now: boolean }, seed: number): Promise<void> {
  let s = seed;
  const rand = () => { s = (s * 1103515245 + 12345) & 0x7fffffff; return s / 0x7fffffff; };
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  let n = 0;
  while (!stop.now) {
    const m = pick(members);
    const r = rand();
    const headers = { cookie: m.cookie, 'x-forwarded-for': m.ip, 'content-type': 'application/x-www-form-urlencoded' };
    try {
      if (r < 0.6) {
        const paper = pick(papers.slice(0, 40));
        const key = `${m.id}:${paper}`;
        const k = ledger.votes.get(key) ?? { acked: null, pendingAfterAck: false };
        ledger.votes.set(key, k);
        const want = !(k.acked ?? false);
        k.pendingAfterAck = true;
        const res = await fetch(`${url}/actions/vote`, { method: 'POST', headers: { ...headers, accept: 'application/json' }, body: new URLSearchParams({ _csrf: m.csrf, paper, want: want ? '1' : '0' }), signal: AbortSignal.timeout(10_000) });
        const body = (await res.json()) as { voted?: boolean };
        if (res.status === 200 && typeof body.voted === 'boolean') { k.acked = body.voted; k.pendingAfterAck = false; }
      } else if (r < 0.9) {
        const text = `crash-check comment ${seed}-${n++} ${Math.floor(rand() * 1e9)}`;
        const paper = pick(papers.slice(0, 40));
        const res = await fetch(`${url}/actions/comment`, { method: 'POST', headers, body: new URLSearchParams({ _csrf: m.csrf, paper, body: text }), redirect: 'manual', signal: AbortSignal.timeout(10_000) });
        await res.text();
        const id = /#c(\d+)$/.exec(res.headers.get('location') ?? '')?.[1];
        if (res.status === 303 && id) ledger.comments.set(text, Number(id));
      } else {
        const paper = rand() < 0.05 ? '1707.08567' : pick(papers.slice(40));
        const res = await fetch(`${url}/submit`, { method: 'POST', headers, body: new URLSearchParams({ _csrf: m.csrf, id: paper }), redirect: 'manual', signal: AbortSignal.timeout(10_000) });
        await res.text();
        const got = /^\/papers\/([^?]+)\?submitted=1$/.exec(res.headers.get('location') ?? '')?.[1];
        if (res.status === 303 && got) ledger.submissions.add(decodeURIComponent(got));
      }
    } catch {
      ledger.unanswered++;
      if (stop.now) return;
      await new Promise((r) => setTimeout(r, 20)); // the server is gone: the kill has happened
    }
  }
}

async function check(store: Store, ledger: Ledger): Promise<string[]> {
  const problems = [...(await store.integrityProblems())];
  const drift = await store.db.selectFrom('papers as p')
    .select(['p.id', 'p.upvotes', 'p.comments_count',
      (eb) => eb.selectFrom('votes as v').whereRef('v.paper_id', '=', 'p.id').select((e) => e.fn.countAll<number>().as('n')).as('votes'),
      (eb) => eb.selectFrom('comments as c').whereRef('c.paper_id', '=', 'p.id').where('c.deleted_at', 'is', null).where('c.hidden_at', 'is', null).select((e) => e.fn.countAll<number>().as('n')).as('comments')])
    .execute();
  for (const d of drift) {
    if (Number(d.votes) !== d.upvotes) problems.push(`paper ${d.id}: upvotes ${d.upvotes} but ${d.votes} vote rows`);
    if (Number(d.comments) !== d.comments_count) problems.push(`paper ${d.id}: comments_count ${d.comments_count} but ${d.comments} comments`);
  }
  const votes = new Set((await store.db.selectFrom('votes').select(['user_id', 'paper_id']).execute()).map((v) => `${v.user_id}:${v.paper_id}`));
  for (const [key, k] of ledger.votes) {
    if (k.acked === null || k.pendingAfterAck) continue; // the last change was never answered: either state is right
    if (votes.has(key) !== k.acked) problems.push(`vote ${key}: acknowledged ${k.acked ? 'on' : 'off'}, stored ${votes.has(key) ? 'on' : 'off'}`);
  }
  const comments = await store.db.selectFrom('comments').select(['id', 'body']).where('body', 'like', 'crash-check comment %').execute();
  const byBody = new Map<string, number[]>();
  for (const c of comments) byBody.set(c.body, [...(byBody.get(c.body) ?? []), c.id]);
  for (const [body, ids] of byBody) if (ids.length > 1) problems.push(`comment "${body}" stored ${ids.length} times`);
  for (const [body, id] of ledger.comments) if (!byBody.get(body)?.includes(id)) problems.push(`acknowledged comment ${id} lost`);
  const entries = new Set((await store.db.selectFrom('daily_entries').select('paper_id').execute()).map((e) => e.paper_id));
  for (const p of ledger.submissions) if (!entries.has(p)) problems.push(`acknowledged submission ${p} lost`);
  return problems;
}

export async function crashRun(opts: CrashOptions): Promise<CrashReport> {
  const log = opts.log ?? (() => {});
  const minMs = opts.minMs ?? 400;
  const maxMs = opts.maxMs ?? 2_500;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-crash-'));
  const sink: SmtpSink = await startSmtpSink();
  const replay: ReplayServer = await startReplayServer({ routes: oaiRoutes() });
  const env: Record<string, string> = {
    PAPERBOY_DEMO: 'false', PAPERBOY_TRUST_PROXY: 'true', PAPERBOY_CATEGORIES: 'cs.CL,cs.LG,cs.CV,cs.AI,cs.DS,cs.IT,cs.LO,cs.NI,cs.CR,cs.SE,math,quant-ph,hep-th,cond-mat,physics,stat,astro-ph', PAPERBOY_SUBMIT_QUOTA: '1000', PAPERBOY_DIGEST_SCHEDULE: 'off',
    PAPERBOY_ARXIV_OAI_URL: `${replay.url}/oai`, PAPERBOY_ARXIV_API_URL: `${replay.url}/api/query`, PAPERBOY_ARXIV_RSS_URL: `${replay.url}/rss`, PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0',
    PAPERBOY_SMTP_HOST: '127.0.0.1', PAPERBOY_SMTP_PORT: String(sink.port), PAPERBOY_BASE_URL: 'http://localhost', PAPERBOY_MAIL_FROM: 'Paperboy <digests@localhost>',
    // A killed digest run holds up to one message per connection: the final run, which waits up
    // to 90 s for others' leases, takes them over once this has passed (the default 120 s would
    // leave them to a later run).
    PAPERBOY_DIGEST_LEASE_SECONDS: '10',
  };
  const childEnv = cleanEnv({ ...env, PAPERBOY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const report: CrashReport = {
    kills: 0, killMs: [], restartMs: [], acknowledged: { votes: 0, comments: 0, submissions: 0 }, unanswered: 0, problems: [], integrityChecks: 0,
    digest: { subscribers: SUBSCRIBERS, messages: 0, duplicates: 0, unknownHandOvers: 0, missing: 0 }, ingest: { runs: 0, killed: 0, finalPapers: 0 },
  };
  const ledger: Ledger = { votes: new Map(), comments: new Map(), submissions: new Set(), unanswered: 0 };
  const dbUrl = loadConfig({ PAPERBOY_DATA_DIR: dataDir }).databaseUrl;
  try {
    // First start makes the schema and the instance secrets; then the corpus, members and subscribers.
    await (await startServe(dataDir, env)).stop();
    let store = await openStore(dbUrl);
    const ids = Array.from({ length: PAPERS }, (_, i) => `2505.${String(10000 + i)}`);
    await store.importBatch({
      records: ids.map((id, i) => paperRecord({ id, title: `Crash-safety paper ${i}`, categories: ['cs.CL'], announcedOn: ['2025-05-05'], publishedAt: '2025-05-05T00:00:00.000Z' })),
      entries: ids.slice(0, 40).map((paperId, i) => ({ paperId, day: '2025-05-05', submittedAt: `2025-05-05T0${i % 10}:00:00.000Z` })),
    }, new Date().toISOString());
    const members = await makeMembers(store, 60, 'crash');
    for (let i = 0; i < SUBSCRIBERS; i++) {
      await insertSubscription(digestDb(store.db), { email: `reader${i}@example.org`, userId: null, period: 'daily', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
    }
    await store.close();

    for (let k = 1; k <= opts.kills; k++) {
      const started = performance.now();
      const server: ServeProcess = await startServe(dataDir, env);
      if (k > 1) report.restartMs.push(performance.now() - started);
      for (let i = 0; i < 3; i++) replay.injectFault({ kind: 'slow', delayMs: 200 }, { path: '/oai' }); // widen the harvest's window
      const ingest = child(['ingest', '--oai', '--from', '2014-10-01', '--set', 'cs'], childEnv);
      const digest = child(['digest', 'send', '--period', 'daily', '--date', DIGEST_DATE], childEnv);
      report.ingest.runs++;
      const stop = { now: false };
      const writers = Array.from({ length: opts.writers ?? 6 }, (_, i) => writer(server.url, members, ids, ledger, stop, k * 100 + i + 1));
      const at = minMs + Math.random() * (maxMs - minMs);
      await new Promise((r) => setTimeout(r, at));
      server.child.kill('SIGKILL');
      const ingestAlive = ingest.proc.exitCode === null;
      ingest.proc.kill('SIGKILL');
      digest.proc.kill('SIGKILL');
      stop.now = true;
      await Promise.all([server.exited, ingest.exited, digest.exited, ...writers]);
      if (ingestAlive) report.ingest.killed++;
      report.kills++;
      report.killMs.push(Math.round(at));

      store = await openStore(dbUrl);
      const found = await check(store, ledger);
      report.integrityChecks++;
      await store.close();
      for (const p of found) report.problems.push(`after kill ${k}: ${p}`);
      log(`kill ${k}/${opts.kills} at ${Math.round(at)} ms: ${found.length ? found.join('; ') : 'store consistent'}; acknowledged so far: ${ledger.votes.size} vote keys, ${ledger.comments.size} comments, ${ledger.submissions.size} submissions`);
    }

    // The last start: the site comes back, and the harvest and the digest run to the end.
    const started = performance.now();
    const server = await startServe(dataDir, env);
    report.restartMs.push(performance.now() - started);
    const ingest = child(['ingest', '--oai', '--from', '2014-10-01', '--set', 'cs'], childEnv);
    const digest = child(['digest', 'send', '--period', 'daily', '--date', DIGEST_DATE], childEnv);
    const [ic, dc] = await Promise.all([ingest.exited, digest.exited]);
    if (ic !== 0) report.problems.push(`the final ingest run failed: ${ingest.out()}`);
    if (dc !== 0) report.problems.push(`the final digest run failed: ${digest.out()}`);
    await server.stop();
    store = await openStore(dbUrl);
    for (const p of await check(store, ledger)) report.problems.push(`at the end: ${p}`);
    report.integrityChecks++;
    const unknown = await digestDb(store.db).selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'unknown').executeTakeFirstOrThrow();
    report.digest.unknownHandOvers = Number(unknown.n);
    report.ingest.finalPapers = (await store.stats()).papers;
    await store.close();

    const perRecipient = new Map<string, number>();
    for (const m of sink.messages) for (const to of m.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    report.digest.messages = sink.messages.length;
    report.digest.duplicates = [...perRecipient.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
    report.digest.missing = SUBSCRIBERS - perRecipient.size;
    if (report.digest.duplicates > report.digest.unknownHandOvers) report.problems.push(`${report.digest.duplicates} duplicate digests, beyond ${report.digest.unknownHandOvers} hand-overs of unknown outcome`);
    if (report.digest.missing > 0) report.problems.push(`${report.digest.missing} subscribers got no digest`);
    report.acknowledged = { votes: [...ledger.votes.values()].filter((v) => v.acked !== null).length, comments: ledger.comments.size, submissions: ledger.submissions.size };
    report.unanswered = ledger.unanswered;
    return report;
  } finally {
    await sink.close();
    await replay.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
