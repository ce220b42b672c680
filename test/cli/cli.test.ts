import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { tempDir } from '../helpers/store.ts';
import { startTestServer } from '../helpers/server.ts';
import { bundledMigrations } from '../../src/store/sqlite/migrate.ts';
import { runPaperboy } from '../helpers/paperboy.ts';
import { DEMO_CORPUS } from '../../src/services/demo.ts';

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

/** A figure as the README writes it ("10,511"), as a number. */
function figure(text: string, re: RegExp): number {
  const m = re.exec(text);
  assert.ok(m, `the text states ${re}`);
  return Number(m[1]!.replaceAll(',', ''));
}

test('serve imports the whole bundled demo into an empty store (no weekend announcements; the READMEs state its figures), then answers', async () => {
  const lines = zlib.gunzipSync(fs.readFileSync(DEMO_CORPUS)).toString('utf8').split('\n').filter(Boolean);
  const { server, store } = await startTestServer({}, { emptyStore: true });
  try {
    const stats = await store.stats();
    assert.equal(stats.papers, lines.length, 'every line of the demo is a paper of the store');
    assert.ok(stats.dailyEntries > 900);
    assert.ok(stats.demoVotes > 0);
    assert.equal(stats.votes, stats.demoVotes);

    // arXiv announces Monday to Friday: no "New on arXiv" day falls on a weekend.
    const days = await store.db.selectFrom('announcements').select('day').distinct().execute();
    const weekend = days.map((d) => d.day).filter((d) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
    assert.deepEqual(weekend, []);
    assert.ok(stats.announcements < lines.length * 1.05, `${stats.announcements} announcements of ${lines.length} papers: few papers are announced twice`);

    const readme = fs.readFileSync('README.md', 'utf8');
    assert.equal(figure(readme, /([\d,]+) real arXiv cs\.\* papers/), stats.papers);
    assert.equal(figure(readme, /on which ([\d,]+)\s+of them entered/), stats.dailyEntries);
    const demoReadme = fs.readFileSync('demo/README.md', 'utf8');
    assert.equal(figure(demoReadme, /([\d,]+) real arXiv cs\.\* papers/), stats.papers);
    assert.equal(figure(demoReadme, /for ([\d,]+) of them/), stats.dailyEntries);

    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Friday, July 4, 2025/);
  } finally {
    await server.close();
    await store.close();
  }
});

test('serve with the demo off starts empty', async () => {
  const { server, store } = await startTestServer({ PAPERBOY_DEMO: 'false' });
  try {
    assert.equal((await store.stats()).papers, 0);
    assert.match(await (await fetch(`${server.url}/`)).text(), /No daily list yet/);
  } finally {
    await server.close();
    await store.close();
  }
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

test('backup writes a consistent copy that opens as a store with the same data; /readyz says ready', async () => {
  const { server, store, dataDir } = await startTestServer({ PAPERBOY_DEMO: 'false' });
  try {
    const file = path.join(dataDir, 'in.jsonl');
    fs.writeFileSync(file, JSON.stringify({ id: '2505.00001', title: 'T', authors: ['A'], categories: ['cs.CL'], abstract: 'x', listing_dates: ['2025-05-06'] }));
    assert.equal(paperboy(['import', file], { PAPERBOY_DATA_DIR: dataDir }).code, 0);
    const copy = path.join(tempDir(), 'copy.db');
    const r = paperboy(['backup', copy], { PAPERBOY_DATA_DIR: dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /backup done file=.*copy\.db bytes=\d+/);
    const { openStore } = await import('../../src/store/index.ts');
    const restored = await openStore(`sqlite:${copy}`);
    try {
      assert.equal((await restored.stats()).papers, 1);
      assert.deepEqual(await restored.integrityProblems(), []);
      assert.deepEqual(await restored.readiness(), { ok: true, problem: null });
    } finally {
      await restored.close();
    }
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), 'ready');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.close();
    await store.close();
  }
});
