/**
 * Graceful shutdown of a real `paperboy serve` child process: on SIGTERM it takes no new
 * connections, lets a slow request in flight finish, lets the digest run in progress finish (its
 * SMTP server holds the message until told), releases the job's lease and exits 0. Past the
 * deadline it cuts what is left and still gives the lease back.
 * On a SQLite data folder of its own whatever PAPERBOY_TEST_STORE says (it reads the lease and the
 * outbox from the file): in test/hardening, run once, not again in the PostgreSQL run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import BetterSqlite3 from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';
import { openStore } from '../../src/store/index.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { paperRecord } from '../helpers/factories.ts';
import { tempDir } from '../helpers/store.ts';
import { freePort } from '../helpers/server-process.ts';
import { nodeArgs } from '../helpers/paperboy.ts';

/** An SMTP server that takes a message's data and answers only when `release()` is called. */
async function stallingSmtp() {
  let arrived!: () => void;
  const dataArrived = new Promise<void>((r) => { arrived = r; });
  const held: (() => void)[] = [];
  let released = false;
  const server = new SMTPServer({
    secure: false, disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true, logger: false, closeTimeout: 200,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        arrived();
        if (released) callback(); else held.push(() => callback());
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
  return {
    port, dataArrived,
    release() { released = true; for (const h of held.splice(0)) h(); },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A data folder with a small corpus, a list for yesterday, and one confirmed daily subscriber. */
async function preparedDataDir(): Promise<string> {
  const dir = tempDir();
  const store = await openStore(`sqlite:${path.join(dir, 'paperboy.db')}`);
  const now = new Date().toISOString();
  await store.migrate(now);
  await seedSmallCorpus(store);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await store.importBatch({
    records: [paperRecord({ id: '2511.00002', title: 'On the list yesterday', categories: ['cs.CL'] })],
    entries: [{ paperId: '2511.00002', day: yesterday, submittedAt: `${yesterday}T08:00:00.000Z` }],
  }, now);
  await insertSubscription(digestDb(store.db), {
    email: 'reader@example.org', userId: null, period: 'daily', kind: 'trending', query: null, nonce: 'n1', confirmed: true, confirmSent: true,
  }, new Date(Date.now() - 7 * 86_400_000).toISOString());
  await store.close();
  return dir;
}

interface Child { proc: ChildProcess; url: string; stderr: () => string; exited: Promise<number | null> }

async function serveChild(dataDir: string, smtpPort: number, env: Record<string, string> = {}): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, [...nodeArgs('src/main.ts'), 'serve'], {
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', PAPERBOY_DATA_DIR: dataDir, PAPERBOY_DEMO: 'false', LOG_LEVEL: 'info',
      PAPERBOY_INGEST_SCHEDULE: 'off', PAPERBOY_DIGEST_SCHEDULE: '00:00', PAPERBOY_SCHEDULER_TICK_SECONDS: '1',
      PAPERBOY_SMTP_HOST: '127.0.0.1', PAPERBOY_SMTP_PORT: String(smtpPort), PAPERBOY_MAIL_FROM: 'Paperboy <digests@paperboy.test>', ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`serve exited early: ${err}`);
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not yet */ }
    if (i > 600) throw new Error(`serve did not answer: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, url, stderr: () => err, exited };
}

function leaseOf(dataDir: string): { lease_owner: string | null; lease_until: string | null } | undefined {
  const db = new BetterSqlite3(path.join(dataDir, 'paperboy.db'), { readonly: true });
  try {
    return db.prepare("SELECT lease_owner, lease_until FROM jobs WHERE name = 'scheduler:digest'").get() as never;
  } finally {
    db.close();
  }
}

function outboxStatuses(dataDir: string): string[] {
  const db = new BetterSqlite3(path.join(dataDir, 'paperboy.db'), { readonly: true });
  try {
    return (db.prepare('SELECT status FROM outbox').all() as { status: string }[]).map((r) => r.status);
  } finally {
    db.close();
  }
}

/** A POST whose body arrives in two halves: in flight from the first byte until `finish()`. */
function slowPost(url: string) {
  const body = new URLSearchParams({ login: 'nobody', password: 'not the password', next: '/' }).toString();
  const half = Math.floor(body.length / 2);
  const u = new URL(`${url}/signin`);
  const req = http.request({
    host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: false,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)), origin: u.origin },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, half));
  return { response, finish: () => req.end(body.slice(half)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the server is answering `n` requests at once besides this probe (its in-flight gauge). */
async function inFlight(url: string, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = /^paperboy_http_requests_in_flight (\d+)/m.exec(text);
    if (m && Number(m[1]) - 1 >= n) return;
    await sleep(50);
  }
  throw new Error(`the server never had ${n} request(s) in flight`);
}

test('SIGTERM: a slow request in flight completes, the running digest finishes and releases its lease, exit 0', async () => {
  const smtp = await stallingSmtp();
  const dataDir = await preparedDataDir();
  const child = await serveChild(dataDir, smtp.port, { PAPERBOY_SHUTDOWN_TIMEOUT_SECONDS: '30' });
  try {
    await smtp.dataArrived; // the scheduler's digest run is sending, and holds the lease
    const held = leaseOf(dataDir);
    assert.ok(held?.lease_owner, 'the digest run holds the scheduler lease');

    const slow = slowPost(child.url);
    await inFlight(child.url, 1); // the server is answering it, and waits for the rest of its body
    child.proc.kill('SIGTERM');
    await sleep(700);
    assert.equal(child.proc.exitCode, null, 'still running while a request and a job are in progress');
    await assert.rejects(fetch(`${child.url}/healthz`), 'no new connections once stopping');

    slow.finish();
    const res = await slow.response;
    assert.ok(res.status >= 200 && res.status < 500, `the slow request got its answer: ${res.status}`);
    assert.match(res.body, /<\/html>\s*$/, 'a whole page');
    await sleep(300);
    assert.equal(child.proc.exitCode, null, 'still waiting for the digest run');

    smtp.release();
    const code = await child.exited;
    assert.equal(code, 0, child.stderr());
    assert.deepEqual(leaseOf(dataDir), { lease_owner: null, lease_until: null }, 'lease released');
    assert.deepEqual(outboxStatuses(dataDir), ['sent'], 'the digest in progress was delivered');
    assert.match(child.stderr(), /shutdown done forced_connections=0 abandoned_jobs=0/);
  } finally {
    if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    await smtp.close();
  }
});

test('SIGTERM past the deadline: connections are cut, the stuck job gives its lease back, exit 0', async () => {
  const smtp = await stallingSmtp();
  const dataDir = await preparedDataDir();
  const child = await serveChild(dataDir, smtp.port, { PAPERBOY_SHUTDOWN_TIMEOUT_SECONDS: '1.5' });
  try {
    await smtp.dataArrived;
    assert.ok(leaseOf(dataDir)?.lease_owner);
    const slow = slowPost(child.url); // never finished
    slow.response.catch(() => {});
    await inFlight(child.url, 1);
    const t0 = Date.now();
    child.proc.kill('SIGTERM');
    const code = await child.exited;
    const ms = Date.now() - t0;
    assert.equal(code, 0, child.stderr());
    assert.ok(ms >= 1_400 && ms < 10_000, `stopped at the deadline: ${ms} ms`);
    assert.deepEqual(leaseOf(dataDir), { lease_owner: null, lease_until: null }, 'the abandoned run gave its lease back');
    assert.match(child.stderr(), /shutdown done forced_connections=[1-9]\d* abandoned_jobs=1/);
    await assert.rejects(slow.response, 'the cut request ends with a closed connection');
  } finally {
    if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    smtp.release();
    await smtp.close();
  }
});
