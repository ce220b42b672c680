/**
 * The `paperboy` command line where no test store is involved: help, settings, and commands run on
 * a SQLite database in a folder of their own (PAPERBOY_DATA_DIR), whatever PAPERBOY_TEST_STORE says.
 * In test/commands, not test/cli: they run once, not again in the PostgreSQL run, where they would
 * do exactly the same. test/cli/cli.test.ts keeps what runs on the test store (serve).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/store.ts';
import { bundledMigrations } from '../../src/store/sqlite/migrate.ts';
import { runPaperboy } from '../helpers/paperboy.ts';

const paperboy = runPaperboy;

test('paperboy help lists the commands', () => {
  const r = paperboy(['help']);
  assert.equal(r.code, 0);
  for (const cmd of ['serve', 'migrate', 'import', 'stats']) assert.match(r.stdout, new RegExp(`\\n  ${cmd}`));
  assert.equal(paperboy(['frobnicate']).code, 2);
  // No command is a usage error: the usage goes to stderr, as every other usage error's does.
  const none = paperboy([]);
  assert.equal(none.code, 2);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /\n  serve/);
  // The problem first, as for an unknown command.
  assert.match(none.stderr, /^paperboy: name a command\n/);
  assert.match(paperboy(['frobnicate']).stderr, /^paperboy: unknown command "frobnicate"\n/);
});

test('invalid settings are all reported at once and nothing starts', () => {
  const r = paperboy(['migrate'], { PORT: 'abc', LOG_LEVEL: 'chatty', PAPERBOY_CATEGORIES: 'cs.CL,not a category' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /3 invalid setting/);
  assert.match(r.stderr, /PORT/);
  assert.match(r.stderr, /LOG_LEVEL/);
  assert.match(r.stderr, /PAPERBOY_CATEGORIES/);
});

test('a misspelt setting is named on stderr, with the setting it resembles, and the command still runs', () => {
  const dir = tempDir();
  const r = paperboy(['migrate'], { PAPERBOY_DATA_DIR: dir, PAPERBOY_SMTP_HOTS: 'mail.example.org' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^migrate done/);
  assert.match(r.stderr, /^paperboy: warning: PAPERBOY_SMTP_HOTS is not a setting and is ignored \(did you mean PAPERBOY_SMTP_HOST\?\)/m);
  // Also when the settings are invalid: the misspelt name may be why.
  const bad = paperboy(['migrate'], { PAPERBOY_DATA_DIR: dir, PAPERBOY_EMBEDDER: 'openai', PAPERBOY_EMBEDER_URL: 'http://127.0.0.1:8080/v1' });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^paperboy: warning: PAPERBOY_EMBEDER_URL is not a setting and is ignored \(did you mean PAPERBOY_EMBEDDER_URL\?\)/m);
  assert.match(bad.stderr, /PAPERBOY_EMBEDDER_URL/);
});

test('migrate, import with a bad line, stats: summary lines and exit codes', () => {
  const dir = tempDir();
  const env = { PAPERBOY_DATA_DIR: dir };
  const m = paperboy(['migrate'], env);
  assert.equal(m.code, 0, m.stderr);
  const all = bundledMigrations();
  const latest = all.at(-1)!.version;
  assert.match(m.stdout, new RegExp(`^migrate done applied=${all.length} version=${latest}`));
  assert.match(paperboy(['migrate'], env).stdout, new RegExp(`^migrate done applied=0 version=${latest}`));

  const file = path.join(dir, 'in.jsonl');
  const row = (id: string) => JSON.stringify({ id, title: 'T', authors: ['A'], categories: ['cs.CL'], abstract: 'x', listing_dates: ['2025-05-06'] });
  fs.writeFileSync(file, [row('2505.00001'), 'garbage', row('2505.00002')].join('\n'));
  const r = paperboy(['import', file], env);
  assert.equal(r.code, 1, 'line errors make the exit code non-zero');
  assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:2: not JSON`), 'bad lines are listed on stderr');
  assert.doesNotMatch(r.stdout, /not JSON/);
  assert.match(r.stdout, /import done lines=3 new=2 updated=0 unchanged=0 listed=0 announced=2 errors=1 ms=\d+/);
  assert.doesNotMatch(r.stdout + r.stderr, /\[=*-*\]/, 'no progress bar on a pipe');

  const s = paperboy(['stats'], env);
  assert.equal(s.code, 0);
  assert.match(s.stdout, /papers=2 dailyEntries=0 announcements=2/);

  const missing = paperboy(['import', path.join(dir, 'nope.jsonl')], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.jsonl: ENOENT/);
});

test('admin create-user makes an account that can sign in; bad input is refused', () => {
  const dir = tempDir();
  const env = { PAPERBOY_DATA_DIR: dir, PAPERBOY_NEW_PASSWORD: 'correct horse battery staple' };
  const ok = paperboy(['admin', 'create-user', '--username', 'boss', '--email', 'boss@example.org', '--role', 'admin'], env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /admin done created=boss role=admin/);
  const dup = paperboy(['admin', 'create-user', '--username', 'boss', '--email', 'other@example.org', '--role', 'member'], env);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /boss is taken/);
  const weak = paperboy(['admin', 'create-user', '--username', 'weak', '--email', 'w@example.org', '--role', 'member'], { ...env, PAPERBOY_NEW_PASSWORD: 'short' });
  assert.equal(weak.code, 1);
  assert.match(weak.stderr, /at least 10 characters/);
  assert.equal(paperboy(['admin', 'create-user', '--username', 'x', '--email', 'x@example.org', '--role', 'king'], env).code, 2);
});

test('ingest against an unreachable arXiv fails with a clear line and a recorded failed run', () => {
  const dir = tempDir();
  const env = { PAPERBOY_DATA_DIR: dir, PAPERBOY_ARXIV_API_URL: 'http://127.0.0.1:9/api', PAPERBOY_ARXIV_OAI_URL: 'http://127.0.0.1:9/oai', PAPERBOY_ARXIV_RSS_URL: 'http://127.0.0.1:9/rss', PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0', PAPERBOY_ARXIV_MAX_RETRIES: '0' };
  const r = paperboy(['ingest', '--api', '--ids', '2407.13168'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /stopped: .*(ECONNREFUSED|connect|fetch failed)/i);
  assert.match(r.stdout, /ingest done mode=api new=0 .* errors=1 .* failed/);
});
