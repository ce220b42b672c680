/**
 * Brute-force nearest neighbours over int8-quantised vectors, scanned by a WebAssembly SIMD kernel.
 *
 * Measured (BENCHMARKS.md): at 1M x 256 dimensions one scan takes about 15 ms on one core, near
 * the memory-bandwidth limit, with the same top 10 as float32; an ANN graph would save time only
 * at many millions more papers, and costs memory and build time, so brute force it is.
 *
 * Each vector is scaled by its own largest component to [-127, 127] (its scale is kept as a
 * float), so cosine ranking of unit vectors is preserved to within about 1%. Slots are appended;
 * a removed slot is marked and skipped.
 */

// -------------------------------------------------------------------------------------------------
// The kernel, assembled here rather than shipped as a binary: dots(q, base, n, dim, out) writes,
// for each of n int8 vectors of `dim` bytes starting at `base`, its dot product with the int8
// vector at `q` as an i32 at out[i]. dim must be a multiple of 16.

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const str = (s: string) => [...uleb(s.length), ...Buffer.from(s, 'utf8')];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const simd = (op: number) => [0xfd, ...uleb(op)];

const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const OP = {
  v128load: [...simd(0x00), 0x00, 0x00],
  v128zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  extmulLowS: simd(0x9c),
  extmulHighS: simd(0x9d),
  extaddPairwiseS: simd(0x7e),
  i32x4add: simd(0xae),
  lane: (i: number) => [...simd(0x1b), i],
  i32add: [0x6a],
  i32shl: [0x74],
  i32ltu: [0x49],
  i32eqz: [0x45],
  i32store: [0x36, 0x02, 0x00],
  i32const: (v: number) => [0x41, ...uleb(v)], // small non-negative values only
};

function kernelBytes(): Uint8Array<ArrayBuffer> {
  // params: 0 q, 1 base, 2 n, 3 dim, 4 out; locals: 5 i, 6 j, 7 p (i32); 8 acc, 9 a, 10 b (v128)
  const body = [
    ...uleb(2), 3, I32, 3, V128, // local declarations: three i32, three v128
    ...get(1), ...set(7),
    0x02, 0x40, // block
    ...get(2), ...OP.i32eqz, 0x0d, 0, // br_if 0 when n == 0
    0x03, 0x40, // loop rows
    ...OP.v128zero, ...set(8),
    ...OP.i32const(0), ...set(6),
    0x03, 0x40, // loop cols
    ...get(0), ...get(6), ...OP.i32add, ...OP.v128load, ...set(9),
    ...get(7), ...get(6), ...OP.i32add, ...OP.v128load, ...set(10),
    ...get(8), ...get(9), ...get(10), ...OP.extmulLowS, ...OP.extaddPairwiseS, ...OP.i32x4add, ...set(8),
    ...get(8), ...get(9), ...get(10), ...OP.extmulHighS, ...OP.extaddPairwiseS, ...OP.i32x4add, ...set(8),
    ...get(6), ...OP.i32const(16), ...OP.i32add, ...set(6),
    ...get(6), ...get(3), ...OP.i32ltu, 0x0d, 0, // br_if cols
    0x0b, // end cols
    ...get(4), ...get(5), ...OP.i32const(2), ...OP.i32shl, ...OP.i32add,
    ...get(8), ...OP.lane(0), ...get(8), ...OP.lane(1), ...OP.i32add,
    ...get(8), ...OP.lane(2), ...get(8), ...OP.lane(3), ...OP.i32add, ...OP.i32add,
    ...OP.i32store,
    ...get(7), ...get(3), ...OP.i32add, ...set(7),
    ...get(5), ...OP.i32const(1), ...OP.i32add, ...set(5),
    ...get(5), ...get(2), ...OP.i32ltu, 0x0d, 0, // br_if rows
    0x0b, // end rows
    0x0b, // end block
    0x0b, // end function
  ];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...str('env'), ...str('memory'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('dots'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}

let kernelModule: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is not available (a JS loop is used then). */
function kernel(): WebAssembly.Module | null {
  if (kernelModule === undefined) {
    try {
      kernelModule = new WebAssembly.Module(kernelBytes() as Uint8Array<ArrayBuffer>);
    } catch {
      kernelModule = null;
    }
  }
  return kernelModule;
}

const PAGE = 65_536;
/** Bytes reserved at the start of memory for the query vector. */
const QUERY_BYTES = 4_096;

/** Rounds a dimension up to the kernel's 16-byte step (padding is zeros). */
export const paddedDims = (dims: number) => Math.ceil(dims / 16) * 16;

/** Quantises a vector to int8 with its own scale; returns the scale (value = int8 * scale). */
export function quantize(v: ArrayLike<number>, out: Int8Array): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
  const scale = max > 0 ? max / 127 : 1;
  for (let i = 0; i < v.length; i++) out[i] = Math.round(v[i]! / scale);
  for (let i = v.length; i < out.length; i++) out[i] = 0;
  return scale;
}

export interface VectorHits {
  slots: Int32Array;
  scores: Float64Array;
}

export class VectorIndex {
  readonly stride: number;
  private memory: WebAssembly.Memory;
  private dots: ((q: number, base: number, n: number, dim: number, out: number) => void) | null;
  private scales: Float32Array;
  private removed: Uint8Array;
  private capacity = 0;
  private count = 0;

  constructor(readonly dims: number, initialCapacity = 1024) {
    this.stride = paddedDims(dims);
    this.memory = new WebAssembly.Memory({ initial: 1 });
    const mod = kernel();
    this.dots = mod
      ? (new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports.dots as VectorIndex['dots'])
      : null;
    this.scales = new Float32Array(0);
    this.removed = new Uint8Array(0);
    this.reserve(initialCapacity);
  }

  get size(): number { return this.count; }
  get usesSimd(): boolean { return this.dots !== null; }

  private vectorsOffset(): number { return QUERY_BYTES; }
  private outOffset(capacity: number): number { return QUERY_BYTES + capacity * this.stride; }

  /** Makes room for `n` vectors in all (grows memory; existing vectors stay, scores area moves). */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    const capacity = Math.max(n, Math.floor(this.capacity * 1.5));
    const bytes = this.outOffset(capacity) + capacity * 4;
    const pages = Math.ceil(bytes / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (pages > have) this.memory.grow(pages - have);
    const scales = new Float32Array(capacity);
    scales.set(this.scales.subarray(0, this.count));
    this.scales = scales;
    const removed = new Uint8Array(capacity);
    removed.set(this.removed.subarray(0, this.count));
    this.removed = removed;
    this.capacity = capacity;
  }

  /** Appends a vector; returns its slot. */
  add(v: ArrayLike<number>): number {
    if (v.length !== this.dims) throw new Error(`search/vectors: expected ${this.dims} dimensions, got ${v.length}`);
    this.reserve(this.count + 1);
    const slot = this.count++;
    const row = new Int8Array(this.memory.buffer, this.vectorsOffset() + slot * this.stride, this.stride);
    this.scales[slot] = quantize(v, row);
    return slot;
  }

  /** Appends already-quantised rows (as saved by `rows()`), with their scales. */
  addQuantized(rows: Int8Array, scales: Float32Array): void {
    const n = scales.length;
    this.reserve(this.count + n);
    new Int8Array(this.memory.buffer, this.vectorsOffset() + this.count * this.stride, n * this.stride).set(rows.subarray(0, n * this.stride));
    this.scales.set(scales, this.count);
    this.count += n;
  }

  remove(slot: number): void { if (slot >= 0 && slot < this.count) this.removed[slot] = 1; }
  isRemoved(slot: number): boolean { return this.removed[slot] === 1; }

  /** The quantised rows and scales of all slots (for saving). */
  rows(): { rows: Int8Array; scales: Float32Array } {
    return {
      rows: new Int8Array(this.memory.buffer, this.vectorsOffset(), this.count * this.stride).slice(),
      scales: this.scales.slice(0, this.count),
    };
  }

  /** Cosine-like scores of every slot against `query` (dot products of the quantised vectors, rescaled). */
  private scan(query: ArrayLike<number>): Int32Array {
    const q = new Int8Array(this.memory.buffer, 0, this.stride);
    quantize(query, q);
    const out = this.outOffset(this.capacity);
    if (this.dots) {
      this.dots(0, this.vectorsOffset(), this.count, this.stride, out);
    } else {
      const base = new Int8Array(this.memory.buffer, this.vectorsOffset(), this.count * this.stride);
      const res = new Int32Array(this.memory.buffer, out, this.count);
      for (let i = 0; i < this.count; i++) {
        let s = 0;
        const o = i * this.stride;
        for (let j = 0; j < this.stride; j++) s += q[j]! * base[o + j]!;
        res[i] = s;
      }
    }
    return new Int32Array(this.memory.buffer, out, this.count);
  }

  /** The k nearest slots by dot product (cosine for unit vectors), among slots `allow` marks (all when null). */
  search(query: ArrayLike<number>, k: number, allow: ((slot: number) => boolean) | null = null): VectorHits {
    if (this.count === 0 || k <= 0) return { slots: new Int32Array(), scores: new Float64Array() };
    const raw = this.scan(query);
    let qmax = 0;
    for (let i = 0; i < query.length; i++) qmax = Math.max(qmax, Math.abs(query[i]!));
    const qscale = qmax > 0 ? qmax / 127 : 1;
    // Top k by raw * scale: a bounded min-heap in two arrays.
    const hs = new Float64Array(k);
    const hd = new Int32Array(k);
    let size = 0;
    const scales = this.scales;
    const removed = this.removed;
    for (let i = 0; i < this.count; i++) {
      const s = raw[i]! * scales[i]!;
      if (size === k && s <= hs[0]!) continue;
      if (removed[i] === 1 || (allow !== null && !allow(i))) continue;
      if (size < k) {
        let j = size++;
        hs[j] = s; hd[j] = i;
        while (j > 0) {
          const p = (j - 1) >> 1;
          if (hs[p]! <= hs[j]!) break;
          [hs[p], hs[j]] = [hs[j]!, hs[p]!];
          [hd[p], hd[j]] = [hd[j]!, hd[p]!];
          j = p;
        }
      } else {
        hs[0] = s; hd[0] = i;
        let j = 0;
        for (;;) {
          const l = 2 * j + 1;
          const r = l + 1;
          let m = j;
          if (l < size && hs[l]! < hs[m]!) m = l;
          if (r < size && hs[r]! < hs[m]!) m = r;
          if (m === j) break;
          [hs[m], hs[j]] = [hs[j]!, hs[m]!];
          [hd[m], hd[j]] = [hd[j]!, hd[m]!];
          j = m;
        }
      }
    }
    const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => hs[b]! - hs[a]! || hd[a]! - hd[b]!);
    return { slots: Int32Array.from(order, (i) => hd[i]!), scores: Float64Array.from(order, (i) => hs[i]! * qscale) };
  }

  /** The vector of a slot as stored (dequantised: within about 1% of the original). */
  vectorAt(slot: number): Float32Array {
    const row = new Int8Array(this.memory.buffer, this.vectorsOffset() + slot * this.stride, this.dims);
    const scale = this.scales[slot]!;
    const out = new Float32Array(this.dims);
    for (let j = 0; j < this.dims; j++) out[j] = row[j]! * scale;
    return out;
  }

  /** Scores of every slot against `query` (removed slots included), written to `out` (one SIMD scan). */
  scoreAll(query: ArrayLike<number>, out: Float64Array = new Float64Array(this.count)): Float64Array {
    if (this.count === 0) return out;
    const raw = this.scan(query);
    let qmax = 0;
    for (let i = 0; i < query.length; i++) qmax = Math.max(qmax, Math.abs(query[i]!));
    const qscale = qmax > 0 ? qmax / 127 : 1;
    for (let i = 0; i < this.count; i++) out[i] = raw[i]! * this.scales[i]! * qscale;
    return out;
  }

  /** The score of one slot against a query (for re-ranking candidates). */
  similarity(query: ArrayLike<number>, slot: number): number {
    const row = new Int8Array(this.memory.buffer, this.vectorsOffset() + slot * this.stride, this.stride);
    let s = 0;
    for (let j = 0; j < this.dims; j++) s += query[j]! * row[j]!;
    return s * this.scales[slot]!;
  }
}
