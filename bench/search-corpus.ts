/**
 * A synthetic arXiv-like corpus for the search benchmark, from the real vocabulary and sentence
 * statistics of the shared arXiv listings (10,511 real cs.* papers):
 *
 * - titles and abstracts come from word-bigram Markov chains trained on the real titles and
 *   abstracts (so word frequencies, common words and word pairs are those of real abstracts), with
 *   lengths drawn from the real length distributions;
 * - authors recombine real first and last names; categories follow the real category lists;
 * - publication dates spread over 2007-2026; one paper in five has a code link; upvotes are
 *   heavy-tailed.
 *
 * Deterministic for a seed. Written straight into a migrated Paperboy store with prepared
 * statements (the product's upsert path is measured elsewhere; here only search is).
 */
import fs from 'node:fs';
import readline from 'node:readline';
import zlib from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import { seededRandom } from '../src/search/linalg.ts';

export interface RealPaper {
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
}

export async function readRealPapers(file: string): Promise<RealPaper[]> {
  const out: RealPaper[] = [];
  const lines = readline.createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as { title?: string; abstract?: string; authors?: string[]; categories?: string[] };
    if (!o.title || !o.abstract) continue;
    out.push({
      title: o.title.replace(/\s+/g, ' ').trim(),
      abstract: o.abstract.replace(/\s+/g, ' ').trim(),
      authors: o.authors ?? [],
      categories: o.categories ?? [],
    });
  }
  return out;
}

/** A word-bigram chain: next word by weighted choice among those seen after the current one. */
class Chain {
  private readonly next = new Map<string, { words: string[]; cum: Uint32Array }>();
  private readonly starts: { words: string[]; cum: Uint32Array };
  private readonly lengths: number[];

  constructor(texts: string[], private readonly rand: () => number) {
    const counts = new Map<string, Map<string, number>>();
    const startCounts = new Map<string, number>();
    this.lengths = [];
    for (const text of texts) {
      const words = text.split(' ').filter(Boolean);
      this.lengths.push(words.length);
      let prev: string | null = null;
      for (const w of words) {
        if (prev === null || /[.!?]$/.test(prev)) startCounts.set(w, (startCounts.get(w) ?? 0) + 1);
        if (prev !== null) {
          let m = counts.get(prev);
          if (!m) counts.set(prev, (m = new Map()));
          m.set(w, (m.get(w) ?? 0) + 1);
        }
        prev = w;
      }
    }
    const table = (m: Map<string, number>) => {
      const words = [...m.keys()];
      const cum = new Uint32Array(words.length);
      let c = 0;
      words.forEach((w, i) => { c += m.get(w)!; cum[i] = c; });
      return { words, cum };
    };
    for (const [w, m] of counts) this.next.set(w, table(m));
    this.starts = table(startCounts);
  }

  private pick(t: { words: string[]; cum: Uint32Array }): string {
    const total = t.cum[t.cum.length - 1]!;
    const x = Math.floor(this.rand() * total);
    let lo = 0;
    let hi = t.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return t.words[lo]!;
  }

  /** Text of about a real text's length, ending at a sentence end when it can. */
  generate(): string {
    const target = this.lengths[Math.floor(this.rand() * this.lengths.length)]!;
    const out: string[] = [];
    let w = this.pick(this.starts);
    for (;;) {
      out.push(w);
      if (out.length >= target && (/[.!?]$/.test(w) || out.length >= target * 1.5)) break;
      const t = this.next.get(w);
      w = t ? this.pick(t) : this.pick(this.starts);
    }
    return out.join(' ');
  }
}

export interface GenerateOptions {
  file: string;
  count: number;
  seed?: number;
  onProgress?: (done: number) => void;
}

/** Writes `count` synthetic papers into the (migrated, empty) SQLite store at `dbFile`. */
export async function generateCorpus(dbFile: string, opts: GenerateOptions): Promise<void> {
  const real = await readRealPapers(opts.file);
  const rand = seededRandom(opts.seed ?? 20260101);
  const titles = new Chain(real.map((p) => p.title), rand);
  const abstracts = new Chain(real.map((p) => p.abstract), rand);
  const first: string[] = [];
  const last: string[] = [];
  for (const p of real) for (const a of p.authors) {
    const parts = a.split(' ');
    if (parts.length >= 2) { first.push(parts[0]!); last.push(parts[parts.length - 1]!); }
  }
  const categoryLists = real.map((p) => p.categories).filter((c) => c.length > 0);
  const authorCounts = real.map((p) => Math.max(1, p.authors.length));

  const db = new BetterSqlite3(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insertPaper = db.prepare(`INSERT INTO papers (id, latest_version, title, abstract, primary_category, published_at, updated_at, code_url,
    upvotes, hotness, created_at, modified_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`);
  const insertAuthor = db.prepare('INSERT INTO paper_authors (paper_id, position, name) VALUES (?, ?, ?)');
  const insertCategory = db.prepare('INSERT INTO paper_categories (paper_id, category, is_primary, position) VALUES (?, ?, ?, ?)');
  const start = Date.UTC(2007, 3, 1);
  const span = Date.UTC(2026, 0, 1) - start;
  const perMonth = new Map<string, number>();
  const now = new Date(0).toISOString();
  const batch = db.transaction((n: number, from: number) => {
    for (let i = from; i < from + n; i++) {
      const when = new Date(start + Math.floor((i / opts.count) * span));
      const yymm = `${String(when.getUTCFullYear() % 100).padStart(2, '0')}${String(when.getUTCMonth() + 1).padStart(2, '0')}`;
      const seq = (perMonth.get(yymm) ?? 0) + 1;
      perMonth.set(yymm, seq);
      const id = `${yymm}.${String(seq).padStart(5, '0')}`;
      const cats = [...new Set(categoryLists[Math.floor(rand() * categoryLists.length)]!)];
      const upvotes = rand() < 0.9 ? 0 : Math.floor(Math.exp(rand() * 5));
      const iso = when.toISOString();
      insertPaper.run(id, titles.generate(), abstracts.generate(), cats[0] ?? null, iso, iso, rand() < 0.2 ? `https://github.com/example/${id}` : null, upvotes, now, now);
      const na = authorCounts[Math.floor(rand() * authorCounts.length)]!;
      for (let a = 0; a < Math.min(na, 30); a++) {
        insertAuthor.run(id, a, `${first[Math.floor(rand() * first.length)]} ${last[Math.floor(rand() * last.length)]}`);
      }
      cats.forEach((c, k) => insertCategory.run(id, c, k === 0 ? 1 : 0, k));
    }
  });
  for (let i = 0; i < opts.count; i += 10_000) {
    batch(Math.min(10_000, opts.count - i), i);
    opts.onProgress?.(Math.min(opts.count, i + 10_000));
  }
  db.close();
}
