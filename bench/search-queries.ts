/**
 * The query mix of the search benchmarks: 1-5 word queries from the corpus's own titles (word
 * frequency as in the corpus), one in four made only of its twelve most common title words.
 * Seeded: the same corpus gives the same queries.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { STOP_WORDS, surfaceWords } from '../src/search/text.ts';

/** 1-5 word queries from real-looking titles (word frequency as in the corpus), and very common words. */
export function makeQueries(db: BetterSqlite3.Database, count: number): { text: string; kind: string }[] {
  const max = Number((db.prepare('SELECT max(rowid) AS m FROM papers').get() as { m: number }).m);
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const pool: string[] = [];
  const byCount = new Map<string, number>();
  const get = db.prepare('SELECT title FROM papers WHERE rowid = ?');
  while (pool.length < 20_000) {
    const row = get.get(1 + Math.floor(rand() * max)) as { title: string } | undefined;
    if (!row) continue;
    for (const w of surfaceWords(row.title)) {
      if (w.length < 3 || STOP_WORDS.has(w) || /^\d+$/.test(w)) continue;
      pool.push(w);
      byCount.set(w, (byCount.get(w) ?? 0) + 1);
    }
  }
  const common = [...byCount].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([w]) => w);
  const out: { text: string; kind: string }[] = [];
  for (let i = 0; i < count; i++) {
    const len = 1 + (i % 5);
    const words = new Set<string>();
    const fromCommon = i % 4 === 0;
    while (words.size < len) words.add(fromCommon ? common[Math.floor(rand() * common.length)]! : pool[Math.floor(rand() * pool.length)]!);
    out.push({ text: [...words].join(' '), kind: fromCommon ? 'common' : 'sampled' });
  }
  return out;
}
