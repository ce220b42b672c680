import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
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
  assert.equal(await runExport(store, [folder], out, err), 1);
  assert.equal(out.text, '');
  assert.equal(err.text, `export: ${folder} is a folder; name the file to write in it, such as ${path.join(folder, 'instance-YYYY-MM-DD.jsonl.gz')}\n`);
  assert.deepEqual(fs.readdirSync(folder), []);
});
