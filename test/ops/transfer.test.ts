/**
 * `paperboy export` / `paperboy import --all`: a whole instance to one file and back. The
 * round trip compares every table row by row; the store pair is a parameter, so the same test
 * runs store -> store for any two stores `openStore` can open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { sql } from '../../src/store/kysely.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { INSTANCE_TABLES, SKIPPED_TABLES, uncoveredSchema } from '../../src/store/transfer.ts';
import { exportInstance, importInstance, TransferError } from '../../src/services/instance-file.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { FIXED_NOW, tempDir, tempSqliteStore, tempStore } from '../helpers/store.ts';
import { testStoreKind } from '../helpers/postgres.ts';
import { runPaperboy } from '../helpers/paperboy.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { findIndexMeta } from '../../src/search/store-io.ts';

type Loose = Kysely<Record<string, Record<string, unknown>>>;
const loose = (s: Store) => s.db as unknown as Loose;

/** Something in every table of an instance, with the awkward values: nulls, quotes, unicode, floats, a reply thread. */
async function seedEverything(store: Store): Promise<void> {
  await seedSmallCorpus(store); // papers, versions, authors, categories, announcements, daily entries, demo users and votes
  const db = loose(store);
  const users = await db.insertInto('users').values([
    { username: 'ada', email: 'ada@example.org', display_name: 'Ada “Countess” Lovelace', password_hash: 'scrypt$16384$8$1$c2FsdA$aGFzaA', role: 'admin', is_demo: 0, email_verified_at: FIXED_NOW, suspended_at: null, votes_public: 1, created_at: FIXED_NOW },
    { username: 'bob', email: null, display_name: null, password_hash: null, role: 'member', is_demo: 0, email_verified_at: null, suspended_at: '2026-11-01T00:00:00.000Z', votes_public: 0, created_at: FIXED_NOW },
  ]).returning('id').execute();
  const [ada, bob] = users.map((u) => Number(u.id)) as [number, number];
  await db.updateTable('daily_entries').set({ submitted_by: ada, featured: 1, pinned: 1 }).where('paper_id', '=', '2505.00203').execute();
  await db.updateTable('daily_entries').set({ hidden: 1 }).where('paper_id', '=', '2505.00204').execute();
  await db.insertInto('votes').values({ user_id: ada, paper_id: '2505.00204', created_at: FIXED_NOW }).execute();
  const c1 = await db.insertInto('comments').values({ paper_id: '2505.00201', user_id: ada, parent_id: null, body: 'First!\n\n> quoted "text" & <b>tags</b> 数学', score: 1, created_at: FIXED_NOW, edited_at: null, deleted_at: null, hidden_at: null }).returning('id').executeTakeFirstOrThrow();
  const c2 = await db.insertInto('comments').values({ paper_id: '2505.00201', user_id: bob, parent_id: c1.id, body: 'a reply', score: 0, created_at: FIXED_NOW, edited_at: FIXED_NOW, deleted_at: null, hidden_at: FIXED_NOW }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('comments').values({ paper_id: '2505.00202', user_id: null, parent_id: null, body: '[deleted]', score: 0, created_at: FIXED_NOW, edited_at: null, deleted_at: FIXED_NOW, hidden_at: null }).execute();
  await db.insertInto('comment_votes').values({ user_id: bob, comment_id: c1.id, created_at: FIXED_NOW }).execute();
  await db.insertInto('comment_reports').values({ comment_id: c2.id, user_id: ada, reason: 'spam', created_at: FIXED_NOW, resolved_at: null }).execute();
  const coll = await db.insertInto('collections').values({ user_id: ada, name: 'To read', slug: 'to-read', is_public: 1, created_at: FIXED_NOW, changed_at: FIXED_NOW }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('collection_items').values([{ collection_id: coll.id, paper_id: '2505.00201', added_at: FIXED_NOW }, { collection_id: coll.id, paper_id: 'hep-th/9901001', added_at: FIXED_NOW }]).execute();
  const sub = await db.insertInto('subscriptions').values({ email: 'Reader@Example.org', user_id: null, period: 'weekly', kind: 'search', query: 'cat:cs.CL "sparse attention"', created_at: FIXED_NOW, confirmed_at: FIXED_NOW, unsubscribed_at: null, bounced_at: null, token_nonce: 'nonce-1', confirm_sent_at: FIXED_NOW, bounce_reason: null, updated_at: FIXED_NOW }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('subscriptions').values({ email: 'ada@example.org', user_id: ada, period: 'daily', kind: 'for-you', query: null, created_at: FIXED_NOW, confirmed_at: null, unsubscribed_at: null, bounced_at: null, token_nonce: 'nonce-2', confirm_sent_at: null, bounce_reason: null, updated_at: null }).execute();
  await db.insertInto('outbox').values({ subscription_id: sub.id, period_key: 'weekly:2026-W47', status: 'sent', lease_owner: null, lease_until: null, attempts: 1, message_id: '<m1@paperboy>', last_error: null, created_at: FIXED_NOW, sent_at: FIXED_NOW, period: 'weekly', window_from: '2026-11-16', window_to: '2026-11-22', not_before: null, expires_at: '2026-11-30T00:00:00.000Z', handed_at: FIXED_NOW, paper_ids: '["2505.00201"]', run_id: 1 }).execute();
  await db.insertInto('api_tokens').values({ user_id: ada, name: 'script', token_hash: 'h'.repeat(64), prefix: 'pbt_abcd', scope: 'write', created_at: FIXED_NOW, last_used_at: null, expires_at: null, revoked_at: null }).execute();
  await db.insertInto('email_tokens').values({ token_hash: 'e'.repeat(64), user_id: bob, purpose: 'verify', email: 'bob@example.org', created_at: FIXED_NOW, expires_at: '2026-11-29T12:00:00.000Z', used_at: null }).execute();
  await db.insertInto('author_follows').values({ user_id: ada, author_name: 'Zoë O’Neil', created_at: FIXED_NOW }).execute();
  await db.insertInto('not_interested').values({ user_id: bob, paper_id: '2505.00202', created_at: FIXED_NOW }).execute();
  await db.insertInto('paper_keywords').values([
    { paper_id: '2505.00201', position: 0, keyword: 'sparse attention', score: 2.5 },
    { paper_id: '2505.00201', position: 1, keyword: 'long context', score: 0.125 },
  ]).execute();
  await db.insertInto('paper_keyword_state').values({ paper_id: '2505.00201', source_hash: 'abc123', computed_at: FIXED_NOW }).execute();
  await db.insertInto('sessions').values({ id: 's'.repeat(64), user_id: ada, created_at: FIXED_NOW, expires_at: '2026-12-28T12:00:00.000Z' }).execute();
  await db.insertInto('rate_limits').values({ key: 'signin:203.0.113.7', window_start: 1_700_000_000, count: 3 }).execute();
  await db.insertInto('instance_secrets').values({ name: 'csrf', value: 'c2VjcmV0', created_at: FIXED_NOW }).execute();
  await store.writeJobState('ingest:oai', { from: '2025-05-01', token: null }, FIXED_NOW);
  await store.acquireLease('scheduler:digest', 'some-process', '2099-01-01T00:00:00.000Z', FIXED_NOW);
  const run = await store.startJobRun('ingest', 'oai', FIXED_NOW);
  await store.finishJobRun(run, { status: 'ok', counts: { new: 12, updated: 3 } }, FIXED_NOW);
  // The rows above went in directly: bring the stored counters in line, as the store's own writes keep them.
  await sql`UPDATE papers SET upvotes = (SELECT count(*) FROM votes v WHERE v.paper_id = papers.id),
    comments_count = (SELECT count(*) FROM comments c WHERE c.paper_id = papers.id AND c.deleted_at IS NULL AND c.hidden_at IS NULL)`.execute(store.db);
  await sql`UPDATE comments SET score = (SELECT count(*) FROM comment_votes v WHERE v.comment_id = comments.id)`.execute(store.db);
  assert.deepEqual(await store.integrityProblems(), [], 'the seeded source is consistent');
}

async function allRows(store: Store, table: string): Promise<unknown[]> {
  const spec = INSTANCE_TABLES.find((t) => t.name === table)!;
  let q = loose(store).selectFrom(table).select(spec.columns as string[]);
  for (const k of spec.key) q = q.orderBy(k);
  return q.execute();
}

/** Source -> file -> target, then every table compared row by row. */
async function roundTrip(source: Store, target: Store, file: string): Promise<void> {
  // Pages of 3 rows: every table, single and composite keys alike, is read across page boundaries.
  const out = await exportInstance(source, file, { now: FIXED_NOW, pageRows: 3 });
  const back = await importInstance(target, file, { replace: false });
  assert.equal(back.rows, out.rows);
  assert.deepEqual(back.tables, out.tables);
  for (const spec of INSTANCE_TABLES) {
    const [a, b] = [await allRows(source, spec.name), await allRows(target, spec.name)];
    assert.ok(a.length > 0, `the source has rows in ${spec.name}, so the comparison means something`);
    assert.equal(out.tables[spec.name], a.length, spec.name);
    assert.deepEqual(b, a, `${spec.name} differs after the round trip`);
  }
}

test('every table of the schema is either carried by an export or left out on purpose', async () => {
  const store = await tempStore();
  assert.deepEqual(await uncoveredSchema(store.db), []);
  const names = new Set((await store.db.introspection.getTables()).map((t) => t.name));
  for (const t of [...INSTANCE_TABLES.map((s) => s.name), ...SKIPPED_TABLES]) assert.ok(names.has(t), `${t} exists`);
});

/**
 * The stores a round trip runs between, each a fresh migrated store: every pair is tested. A store
 * for another database joins this list with its own temporary-store helper.
 */
// On the PostgreSQL pass, every pair of stores: SQLite -> PostgreSQL and back as well.
const STORES: [string, () => Promise<Store>][] = testStoreKind() === 'postgres'
  ? [['SQLite', tempSqliteStore], ['PostgreSQL', tempStore]]
  : [['SQLite', tempStore]];

for (const [fromName, makeSource] of STORES) for (const [toName, makeTarget] of STORES) {
test(`round trip ${fromName} -> file -> fresh ${toName} keeps every row of every table; sessions and leases stay behind`, async () => {
  const source = await makeSource();
  await seedEverything(source);
  const target = await makeTarget();
  const file = path.join(tempDir(), 'instance.jsonl.gz');
  await roundTrip(source, target, file);

  // The file: a gzipped JSON-lines header with versions and counts.
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trimEnd().split('\n');
  const header = JSON.parse(lines[0]!);
  assert.equal(header.format, 'paperboy-instance');
  assert.equal(header.version, 1);
  assert.equal(header.schema, (await source.schemaStatus()).current);
  assert.equal(header.tables.users, (await source.stats()).users);
  assert.deepEqual(JSON.parse(lines.at(-1)!), { end: true, rows: header.rows });

  assert.equal((await loose(target).selectFrom('sessions').selectAll().execute()).length, 0, 'sessions are not carried over');
  assert.equal((await loose(target).selectFrom('rate_limits').selectAll().execute()).length, 0);
  const lease = await loose(target).selectFrom('jobs').select(['lease_owner', 'lease_until']).where('name', '=', 'scheduler:digest').executeTakeFirstOrThrow();
  assert.deepEqual(lease, { lease_owner: null, lease_until: null }, 'no lease is carried over');
  assert.deepEqual(await target.readJobState('ingest:oai'), { from: '2025-05-01', token: null });
  assert.deepEqual(await target.integrityProblems(), []);
  assert.deepEqual(await target.stats(), await source.stats());
  if (toName === 'PostgreSQL') {
    // Its search documents are the target's own, computed at import: one per paper, from its text and authors.
    const docs = (await sql<{ papers: string; current: string }>`
      SELECT count(*) AS papers, count(*) FILTER (WHERE d.document = setweight(to_tsvector('english'::regconfig, paper_search_fold(p.title)), 'A')
               || setweight(to_tsvector('english'::regconfig, paper_search_fold(p.abstract)), 'B')
               || setweight(to_tsvector('simple'::regconfig, paper_search_fold(coalesce(a.names, ''))), 'C')) AS current
      FROM papers p LEFT JOIN paper_search_documents d ON d.paper_id = p.id
      LEFT JOIN LATERAL (SELECT string_agg(name, ' ' ORDER BY position) AS names FROM paper_authors WHERE paper_id = p.id) a ON true`.execute(target.db)).rows[0]!;
    assert.ok(Number(docs.papers) > 0);
    assert.equal(Number(docs.current), Number(docs.papers), 'every paper has its search document, with its authors');
  }

  // And the exported target exports the same instance again (the file is a fixed point).
  const again = path.join(tempDir(), 'again.jsonl.gz');
  await exportInstance(target, again, { now: FIXED_NOW });
  // (Only the header's `source` may differ, when the target is another kind of store.)
  const withoutSource = (f: string) => zlib.gunzipSync(fs.readFileSync(f)).toString('utf8').replace(/"source":"(sqlite|postgres)"/, '"source":"-"');
  assert.deepEqual(withoutSource(again), withoutSource(file));

  // New rows on the target get ids after the imported ones.
  const u = await loose(target).insertInto('users').values({ username: 'carol', role: 'member', is_demo: 0, votes_public: 1, created_at: FIXED_NOW }).returning('id').executeTakeFirstOrThrow();
  const maxSource = Math.max(...(await allRows(source, 'users')).map((r) => Number((r as { id: number }).id)));
  assert.ok(Number(u.id) > maxSource);
});
}

test('a search index saved while the target was empty is dropped by the import, so the next start builds one of the imported papers', async () => {
  const source = await tempStore();
  await seedSmallCorpus(source);
  const file = path.join(tempDir(), 'instance.jsonl.gz');
  await exportInstance(source, file, { now: FIXED_NOW });
  const target = await tempStore();
  const empty = await SearchIndex.open(target, { semantic: false, buildInWorker: false }, true); // as a first `serve` with PAPERBOY_DEMO=false
  await empty.close();
  assert.ok(await findIndexMeta(target.db), 'an index was saved while the store was empty');
  await importInstance(target, file, { replace: false });
  assert.equal(await findIndexMeta(target.db), null, 'the import dropped it');
  const reopened = await SearchIndex.open(target, { semantic: false, buildInWorker: false }, true);
  assert.equal(reopened.status().papers, (await source.stats()).papers, 'built again, of the imported papers');
  await reopened.close();
});

test('import refuses a store with content unless told to replace it; a bad or cut-off file changes nothing', async () => {
  const source = await tempStore();
  await seedEverything(source);
  const file = path.join(tempDir(), 'instance.jsonl.gz');
  await exportInstance(source, file, { now: FIXED_NOW });

  const target = await tempStore();
  await seedSmallCorpus(target);
  const before = await target.stats();
  await assert.rejects(importInstance(target, file, { replace: false }), (e: Error) => e instanceof TransferError && /not empty \(users=\d+ papers=5/.test(e.message));
  assert.deepEqual(await target.stats(), before);

  // A file cut off in the middle (as a full disk or an interrupted copy leaves it): nothing at all is imported.
  const raw = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
  const cut = path.join(tempDir(), 'cut.jsonl.gz');
  fs.writeFileSync(cut, zlib.gzipSync(raw.slice(0, Math.floor(raw.length * 0.7)).join('\n')));
  await assert.rejects(importInstance(target, cut, { replace: true }), (e: Error) => e instanceof TransferError && /ends early|rows, the file said/.test(e.message));
  assert.deepEqual(await target.stats(), before, 'the failed import rolled back, the replace included');
  const truncatedGzip = path.join(tempDir(), 'trunc.jsonl.gz');
  const gz = fs.readFileSync(file);
  fs.writeFileSync(truncatedGzip, gz.subarray(0, Math.floor(gz.length / 2)));
  await assert.rejects(importInstance(target, truncatedGzip, { replace: true }), TransferError);
  assert.deepEqual(await target.stats(), before);
  // A row that breaks a constraint (a vote for a paper that is not in the file) rolls everything back too.
  const broken = raw.map((l) => l.replace('"2505.00204","2026-11-28T12:00:00.000Z"]', '"9999.99999","2026-11-28T12:00:00.000Z"]'));
  assert.notDeepEqual(broken, raw);
  const bad = path.join(tempDir(), 'bad.jsonl.gz');
  fs.writeFileSync(bad, zlib.gzipSync(broken.join('\n')));
  await assert.rejects(importInstance(target, bad, { replace: true }), (e: Error) => e instanceof TransferError && /votes: .*FOREIGN KEY/i.test(e.message));
  assert.deepEqual(await target.stats(), before);
  const notOurs = path.join(tempDir(), 'other.jsonl.gz');
  fs.writeFileSync(notOurs, zlib.gzipSync('{"id":"2505.00001","title":"T"}\n'));
  await assert.rejects(importInstance(target, notOurs, { replace: true }), /not a Paperboy instance export/);
  const newer = path.join(tempDir(), 'newer.jsonl.gz');
  fs.writeFileSync(newer, zlib.gzipSync([JSON.stringify({ ...JSON.parse(raw[0]!), schema: 999 }), ...raw.slice(1)].join('\n')));
  await assert.rejects(importInstance(target, newer, { replace: true }), /schema 999, newer than this store's/);

  // Told to replace: the target becomes the source.
  await importInstance(target, file, { replace: true });
  assert.deepEqual(await target.stats(), await source.stats());
  for (const spec of INSTANCE_TABLES) assert.deepEqual(await allRows(target, spec.name), await allRows(source, spec.name), spec.name);
});

const paperboy = runPaperboy;

test('paperboy export and import --all: summary lines, exit codes, refusal of a store with content', async () => {
  const dir = tempDir();
  const src = await openStore(`sqlite:${path.join(dir, 'src.db')}`);
  await src.migrate(FIXED_NOW);
  await seedEverything(src);
  const stats = await src.stats();
  await src.close();
  const file = path.join(dir, 'out', 'instance.jsonl.gz');

  const ex = paperboy(['export', file], { DATABASE_URL: `sqlite:${path.join(dir, 'src.db')}` });
  assert.equal(ex.code, 0, ex.stderr);
  assert.match(ex.stdout, /^export done file=.*instance\.jsonl\.gz rows=\d+ bytes=\d+ ms=\d+ users=\d+ papers=5 /);
  assert.doesNotMatch(ex.stdout + ex.stderr, /\[=*-*\]/, 'no progress bar on a pipe');

  const env = { DATABASE_URL: `sqlite:${path.join(dir, 'dst.db')}` };
  const im = paperboy(['import', '--all', file], env);
  assert.equal(im.code, 0, im.stderr + im.stdout);
  assert.match(im.stdout, /^import done file=.* rows=\d+ .* comments=3 /);
  const st = paperboy(['stats'], env);
  assert.match(st.stdout, new RegExp(`papers=${stats.papers} dailyEntries=${stats.dailyEntries} announcements=${stats.announcements} users=${stats.users} votes=${stats.votes}`));

  const again = paperboy(['import', '--all', file], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /the store is not empty .* add --replace .*; nothing was imported/);
  assert.equal(paperboy(['import', '--all', file, '--replace'], env).code, 0);
  assert.equal(paperboy(['import', '--all'], env).code, 2);
  assert.equal(paperboy(['export'], env).code, 2);
  // Mistyped arguments touch no database: one that is not migrated yet stays as it is.
  const untouched = path.join(dir, 'untouched.db');
  const raw = new BetterSqlite3(untouched);
  raw.exec('CREATE TABLE kept (x INTEGER)');
  raw.close();
  for (const args of [['export'], ['export', 'a.gz', 'b.gz'], ['export', '--bogus', 'a.gz']]) {
    const r = paperboy(args, { DATABASE_URL: `sqlite:${untouched}` });
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /usage: paperboy export FILE/);
  }
  const check = new BetterSqlite3(untouched, { readonly: true });
  assert.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [{ name: 'kept' }], 'not migrated');
  check.close();
  const missing = paperboy(['import', '--all', path.join(dir, 'nope.gz')], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.gz: ENOENT/);
});
