/**
 * The bundled demo corpus for test servers, imported once per test run and store rather than once
 * per server: `paperboy serve` on an empty store imports it (about ten thousand papers), which
 * took much of a browser test file's set-up, on both stores.
 *
 * scripts/run-tests.ts names a folder for the run's shared fixtures (PAPERBOY_TEST_RUN_DIR). The
 * first test process that wants the demo imports it as `serve` does (importDemo on a migrated
 * store), builds and saves its search index, and keeps the result: a SQLite file in that folder, or
 * a template database on PostgreSQL. Every server then starts on a copy of it and loads that index.
 * The index is built with a small corpus-trained embedder (SMALL_EMBEDDER): the default one trains
 * for minutes on the demo, and every server used to do so in the background for as long as its
 * test file ran, on a core the tests needed. Servers still search by keyword, meaning and both.
 * Without that folder (a test file run by itself), there is no copy and the server imports the
 * demo and builds its index itself, as after a first start.
 *
 * The test of the first start itself (test/cli/cli.test.ts) asks for an empty store instead.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SearchIndex } from '../../src/search/search-index.ts';
import { importDemo } from '../../src/services/demo.ts';
import { openStore } from '../../src/store/index.ts';
import { SMALL_EMBEDDER } from '../search/fixtures.ts';
import { atEndOfFile, createTestDatabase, testStoreKind, withAdmin } from './postgres.ts';

/** Settings that change what a server makes of the demo (or whether it gets one): with any of them, no copy. */
const OWN_DEMO_SETTINGS = /^(DATABASE_URL|PAPERBOY_DEMO|PAPERBOY_EMBEDDER.*|PAPERBOY_SEARCH_ENGINE)$/;

/** Any number would do: one lock id so that test processes starting together import the demo once. */
const DEMO_LOCK_ID = 8_150_003;

/** The PostgreSQL template database holding the run's demo (named after the run's folder). */
export function demoTemplateName(runDir: string): string {
  return `paperboy_demo_${crypto.createHash('sha256').update(runDir).digest('hex').slice(0, 12)}`;
}

/**
 * For a test server with settings `env` and data folder `dataDir`: the settings that start it on a
 * copy of this run's demo ({} for SQLite, whose copy is put where the server looks by default; a
 * DATABASE_URL on PostgreSQL), or null when there is no copy to be had and it should import the demo itself.
 */
export async function demoCopy(env: Record<string, string>, dataDir: string): Promise<Record<string, string> | null> {
  const runDir = process.env.PAPERBOY_TEST_RUN_DIR;
  if (!runDir || Object.keys(env).some((k) => OWN_DEMO_SETTINGS.test(k))) return null;
  if (testStoreKind() === 'postgres') {
    const template = await postgresDemo(runDir);
    const db = await createTestDatabase({ template });
    atEndOfFile(() => db.drop());
    return { DATABASE_URL: db.url };
  }
  const file = await sqliteDemo(runDir);
  fs.copyFileSync(file, path.join(dataDir, 'paperboy.db'));
  return {};
}

/** Imports the demo into the migrated store at `url`, as a first `serve` does, and saves its search index. */
async function importDemoInto(url: string): Promise<void> {
  const store = await openStore(url);
  try {
    await store.migrate(new Date().toISOString());
    await importDemo(store, { now: () => new Date().toISOString() });
    const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
    await index.close();
  } finally {
    await store.close();
  }
}

/** The run's SQLite demo file: made by whichever test process asks first, while the others wait for it. */
async function sqliteDemo(runDir: string): Promise<string> {
  const file = path.join(runDir, 'demo.db');
  const lock = path.join(runDir, 'demo.db.lock');
  for (;;) {
    if (fs.existsSync(file)) return file;
    try {
      fs.mkdirSync(lock);
    } catch {
      // Another process is importing it; if that process is gone, its lock goes too.
      let owner = 0;
      try {
        owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        // No pid yet (just made), or the lock just went: look again.
      }
      if (owner > 0 && !alive(owner)) fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      const building = path.join(lock, 'demo.db');
      await importDemoInto(`sqlite:${building}`);
      for (const suffix of ['-wal', '-shm']) if (fs.existsSync(building + suffix)) throw new Error(`demo store: ${building}${suffix} left after closing`);
      fs.renameSync(building, file);
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The run's PostgreSQL demo template: made under an advisory lock by whichever test process asks first. */
async function postgresDemo(runDir: string): Promise<string> {
  const name = demoTemplateName(runDir);
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [DEMO_LOCK_ID]);
    try {
      const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rows.length > 0) return;
      const db = await createTestDatabase();
      try {
        await importDemoInto(db.url);
        // The closed store's connections may take a moment to go.
        for (let i = 0; ; i++) {
          try {
            await admin.query(`ALTER DATABASE ${new URL(db.url).pathname.slice(1)} RENAME TO ${name}`);
            break;
          } catch (err) {
            if (i >= 60) throw err;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      } catch (err) {
        await db.drop();
        throw err;
      }
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [DEMO_LOCK_ID]);
    }
  });
  return name;
}

/**
 * `node --import tsx test/helpers/demo-store.ts`: imports the run's demo for the store that
 * PAPERBOY_TEST_STORE names ahead of the test files that want it (scripts/run-tests.ts starts it first).
 */
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const runDir = process.env.PAPERBOY_TEST_RUN_DIR;
  if (!runDir) throw new Error('demo store: PAPERBOY_TEST_RUN_DIR names no folder');
  if (testStoreKind() === 'postgres') await postgresDemo(runDir);
  else await sqliteDemo(runDir);
}
