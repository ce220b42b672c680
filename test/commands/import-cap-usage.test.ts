/**
 * `paperboy import --max-unpacked SIZE`: sizes as people write them, and bad ones refused before any
 * store is opened. No test store is involved (the command is pointed at a SQLite file that must
 * never be created), so these run once, here, not in both stores' runs with the rest of
 * test/cli/import-cap.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseImportArgs, parseSize } from '../../src/cli/import.ts';
import { tempDir } from '../helpers/store.ts';
import { runPaperboy } from '../helpers/paperboy.ts';

const paperboy = runPaperboy;
const LINE = JSON.stringify({
  id: '2505.10000', title: 'Paper number 0 on sheaves', authors: ['Émile Durand'], categories: ['math.AG'],
  abstract: 'An abstract of paper 0.', listing_dates: ['2025-05-06'],
});

test('bad --max-unpacked values are refused with a clear message and exit 2, before the store is opened', () => {
  const dir = tempDir();
  const file = path.join(dir, 'never-read.jsonl');
  fs.writeFileSync(file, LINE);
  const db = path.join(dir, 'never.db');
  const refused = /import: --max-unpacked: expected a size above 0 such as 500MB, 20GB or 2000000 \(bytes\), got "/;
  // The command itself, once with a bad size and once without one.
  const r = paperboy(['import', '--max-unpacked=10XB', file], { DATABASE_URL: `sqlite:${db}` });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, refused);
  assert.match(r.stderr, /usage: paperboy import FILE/);
  assert.doesNotMatch(r.stderr, /at .*\.(ts|js):\d+/);
  const missing = paperboy(['import', file, '--max-unpacked'], { DATABASE_URL: `sqlite:${db}` });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /import: Option '--max-unpacked <value>' argument missing/);
  assert.equal(fs.existsSync(db), false, 'no database was created or opened');
  // Other bad sizes, through the argument check main runs before it opens the store.
  for (const value of ['0', '-5', 'abc', '', '0.1', '1e9', '5 GB GB', '99999999999999999999TB']) {
    let out = '';
    let err = '';
    const parsed = parseImportArgs([`--max-unpacked=${value}`, file], { write: (s: string) => { out += s; } }, { write: (s: string) => { err += s; } });
    assert.equal(parsed, 2, value);
    assert.match(err, refused, value);
    assert.match(err, /usage: paperboy import FILE/, value);
    assert.equal(out, '', value);
  }
});

test('sizes as people write them', () => {
  const cases: [string, number | null][] = [
    ['1', 1], ['2000000', 2_000_000], ['500KB', 500_000], ['500kb', 500_000], ['1.5GB', 1_500_000_000], ['10 GB', 10_000_000_000],
    ['1KiB', 1024], ['2MiB', 2 * 1024 * 1024], ['1TB', 1e12], ['3B', 3],
    ['0', null], ['0KB', null], ['-1', null], ['0.5', null], ['abc', null], ['', null], ['1XB', null], ['1e3', null], ['1,000', null],
    ['99999999999999999999TB', null],
  ];
  for (const [text, bytes] of cases) assert.equal(parseSize(text), bytes, text);
});
