import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wordVectorParts, wordVectorsFrom } from './persist.ts';
import { encodeTable, loadWordVectors, readTable, readWordVectors, WORD_VECTOR_DIMS, WordVectors } from './word-vectors.ts';

/** A vector pointing mostly along dimension `d`. */
const along = (d: number, lean = 0): number[] => Array.from({ length: WORD_VECTOR_DIMS }, (_, i) => (i === d ? 3 : i === d + 1 ? lean : 0));

describe('reading the packaged word vectors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-wv-'));
  // The package's layout: the words, then each word's 100 numbers, its norm and its rank.
  const words: Record<string, number[]> = { the: along(0), 'tumor': along(1, 1), 'tumour': along(1, 1.2), 'café': along(5), 'say "hi"': along(7), 'x-ray': along(9) };
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'vectors.json');
  fs.writeFileSync(file, JSON.stringify({
    precision: 8, l2NormIndex: 100, wordIndex: 101, size: 6, dimensions: 100, words: Object.keys(words),
    vectors: Object.fromEntries(Object.entries(words).map(([w, v], i) => [w, [...v, 3, i]])), unkVector: new Array(102).fill(0),
  }));

  test('every entry is read whatever the chunk size (entries split across chunks)', async () => {
    for (const chunk of [7, 64, 1000, 1 << 20]) {
      const v = await readWordVectors(file, () => true, chunk);
      assert.equal(v.size, 6, `chunk ${chunk}`);
      assert.deepEqual(Object.keys(words).map((w) => v.row(w) >= 0), new Array(6).fill(true), `chunk ${chunk}`);
      const cos = v.similarity(v.row('tumor'), v.row('tumour'));
      assert.ok(cos > 0.99 && cos < 1, `chunk ${chunk}: ${cos}`);
      assert.ok(Math.abs(v.similarity(v.row('the'), v.row('café'))) < 0.01);
    }
  });

  test('only the wanted words are kept, at unit length', async () => {
    const v = await readWordVectors(file, (w) => w.startsWith('tum'), 64);
    assert.deepEqual([v.wordAt(0), v.wordAt(1)], ['tumor', 'tumour']);
    assert.equal(v.row('the'), -1);
    assert.ok(Math.abs(v.similarity(0, 0) - 1) < 0.02);
  });

  test('a file that is not the package\'s says so', async () => {
    const other = path.join(dir, 'other.json');
    fs.writeFileSync(other, JSON.stringify({ words: ['a'] }));
    await assert.rejects(readWordVectors(other, () => true), /holds no "vectors" object/);
  });

  test('the compact table comes back as it was written; a damaged one is refused', async () => {
    const v = await readWordVectors(file, () => true);
    const table = path.join(dir, 'table.bin');
    fs.writeFileSync(table, encodeTable(v));
    const back = readTable(table, ['café', 'the', 'tumour', 'unknown', 'x-ray']);
    assert.deepEqual(Array.from({ length: back.size }, (_, i) => back.wordAt(i)), ['café', 'the', 'tumour', 'x-ray'], 'the wanted words it has, in order');
    for (const w of ['café', 'the', 'tumour', 'x-ray']) assert.deepEqual(back.rows.subarray(back.row(w) * 100, back.row(w) * 100 + 100), v.rows.subarray(v.row(w) * 100, v.row(w) * 100 + 100), w);
    fs.writeFileSync(table, encodeTable(v).subarray(0, 200));
    assert.throws(() => readTable(table, ['the']), /wrong length|cut short/);
    fs.writeFileSync(table, 'not a table at all');
    assert.throws(() => readTable(table, ['the']), /not a word vector table/);
    assert.equal(WordVectors.from([]).size, 0);
  });

  test('where the converted table cannot be written, the wanted words are read from the package itself', async () => {
    const notADir = path.join(dir, 'a-file');
    fs.writeFileSync(notADir, '');
    const said: string[] = [];
    const v = await loadWordVectors(['tumour', 'tumor', 'tumor'], (m) => said.push(m), path.join(notADir, 'cache'));
    assert.ok(v);
    assert.deepEqual([v.wordAt(0), v.wordAt(1), v.size], ['tumor', 'tumour', 2]);
    assert.match(said.join('\n'), /cannot be written, so they are read again at each build/);
    assert.ok(v.similarity(0, 1) > 0.8);
  });

  test('saved with an index and read back; vectors saved from another source are not used', async () => {
    const v = await readWordVectors(file, () => true);
    const parts = new Map<string, Uint8Array>();
    const info = wordVectorParts(v, parts);
    const back = wordVectorsFrom(parts, info);
    assert.ok(back);
    assert.deepEqual([back.size, back.row('tumour'), back.wordAt(back.row('café'))], [v.size, v.row('tumour'), 'café']);
    assert.deepEqual(back.rows, v.rows);
    assert.equal(wordVectorsFrom(parts, { ...info, source: 'another-package' }), null);
    assert.throws(() => wordVectorsFrom(parts, { ...info, words: v.size + 1 }), /run paperboy reindex/);
  });

  test('the installed package: spelling variants and synonyms are near, unrelated words are not', async () => {
    const v = await loadWordVectors(['tumor', 'tumour', 'decrease', 'reduce', 'keyboard', 'mice', 'mouse', 'notaglovewordatall']);
    assert.ok(v, 'the package is a dependency');
    assert.equal(v.size, 7);
    const cos = (a: string, b: string) => v.similarity(v.row(a), v.row(b));
    assert.ok(cos('tumor', 'tumour') > 0.8, String(cos('tumor', 'tumour')));
    assert.ok(cos('decrease', 'reduce') > 0.6, String(cos('decrease', 'reduce')));
    assert.ok(cos('mice', 'mouse') > 0.6, String(cos('mice', 'mouse')));
    assert.ok(cos('tumor', 'keyboard') < 0.3, String(cos('tumor', 'keyboard')));
  });
});
