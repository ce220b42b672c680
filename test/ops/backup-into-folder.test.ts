import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runExport } from '../../src/cli/transfer.ts';
import { tempDir, tempSqliteStore, tempStore } from '../helpers/store.ts';

class Sink { text = ''; write(s: string) { this.text += s; return true; } }

test('paperboy backup given a folder names the mistake and leaves the folder as it was', async () => {
  const store = await tempSqliteStore();
  const folder = path.join(tempDir(), 'backups');
  fs.mkdirSync(folder, { mode: 0o755 });
  fs.chmodSync(folder, 0o755);
  await assert.rejects(store.backup(folder), (err: Error) => {
    assert.equal(err.message, `store/backup: ${folder} is a folder; name the file to write in it, such as ${path.join(folder, 'paperboy-YYYY-MM-DD.db')}`);
    return true;
  });
  // Not made owner-only (0600 on a folder locks the next night's backup out of it).
  assert.equal(fs.statSync(folder).mode & 0o777, 0o755);
  assert.deepEqual(fs.readdirSync(folder), []);
  // A file in that folder is the way.
  const copy = path.join(folder, 'paperboy-2026-11-28.db');
  assert.ok((await store.backup(copy)).bytes > 0);
});

test('paperboy export given a folder names the mistake before reading the store', async () => {
  const store = await tempStore();
  const folder = tempDir();
  const out = new Sink();
  const err = new Sink();
  assert.equal(await runExport(async () => store, [folder], out, err), 1);
  assert.equal(out.text, '');
  assert.equal(err.text, `export: ${folder} is a folder; name the file to write in it, such as ${path.join(folder, 'instance-YYYY-MM-DD.jsonl.gz')}\n`);
  assert.deepEqual(fs.readdirSync(folder), []);
});

test('backup and export refuse a folder named with a trailing slash that does not exist yet, and a pipe, leaving it as it was', async () => {
  const store = await tempSqliteStore();
  const dir = tempDir();
  // "backups/" names a folder: no file called "backups" is written.
  const slash = path.join(dir, 'backups') + '/';
  await assert.rejects(store.backup(slash), /is a folder; name the file to write in it/);
  const err = new Sink();
  assert.equal(await runExport(async () => store, [slash], new Sink(), err), 1);
  assert.match(err.text, /^export: .*backups\/ is a folder; name the file to write in it/);
  assert.deepEqual(fs.readdirSync(dir), []);
  // A named pipe (as a device would be) is not a file to copy into: its mode stays.
  const fifo = path.join(dir, 'pipe');
  assert.equal(spawnSync('mkfifo', ['-m', '644', fifo]).status, 0);
  await assert.rejects(store.backup(fifo), /store\/backup: .*pipe is not a plain file; name the file to write$/);
  assert.equal(fs.statSync(fifo).mode & 0o777, 0o644);
  const err2 = new Sink();
  assert.equal(await runExport(async () => store, [fifo], new Sink(), err2), 1);
  assert.match(err2.text, /is not a plain file/);
});
