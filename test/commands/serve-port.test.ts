/**
 * `paperboy serve` on a port another process holds: it says so and ends with exit 1. It used to
 * run on while its search index was built in the background (minutes on the demo), with the
 * schedulers ticking, serving nothing: a supervisor would take it for a healthy process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { demoCopy } from '../helpers/demo-store.ts';
import { nodeArgs, PROJECT_ROOT } from '../helpers/paperboy.ts';
import { cleanEnv } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/store.ts';
import { watchServerErrors } from '../../src/cli/serve.ts';

/** Many times what giving up takes; only a process that does not end waits this long. */
const HANG_MS = 60_000;

/**
 * Runs `paperboy serve` on `dataDir` with `port` held by another listener, until it ends (or is
 * killed after HANG_MS): its exit code (or 'still running') and what it wrote.
 */
async function serveOnHeldPort(dataDir: string, env: Record<string, string>): Promise<{ port: number; outcome: number | null | 'still running'; stdout: string; stderr: string }> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const child = spawn(process.execPath, [...nodeArgs('src/main.ts'), 'serve'], {
      cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv({ HOST: '127.0.0.1', PORT: String(port), PAPERBOY_DATA_DIR: dataDir, ...env }),
    });
    let stderr = '';
    let stdout = '';
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    child.stdout!.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const hang = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), HANG_MS).unref());
    const outcome = await Promise.race([exited, hang]);
    if (outcome === 'still running') child.kill('SIGKILL');
    return { port, outcome, stdout, stderr };
  } finally {
    holder.close();
  }
}

test('serve on a port in use while its search index is being built: a one-line error, exit 1', async () => {
  const dataDir = tempDir();
  // The demo without its saved index (or, run alone, an empty store that imports it): the server
  // starts building the index before it listens.
  if (await demoCopy({}, dataDir)) {
    const db = new BetterSqlite3(path.join(dataDir, 'paperboy.db'));
    db.exec('DELETE FROM search_index_meta; DELETE FROM search_index_parts;');
    db.close();
  }
  const { port, outcome, stderr } = await serveOnHeldPort(dataDir, { LOG_LEVEL: 'warn' });
  assert.equal(outcome, 1, `exit code (stderr: ${stderr.slice(-500)})`);
  assert.match(stderr, new RegExp(`paperboy: serve: cannot listen on 127\\.0\\.0\\.1:${port}: listen EADDRINUSE`));
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
});

test('serve on a port in use, into an empty data folder: one line naming the port, exit 1 at once, nothing created (no database, no demo import)', async () => {
  const dataDir = tempDir();
  // The demo is on (the default): without the early check the store is created, migrated and given the demo first.
  const { port, outcome, stdout, stderr } = await serveOnHeldPort(dataDir, { LOG_LEVEL: 'info' });
  assert.equal(outcome, 1, `exit code (stderr: ${stderr.slice(-500)})`);
  assert.match(stderr, new RegExp(`^paperboy: serve: cannot listen on 127\\.0\\.0\\.1:${port}: listen EADDRINUSE[^\\n]*\\n$`), 'one line, naming the port');
  assert.equal(stdout, '', 'nothing logged: nothing started');
  assert.deepEqual(fs.readdirSync(dataDir), [], 'no database created');
});

test('an error of a server that listens (a failed accept) is logged, and neither stops its jobs nor ends the process', async () => {
  const server = net.createServer();
  const refused: Error[] = [];
  const logged: unknown[] = [];
  watchServerErrors(server, (err) => refused.push(err), { error: (obj: unknown) => { logged.push(obj); } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' });
    // Emitted with no listener left, an 'error' event throws here (and, on a real server, ends the process).
    assert.doesNotThrow(() => server.emit('error', emfile));
    assert.doesNotThrow(() => server.emit('error', emfile));
    assert.equal(refused.length, 0, 'not taken for a failure to listen');
    assert.equal(logged.length, 2);
    assert.equal(server.listening, true);
  } finally {
    server.close();
  }
  // Before listening, the error is the start's failure, once.
  const busy = net.createServer();
  const failures: Error[] = [];
  watchServerErrors(busy, (err) => failures.push(err), { error: () => {} });
  busy.emit('error', new Error('listen EADDRINUSE'));
  assert.equal(failures.length, 1);
});
