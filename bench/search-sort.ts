/**
 * Search sorted by newest first and by most upvoted (the papers with every query word, in that
 * order), on a corpus made by bench/search.ts's generator: p50/p90/p99 for its 300-query mix,
 * very common words included. Loads the corpus's saved index (builds a keyword-only one if there
 * is none). Writes its section of BENCHMARKS.md with --write.
 *
 *   node --import tsx bench/search-sort.ts --db .tmp/bench-search/papers-1000000.db [--write]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { parseQuery } from '../src/search/query.ts';
import { SearchIndex, type SearchSort } from '../src/search/search-index.ts';
import { openStore } from '../src/store/index.ts';
import { machine, percentile, writeSection } from './report.ts';
import { makeQueries } from './search-queries.ts';

const QUERIES = 300;
const WARMUP = 30;
const { values: flags } = parseArgs({ args: process.argv.slice(2), options: { db: { type: 'string' }, write: { type: 'boolean', default: false } } });
if (!flags.db) { process.stderr.write('usage: node --import tsx bench/search-sort.ts --db FILE [--write]\n'); process.exit(2); }

const store = await openStore(`sqlite:${flags.db}`);
const index = await SearchIndex.open(store, { semantic: false, buildInWorker: false }, true);
const papers = index.status().papers;
const raw = new BetterSqlite3(flags.db, { readonly: true });
const queries = makeQueries(raw, QUERIES);
raw.close();
const rows: string[] = [];
const load0 = os.loadavg()[0]!;
for (const sort of ['date', 'upvotes'] as SearchSort[]) {
  const run = (q: string) => index.search({ query: parseQuery(q), mode: 'keyword', sort, offset: 0, limit: 10 });
  for (const q of queries.slice(0, WARMUP)) await run(q.text);
  const ms: number[] = [];
  const byLen: number[][] = [[], [], [], [], []];
  for (const q of queries) {
    const t = performance.now();
    await run(q.text);
    const d = performance.now() - t;
    ms.push(d);
    byLen[q.text.split(' ').length - 1]!.push(d);
  }
  const s = [...ms].sort((a, b) => a - b);
  const p50 = (a: number[]) => percentile(a, 50).toFixed(1);
  rows.push(`| ${sort === 'date' ? 'Newest first' : 'Most upvoted'} | ${percentile(s, 50).toFixed(1)} ms | ${percentile(s, 90).toFixed(1)} ms | ${percentile(s, 99).toFixed(1)} ms | ${byLen.map(p50).join(' / ')} |`);
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}
await index.close();
await store.close();
const load1 = os.loadavg()[0]!;
const body = [
  `## Search sorted by date or votes`,
  '',
  `Measured on ${new Date().toISOString().slice(0, 10)} with \`node --import tsx bench/search-sort.ts --db ... --write\` on ${papers.toLocaleString('en-US')} papers from bench/search.ts's generator (${machine()}; load average ${load0.toFixed(1)} at the start and ${load1.toFixed(1)} at the end: other work shared the machine). ${QUERIES} queries of 1-5 words, one in four only of the corpus's twelve most common title words, ${WARMUP} warm-up queries first; top 10, in process, one at a time.`,
  '',
  '| Sort (papers with every word) | p50 | p90 | p99 | p50 by words (1/2/3/4/5) |',
  '|---|---:|---:|---:|---|',
  ...rows,
].join('\n');
if (flags.write) writeSection('search-sort', body);
process.stdout.write(`${body}\n`);
