/**
 * An immutable inverted index over a set of papers (a "segment"), built for speed at millions of
 * documents on one core:
 *
 * - a sorted term dictionary (one string and offsets: binary search, prefix ranges);
 * - per term, a posting list of document numbers (ascending, Uint32) and one-byte BM25F impacts,
 *   cut into blocks of 128 with each block's largest impact (for skipping);
 * - per document: paper id (sorted, so id -> number is a binary search), publication day, flags
 *   (has code, withdrawn) and upvotes (kept current by the live index);
 * - filter-only terms for categories (`\x01c:cs.cl`, `\x01c:cs`) and author name words (`\x01a:hinton`),
 *   which carry no score;
 * - the corpus's surface words with document counts, for "did you mean".
 *
 * Queries run document-at-a-time with MaxScore pruning (Turtle & Flood 1995): lists whose best
 * possible contribution cannot lift a document into the current top k are only probed, skipping
 * whole blocks, for documents the other lists bring up. See docs/search.md.
 */
import { DEFAULT_BM25, quantizeImpact, termImpact, type Bm25Params, type Field } from './bm25.ts';
import { analyze, nameTokens, surfaceWords } from './text.ts';

/** What the index needs to know about a paper. */
export interface IndexDoc {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  /** ISO 8601 date or timestamp of the first version; null when unknown. */
  publishedAt: string | null;
  hasCode: boolean;
  withdrawn: boolean;
  upvotes: number;
}

export const BLOCK_SIZE = 128;
/** Day number for "publication date unknown": sorts first, fails every date filter. */
export const NO_DAY = -2147483648;
export const FLAG_HAS_CODE = 1;
export const FLAG_WITHDRAWN = 2;
/** Prefixes of filter-only terms; \x01 never occurs in an analysed word. */
export const CATEGORY_TERM = '\u0001c:';
export const AUTHOR_TERM = '\u0001a:';
/** Surface words kept for suggestions: seen in at least this many documents. */
const SUGGEST_MIN_DF = 2;
const SURFACE_WORD_RE = /^[a-z][a-z-]{1,23}$/;

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of an ISO date or timestamp; NO_DAY when missing or malformed. */
export function dayNumber(iso: string | null | undefined): number {
  if (!iso) return NO_DAY;
  const ms = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isFinite(ms) ? Math.floor(ms / MS_PER_DAY) : NO_DAY;
}

/** Category filter terms of a paper: each category and its archive, lower case. */
export function categoryTerms(categories: readonly string[]): string[] {
  const out = new Set<string>();
  for (const c of categories) {
    const lc = c.toLowerCase();
    out.add(CATEGORY_TERM + lc);
    const dot = lc.indexOf('.');
    if (dot > 0) out.add(CATEGORY_TERM + lc.slice(0, dot));
  }
  return [...out];
}

/** Author filter terms of a paper: every word of every author name, folded. */
export function authorTerms(authors: readonly string[]): string[] {
  const out = new Set<string>();
  for (const a of authors) for (const w of nameTokens(a)) out.add(AUTHOR_TERM + w);
  return [...out];
}

// ------------------------------------------------------------------------------------------------
// Growable typed arrays for the builder.

class Grow<T extends Uint32Array | Uint16Array | Int32Array | Uint8Array> {
  length = 0;
  constructor(private data: T, private readonly make: (n: number) => T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(Math.max(16, Math.floor(this.data.length * 1.5)));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  get(i: number): number { return this.data[i]!; }
  view(): T { return this.data.subarray(0, this.length) as T; }
}
const growU32 = (n = 1024) => new Grow(new Uint32Array(n), (m) => new Uint32Array(m));
const growU16 = (n = 1024) => new Grow(new Uint16Array(n), (m) => new Uint16Array(m));
const growI32 = (n = 1024) => new Grow(new Int32Array(n), (m) => new Int32Array(m));
const growU8 = (n = 1024) => new Grow(new Uint8Array(n), (m) => new Uint8Array(m));

// Field term frequencies packed in 16 bits: title 4 bits, authors 3 bits, abstract 9 bits (counts
// beyond are saturated by BM25 anyway).
const packTf = (title: number, authors: number, abstract: number) =>
  (Math.min(title, 15) << 12) | (Math.min(authors, 7) << 9) | Math.min(abstract, 511);

export interface SegmentStats {
  docs: number;
  avgLen: Record<Field, number>;
}

/** Collects papers, then builds a Segment. Papers should be added in ascending id order. */
export class SegmentBuilder {
  private readonly termIds = new Map<string, number>();
  private readonly termNames: string[] = [];
  private readonly fwdTerm = growU32(1 << 16);
  private readonly fwdTf = growU16(1 << 16);
  private readonly docStart = growU32();
  private readonly lens = { title: growU16(), abstract: growU16(), authors: growU16() };
  private readonly ids: string[] = [];
  private readonly days = growI32();
  private readonly flags = growU8();
  private readonly upvotes = growU32();
  private readonly surface = new Map<string, number>();
  private sorted = true;

  get size(): number { return this.ids.length; }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.termNames.length;
      this.termIds.set(term, id);
      this.termNames.push(term);
    }
    return id;
  }

  add(doc: IndexDoc): void {
    const last = this.ids[this.ids.length - 1];
    if (last !== undefined && !(last < doc.id)) this.sorted = false;
    this.ids.push(doc.id);
    this.docStart.push(this.fwdTerm.length);
    const title = analyze(doc.title);
    const abstract = analyze(doc.abstract);
    const authors = doc.authors.flatMap((a) => analyze(a));
    const tf = new Map<string, [number, number, number]>();
    const count = (terms: string[], slot: 0 | 1 | 2) => {
      for (const t of terms) {
        let e = tf.get(t);
        if (!e) tf.set(t, (e = [0, 0, 0]));
        e[slot]++;
      }
    };
    count(title, 0);
    count(abstract, 1);
    count(authors, 2);
    for (const [t, [ti, ab, au]] of tf) {
      this.fwdTerm.push(this.termId(t));
      this.fwdTf.push(packTf(ti, au, ab));
    }
    for (const t of [...categoryTerms(doc.categories), ...authorTerms(doc.authors)]) {
      this.fwdTerm.push(this.termId(t));
      this.fwdTf.push(0);
    }
    this.lens.title.push(Math.min(65535, title.length));
    this.lens.abstract.push(Math.min(65535, abstract.length));
    this.lens.authors.push(Math.min(65535, authors.length));
    this.days.push(dayNumber(doc.publishedAt));
    this.flags.push((doc.hasCode ? FLAG_HAS_CODE : 0) | (doc.withdrawn ? FLAG_WITHDRAWN : 0));
    this.upvotes.push(Math.max(0, Math.min(0xffffffff, doc.upvotes | 0)));
    for (const w of new Set(surfaceWords(`${doc.title} ${doc.abstract}`))) {
      if (SURFACE_WORD_RE.test(w)) this.surface.set(w, (this.surface.get(w) ?? 0) + 1);
    }
  }

  /** Average field lengths of what was added. */
  stats(): SegmentStats {
    const n = this.ids.length;
    const avg = (g: Grow<Uint16Array>) => {
      let s = 0;
      for (let i = 0; i < g.length; i++) s += g.get(i);
      return n === 0 ? 0 : s / n;
    };
    return { docs: n, avgLen: { title: avg(this.lens.title), abstract: avg(this.lens.abstract), authors: avg(this.lens.authors) } };
  }

  /**
   * Builds the segment. `avgLen` lets a small segment of new papers normalise lengths like the
   * large one it sits beside, so their scores compare.
   */
  build(params: Bm25Params = DEFAULT_BM25, avgLen?: Record<Field, number>): Segment {
    const n = this.ids.length;
    const stats = this.stats();
    const avg = avgLen ?? stats.avgLen;
    // Terms in sorted order; old id -> new id.
    const order = this.termNames.map((_, i) => i).sort((a, b) => (this.termNames[a]! < this.termNames[b]! ? -1 : 1));
    const remap = new Uint32Array(order.length);
    order.forEach((old, i) => { remap[old] = i; });
    const termCount = order.length;
    const fwdTerm = this.fwdTerm.view();
    const fwdTf = this.fwdTf.view();
    const df = new Uint32Array(termCount);
    const cf = new Uint32Array(termCount);
    for (let i = 0; i < fwdTerm.length; i++) {
      const t = remap[fwdTerm[i]!]!;
      df[t]!++;
      const packed = fwdTf[i]!;
      cf[t] = cf[t]! + (packed >>> 12) + ((packed >>> 9) & 7) + (packed & 511);
    }
    const postingStart = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) postingStart[t + 1] = postingStart[t]! + df[t]!;
    const total = postingStart[termCount]!;
    const docs = new Uint32Array(total);
    const impacts = new Uint8Array(total);
    const cursor = postingStart.slice(0, termCount);
    const docStart = this.docStart.view();
    const lt = this.lens.title.view();
    const la = this.lens.abstract.view();
    const lu = this.lens.authors.view();
    const tfRec: Record<Field, number> = { title: 0, abstract: 0, authors: 0 };
    const lenRec: Record<Field, number> = { title: 0, abstract: 0, authors: 0 };
    for (let d = 0; d < n; d++) {
      const end = d + 1 < n ? docStart[d + 1]! : fwdTerm.length;
      lenRec.title = lt[d]!; lenRec.abstract = la[d]!; lenRec.authors = lu[d]!;
      for (let p = docStart[d]!; p < end; p++) {
        const t = remap[fwdTerm[p]!]!;
        const packed = fwdTf[p]!;
        const at = cursor[t]!++;
        docs[at] = d;
        if (packed !== 0) {
          tfRec.title = packed >>> 12; tfRec.authors = (packed >>> 9) & 7; tfRec.abstract = packed & 511;
          impacts[at] = quantizeImpact(params, termImpact(params, tfRec, lenRec, avg));
        }
      }
    }
    const blockStart = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) blockStart[t + 1] = blockStart[t]! + Math.ceil(df[t]! / BLOCK_SIZE);
    const blockMax = new Uint8Array(blockStart[termCount]!);
    for (let t = 0; t < termCount; t++) {
      let b = blockStart[t]!;
      for (let s = postingStart[t]!; s < postingStart[t + 1]!; s += BLOCK_SIZE, b++) {
        let m = 0;
        const e = Math.min(s + BLOCK_SIZE, postingStart[t + 1]!);
        for (let p = s; p < e; p++) if (impacts[p]! > m) m = impacts[p]!;
        blockMax[b] = m;
      }
    }
    const words = [...this.surface].filter(([, c]) => c >= SUGGEST_MIN_DF).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    let ids = this.ids;
    let perm: number[] | null = null;
    if (!this.sorted) {
      // Keep document numbers as added; look ids up through a sorted permutation.
      perm = ids.map((_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));
    }
    return new Segment({
      params, avgLen: avg, stats,
      terms: packStrings(order.map((i) => this.termNames[i]!)),
      postingStart, docs, impacts, blockStart, blockMax, cf,
      ids: packStrings(ids), idOrder: perm ? Uint32Array.from(perm) : null,
      days: this.days.view().slice(), flags: this.flags.view().slice(), upvotes: this.upvotes.view().slice(),
      words: packStrings(words.map((w) => w[0])), wordDf: Uint32Array.from(words.map((w) => w[1])),
    });
  }
}

/** Strings as one text with offsets: compact, and cheap to load. */
export interface PackedStrings {
  text: string;
  offsets: Uint32Array;
}

export function packStrings(list: readonly string[]): PackedStrings {
  const offsets = new Uint32Array(list.length + 1);
  let at = 0;
  list.forEach((s, i) => { offsets[i] = at; at += s.length; });
  offsets[list.length] = at;
  return { text: list.join(''), offsets };
}

/** The i-th string of a PackedStrings. */
export const stringAt = (p: PackedStrings, i: number) => p.text.slice(p.offsets[i]!, p.offsets[i + 1]!);

/** First index whose string is >= s, in a sorted PackedStrings. */
export function lowerBound(p: PackedStrings, count: number, s: string, perm: Uint32Array | null = null): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (stringAt(p, perm ? perm[mid]! : mid) < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface SegmentData {
  params: Bm25Params;
  avgLen: Record<Field, number>;
  stats: SegmentStats;
  terms: PackedStrings;
  postingStart: Uint32Array;
  docs: Uint32Array;
  impacts: Uint8Array;
  blockStart: Uint32Array;
  blockMax: Uint8Array;
  /** Occurrences of each term in all fields of all documents (its collection frequency). */
  cf: Uint32Array;
  ids: PackedStrings;
  /** Null when ids are sorted; otherwise the document numbers in id order. */
  idOrder: Uint32Array | null;
  days: Int32Array;
  flags: Uint8Array;
  upvotes: Uint32Array;
  words: PackedStrings;
  wordDf: Uint32Array;
}

/** A query term resolved in one segment: where its postings are and what a unit of impact is worth. */
export interface TermList {
  term: number;
  start: number;
  end: number;
  /** Score per impact step (idf * qtf * (k1 + 1) / 255); 0 for filter terms. */
  weight: number;
}

/** Documents and scores, best first. */
export interface Hits {
  docs: Int32Array;
  scores: Float64Array;
}

export class Segment {
  readonly termCount: number;
  readonly docCount: number;
  /** Largest impact of each term's list. */
  readonly maxImpact: Uint8Array;
  /** Documents removed or replaced since the segment was built (kept up to date by the live index). */
  readonly deleted: Uint8Array;
  deletedCount = 0;

  constructor(readonly data: SegmentData) {
    this.termCount = data.postingStart.length - 1;
    this.docCount = data.days.length;
    this.maxImpact = new Uint8Array(this.termCount);
    for (let t = 0; t < this.termCount; t++) {
      let m = 0;
      for (let b = data.blockStart[t]!; b < data.blockStart[t + 1]!; b++) if (data.blockMax[b]! > m) m = data.blockMax[b]!;
      this.maxImpact[t] = m;
    }
    this.deleted = new Uint8Array(this.docCount);
  }

  /** The term's number, or -1 when the segment does not have it. */
  termIndex(term: string): number {
    const i = lowerBound(this.data.terms, this.termCount, term);
    return i < this.termCount && stringAt(this.data.terms, i) === term ? i : -1;
  }

  df(t: number): number { return t < 0 ? 0 : this.data.postingStart[t + 1]! - this.data.postingStart[t]!; }

  /** Collection frequency of a term (0 when absent). */
  cf(t: number): number { return t < 0 ? 0 : this.data.cf[t]!; }

  list(t: number, weight: number): TermList {
    return { term: t, start: this.data.postingStart[t]!, end: this.data.postingStart[t + 1]!, weight };
  }

  idAt(doc: number): string { return stringAt(this.data.ids, doc); }

  /** The document number of a paper id, or -1. */
  docIndex(id: string): number {
    const { ids, idOrder } = this.data;
    const i = lowerBound(ids, this.docCount, id, idOrder);
    if (i >= this.docCount) return -1;
    const doc = idOrder ? idOrder[i]! : i;
    return stringAt(ids, doc) === id ? doc : -1;
  }

  markDeleted(doc: number): void {
    if (doc >= 0 && this.deleted[doc] === 0) { this.deleted[doc] = 1; this.deletedCount++; }
  }

  /** Document numbers having `t`, as a marked array (for filters). */
  markDocs(t: number, into: Uint8Array, value = 1): void {
    const { docs, postingStart } = this.data;
    for (let p = postingStart[t]!; p < postingStart[t + 1]!; p++) into[docs[p]!] = value;
  }

  /**
   * The k best documents for a disjunction of weighted term lists (BM25: sum of weight * impact),
   * among documents `allow` marks (all when null) and not deleted. MaxScore with block skipping.
   */
  topK(lists: readonly TermList[], k: number, allow: Uint8Array | null): Hits {
    const { docs, impacts, blockStart } = this.data;
    const deleted = this.deleted;
    const ls = lists.filter((l) => l.end > l.start && l.weight > 0)
      .map((l) => ({ ...l, ub: l.weight * this.maxImpact[l.term]!, pos: l.start, block0: blockStart[l.term]! }))
      .sort((a, b) => a.ub - b.ub);
    const n = ls.length;
    const heap = new TopKHeap(k);
    if (n === 0 || k <= 0) return heap.result();
    const cum = new Float64Array(n);
    for (let i = 0; i < n; i++) cum[i] = (i > 0 ? cum[i - 1]! : 0) + ls[i]!.ub;
    const pos = new Int32Array(n);
    const end = new Int32Array(n);
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) { pos[i] = ls[i]!.start; end[i] = ls[i]!.end; w[i] = ls[i]!.weight; }
    let firstEssential = 0;
    let theta = -1;
    for (;;) {
      // The next candidate: the smallest current document among the essential lists.
      let d = 0x7fffffff;
      for (let i = firstEssential; i < n; i++) {
        if (pos[i]! < end[i]!) { const x = docs[pos[i]!]!; if (x < d) d = x; }
      }
      if (d === 0x7fffffff) break;
      let score = 0;
      for (let i = firstEssential; i < n; i++) {
        const p = pos[i]!;
        if (p < end[i]! && docs[p] === d) { score += w[i]! * impacts[p]!; pos[i] = p + 1; }
      }
      if (deleted[d] === 1 || (allow !== null && allow[d] === 0)) continue;
      // Non-essential lists, largest bound first, while the document can still make it.
      for (let i = firstEssential - 1; i >= 0; i--) {
        if (score + cum[i]! <= theta) { score = -1; break; }
        let p = pos[i]!;
        const e = end[i]!;
        if (p >= e) continue;
        if (docs[p]! < d) {
          // Skip whole blocks whose last document is before d, then step.
          const start = ls[i]!.start;
          let blockEnd = start + (Math.floor((p - start) / BLOCK_SIZE) + 1) * BLOCK_SIZE;
          while (blockEnd < e && docs[blockEnd - 1]! < d) blockEnd += BLOCK_SIZE;
          if (blockEnd > e) blockEnd = e;
          let lo = Math.max(p, blockEnd - BLOCK_SIZE);
          while (lo < blockEnd && docs[lo]! < d) lo++;
          p = lo;
          pos[i] = p;
        }
        if (p < e && docs[p] === d) { score += w[i]! * impacts[p]!; pos[i] = p + 1; }
      }
      if (score > theta || (score > 0 && !heap.full)) {
        if (score > 0 && heap.offer(d, score) && heap.full) {
          theta = heap.minScore();
          while (firstEssential < n && cum[firstEssential]! <= theta) firstEssential++;
        }
      }
    }
    return heap.result();
  }

  /**
   * Every document matching all of `must` (and, when `any` is non-empty, at least one of `any`),
   * allowed and not deleted, in document order; scores are the BM25 sum over `must` and `any`.
   */
  conjunction(must: readonly TermList[], any: readonly TermList[], allow: Uint8Array | null, limit = Infinity): Hits {
    const { docs, impacts } = this.data;
    const lists = [...must].sort((a, b) => (a.end - a.start) - (b.end - b.start));
    if (lists.length === 0) return { docs: new Int32Array(), scores: new Float64Array() };
    if (lists.some((l) => l.end <= l.start)) return { docs: new Int32Array(), scores: new Float64Array() };
    const lead = lists[0]!;
    // At most the shortest list's length: typed arrays of that size, no growing.
    const cap = Math.min(lead.end - lead.start, limit);
    const outDocs = new Int32Array(cap);
    const outScores = new Float64Array(cap);
    let count = 0;
    const deleted = this.deleted;
    const pos = lists.map((l) => l.start);
    const anyPos = any.map((l) => l.start);
    const nl = lists.length;
    outer: for (let p0 = lead.start; p0 < lead.end; p0++) {
      const d = docs[p0]!;
      let score = lead.weight * impacts[p0]!;
      for (let i = 1; i < nl; i++) {
        const l = lists[i]!;
        const p = gallop(docs, pos[i]!, l.end, d);
        pos[i] = p;
        if (p >= l.end) break outer;
        if (docs[p] !== d) continue outer;
        score += l.weight * impacts[p]!;
      }
      if (deleted[d] === 1 || (allow !== null && allow[d] === 0)) continue;
      if (any.length > 0) {
        let found = false;
        for (let i = 0; i < any.length; i++) {
          const l = any[i]!;
          const p = gallop(docs, anyPos[i]!, l.end, d);
          anyPos[i] = p;
          if (p < l.end && docs[p] === d) { found = true; score += l.weight * impacts[p]!; }
        }
        if (!found) continue;
      }
      outDocs[count] = d;
      outScores[count] = score;
      if (++count >= cap) break;
    }
    return { docs: outDocs.subarray(0, count), scores: outScores.subarray(0, count) };
  }

  /**
   * The k first of `docs` ordered by `key` descending, then `key2` descending, then paper id
   * ascending: a bounded heap over typed arrays, so a common word's hundreds of thousands of
   * matches cost one comparison each, not an object and a sort. Best first.
   */
  topByKey(docs: Int32Array, key: ArrayLike<number>, key2: ArrayLike<number>, k: number): Int32Array {
    const n = docs.length;
    if (k <= 0 || n === 0) return new Int32Array();
    const byId = this.data.idOrder === null; // document numbers ascend with ids
    // a "worse" than b: lower key, lower key2, then larger id.
    const worse = (a: number, b: number): boolean => {
      const ka = key[a]!; const kb = key[b]!;
      if (ka !== kb) return ka < kb;
      const ja = key2[a]!; const jb = key2[b]!;
      if (ja !== jb) return ja < jb;
      return byId ? a > b : this.idAt(a) > this.idAt(b);
    };
    const size = Math.min(k, n);
    const heap = new Int32Array(size); // min-heap: the worst kept document on top
    let len = 0;
    const down = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < len && worse(heap[l]!, heap[m]!)) m = l;
        if (r < len && worse(heap[r]!, heap[m]!)) m = r;
        if (m === i) return;
        const t = heap[i]!; heap[i] = heap[m]!; heap[m] = t;
        i = m;
      }
    };
    for (let j = 0; j < n; j++) {
      const d = docs[j]!;
      if (len < size) {
        let i = len++;
        heap[i] = d;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!worse(heap[i]!, heap[parent]!)) break;
          const t = heap[i]!; heap[i] = heap[parent]!; heap[parent] = t;
          i = parent;
        }
      } else if (worse(heap[0]!, d)) {
        heap[0] = d;
        down(0);
      }
    }
    const out = Array.from(heap.subarray(0, len));
    out.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
    return Int32Array.from(out);
  }

  /** How many allowed, live documents have at least one of the lists. */
  countUnion(lists: readonly TermList[], allow: Uint8Array | null): number {
    const { docs } = this.data;
    if (lists.length === 1 && allow === null && this.deletedCount === 0) return lists[0]!.end - lists[0]!.start;
    const seen = new Uint8Array(this.docCount);
    let count = 0;
    for (const l of lists) {
      for (let p = l.start; p < l.end; p++) {
        const d = docs[p]!;
        if (seen[d] === 1) continue;
        seen[d] = 1;
        if (this.deleted[d] === 0 && (allow === null || allow[d] === 1)) count++;
      }
    }
    return count;
  }

  /** Every allowed, live document (for filter-only queries), in document order. */
  allDocs(allow: Uint8Array | null): Int32Array {
    const out = new Int32Array(this.docCount);
    let count = 0;
    const deleted = this.deleted;
    for (let d = 0; d < this.docCount; d++) if (deleted[d] === 0 && (allow === null || allow[d] === 1)) out[count++] = d;
    return out.subarray(0, count);
  }

  /** Suggestion dictionary: the document count of a surface word (0 when unknown). */
  wordDf(word: string): number {
    const { words, wordDf } = this.data;
    const count = wordDf.length;
    const i = lowerBound(words, count, word);
    return i < count && stringAt(words, i) === word ? wordDf[i]! : 0;
  }

  wordCount(): number { return this.data.wordDf.length; }

  /** Suggestion dictionary: every surface word, sorted. */
  dictionaryWords(): string[] {
    return Array.from({ length: this.wordCount() }, (_, i) => stringAt(this.data.words, i));
  }

  /** Suggestion dictionary: up to `max` surface words starting with `prefix` (longer than it), with their document counts. */
  wordsStartingWith(prefix: string, max: number): { word: string; papers: number }[] {
    const { words, wordDf } = this.data;
    const count = wordDf.length;
    const out: { word: string; papers: number }[] = [];
    for (let i = lowerBound(words, count, prefix); i < count && out.length < max; i++) {
      const word = stringAt(words, i);
      if (!word.startsWith(prefix)) break;
      if (word !== prefix) out.push({ word, papers: wordDf[i]! });
    }
    return out;
  }
}

/** First position in [p, end) whose doc is >= d (exponential then binary search). */
function gallop(docs: Uint32Array, p: number, end: number, d: number): number {
  if (p >= end || docs[p]! >= d) return p;
  let step = 1;
  let lo = p;
  let hi = p + 1;
  while (hi < end && docs[hi]! < d) { lo = hi; step *= 2; hi = p + step; }
  if (hi > end) hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid]! < d) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A bounded min-heap keeping the k best (score, doc); ties keep the smaller doc. */
export class TopKHeap {
  private readonly docs: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;
  constructor(private readonly k: number) {
    this.docs = new Int32Array(Math.max(0, k));
    this.scores = new Float64Array(Math.max(0, k));
  }
  get full(): boolean { return this.size >= this.k; }
  minScore(): number { return this.size > 0 ? this.scores[0]! : -Infinity; }
  private less(i: number, j: number): boolean {
    const a = this.scores[i]!;
    const b = this.scores[j]!;
    return a < b || (a === b && this.docs[i]! > this.docs[j]!);
  }
  private swap(i: number, j: number): void {
    const d = this.docs[i]!; this.docs[i] = this.docs[j]!; this.docs[j] = d;
    const s = this.scores[i]!; this.scores[i] = this.scores[j]!; this.scores[j] = s;
  }
  /** Adds (doc, score) if it belongs in the top k; true when it was added. */
  offer(doc: number, score: number): boolean {
    if (this.k <= 0) return false;
    if (this.size < this.k) {
      let i = this.size++;
      this.docs[i] = doc; this.scores[i] = score;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.less(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return true;
    }
    const s0 = this.scores[0]!;
    if (score < s0 || (score === s0 && doc > this.docs[0]!)) return false;
    this.docs[0] = doc; this.scores[0] = score;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.less(l, m)) m = l;
      if (r < this.size && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return true;
  }
  /** Best first. */
  result(): Hits {
    const idx = Array.from({ length: this.size }, (_, i) => i)
      .sort((a, b) => this.scores[b]! - this.scores[a]! || this.docs[a]! - this.docs[b]!);
    return { docs: Int32Array.from(idx, (i) => this.docs[i]!), scores: Float64Array.from(idx, (i) => this.scores[i]!) };
  }
}
