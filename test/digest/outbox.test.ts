/**
 * Exactly once, counted at a real SMTP server: two runs at once, a run after a sender died
 * before or after handing a message over, a sender killed with SIGKILL and restarted, temporary
 * and permanent SMTP errors, a mail server that is down, an unsubscribe between enqueue and send.
 */
import { spawn } from 'node:child_process';
import { sql } from '../../src/store/kysely.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { smtpTransport } from '../../src/mail/transport.ts';
import { runDigest, type DigestDeps, type DigestReport } from '../../src/services/digest.ts';
import { alertSearch } from '../../src/services/alert-search.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import type { Store } from '../../src/store/index.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { tempStore } from '../helpers/store.ts';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.ts';
import { nodeArgs } from '../helpers/paperboy.ts';

let sink: SmtpSink;
before(async () => { sink = await startSmtpSink(); });
after(async () => sink.close());

async function setup(n: number, prefix: string): Promise<Store> {
  const store = await tempStore();
  await seedSmallCorpus(store);
  const db = digestDb(store.db);
  for (let i = 0; i < n; i++) {
    await insertSubscription(db, { email: `${prefix}${i}@example.org`, userId: null, period: 'daily', kind: i % 5 === 4 ? 'search' : 'trending', query: i % 5 === 4 ? 'attention' : null, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
  }
  // Alerts run through the search engine, as in the product.
  indexes.set(store, await SearchIndex.open(store, { semantic: false }, true));
  return store;
}
const indexes = new Map<Store, SearchIndex>();

function deps(store: Store, over: Partial<DigestDeps> = {}): DigestDeps {
  return {
    store, transport: smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false }, { connections: 3 }), siteName: 'Paperboy', baseUrl: 'https://papers.example.org',
    mailFrom: 'Paperboy <digests@papers.example.org>', unsubscribeMailto: 'unsubscribe@papers.example.org', now: () => Date.now(), leaseMs: 60_000, retryBaseMs: 40, inRunWaitMs: 5_000,
    search: alertSearch({ store, index: indexes.get(store)! }), ...over,
  };
}
const run = async (d: DigestDeps, date = '2025-05-06', extra: { to?: string } = {}): Promise<DigestReport> => {
  try {
    return await runDigest(d, { date, weeklyDay: 1, only: 'daily', ...extra });
  } finally {
    await d.transport.close();
  }
};

/** How many digests each address got (by the X-Paperboy-Digest header: subscription and period). */
function deliveries(prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sink.messages) {
    if (!m.to[0]?.startsWith(prefix)) continue;
    const key = /X-Paperboy-Digest: (.+)\r?\n/.exec(m.raw.toString())?.[1] ?? 'none';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

test('two runs at once send each digest once, with both list-unsubscribe forms', async () => {
  const store = await setup(60, 'twice');
  const [a, b] = await Promise.all([run(deps(store)), run(deps(store))]);
  assert.equal(a.sent + b.sent, 60);
  assert.equal(a.enqueued + b.enqueued, 60, 'the rows exist once');
  const got = deliveries('twice');
  assert.equal(got.size, 60);
  assert.ok([...got.values()].every((n) => n === 1), 'nobody got two');
  const raw = sink.messages.find((m) => m.to[0] === 'twice0@example.org')!.raw.toString();
  assert.match(raw, /List-Unsubscribe:\s+<https:\/\/papers\.example\.org\/unsubscribe\?token=[\d.\w-]+>,\s+<mailto:unsubscribe@papers\.example\.org\?subject=unsubscribe%20\d+\.0\.[\w-]{32}>/);
  const again = await run(deps(store));
  assert.equal(again.sent, 0);
});

test('a sender that died before handing over is resumed; one that died after is "unknown", not resent', async () => {
  const store = await setup(3, 'crash');
  const db = digestDb(store.db);
  // A first run enqueued and claimed two rows, then died: row 1 before the handover, row 2 after it.
  const first = await runDigest(deps(store, { transport: { concurrency: 1, deliver: async () => { throw new Error('not used'); }, close: async () => {}, describe: () => 'none' } }), { date: '2025-05-06', weeklyDay: 1, only: 'daily', dryRun: true });
  assert.equal(first.sent, 3, 'a dry run would send 3');
  assert.equal(await db.selectFrom('outbox').select('id').executeTakeFirst(), undefined, 'a dry run records nothing');
  const ids = (await db.selectFrom('subscriptions').select('id').where(sql`substr(email, 1, 5)`, '=', 'crash').orderBy('id').execute()).map((r) => r.id);
  const past = new Date(Date.now() - 1000).toISOString();
  const row = (sub: number, handed: string | null) => ({
    subscription_id: sub, period_key: '2025-05-06', status: 'sending' as const, lease_owner: 'dead-process', lease_until: past, attempts: 1, created_at: past,
    period: 'daily' as const, window_from: '2025-05-05', window_to: '2025-05-05', not_before: past, expires_at: '2099-01-01T00:00:00.000Z', handed_at: handed,
    message_id: handed ? 'x@y' : null, paper_ids: handed ? '["2505.00202"]' : null,
  });
  await db.insertInto('outbox').values([row(ids[0]!, null), row(ids[1]!, past)]).execute();
  const report = await run(deps(store));
  assert.equal(report.unknown, 1);
  assert.equal(report.sent, 2, 'the row never handed over, and the third subscriber');
  assert.equal(report.enqueued, 1);
  const got = deliveries('crash');
  assert.equal(got.get(`${ids[0]} 2025-05-06`), 1);
  assert.equal(got.get(`${ids[1]} 2025-05-06`), undefined, 'the unknown one is not resent');
  assert.equal(got.get(`${ids[2]} 2025-05-06`), 1);
  const statuses = await db.selectFrom('outbox').select(['subscription_id', 'status', 'attempts']).orderBy('subscription_id').execute();
  assert.deepEqual(statuses.map((s) => s.status), ['sent', 'unknown', 'sent']);
  assert.equal(statuses[0]!.attempts, 2);
});

test('temporary errors are retried with backoff; a permanent one stops mail to the address', async () => {
  const store = await setup(3, 'errs');
  sink.failData('errs0@example.org', 451, 2);
  sink.rejectRecipient('errs1@example.org', 550, '5.1.1 No such mailbox');
  const report = await run(deps(store));
  assert.equal(report.sent, 2);
  assert.equal(report.failed, 1);
  assert.equal(report.bounced, 1);
  assert.equal(sink.to('errs0@example.org').length, 1, 'delivered on the third attempt');
  const db = digestDb(store.db);
  const rows = await db.selectFrom('outbox as o').innerJoin('subscriptions as s', 's.id', 'o.subscription_id').select(['s.email', 'o.status', 'o.attempts', 'o.last_error', 's.bounced_at', 's.bounce_reason']).orderBy('s.id').execute();
  assert.deepEqual(rows.map((r) => [r.status, r.attempts]), [['sent', 3], ['failed', 1], ['sent', 1]]);
  assert.match(rows[1]!.bounce_reason!, /550.*No such mailbox/);
  const next = await run(deps(store), '2025-05-08');
  assert.equal(next.enqueued, 2, 'the bounced address is not enqueued again');
});

test('a mail server that is down stops the run; the rows wait, and go out once it is back', async () => {
  const store = await setup(4, 'down');
  const report = await run(deps(store, { transport: smtpTransport({ host: '127.0.0.1', port: 1, secure: false }) }));
  assert.match(report.error ?? '', /ECONNREFUSED/);
  assert.equal(report.sent, 0);
  assert.equal(report.retrying, 4);
  const db = digestDb(store.db);
  const attempts = await db.selectFrom('outbox').select('attempts').execute();
  assert.ok(attempts.every((a) => a.attempts === 0), 'a transport failure does not count against the message');
  const later = await run(deps(store));
  assert.equal(later.sent, 4);
  assert.equal(later.enqueued, 0);
});

test('jobs re-check state: unsubscribing after the enqueue skips the digest; nothing new skips it', async () => {
  const store = await setup(2, 'recheck');
  const db = digestDb(store.db);
  const d = deps(store);
  const realDeliver = d.transport.deliver.bind(d.transport);
  let first = true;
  d.transport = { ...d.transport, concurrency: 1, close: () => d.transport.close.call(d.transport), deliver: async (m, commit) => {
    if (first) { first = false; await db.updateTable('subscriptions').set({ unsubscribed_at: new Date().toISOString() }).where('email', '=', 'recheck1@example.org').execute(); }
    return realDeliver(m, commit);
  } } as DigestDeps['transport'];
  const report = await runDigest({ ...d, transport: { ...d.transport, concurrency: 1 } }, { date: '2025-05-06', weeklyDay: 1, only: 'daily' });
  await smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false }).close();
  assert.equal(report.sent, 1);
  assert.equal(report.skipped, 1);
  assert.equal(sink.to('recheck1@example.org').length, 0);
  const empty = await run(deps(store), '2025-05-05'); // covers 2025-05-04: no list that day
  assert.equal(empty.sent, 0);
  assert.equal(empty.skipped, 1);
});

test('a sender killed with SIGKILL at random points and restarted: no duplicates, no silent misses', { timeout: 60_000 }, async () => {
  const store = await setup(250, 'kill');
  const file = store.url;
  const start = () => spawn(process.execPath, [...nodeArgs('bench/digest-sender.ts'), '--db', file, '--smtp-port', String(sink.port), '--date', '2025-05-06', '--lease-ms', '1500', '--connections', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const kills = 3;
  let unknown = 0;
  for (let k = 0; k <= kills; k++) {
    const child = start();
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    // Listen for the exit from the start: a quick sender may be gone before the first await returns.
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await Promise.race([new Promise<void>((resolve) => child.stdout.once('data', () => resolve())), exited]);
    if (k < kills) {
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 500));
      child.kill('SIGKILL');
      await exited;
    } else {
      const code = await exited;
      assert.equal(code, 0, out);
      const report = JSON.parse(out.trim().split('\n').pop()!) as DigestReport;
      unknown += report.unknown;
    }
  }
  const db = digestDb(store.db);
  const byStatus = await db.selectFrom('outbox').select((eb) => ['status', eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  const statuses = Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)]));
  const got = deliveries('kill');
  const dupes = [...got.values()].filter((n) => n > 1).length;
  const unknownRows = (statuses.unknown ?? 0);
  assert.equal(dupes, 0, 'nobody got a digest twice');
  assert.equal((statuses.sent ?? 0) + unknownRows, 250, JSON.stringify(statuses));
  assert.ok(got.size >= 250 - unknownRows && got.size <= 250, `${got.size} delivered, ${unknownRows} unknown`);
  assert.ok(unknown <= unknownRows);
});

test('a digest run holds a run lease while it goes on, so a run whose process dies is closed as interrupted; a finished run gives it back', async () => {
  const store = await setup(2, 'leased');
  const real = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false });
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let started!: () => void;
  const sending = new Promise<void>((r) => { started = r; });
  // The first message waits until the test has looked at the run.
  const transport = { ...real, concurrency: 1, deliver: async (m: Parameters<typeof real.deliver>[0], commit: () => Promise<void>) => { started(); await held; return real.deliver(m, commit); }, close: () => real.close(), describe: () => real.describe() };
  const running = run(deps(store, { transport }));
  await sending;
  const [during] = await store.listRunningRuns();
  assert.equal(during?.job, 'digest');
  assert.ok(during?.hasLease && during.leaseOwner?.includes(`|${process.pid}|`), JSON.stringify(during));
  release();
  const report = await running;
  assert.equal(report.error, null);
  assert.deepEqual(await store.listRunningRuns(), []);
  const [done] = await store.listJobRuns(1, 'digest');
  assert.equal(done?.status, 'ok');
  assert.equal((await store.db.selectFrom('jobs').select('name').where('name', 'like', 'run:%').execute()).length, 0, 'the lease is given back');
  await indexes.get(store)!.close();
  await store.close();
});
