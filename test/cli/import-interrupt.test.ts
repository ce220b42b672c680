/**
 * `paperboy import` stopped with Ctrl-C (SIGINT) or by a service manager (SIGTERM) part way through
 * a large file: a real process, stopped once its first batches are in the store.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../src/store/index.ts';
import { nodeArgs } from '../helpers/paperboy.ts';
import { testStoreKind } from '../helpers/postgres.ts';
import { FIXED_NOW, keywordsBegun, papersWithKeywords, tempDatabaseUrl, tempDir } from '../helpers/store.ts';

const children: ChildProcess[] = [];
after(() => { for (const c of children) c.kill('SIGKILL'); });

const LINES = 6_000;

/** A migrated store, and `paperboy import FILE` started on it as a real process, its output collected. */
async function startImport(file: string) {
  const databaseUrl = await tempDatabaseUrl();
  const env = { ...process.env, LOG_LEVEL: 'silent', PAPERBOY_DATA_DIR: tempDir(), DATABASE_URL: databaseUrl };
  const store = await openStore(databaseUrl);
  await store.migrate(FIXED_NOW);
  const run = () => {
    const child = spawn(process.execPath, [...nodeArgs('src/main.ts'), 'import', file], { env });
    children.push(child);
    const out = { stdout: '', stderr: '', ended: false };
    child.stdout.on('data', (d) => { out.stdout += d; });
    child.stderr.on('data', (d) => { out.stderr += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { out.ended = true; resolve(code); }));
    return { child, out, exited };
  };
  return { store, run };
}

function bigFile(): string {
  const file = path.join(tempDir(), 'big.jsonl');
  const row = (i: number) => JSON.stringify({
    id: `2506.${String(10000 + i)}`, title: `Paper number ${i} on sparse attention`, authors: ['A. Author'], categories: ['cs.CL'],
    abstract: `We study case ${i} of sparse attention for long documents.`, listing_dates: ['2025-06-02'],
  });
  fs.writeFileSync(file, Array.from({ length: LINES }, (_, i) => row(i)).join('\n'));
  return file;
}

/**
 * Which signal stops the command does not depend on the store: PostgreSQL's run stops each phase
 * with one of them, to check that what was read (or computed) is kept there too.
 */
const onPostgres = testStoreKind() === 'postgres';

for (const signal of onPostgres ? ['SIGTERM'] as const : ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} mid-file: exit 130, the summary says stopped=interrupted, what was read is kept, and importing again finishes`, { timeout: 120_000 }, async () => {
    const { store, run } = await startImport(bigFile());
    try {
      const { child, out, exited } = run();
      while ((await store.stats()).papers < 2_000) {
        assert.ok(!out.ended, `the import ended before its first batch was in:\n${out.stdout}${out.stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill(signal);
      assert.equal(await exited, 130, out.stdout + out.stderr);
      const summary = /^import done lines=(\d+) new=(\d+) .* file=.*big\.jsonl stopped=interrupted$/m.exec(out.stdout);
      assert.ok(summary, out.stdout);
      const read = Number(summary[1]);
      assert.ok(read >= 2_000 && read < LINES, `stopped part way (${read} lines)`);
      assert.match(out.stderr, new RegExp(`big\\.jsonl: interrupted after line ${read}: the lines read were imported and are kept`));
      assert.equal((await store.stats()).papers, read, 'every line read is in the store, none after');

      const again = run();
      assert.equal(await again.exited, 0, again.out.stdout);
      const out2 = again.out.stdout;
      assert.match(out2, new RegExp(`^import done lines=${LINES} new=${LINES - read} updated=0 unchanged=${read} `, 'm'));
      assert.equal((await store.stats()).papers, LINES);
    } finally {
      await store.close();
    }
  });
}

for (const signals of onPostgres ? [['SIGTERM']] as const : [['SIGTERM'], ['SIGINT', 'SIGINT']] as const) {
  test(`${signals.join(' then ')} once every line is read (keywords phase): exit 130, stopped=interrupted, the keywords done are kept, the rest come with the next import`, { timeout: 120_000 }, async () => {
    const { store, run } = await startImport(bigFile());
    try {
      const { child, out, exited } = run();
      // No keywords are computed before the last line is in: once they begin, every line has been read.
      while (!(await keywordsBegun(store))) {
        assert.ok(!out.ended, `the import ended before its keywords phase was seen:\n${out.stdout}${out.stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal((await store.stats()).papers, LINES, 'every line is in before keywords');
      for (const signal of signals) child.kill(signal);
      assert.equal(await exited, 130, out.stdout + out.stderr);
      if (signals.length === 1) {
        assert.match(out.stdout, new RegExp(`^import done lines=${LINES} new=${LINES} .* file=.*big\\.jsonl stopped=interrupted$`, 'm'));
        const said = /big\.jsonl: interrupted while computing keywords: all (\d+) lines were imported and are kept; keywords of (\d+) of (\d+) papers were computed and are kept/.exec(out.stderr);
        assert.ok(said, out.stderr);
        assert.equal(Number(said[1]), LINES);
        assert.equal(Number(said[3]), LINES);
        assert.ok(Number(said[2]) < LINES, `stopped before the last paper's keywords (${said[2]})`);
        assert.equal(await papersWithKeywords(store), Number(said[2]), 'the keywords said to be kept are in the store');
      }
      const kept = await papersWithKeywords(store);
      assert.ok(kept < LINES, `keywords stopped part way (${kept} of ${LINES})`);
      assert.equal((await store.stats()).papers, LINES);

      const again = run();
      assert.equal(await again.exited, 0, again.out.stdout);
      const out2 = again.out.stdout;
      assert.match(out2, new RegExp(`^import done lines=${LINES} new=0 updated=0 unchanged=${LINES} `, 'm'));
      assert.equal(await papersWithKeywords(store), LINES, 'the next import computed the keywords left undone');
    } finally {
      await store.close();
    }
  });
}
