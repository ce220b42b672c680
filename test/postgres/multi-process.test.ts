/**
 * Several app processes on one PostgreSQL database (PAPERBOY_TEST_STORE=postgres; npm test runs
 * it in its PostgreSQL pass): two real `paperboy serve` processes, and digest senders in separate
 * processes, one of them killed mid-run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from '../../src/store/kysely.ts';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, type Store } from '../../src/store/index.ts';
import { createUser } from '../../src/store/users.ts';
import { createApiToken } from '../../src/services/open-data-tokens.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { createTestDatabase, testStoreKind } from '../helpers/postgres.ts';
import { FIXED_NOW, tempDir } from '../helpers/store.ts';
import { freePort } from '../helpers/server-process.ts';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.ts';
import { nodeArgs } from '../helpers/paperboy.ts';

const onPostgres = testStoreKind() === 'postgres';

interface Served { url: string; child: ChildProcess; log: () => string }

/** `paperboy serve` in its own process on a free port; resolves once /readyz answers ready. */
async function serve(databaseUrl: string): Promise<Served> {
  const port = await freePort();
  const env = {
    ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', PAPERBOY_DATA_DIR: tempDir(), PAPERBOY_DEMO: 'false',
    PAPERBOY_TRUST_PROXY: 'true', PAPERBOY_INGEST_SCHEDULE: 'off', LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, [...nodeArgs('src/main.ts'), 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: path.resolve('.') });
  let log = '';
  child.stdout!.on('data', (c: Buffer) => { log += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { log += c.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${log}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200).catch(() => false);
    if (ready) return { url, child, log: () => log };
    if (Date.now() > deadline) throw new Error(`serve did not become ready: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(s: Served): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

describe('two app processes on one PostgreSQL database', { skip: onPostgres ? false : 'needs PAPERBOY_TEST_STORE=postgres (npm test runs it on PostgreSQL)' }, () => {
  let store: Store;
  let servers: Served[] = [];
  let sink: SmtpSink;
  let database: { url: string; drop: () => Promise<void> };

  before(async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    await seedSmallCorpus(store);
    sink = await startSmtpSink();
    servers = await Promise.all([serve(store.url), serve(store.url)]);
  });
  after(async () => {
    await Promise.all(servers.map(stop));
    await sink?.close();
    await store?.close();
    await database?.drop();
  });

  test('200 concurrent voters spread across both processes: exact counts, seen by both page caches', { timeout: 120_000 }, async () => {
    const paper = '2505.00204'; // no votes yet
    const voters = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
      const user = await createUser(store.db, { username: `voter${i}`, email: `voter${i}@example.org`, passwordHash: null, role: 'member', verified: true }, FIXED_NOW);
      const { token } = await createApiToken({ store, now: () => Date.parse(FIXED_NOW) }, user, { name: 'multi-process test', scope: 'write' });
      return { token, ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` };
    }));
    // Warm both page caches with the paper's page, so a stale cached page would show.
    for (const s of servers) assert.equal((await fetch(`${s.url}/papers/${paper}`)).status, 200);

    const call = (i: number, method: 'PUT' | 'DELETE') => fetch(`${servers[i % 2]!.url}/api/v1/papers/${paper}/vote`, {
      method, headers: { Authorization: `Bearer ${voters[i]!.token}`, 'X-Forwarded-For': voters[i]!.ip },
    }).then(async (r) => ({ status: r.status, body: await r.text() }));

    // Everyone votes at once, half through each process; then every third voter takes it back,
    // while the others vote again (a no-op), all at once.
    const first = await Promise.all(voters.map((_, i) => call(i, 'PUT')));
    assert.deepEqual(first.filter((r) => r.status !== 200), [], 'every vote was accepted');
    const second = await Promise.all(voters.map((_, i) => call(i, i % 3 === 0 ? 'DELETE' : 'PUT')));
    assert.deepEqual(second.filter((r) => r.status !== 200), [], 'every change was accepted');

    const expected = voters.filter((_, i) => i % 3 !== 0).length;
    const row = await store.db.selectFrom('papers').select('upvotes').where('id', '=', paper).executeTakeFirstOrThrow();
    const votes = await store.db.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n')).where('paper_id', '=', paper).executeTakeFirstOrThrow();
    assert.equal(Number(votes.n), expected, 'the vote rows');
    assert.equal(row.upvotes, expected, 'the stored count equals the rows');
    assert.deepEqual(await store.integrityProblems(), []);

    // Each process's cached page shows the count, within the shared counter's polling interval.
    for (const s of servers) {
      const deadline = Date.now() + 2_000;
      let html = '';
      do {
        html = await (await fetch(`${s.url}/papers/${paper}`)).text();
        if (html.includes(`<span class="count">${expected}</span>`)) break;
        await new Promise((r) => setTimeout(r, 50));
      } while (Date.now() < deadline);
      assert.match(html, new RegExp(`<span class="count">${expected}</span>`), `${s.url} shows the new count`);
    }
  });

  const sender = (smtpPort: number) => spawn(process.execPath, [
    ...nodeArgs('bench/digest-sender.ts'), '--db', store.url, '--smtp-port', String(smtpPort), '--date', '2025-05-06', '--lease-ms', '1500', '--connections', '2',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });

  function deliveries(prefix: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of sink.messages) {
      if (!m.to[0]?.startsWith(prefix)) continue;
      const key = /X-Paperboy-Digest: (.+)\r?\n/.exec(m.raw.toString())?.[1] ?? 'none';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  async function subscribe(prefix: string, n: number): Promise<void> {
    const db = digestDb(store.db);
    for (let i = 0; i < n; i++) {
      await insertSubscription(db, { email: `${prefix}${i}@example.org`, userId: null, period: 'daily', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
    }
  }

  async function outboxStatuses(prefix: string): Promise<Record<string, number>> {
    const rows = await digestDb(store.db).selectFrom('outbox as o').innerJoin('subscriptions as s', 's.id', 'o.subscription_id')
      .select((eb) => ['o.status', eb.fn.countAll<number>().as('n')]).where(sql`substr(s.email, 1, ${prefix.length})`, '=', prefix).groupBy('o.status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  test('a digest run started in two processes at once sends each digest once', { timeout: 120_000 }, async () => {
    await subscribe('both', 120);
    const runs = [sender(sink.port), sender(sink.port)];
    const outs = await Promise.all(runs.map((child) => new Promise<{ code: number | null; out: string }>((resolve) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
      child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
      child.once('exit', (code) => resolve({ code, out }));
    })));
    for (const o of outs) assert.equal(o.code, 0, o.out);
    const reports = outs.map((o) => JSON.parse(o.out.trim().split('\n').pop()!) as { sent: number; enqueued: number });
    assert.equal(reports[0]!.sent + reports[1]!.sent, 120, 'the two runs sent 120 between them');
    assert.ok(reports.every((r) => r.sent > 0), `both processes took part (${reports.map((r) => r.sent).join(' + ')})`);
    const got = deliveries('both');
    assert.equal(got.size, 120);
    assert.ok([...got.values()].every((n) => n === 1), 'nobody got two');
    assert.deepEqual(await outboxStatuses('both'), { sent: 120 });
  });

  test('killing one sender mid-run loses nothing: the other takes over its rows once their leases end', { timeout: 120_000 }, async () => {
    await subscribe('kill', 150);
    const victim = sender(sink.port);
    const survivor = sender(sink.port);
    let out = '';
    survivor.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
    survivor.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
    const survivorExit = new Promise<number | null>((r) => survivor.once('exit', r));
    const victimExit = new Promise<number | null>((r) => victim.once('exit', r));
    // Kill the victim once it has sent something (or right after it starts, if it is quick).
    const before = sink.messages.length;
    await Promise.race([victimExit, new Promise<void>((r) => { const t = setInterval(() => { if (sink.messages.length > before + 10) { clearInterval(t); r(); } }, 5); })]);
    victim.kill('SIGKILL');
    assert.equal(await survivorExit, 0, out);
    await victimExit;
    const statuses = await outboxStatuses('kill');
    const got = deliveries('kill');
    const unknown = statuses.unknown ?? 0;
    assert.equal([...got.values()].filter((n) => n > 1).length, 0, 'nobody got a digest twice');
    assert.equal((statuses.sent ?? 0) + unknown, 150, JSON.stringify(statuses));
    assert.ok(got.size >= 150 - unknown && got.size <= 150, `${got.size} delivered, ${unknown} unknown (handed over when the sender died)`);
  });
});
