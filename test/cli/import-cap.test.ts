/**
 * `paperboy import --max-unpacked SIZE`: a file that unpacks to more than the cap stops there with a
 * message saying how much was read, that the whole lines before it were kept and how to raise the
 * cap, and a non-zero exit. A real gzip file and the real command, on the store PAPERBOY_TEST_STORE
 * names. Bad sizes, refused before any store is opened, are in test/commands/import-cap-usage.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { IMPORT_BATCH_LINES } from '../../src/services/import.ts';
import { openStore } from '../../src/store/index.ts';
import { atEndOfFile } from '../helpers/postgres.ts';
import { tempDatabaseUrl, tempDir } from '../helpers/store.ts';
import { runPaperboy } from '../helpers/paperboy.ts';

const paperboy = runPaperboy;

const CAP = 500_000;
/** Listing lines of about 180 bytes: 4,000 of them unpack to about 720 KB, past the cap after more than one batch. */
const LINES = Array.from({ length: 4_000 }, (_, i) => JSON.stringify({
  id: `2505.${String(10_000 + i)}`, title: `Paper number ${i} on sheaves`, authors: ['Émile Durand'], categories: ['math.AG'],
  abstract: `An abstract of paper ${i}.`, listing_dates: ['2025-05-06'],
}));

/** How many lines end (their line break included) within the first `cap` bytes. */
function wholeLinesWithin(cap: number): number {
  let bytes = 0;
  let n = 0;
  for (const l of LINES) {
    bytes += Buffer.byteLength(l) + 1;
    if (bytes > cap) break;
    n++;
  }
  return n;
}

test('a gzip that unpacks past --max-unpacked stops there: whole lines kept, a message, exit 1; a larger cap imports the rest', async () => {
  const dir = tempDir();
  const url = await tempDatabaseUrl(dir);
  const env = { DATABASE_URL: url };
  const file = path.join(dir, 'big.jsonl.gz');
  const unpacked = Buffer.from(LINES.join('\n') + '\n');
  fs.writeFileSync(file, zlib.gzipSync(unpacked));
  assert.ok(fs.statSync(file).size < CAP / 4, 'the file itself is well under the cap: only its unpacked size passes it');
  assert.ok(unpacked.length > CAP);

  const kept = wholeLinesWithin(CAP);
  assert.ok(kept > IMPORT_BATCH_LINES && kept < LINES.length, `${kept} lines: past one batch, short of the file`);

  const r = paperboy(['import', '--max-unpacked', '500KB', file], env);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /stopped reading at the cap on unpacked size \(--max-unpacked\), 500,000 bytes \(500 KB\): the file unpacks to more\./);
  assert.match(r.stderr, new RegExp(`The ${kept} whole lines before the cap were imported as usual and are kept`));
  assert.match(r.stderr, /the rest of the file was not read/);
  assert.match(r.stderr, new RegExp(`which a compressed file does not tell; for example twice the cap: paperboy import --max-unpacked 1MB ${file.replace(/[.]/g, '\\.')}`));
  assert.doesNotMatch(r.stderr, /not JSON|Error:|at .*\.ts:\d+/, 'the line cut at the cap is not taken for a bad line');
  assert.match(r.stdout, new RegExp(`import done lines=${kept} new=${kept} updated=0 unchanged=0 listed=0 announced=${kept} errors=0 ms=\\d+ file=.* stopped=max-unpacked`));

  const store = await openStore(url);
  atEndOfFile(() => store.close());
  assert.equal((await store.stats()).papers, kept, 'every whole line before the cap is in the store, nothing after it');
  assert.ok(await store.findPaperById(`2505.${10_000 + kept - 1}`));
  assert.equal(await store.findPaperById(`2505.${10_000 + kept}`), null);

  const again = paperboy(['import', `--max-unpacked=1MB`, file], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`import done lines=${LINES.length} new=${LINES.length - kept} updated=0 unchanged=${kept} listed=0 announced=${LINES.length - kept} errors=0`));
  assert.equal((await store.stats()).papers, LINES.length);
});

test('the cap counts plain files too; a file of exactly the cap passes', async () => {
  const dir = tempDir();
  const env = { DATABASE_URL: await tempDatabaseUrl(dir) };
  const file = path.join(dir, 'plain.jsonl');
  const body = LINES.slice(0, 10).join('\n') + '\n';
  fs.writeFileSync(file, body);
  const size = Buffer.byteLength(body);
  const exact = paperboy(['import', '--max-unpacked', String(size), file], env);
  assert.equal(exact.code, 0, exact.stderr);
  assert.match(exact.stdout, /import done lines=10 new=10 /);
  const under = paperboy(['import', '--max-unpacked', String(size - 1), file], env);
  assert.equal(under.code, 1);
  assert.match(under.stderr, /The 9 whole lines before the cap were imported/);
  assert.match(under.stdout, /import done lines=9 new=0 updated=0 unchanged=9 .* stopped=max-unpacked/);
});

test('the command to import the rest names the size of a plain file, and quotes a path the shell would split or run', async () => {
  const dir = tempDir();
  const env = { DATABASE_URL: await tempDatabaseUrl(dir) };
  const file = path.join(dir, "it's my data;touch PWNED.jsonl");
  const body = LINES.slice(0, 10).join('\n') + '\n';
  fs.writeFileSync(file, body);
  const r = paperboy(['import', '--max-unpacked', '1KB', file], env);
  assert.equal(r.code, 1, r.stderr);
  const size = Buffer.byteLength(body);
  const line = /paperboy import --max-unpacked .*$/m.exec(r.stderr)?.[0] ?? '';
  assert.ok(r.stderr.includes(`which is ${size.toLocaleString('en-US')} bytes`), r.stderr);
  assert.equal(line, `paperboy import --max-unpacked ${Math.ceil(size / 1e3)}KB '${file.replace(/'/g, "'\\''")}'`);
  const argv = execFileSync('sh', ['-c', `printf '%s\\n' ${line.slice('paperboy import '.length)}`], { cwd: dir }).toString().trimEnd().split('\n');
  assert.deepEqual(argv, ['--max-unpacked', `${Math.ceil(size / 1e3)}KB`, file], 'the shell reads the path back as one word');
  assert.equal(fs.existsSync(path.join(dir, 'PWNED.jsonl')), false, 'and runs nothing');
});
