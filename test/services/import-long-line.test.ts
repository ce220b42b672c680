import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { importFile, MAX_LINE_BYTES } from '../../src/services/import.ts';
import { splitLines, type Line } from '../../src/import/lines.ts';
import { tempDir, tempStore, FIXED_NOW } from '../helpers/store.ts';
import { nodeArgs } from '../helpers/paperboy.ts';

const now = () => FIXED_NOW;
const row = (id: string) => JSON.stringify({ id, title: 'T', authors: ['A'], categories: ['cs.CL'], abstract: 'x', listing_dates: ['2025-05-06'] });

async function split(chunks: (string | Buffer)[], max: number): Promise<(string | number)[]> {
  const out: Line[] = [];
  for await (const l of splitLines(Readable.from(chunks, { objectMode: true }), max)) out.push(l);
  return out.map((l) => (l.tooLong ? l.bytes : l.text));
}

test('splitLines: lines across chunk edges, CRLF, a last line without newline, the byte cap', async () => {
  const e = Buffer.from('é'); // two bytes, cut between chunks below
  const cases: { name: string; chunks: (string | Buffer)[]; max: number; want: (string | number)[] }[] = [
    { name: 'one chunk', chunks: ['a\nbb\n'], max: 10, want: ['a', 'bb'] },
    { name: 'no final newline', chunks: ['a\nbb'], max: 10, want: ['a', 'bb'] },
    { name: 'line spread over chunks', chunks: ['ab', 'cd', 'e\nf'], max: 10, want: ['abcde', 'f'] },
    { name: 'CRLF, CR in its own chunk', chunks: ['a\r', '\nb\r\n'], max: 10, want: ['a', 'b'] },
    { name: 'blank lines kept', chunks: ['\n\na\n'], max: 10, want: ['', '', 'a'] },
    { name: 'UTF-8 cut between chunks', chunks: [Buffer.concat([Buffer.from('x'), e.subarray(0, 1)]), Buffer.concat([e.subarray(1), Buffer.from('\n')])], max: 10, want: ['xé'] },
    { name: 'exactly the cap', chunks: ['abcd\n'], max: 4, want: ['abcd'] },
    { name: 'exactly the cap, CRLF', chunks: ['abcd\r\n'], max: 4, want: ['abcd'] },
    { name: 'one byte over: its length, then the next line', chunks: ['abcde\nok\n'], max: 4, want: [5, 'ok'] },
    { name: 'long line over many chunks', chunks: ['ok\nxx', 'xxxx', 'xxxx', 'x\nok2'], max: 4, want: ['ok', 11, 'ok2'] },
    { name: 'long last line', chunks: ['ok\n', 'xxxxxxx'], max: 4, want: ['ok', 7] },
  ];
  for (const c of cases) assert.deepEqual(await split(c.chunks, c.max), c.want, c.name);
});

/** A gzip file: a good line, a line of `longBytes` bytes, a good line. Written streaming, so the test holds little of it. */
async function gzipWithLongLine(file: string, longBytes: number): Promise<void> {
  const gz = zlib.createGzip({ level: 1 });
  const done = new Promise<void>((resolve, reject) => gz.pipe(fs.createWriteStream(file)).on('finish', resolve).on('error', reject));
  const piece = Buffer.alloc(1 << 20, 'a');
  gz.write(row('2505.00001') + '\n{"id":"');
  for (let left = longBytes; left > 0; left -= piece.length) {
    if (!gz.write(left >= piece.length ? piece : piece.subarray(0, left))) await new Promise((r) => gz.once('drain', r));
  }
  gz.end('"}\n' + row('2505.00002') + '\n');
  await done;
}

const LONG_LINE_BYTES = 64 * 1024 * 1024; // 64 MB from a file of a few hundred KB

test('a line of tens of MB is reported with its number and skipped; the lines around it are imported', async () => {
  const store = await tempStore();
  const file = path.join(tempDir(), 'long.jsonl.gz');
  await gzipWithLongLine(file, LONG_LINE_BYTES);
  assert.ok(fs.statSync(file).size < 1_000_000, 'the file itself is small');
  const r = await importFile(store, file, { now });
  assert.equal(r.lines, 3);
  assert.equal(r.new, 2);
  assert.equal(r.errors, 1);
  assert.equal(r.errorSamples[0]!.line, 2);
  assert.match(r.errorSamples[0]!.message, new RegExp(`line longer than ${MAX_LINE_BYTES} bytes`));
  assert.ok(await store.findPaperById('2505.00001'));
  assert.ok(await store.findPaperById('2505.00002'));
});

test('paperboy import of such a file in a small heap: no crash, the line listed, exit status 1', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'long.jsonl.gz');
  await gzipWithLongLine(file, LONG_LINE_BYTES);
  // A heap the import needs anyway, but which cannot hold the long line as a string: building the
  // whole line before checking its length would run out of memory here.
  const res = spawnSync(process.execPath, ['--max-old-space-size=64', ...nodeArgs('src/main.ts'), 'import', file], {
    encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent', PAPERBOY_DATA_DIR: dir }, timeout: 60_000,
  });
  assert.equal(res.signal, null, res.stderr);
  assert.equal(res.status, 1, res.stderr);
  assert.match(res.stderr, new RegExp(`long\\.jsonl\\.gz:2: line longer than ${MAX_LINE_BYTES} bytes`));
  assert.doesNotMatch(res.stderr, /\n\s+at |Error:/, 'no stack trace');
  assert.match(res.stdout, /import done lines=3 new=2 updated=0 unchanged=0 listed=0 announced=2 errors=1 /);
});
