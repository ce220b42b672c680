/**
 * Turning the index's parts (segment arrays, the corpus model, vectors, word vectors) into named byte buffers
 * and back, for saving in the store.
 */
import { CorpusEmbedder } from './embedder.ts';
import { Segment, type PackedStrings, type SegmentData } from './segment.ts';
import { WORD_VECTOR_SOURCE, WordVectors } from './word-vectors.ts';

type Typed = Uint8Array | Int8Array | Uint16Array | Uint32Array | Int32Array | Float32Array;

const bytesOf = (a: Typed): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function viewAs<T extends Typed>(buf: Uint8Array, make: new (b: ArrayBuffer, o: number, n: number) => T, size: number): T {
  const n = buf.byteLength / size;
  if (buf.byteOffset % size === 0) return new make(buf.buffer as ArrayBuffer, buf.byteOffset, n);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new make(copy.buffer, 0, n);
}

const u32 = (b: Uint8Array) => viewAs(b, Uint32Array, 4);
const i32 = (b: Uint8Array) => viewAs(b, Int32Array, 4);
const f32 = (b: Uint8Array) => viewAs(b, Float32Array, 4);

function packedParts(prefix: string, p: PackedStrings, out: Map<string, Uint8Array>): void {
  out.set(`${prefix}.text`, Buffer.from(p.text, 'utf8'));
  out.set(`${prefix}.offsets`, bytesOf(p.offsets));
}

function packedFrom(prefix: string, parts: ReadonlyMap<string, Uint8Array>): PackedStrings {
  return { text: Buffer.from(need(parts, `${prefix}.text`)).toString('utf8'), offsets: u32(need(parts, `${prefix}.offsets`)) };
}

function need(parts: ReadonlyMap<string, Uint8Array>, name: string): Uint8Array {
  const p = parts.get(name);
  if (!p) throw new Error(`search/persist: the saved index has no part "${name}"; run paperboy reindex`);
  return p;
}

export function segmentParts(seg: Segment, prefix: string, out: Map<string, Uint8Array>): Record<string, unknown> {
  const d = seg.data;
  packedParts(`${prefix}.terms`, d.terms, out);
  packedParts(`${prefix}.ids`, d.ids, out);
  packedParts(`${prefix}.words`, d.words, out);
  out.set(`${prefix}.postingStart`, bytesOf(d.postingStart));
  out.set(`${prefix}.docs`, bytesOf(d.docs));
  out.set(`${prefix}.impacts`, bytesOf(d.impacts));
  out.set(`${prefix}.blockStart`, bytesOf(d.blockStart));
  out.set(`${prefix}.blockMax`, bytesOf(d.blockMax));
  out.set(`${prefix}.cf`, bytesOf(d.cf));
  if (d.idOrder) out.set(`${prefix}.idOrder`, bytesOf(d.idOrder));
  out.set(`${prefix}.days`, bytesOf(d.days));
  out.set(`${prefix}.flags`, bytesOf(d.flags));
  out.set(`${prefix}.upvotes`, bytesOf(d.upvotes));
  out.set(`${prefix}.wordDf`, bytesOf(d.wordDf));
  return { params: d.params, avgLen: d.avgLen, stats: d.stats };
}

export function segmentFrom(prefix: string, parts: ReadonlyMap<string, Uint8Array>, info: Record<string, unknown>): Segment {
  const data: SegmentData = {
    params: info.params as SegmentData['params'],
    avgLen: info.avgLen as SegmentData['avgLen'],
    stats: info.stats as SegmentData['stats'],
    terms: packedFrom(`${prefix}.terms`, parts),
    ids: packedFrom(`${prefix}.ids`, parts),
    words: packedFrom(`${prefix}.words`, parts),
    postingStart: u32(need(parts, `${prefix}.postingStart`)),
    docs: u32(need(parts, `${prefix}.docs`)),
    impacts: need(parts, `${prefix}.impacts`),
    blockStart: u32(need(parts, `${prefix}.blockStart`)),
    blockMax: need(parts, `${prefix}.blockMax`),
    cf: u32(need(parts, `${prefix}.cf`)),
    idOrder: parts.has(`${prefix}.idOrder`) ? u32(parts.get(`${prefix}.idOrder`)!) : null,
    days: i32(need(parts, `${prefix}.days`)),
    flags: need(parts, `${prefix}.flags`),
    upvotes: u32(need(parts, `${prefix}.upvotes`)).slice(), // changes with votes: own copy
    wordDf: u32(need(parts, `${prefix}.wordDf`)),
  };
  return new Segment(data);
}

export function corpusEmbedderParts(m: CorpusEmbedder, out: Map<string, Uint8Array>): Record<string, unknown> {
  packedParts('emb.vocabulary', m.vocabulary, out);
  out.set('emb.idf', bytesOf(m.idf));
  out.set('emb.weights', bytesOf(m.weights));
  return { dims: m.dims };
}

export function corpusEmbedderFrom(parts: ReadonlyMap<string, Uint8Array>, info: Record<string, unknown>): CorpusEmbedder {
  return new CorpusEmbedder(Number(info.dims), packedFrom('emb.vocabulary', parts), f32(need(parts, 'emb.idf')), f32(need(parts, 'emb.weights')));
}

export function vectorParts(rows: Int8Array, scales: Float32Array, out: Map<string, Uint8Array>): void {
  out.set('vec.rows', bytesOf(rows));
  out.set('vec.scales', bytesOf(scales));
}

export function vectorsFrom(parts: ReadonlyMap<string, Uint8Array>): { rows: Int8Array; scales: Float32Array } | null {
  const rows = parts.get('vec.rows');
  const scales = parts.get('vec.scales');
  if (!rows || !scales) return null;
  return { rows: new Int8Array(rows.buffer, rows.byteOffset, rows.byteLength), scales: f32(scales) };
}

export function wordVectorParts(v: WordVectors, out: Map<string, Uint8Array>): Record<string, unknown> {
  packedParts('wv.words', v.words, out);
  out.set('wv.rows', bytesOf(v.rows));
  return { source: WORD_VECTOR_SOURCE, words: v.size };
}

/** The saved word vectors; null when they came from another source than the one installed (used again after the next build). */
export function wordVectorsFrom(parts: ReadonlyMap<string, Uint8Array>, info: Record<string, unknown>): WordVectors | null {
  if (info.source !== WORD_VECTOR_SOURCE) return null;
  const rows = need(parts, 'wv.rows');
  const v = new WordVectors(packedFrom('wv.words', parts), new Int8Array(rows.buffer, rows.byteOffset, rows.byteLength));
  if (v.size !== Number(info.words)) throw new Error(`search/persist: the saved word vectors hold ${v.size} words, not ${String(info.words)}; run paperboy reindex`);
  return v;
}
