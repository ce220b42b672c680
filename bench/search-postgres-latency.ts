/**
 * Keyword and hybrid query latency of the PostgreSQL search engine on a database already filled
 * and built (by `bench/search-postgres.ts --keep`), with the same 100 generated queries (drawn from
 * the stored titles), 10 warm-up queries per path, one at a time, top 10. With `--migrate`, applies
 * pending migrations first (to measure one migration's effect on the same papers: run once before,
 * once with it). Writes each path's hits and scores to `--hits FILE`, to compare two runs.
 *
 *   node --import tsx bench/search-postgres-latency.ts --database-url postgres://... [--migrate] [--hits FILE]
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from '../src/store/kysely.ts';
import { PgSearchEngine } from '../src/search/pg-engine.ts';
import { parseQuery } from '../src/search/query.ts';
import type { SearchRequest } from '../src/search/search-index.ts';
import { openStore } from '../src/store/index.ts';
import { percentile } from './report.ts';
import { makeQueries } from './search-queries.ts';

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: { 'database-url': { type: 'string' }, migrate: { type: 'boolean', default: false }, hits: { type: 'string' } },
});
const url = flags['database-url'];
if (!url) { process.stderr.write('usage: node --import tsx bench/search-postgres-latency.ts --database-url postgres://... [--migrate] [--hits FILE]\n'); process.exit(2); }
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const store = await openStore(url);
try {
  process.stdout.write(`load average at the start ${load()}\n`);
  if (flags.migrate) {
    const t0 = Date.now();
    const applied = await store.migrate(new Date().toISOString());
    process.stdout.write(`migrated ${applied.join(', ') || 'nothing'} in ${Date.now() - t0} ms\n`);
  }
  // makeQueries draws words from titles in a SQLite table; these are the stored papers' titles.
  const titles = new BetterSqlite3(':memory:');
  titles.exec('CREATE TABLE papers (title TEXT NOT NULL)');
  const insert = titles.prepare('INSERT INTO papers (title) VALUES (?)');
  for (const r of (await sql<{ title: string }>`SELECT title FROM papers ORDER BY id`.execute(store.db)).rows) insert.run(r.title);
  const queries = makeQueries(titles, 100);
  titles.close();
  const engine = await PgSearchEngine.open(store, {}, true);
  const paths: { name: string; req: (q: string) => SearchRequest }[] = [
    { name: 'hybrid', req: (q) => ({ query: parseQuery(q), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 10 }) },
    { name: 'keyword', req: (q) => ({ query: parseQuery(q), mode: 'keyword', sort: 'relevance', offset: 0, limit: 10 }) },
  ];
  const hits: Record<string, string[][]> = {};
  for (const p of paths) {
    for (const q of queries.slice(0, 10)) await engine.search(p.req(q.text));
    const ms: number[] = [];
    hits[p.name] = [];
    for (const q of queries) {
      const s = performance.now();
      const r = await engine.search(p.req(q.text));
      ms.push(performance.now() - s);
      hits[p.name]!.push(r.hits.map((h) => `${h.id} ${h.score}`));
    }
    process.stdout.write(`${p.name}: p50 ${percentile(ms, 50).toFixed(1)} ms, p90 ${percentile(ms, 90).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms\n`);
  }
  await engine.close();
  if (flags.hits) fs.writeFileSync(flags.hits, JSON.stringify(hits));
  process.stdout.write(`load average at the end ${load()}\n`);
} finally {
  await store.close();
}
