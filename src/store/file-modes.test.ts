import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from './index.ts';

test('a new SQLite store is owner-only: its folder 0700, the database and its WAL files 0600', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-modes-'));
  const file = path.join(root, 'data', 'paperboy.db');
  const store = await openStore(`sqlite:${file}`);
  try {
    await store.migrate(new Date().toISOString());
    const mode = (p: string) => fs.statSync(p).mode & 0o777;
    assert.equal(mode(path.dirname(file)), 0o700);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(mode(f), 0o600, f);
  } finally {
    await store.close();
  }
});
