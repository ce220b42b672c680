import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runImport } from '../../src/cli/import.ts';
import { exportInstance } from '../../src/services/instance-file.ts';
import { tempDir, tempStore, FIXED_NOW } from '../helpers/store.ts';

class Sink { text = ''; write(s: string) { this.text += s; return true; } }

test('paperboy import given an export file (without --all) says to use import --all and imports nothing', async () => {
  const source = await tempStore();
  await source.upsertPapers([{ id: '2505.00001', title: 'A paper', abstract: 'An abstract.', authors: ['A. Author'], categories: ['cs.CL'],
    publishedAt: '2025-05-01T00:00:00.000Z', updatedAt: null, versions: [] }], FIXED_NOW);
  const file = path.join(tempDir(), "lab's instance.jsonl.gz");
  await exportInstance(source, file, { now: FIXED_NOW });

  const target = await tempStore();
  const out = new Sink();
  const err = new Sink();
  const code = await runImport(target, [file], out, err);
  assert.equal(code, 1);
  assert.equal(out.text, '', 'no summary line: the file was not read as papers');
  assert.match(err.text, /is a whole-instance export \(written by paperboy export\), not a file of papers; nothing was imported/);
  assert.ok(err.text.includes(`paperboy import --all '${file.replace(/'/g, `'\\''`)}'`), err.text);
  assert.doesNotMatch(err.text, /not a JSON object|unknown format/);
  assert.equal(await target.findPaperById('2505.00001'), null);
});
