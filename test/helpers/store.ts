/**
 * Test stores: a real SQLite file in a fresh temporary folder, migrated, removed after the test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { openStore, type Store } from '../../src/store/index.ts';

export const FIXED_NOW = '2026-11-28T12:00:00.000Z';

/** A migrated store on a new SQLite file; closed and deleted when the calling test file ends. */
export async function tempStore(): Promise<Store> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-test-'));
  const store = await openStore(`sqlite:${path.join(dir, 'test.db')}`);
  await store.migrate(FIXED_NOW);
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

/** A temporary folder removed when the calling test file ends. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-test-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
