/**
 * Resource faults: the disk fills up while writing, another connection holds the database's write
 * lock, the mail server is down or hangs, arXiv hangs or answers garbage. Each time the app answers
 * with a clear error (or degrades), logs what happened, and works again without a restart once
 * the fault is gone.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.ts';
import pino from 'pino';
import { createArxivClient } from '../../src/arxiv/client.ts';
import { SMTP_TIMEOUTS, smtpMailer } from '../../src/mail/mailer.ts';
import { createAccount, createSession } from '../../src/services/accounts.ts';
import { submitPaper } from '../../src/services/community.ts';
import { UserError } from '../../src/services/errors.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { createApp } from '../../src/web/app.tsx';
import { AfterAnswer } from '../../src/services/after-answer.ts';
import { loadAssets } from '../../src/web/assets.ts';
import { requireAll } from '../helpers/browser.ts';
import { PROJECT_ROOT, runPaperboy } from '../helpers/paperboy.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { startReplayServer } from '../helpers/replay-server.ts';
import { FIXED_NOW, tempDir } from '../helpers/store.ts';
import { fixture } from '../arxiv/support.ts';
import { startSmtpSink } from '../mail/smtp-sink.ts';

const SECRET = 'test-secret-for-csrf-signing';
const NOW = () => Date.parse(FIXED_NOW);

/** The whole app on `store`, logging into memory; `mail` picks the mailer. */
async function appOn(store: Store, mailer = smtpMailer({ host: '127.0.0.1', port: 9, secure: false }, 'Paperboy <x@localhost>')) {
  const logs: { level: number; msg: string; err?: { message?: string } }[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _e, done) { for (const l of String(chunk).split('\n')) if (l) logs.push(JSON.parse(l)); done(); } }));
  const afterAnswer = new AfterAnswer((err) => logger.error({ err }, 'accounts: work after the answer failed'));
  const app = createApp({
    store, mailer, logger, secret: SECRET, arxiv: null, assets: await loadAssets(), clock: { now: NOW }, afterAnswer,
    config: { siteName: 'Paperboy Test', pageSize: 5, categories: ['cs.CL'], production: false, adminPassword: null, ingestAt: null, baseUrl: 'http://localhost', submitQuota: 10, trustProxy: 1, outboxDir: tempDir() },
  });
  const user = await createAccount({ store, now: NOW }, { username: `m${Math.floor(Math.random() * 1e6)}`, email: `m${Math.floor(Math.random() * 1e6)}@example.org`, password: 'a long enough password', role: 'member' });
  const { token } = await createSession({ store, now: NOW } as never, user);
  const sign = (v: string) => createHmac('sha256', SECRET).update(`csrf:${v}`).digest('base64url');
  const anon = 'an-anonymous-browser-cookie-value';
  let ip = 0;
  const post = async (p: string, fields: Record<string, string>, signedIn = true) => {
    const res = await app.request(p, {
      method: 'POST', body: new URLSearchParams({ _csrf: sign(signedIn ? token : anon), ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `192.0.2.${++ip % 250}`, cookie: signedIn ? `pb_session=${token}` : `pb_anon=${anon}` },
    });
    return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
  };
  return { app, logs, post, token, afterAnswer };
}

async function migratedStore(file: string, options: { busyTimeoutMs?: number } = {}): Promise<Store> {
  const store = await openStore(`sqlite:${file}`, options);
  await store.migrate(FIXED_NOW);
  await seedSmallCorpus(store);
  return store;
}

describe('disk full while writing', () => {
  const whyNot = process.getuid?.() !== 0 ? 'needs root to mount a size-limited tmpfs' : null;
  if (whyNot && requireAll()) throw new Error(`disk-full test: ${whyNot}`);

  test('writes get a clear 503 and are logged, reads go on, and writing works again once space is freed', { skip: whyNot ?? false, timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
    let store: Store | null = null;
    try {
      store = await migratedStore(path.join(dir, 'full.db'));
      const { app, logs, post } = await appOn(store);
      assert.ok((await post('/actions/comment', { paper: '2505.00201', body: 'Written while there is room.' })).status === 303);
      // Fill the disk to the last byte.
      const filler = path.join(dir, 'filler');
      const fd = fs.openSync(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try { for (;;) fs.writeSync(fd, chunk); } catch (err) { assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC'); }
      try { for (;;) fs.writeSync(fd, Buffer.alloc(512, 1)); } catch { /* full */ }
      fs.closeSync(fd);

      let full: Awaited<ReturnType<typeof post>> | null = null;
      for (let i = 0; i < 50 && !full; i++) {
        const r = await post('/actions/comment', { paper: '2505.00201', body: `A long comment that needs room ${i} ${'x'.repeat(8000)}` });
        if (r.status !== 303) full = r;
      }
      assert.ok(full, 'the disk filled up');
      assert.equal(full.status, 503, full.body.slice(0, 300));
      assert.match(full.body, /run out of disk space, so nothing was saved/);
      assert.equal(full.retryAfter, '30');
      assert.ok(logs.some((l) => l.level >= 50 && /store fault/.test(l.msg)), 'logged');
      assert.equal((await app.request('/papers/2505.00201')).status, 200, 'reads still work');

      fs.rmSync(filler);
      const again = await post('/actions/comment', { paper: '2505.00201', body: 'Written after space was freed.' });
      assert.equal(again.status, 303, again.body.slice(0, 300));
      assert.deepEqual(await store.integrityProblems(), []);
    } finally {
      await store?.close();
      execFileSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('disk full under the command line', () => {
  const whyNot = process.getuid?.() !== 0 ? 'needs root to mount a size-limited tmpfs' : null;
  if (whyNot && requireAll()) throw new Error(`disk-full test: ${whyNot}`);
  const listings = path.join(process.env.PAPERBOY_SHARED_DATA ?? path.resolve('../shared/data'), 'arxiv-cs-listings-2025-05-06', 'arxiv_cs_2025-05_06.jsonl.gz');

  test('an import says the disk is full and keeps its whole batches; a failed backup leaves the last copy as it was', { skip: whyNot ?? false, timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
    try {
      // 10,000 real papers do not fit in 4 MB.
      const env = { DATABASE_URL: `sqlite:${path.join(dir, 'import.db')}`, PAPERBOY_DATA_DIR: tempDir() };
      const r = runPaperboy(['import', listings], env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^import: .*arxiv_cs_2025-05_06\.jsonl\.gz: stopped: database or disk is full; the batches of 2000 lines before it were committed and are kept$/m);
      assert.doesNotMatch(r.stderr, /cannot rollback/);
      const stats = runPaperboy(['stats'], env);
      assert.equal(stats.code, 0, stats.stderr);
      assert.equal(Number(/papers=(\d+)/.exec(stats.stdout)![1]) % 2000, 0, `whole batches only: ${stats.stdout}`);
      for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));

      // Last night's copy, then a disk too full for tonight's.
      const copy = path.join(dir, 'backup.db');
      fs.writeFileSync(copy, 'last night');
      const filler = path.join(dir, 'filler');
      const fd = fs.openSync(filler, 'w');
      try { for (;;) fs.writeSync(fd, Buffer.alloc(64 * 1024, 1)); } catch { /* full */ }
      fs.closeSync(fd);
      fs.truncateSync(filler, fs.statSync(filler).size - 200 * 1024); // room for part of a copy
      const store = await migratedStore(path.join(tempDir(), 'live.db'));
      try {
        await assert.rejects(store.backup(copy), /full/);
      } finally {
        await store.close();
      }
      assert.equal(fs.readFileSync(copy, 'utf8'), 'last night', 'the last copy is untouched');
      assert.deepEqual(fs.readdirSync(dir).sort(), ['backup.db', 'filler'], 'no partial file left behind');
    } finally {
      execFileSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('read-only mounts', () => {
  const whyNot = process.getuid?.() !== 0 ? 'needs root to bind-mount a folder read-only' : null;
  if (whyNot && requireAll()) throw new Error(`read-only test: ${whyNot}`);

  /** Runs `fn` with `folder` bind-mounted read-only at a new mount point, unmounted after. */
  async function readOnly(folder: string, fn: (mnt: string) => Promise<void> | void): Promise<void> {
    const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-ro-'));
    execFileSync('mount', ['--bind', folder, mnt]);
    try {
      execFileSync('mount', ['-o', 'remount,bind,ro', mnt]);
      await fn(mnt);
    } finally {
      execFileSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    }
  }
  /** A data folder holding a migrated, empty database. */
  async function dataFolder(): Promise<string> {
    const data = tempDir();
    await (await migratedStore(path.join(data, 'paperboy.db'))).close();
    return data;
  }

  test('a database there: commands say which file could not be opened and why, in one line', { skip: whyNot ?? false, timeout: 60_000 }, async () => {
    await readOnly(await dataFolder(), (mnt) => {
      const r = runPaperboy(['stats'], { PAPERBOY_DATA_DIR: mnt });
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `paperboy: store: cannot open SQLite database ${path.join(mnt, 'paperboy.db')}: unable to open database file `
        + `(SQLite needs to write the file and to create paperboy.db-wal and -shm beside it: is ${mnt} writable?)\n`);
    });
  });

  test('export, backup and digest --out there say the folder cannot be written, in one line, before writing anything', { skip: whyNot ?? false, timeout: 60_000 }, async () => {
    const env = { PAPERBOY_DATA_DIR: await dataFolder(), PAPERBOY_DEMO: 'false' };
    await readOnly(tempDir(), (mnt) => {
      const exported = runPaperboy(['export', path.join(mnt, 'instance.jsonl.gz')], env);
      assert.deepEqual([exported.code, exported.stderr], [1, `export: ${mnt} is on a read-only file system; nothing was written\n`]);
      const backup = runPaperboy(['backup', path.join(mnt, 'nightly', 'paperboy.db')], env);
      assert.deepEqual([backup.code, backup.stderr], [1, `paperboy: store/backup: ${mnt} is on a read-only file system; nothing was written\n`]);
      const digest = runPaperboy(['digest', 'send', '--date', '2025-05-30', '--out', path.join(mnt, 'mail')], env);
      assert.deepEqual([digest.code, digest.stderr], [2, `digest: --out ${path.join(mnt, 'mail')}: ${mnt} is on a read-only file system\n`]);
      assert.deepEqual(fs.readdirSync(mnt), []);
    });
  });
});

describe('database locked by another writer', () => {
  test('a short lock is waited out; a lock past the busy timeout is a clear 503; reads go on; then all is well', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    // A busy timeout of 1 s instead of the product's 5 s (SQLITE_BUSY_TIMEOUT_MS), and locks scaled
    // to it: one well within it, one well past it.
    const busyTimeoutMs = 1_000;
    const store = await migratedStore(path.join(dir, 'locked.db'), { busyTimeoutMs });
    after(() => store.close());
    const { app, logs, post } = await appOn(store);
    // Another process (say a CLI import) holds the write lock for `ms`.
    const holdLock = async (ms: number) => {
      const holder = spawn(process.execPath, ['-e', `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(path.join(dir, 'locked.db'))}); d.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => { d.exec('COMMIT'); d.close(); }, ${ms});`], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((r) => holder.stdout.once('data', () => r()));
      return { released: new Promise<void>((r) => holder.once('exit', () => r())) };
    };

    let { released } = await holdLock(busyTimeoutMs / 5);
    const waited = await post('/actions/vote', { paper: '2505.00201', want: '1' });
    assert.equal(waited.status, 303, 'a lock shorter than the busy timeout is waited out');
    await released;

    // Well past it: the write waits the whole timeout even when this process is slow to get there.
    ({ released } = await holdLock(busyTimeoutMs * 3));
    const t0 = Date.now();
    const busy = await post('/actions/vote', { paper: '2505.00202', want: '1' });
    assert.equal(busy.status, 503, busy.body.slice(0, 200));
    assert.match(busy.body, /database is busy with another task, so nothing was saved/);
    assert.equal(busy.retryAfter, '30');
    assert.ok(Date.now() - t0 >= busyTimeoutMs * 0.9, 'it waited for the busy timeout first');
    assert.ok(logs.some((l) => /store fault/.test(l.msg)), 'logged');
    assert.equal((await app.request('/papers/2505.00201')).status, 200, 'reads are answered while the lock is held');
    await released;

    const after2 = await post('/actions/vote', { paper: '2505.00202', want: '1' });
    assert.equal(after2.status, 303);
    const votes = await store.db.selectFrom('papers').select(['id', 'upvotes']).where('id', 'in', ['2505.00201', '2505.00202']).orderBy('id').execute();
    assert.deepEqual(votes.map((v) => v.upvotes), [6, 41], 'each vote counted once');

    // The store the product opens (no option) waits 5 s.
    const plain = await openStore(`sqlite:${path.join(dir, 'locked.db')}`);
    try {
      const { rows } = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(plain.db);
      assert.deepEqual(rows, [{ timeout: 5_000 }]);
    } finally {
      await plain.close();
    }
  });
});

/** A TCP front for the SMTP sink that can be down (refuses), hanging (accepts, says nothing) or up. */
async function smtpFront(targetPort: number) {
  let mode: 'down' | 'hang' | 'up' = 'down';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (mode === 'down') return client.destroy();
    if (mode === 'hang') return;
    const upstream = net.connect(targetPort, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    set(m: typeof mode) { mode = m; },
    async close() { for (const s of sockets) s.destroy(); await new Promise((r) => server.close(r)); },
  };
}

describe('mail server down or hanging', () => {
  test('sign-up keeps the account; a reset answers as for any address; both failures logged; mail flows again once the server is back', { timeout: 60_000 }, async () => {
    const sink = await startSmtpSink();
    const front = await smtpFront(sink.port);
    after(async () => { await front.close(); await sink.close(); });
    const dir = tempDir();
    const store = await migratedStore(path.join(dir, 'mail.db'));
    after(() => store.close());
    // A greeting timeout of 1 s instead of the product's (SMTP_TIMEOUTS, 10 s): the hanging server
    // below is given up on the same way, sooner.
    assert.ok(SMTP_TIMEOUTS.greetingMs < 25_000, 'the product gives up on a silent server well within the bound below');
    const { logs, post, afterAnswer } = await appOn(store, smtpMailer({ host: '127.0.0.1', port: front.port, secure: false }, 'Paperboy <x@localhost>', { greetingMs: 1_000 }));

    front.set('down');
    const signup = await post('/signup', { username: 'newcomer', email: 'newcomer@example.org', password: 'a long enough password' }, false);
    assert.equal(signup.status, 303, `the account is kept: ${signup.body.slice(0, 200)}`);
    assert.ok(await store.db.selectFrom('users').select('id').where('username', '=', 'newcomer').executeTakeFirst());
    await afterAnswer.idle(); // the confirmation goes after the answer
    assert.ok(logs.some((l) => /an account e-mail \(sign-up confirmation or notice\) could not be sent/.test(l.msg)), 'the failed confirmation mail is logged');
    // A reset answers as it does for an address without an account (the answer never tells whether
    // the address has one, nor whether the mail server took the e-mail); the mail goes after the
    // answer, and its failure is logged at error level.
    const unknown = await post('/account/forgot', { email: 'nobody@example.org' }, false);
    const failures = () => logs.filter((l) => /an account e-mail .* could not be sent/.test(l.msg));
    const before = failures().length;
    const reset = await post('/account/forgot', { email: 'newcomer@example.org' }, false);
    assert.equal(reset.status, unknown.status, reset.body.slice(0, 200));
    assert.equal(reset.body, unknown.body);
    await afterAnswer.idle();
    assert.equal(failures().length, before + 1, 'the failed reset mail is logged');
    assert.ok(failures().every((l) => l.level === 50), 'at error level');

    front.set('hang'); // accepts the connection and never greets: nodemailer gives up after its greeting timeout
    const t0 = Date.now();
    const hung = await post('/account/forgot', { email: 'newcomer@example.org' }, false);
    assert.equal(hung.status, unknown.status);
    assert.ok(Date.now() - t0 < 25_000, `a hanging mail server held the request ${Date.now() - t0} ms`);
    await afterAnswer.idle();
    assert.equal(failures().length, before + 2);

    front.set('up');
    const ok = await post('/account/forgot', { email: 'newcomer@example.org' }, false);
    assert.equal(ok.status, 200, ok.body.slice(0, 200));
    await afterAnswer.idle();
    assert.equal(sink.messages.length, 1, 'the reset mail arrived');
  });
});

describe('arXiv slow, hanging or answering garbage', () => {
  test('a submission gets a clear 503 quickly, and works once arXiv answers properly', { timeout: 60_000 }, async () => {
    const replay = await startReplayServer({ routes: [{ path: '/api/query', body: fixture('atom-2026/id_1707.08567.xml') }] });
    after(() => replay.close());
    const dir = tempDir();
    const store = await migratedStore(path.join(dir, 'arxiv.db'));
    after(() => store.close());
    const member = await createAccount({ store, now: NOW }, { username: 'sub', email: 'sub@example.org', password: 'a long enough password', role: 'member' });
    const arxiv = createArxivClient({ apiUrl: `${replay.url}/api/query`, userAgent: 'Paperboy test', minIntervalMs: 0, maxRetries: 0, timeoutMs: 2_000 });
    const deps = { store, now: NOW, arxiv, submitQuota: 10, arxivDeadlineMs: 1_500 };
    const submit = async () => {
      const t0 = Date.now();
      try {
        await submitPaper(deps, member, { id: '1707.08567' });
        return { ok: true, ms: Date.now() - t0, message: '' };
      } catch (err) {
        assert.ok(err instanceof UserError, `a clear error, not ${(err as Error).message}`);
        return { ok: false, ms: Date.now() - t0, message: `${err.status} ${err.message}`, retryAfter: err.retryAfterSeconds };
      }
    };
    for (const fault of [{ kind: 'slow', delayMs: 30_000 }, { kind: 'malformed' }, { kind: 'html' }, { kind: 'truncate' }, { kind: 'status', status: 503, retryAfter: '1' }] as const) {
      replay.injectFault(fault);
      const r = await submit();
      assert.equal(r.ok, false, `${fault.kind}: refused`);
      assert.match(r.message, /^503 arXiv could not be reached/, fault.kind);
      assert.equal(r.retryAfter, 120, `${fault.kind}: the 503 says when to try again (Retry-After)`);
      assert.ok(r.ms < 5_000, `${fault.kind}: answered in ${r.ms} ms`);
      // The client asks arXiv one request at a time: a hanging request holds the line until its own timeout.
      if (fault.kind === 'slow') await new Promise((r) => setTimeout(r, 2_500));
      assert.equal(replay.pendingFaults(), 0, `${fault.kind}: ${r.message} (${r.ms} ms), requests ${replay.requests.length}`);
    }
    const good = await submit();
    assert.equal(good.ok, true, `recovered: ${good.message}`);
    assert.ok(await store.findPaperById('1707.08567'));
  });
});
