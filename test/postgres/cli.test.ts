/**
 * The CLI on PostgreSQL (PAPERBOY_TEST_STORE=postgres): migrate from an empty database, import and
 * stats, backup guidance, readiness, a clear line when the server cannot be reached, and digests
 * whose alerts PostgreSQL's search engine matches.
 */
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.ts';
import { openStore } from '../../src/store/index.ts';
import { bundledMigrations } from '../../src/store/sqlite/migrate.ts';
import { createTestDatabase, testStoreKind } from '../helpers/postgres.ts';
import { runDigestCli } from '../../src/cli/digest.ts';
import { DIGEST_DEFAULTS } from '../../src/services/digest-config.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { tempDir, tempStore } from '../helpers/store.ts';
import { runPaperboy } from '../helpers/paperboy.ts';

const skip = testStoreKind() === 'postgres' ? false : 'needs PAPERBOY_TEST_STORE=postgres (npm test runs it on PostgreSQL)';

const paperboy = (args: string[], env: Record<string, string>) => runPaperboy(args, { PAPERBOY_DATA_DIR: tempDir(), ...env });

test('migrate an empty PostgreSQL database, import, stats; backup points to pg_dump', { skip }, async () => {
  const db = await createTestDatabase({ migrated: false });
  after(() => db.drop());
  const env = { DATABASE_URL: db.url };
  const all = bundledMigrations();
  const m = paperboy(['migrate'], env);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, new RegExp(`^migrate done applied=${all.length} version=${all.at(-1)!.version}`));
  assert.match(paperboy(['migrate'], env).stdout, /^migrate done applied=0 /);

  const file = path.join(tempDir(), 'in.jsonl');
  const row = (id: string, title: string) => JSON.stringify({ id, title, authors: ['A'], categories: ['cs.CL'], abstract: 'x', listing_dates: ['2025-05-06'] });
  fs.writeFileSync(file, [row('2505.00001', 'One'), row('2505.00002', 'Two\u0000with a NUL')].join('\n'));
  const imp = paperboy(['import', file], env);
  assert.equal(imp.code, 0, imp.stdout + imp.stderr);
  assert.match(paperboy(['stats'], env).stdout, /papers=2 dailyEntries=0 announcements=2/);

  const backup = paperboy(['backup', path.join(tempDir(), 'copy.db')], env);
  assert.equal(backup.code, 1);
  assert.match(backup.stderr, /pg_dump --format=custom/);
  assert.doesNotMatch(backup.stderr, /\n\s+at /, 'no stack trace');

  const store = await openStore(db.url);
  try {
    assert.deepEqual(await store.readiness(), { ok: true, problem: null });
    assert.deepEqual(await store.integrityProblems(), []);
    assert.equal((await store.findPaperById('2505.00002'))?.title, 'Twowith a NUL');
  } finally {
    await store.close();
  }
});

test('a PostgreSQL server that cannot be reached: one clear line, exit 1', { skip }, () => {
  const r = paperboy(['migrate'], { DATABASE_URL: 'postgres://paperboy:secret@127.0.0.1:1/paperboy' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot connect to PostgreSQL at postgres:\/\/paperboy:\*\*\*@127\.0\.0\.1:1\/paperboy/);
  assert.doesNotMatch(r.stderr, /secret/, 'the password is not shown');
});

test('readiness reports pending migrations on a database that is behind', { skip }, async () => {
  const db = await createTestDatabase({ migrated: false });
  after(() => db.drop());
  const store = await openStore(db.url);
  try {
    const r = await store.readiness();
    assert.equal(r.ok, false);
    assert.match(r.problem ?? '', /migrations pending: 001_initial/);
  } finally {
    await store.close();
  }
});

test('paperboy digest with PAPERBOY_SEARCH_ENGINE=postgres: alerts are matched by PostgreSQL\'s engine; no in-memory index is built', { skip, timeout: 120_000 }, async () => {
  const store = await tempStore();
  await seedSmallCorpus(store);
  await insertSubscription(digestDb(store.db), {
    email: 'alerts@example.org', userId: null, period: 'daily', kind: 'search', query: 'sparse documents', nonce: newNonce(), confirmed: true, confirmSent: false,
  }, '2025-05-01T00:00:00.000Z');
  const outDir = tempDir();
  let out = '';
  const config = { baseUrl: 'https://papers.example.org', siteName: 'Paperboy', mailFrom: 'Paperboy <d@papers.example.org>', outboxDir: tempDir(), smtp: null, searchEngine: 'postgres' as const };
  const code = await runDigestCli(config, { ...DIGEST_DEFAULTS, unsubscribeMailto: null }, store, ['send', '--date', '2025-05-06', '--dry-run', '--out', outDir], { write: (s: string) => { out += s; } });
  assert.equal(code, 0, out);
  assert.match(out, /would send to=alerts@example.org papers=1 /, out);
  const count = async (table: string) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(store.db)).rows[0]!.n);
  assert.equal(await count('search_index_meta'), 0, 'the in-memory index was not built');
  assert.ok(await count('search_models') >= 1, 'PostgreSQL\'s engine built its model');
});

test('sslmode=prefer against a server without TLS: refused with the advice to write sslmode=disable (no silent fallback)', { skip }, async () => {
  const db = await createTestDatabase({ migrated: true });
  try {
    const url = new URL(db.url);
    url.searchParams.set('sslmode', 'prefer');
    url.searchParams.set('uselibpqcompat', 'true');
    const r = paperboy(['stats'], { DATABASE_URL: url.toString() });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /does not support SSL connections \(sslmode=prefer and allow do not fall back to an unencrypted connection here: use sslmode=disable/);
    url.searchParams.set('sslmode', 'disable');
    assert.equal(paperboy(['stats'], { DATABASE_URL: url.toString() }).code, 0);
  } finally {
    await db.drop();
  }
});
