/**
 * PostgreSQL's search engine beside the in-memory one: retrieval quality on a BEIR folder (the
 * SciFact train split) through both, and query latency of the PostgreSQL engine on a generated
 * corpus (bench/search-corpus.ts) of the size asked.
 *
 *   node --import tsx bench/search-postgres.ts --database-url postgres://... [--beir DIR] [--papers 50000] [--write] [--keep]
 *
 * The database must be a scratch one without papers (it is filled and emptied again; with --keep
 * the papers and the built engine stay, for bench/search-postgres-latency.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from '../src/store/kysely.ts';
import { readBeir } from '../src/search/beir.ts';
import { evaluateBeir, type ModeScore } from '../src/search/evaluate.ts';
import { PgSearchEngine } from '../src/search/pg-engine.ts';
import { parseQuery } from '../src/search/query.ts';
import type { SearchRequest } from '../src/search/search-index.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { machine, percentile, ROOT, writeSection } from './report.ts';
import { generateCorpus } from './search-corpus.ts';
import { makeQueries } from './search-queries.ts';

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    'database-url': { type: 'string' }, beir: { type: 'string' }, papers: { type: 'string' }, write: { type: 'boolean', default: false },
    'skip-quality': { type: 'boolean', default: false }, keep: { type: 'boolean', default: false },
  },
});
const url = flags['database-url'];
if (!url) { process.stderr.write('usage: node --import tsx bench/search-postgres.ts --database-url postgres://... [--beir DIR] [--papers N] [--write]\n'); process.exit(2); }
const beirDir = flags.beir ?? path.join(ROOT, '..', 'shared', 'data', 'scifact-dev');
const papers = Number(flags.papers ?? 50_000);
const log = (s: string) => process.stderr.write(`${s}\n`);
const loadAverage = () => os.loadavg()[0]!.toFixed(1);

// ------------------------------------------------------------------------------------------------
// Quality: the same evaluation through both engines.
let quality: { sqlite: ModeScore[]; postgres: ModeScore[]; docs: number; queries: number } | null = null;
if (!flags['skip-quality']) {
  const set = await readBeir(beirDir, 'train');
  log(`quality: ${set.docs.length} documents, ${set.queries.length} queries`);
  const sqlite = await evaluateBeir(set, {});
  log(`quality: in-memory engine done (load average ${loadAverage()})`);
  const postgres = await evaluateBeir(set, { postgresUrl: url });
  log(`quality: postgres engine done (load average ${loadAverage()})`);
  quality = { sqlite, postgres, docs: set.docs.length, queries: set.queries.length };
}

// ------------------------------------------------------------------------------------------------
// Latency on a generated corpus, copied into PostgreSQL through the triggers that keep the documents.


async function copyCorpus(from: BetterSqlite3.Database, store: Store): Promise<number> {
  const started = Date.now();
  const ids = (from.prepare('SELECT id FROM papers ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  const getPapers = from.prepare(`SELECT id, title, abstract, primary_category, published_at, updated_at, code_url, upvotes FROM papers WHERE id >= ? AND id <= ? ORDER BY id`);
  const getAuthors = from.prepare('SELECT paper_id, position, name FROM paper_authors WHERE paper_id >= ? AND paper_id <= ?');
  const getCats = from.prepare('SELECT paper_id, category, is_primary, position FROM paper_categories WHERE paper_id >= ? AND paper_id <= ?');
  const now = new Date(0).toISOString();
  for (let i = 0; i < ids.length; i += 2_000) {
    const lo = ids[i]!;
    const hi = ids[Math.min(ids.length, i + 2_000) - 1]!;
    const ps = getPapers.all(lo, hi) as { id: string; title: string; abstract: string; primary_category: string | null; published_at: string; updated_at: string; code_url: string | null; upvotes: number }[];
    const as = getAuthors.all(lo, hi) as { paper_id: string; position: number; name: string }[];
    const cs = getCats.all(lo, hi) as { paper_id: string; category: string; is_primary: number; position: number }[];
    await store.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO papers (id, title, abstract, primary_category, published_at, updated_at, code_url, upvotes, created_at, modified_at)
        SELECT * FROM unnest(${ps.map((p) => p.id)}::text[], ${ps.map((p) => p.title)}::text[], ${ps.map((p) => p.abstract)}::text[],
          ${ps.map((p) => p.primary_category)}::text[], ${ps.map((p) => p.published_at)}::text[], ${ps.map((p) => p.updated_at)}::text[],
          ${ps.map((p) => p.code_url)}::text[], ${ps.map((p) => p.upvotes)}::int[], ${ps.map(() => now)}::text[], ${ps.map(() => now)}::text[])`.execute(trx);
      await sql`INSERT INTO paper_authors (paper_id, position, name)
        SELECT * FROM unnest(${as.map((a) => a.paper_id)}::text[], ${as.map((a) => a.position)}::int[], ${as.map((a) => a.name)}::text[])`.execute(trx);
      await sql`INSERT INTO paper_categories (paper_id, category, is_primary, position)
        SELECT * FROM unnest(${cs.map((c) => c.paper_id)}::text[], ${cs.map((c) => c.category)}::text[], ${cs.map((c) => c.is_primary)}::int[], ${cs.map((c) => c.position)}::int[])`.execute(trx);
    });
  }
  return Date.now() - started;
}

interface PathResult { name: string; ms: number[] }

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-pgbench-'));
const file = path.join(dir, 'corpus.db');
const store = await openStore(url);
let latency: { results: PathResult[]; copyMs: number; buildMs: number; loadAvg: string } | null = null;
try {
  await store.migrate(new Date(0).toISOString());
  const n = Number((await store.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  if (n > 0) throw new Error(`bench: the database already holds ${n} papers; give it a scratch database`);
  const seed = await openStore(`sqlite:${file}`);
  await seed.migrate(new Date(0).toISOString());
  await seed.close();
  await generateCorpus(file, { file: path.join(ROOT, '..', 'shared', 'data', 'arxiv-cs-listings-2025-05-06', 'arxiv_cs_2025-05_06.jsonl.gz'), count: papers });
  const raw = new BetterSqlite3(file, { readonly: true });
  log(`latency: ${papers} papers generated`);
  const copyMs = await copyCorpus(raw, store);
  log(`latency: copied into PostgreSQL in ${copyMs} ms`);
  // The embedder is trained briefly (latency does not depend on its quality; its 256 dimensions are the default's).
  const engine = PgSearchEngine.detached(store, { corpusEmbedder: { maxTrainingDocs: 5_000, epochs: 1 } });
  const t0 = Date.now();
  await engine.rebuild();
  const buildMs = Date.now() - t0;
  log(`latency: engine built in ${buildMs} ms`);
  const queries = makeQueries(raw, 100);
  raw.close();
  const paths: { name: string; req: (q: string) => SearchRequest }[] = [
    { name: '**Hybrid (default)**: keyword top 100 + 100 nearest, fused', req: (q) => ({ query: parseQuery(q), mode: 'hybrid', sort: 'relevance', offset: 0, limit: 10 }) },
    { name: 'Keyword (GIN match, weighted ts_rank, BM25F re-score of 300)', req: (q) => ({ query: parseQuery(q), mode: 'keyword', sort: 'relevance', offset: 0, limit: 10 }) },
    { name: 'Keyword + cat:cs.CL year:2020-2024', req: (q) => ({ query: parseQuery(`${q} cat:cs.CL year:2020-2024`), mode: 'keyword', sort: 'relevance', offset: 0, limit: 10 }) },
    { name: 'Keyword, newest first (all words)', req: (q) => ({ query: parseQuery(q), mode: 'keyword', sort: 'date', offset: 0, limit: 10 }) },
    { name: 'Semantic (HNSW, ef_search 200)', req: (q) => ({ query: parseQuery(q), mode: 'semantic', sort: 'relevance', offset: 0, limit: 10 }) },
  ];
  const results: PathResult[] = [];
  for (const p of paths) {
    for (const q of queries.slice(0, 10)) await engine.search(p.req(q.text)); // warm-up
    const ms: number[] = [];
    for (const q of queries) {
      const s = performance.now();
      await engine.search(p.req(q.text));
      ms.push(performance.now() - s);
    }
    results.push({ name: p.name, ms });
    log(`latency: ${p.name} p50=${percentile(ms, 50).toFixed(1)} p99=${percentile(ms, 99).toFixed(1)}`);
  }
  await engine.close();
  latency = { results, copyMs, buildMs, loadAvg: loadAverage() };
} finally {
  if (!flags.keep) await sql`DELETE FROM papers`.execute(store.db).catch(() => {});
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

// ------------------------------------------------------------------------------------------------
const f = (x: number) => `${x.toFixed(1)} ms`;
const lines: string[] = [
  '## Search on PostgreSQL (tsvector + pgvector) beside the in-memory engine',
  '',
  `Measured on ${new Date().toISOString().slice(0, 10)} with \`node --import tsx bench/search-postgres.ts --database-url ... --papers ${papers} --write\` (${machine()}), PostgreSQL ${(await (async () => { const s = await openStore(url); try { return (await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(s.db)).rows[0]!.v; } finally { await s.close(); } })())}, pgvector 0.8. Load average ${latency?.loadAvg ?? loadAverage()} at the end (the bench and PostgreSQL alone make about 1; above ${os.cpus().length}, other work competed for the CPUs and the latencies are upper bounds).`,
  '',
];
if (quality) {
  lines.push(`Quality: \`paperboy eval-search\` on the SciFact train split (${quality.docs.toLocaleString('en')} abstracts, ${quality.queries} claims), the same code path for both engines.`, '');
  lines.push('| Mode | in-memory (SQLite) nDCG@10 | PostgreSQL nDCG@10 | in-memory R@100 | PostgreSQL R@100 | in-memory ms/query | PostgreSQL ms/query |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const s of quality.sqlite) {
    const p = quality.postgres.find((x) => x.mode === s.mode)!;
    lines.push(`| ${s.mode}${s.isDefault ? ' (default)' : ''} | ${s.ndcg10.toFixed(4)} | ${p.ndcg10.toFixed(4)} | ${s.recall100.toFixed(4)} | ${p.recall100.toFixed(4)} | ${s.msPerQuery.toFixed(1)} | ${p.msPerQuery.toFixed(1)} |`);
  }
  lines.push('');
}
if (latency) {
  lines.push(`Latency: ${papers.toLocaleString('en')} generated papers (bench/search-corpus.ts), 100 queries of 1-5 words (bench/search-queries.ts), 10 warm-up queries per path, one at a time, top 10. Copying the papers in (the triggers write each paper's tsvector): ${(latency.copyMs / 1000).toFixed(0)} s; building the engine (word statistics, a briefly trained embedder, ${papers.toLocaleString('en')} vectors into HNSW): ${(latency.buildMs / 1000).toFixed(0)} s.`, '');
  lines.push('| Query path (top 10) | p50 | p90 | p99 |', '|---|---:|---:|---:|');
  for (const r of latency.results) lines.push(`| ${r.name} | ${f(percentile(r.ms, 50))} | ${f(percentile(r.ms, 90))} | ${f(percentile(r.ms, 99))} |`);
  lines.push('');
}
lines.push('What the figures mean: docs/search.md, "On PostgreSQL".');
const body = lines.join('\n');
process.stdout.write(`${body}\n`);
if (flags.write) writeSection('search-postgres', body);
