/**
 * The discovery benchmark, on the bundled demo corpus (10,511 papers):
 *
 * 1. Keywords: counting the corpus statistics and extracting and storing keywords for every paper
 *    (`paperboy keywords --all`), and for one day of new papers against an existing model (what
 *    an import or ingest run adds), in the process that counted it and in a new one (which reads
 *    the saved model).
 * 2. Pages, in-process and uncached (no page cache in front): author pages (the 200 most prolific
 *    names, and 200 names with one paper), category pages, and a paper page with keywords.
 *
 * Writes its section of BENCHMARKS.md (`<!-- bench:discovery:start -->` ... `end`) with --write;
 * prints only, otherwise.
 *
 *   node --import tsx bench/discovery.ts [--write] [--note "machine busy"]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { outboxMailer } from '../src/mail/mailer.ts';
import { importDemo } from '../src/services/demo.ts';
import { refreshKeywords } from '../src/services/keywords.ts';
import { openStore } from '../src/store/index.ts';
import { loadAssets } from '../src/web/assets.ts';
import { createApp } from '../src/web/app.tsx';
import { machine, percentile, writeSection } from './report.ts';

const { values: flags } = parseArgs({ args: process.argv.slice(2), options: { write: { type: 'boolean', default: false }, note: { type: 'string' } } });
const t0 = performance.now();
const log = (msg: string) => process.stdout.write(`[bench:discovery ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
const now = () => new Date().toISOString();

const fmt = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-bench-discovery-'));
const store = await openStore(path.join(dir, 'bench.db'));
try {
  await store.migrate(now());
  log('importing the demo corpus (keywords included)');
  const imported = await importDemo(store, { now });
  log(`imported ${imported.new} papers in ${imported.ms} ms`);

  log('keywords --all');
  const all = await refreshKeywords(store, { now, all: true });
  log(`keywords: ${all.papers} papers, ${all.keywords} keywords, ${all.ms} ms`);

  // One day of new papers: take the newest announcement day's papers, mark them as changed, redo them.
  const day = (await store.latestAnnouncedDay())!;
  const dayIds = (await store.db.selectFrom('announcements').select('paper_id').where('day', '=', day).execute()).map((r) => r.paper_id);
  await store.db.withTables<{ paper_keyword_state: { paper_id: string; source_hash: string } }>()
    .updateTable('paper_keyword_state').set({ source_hash: 'stale' }).where('paper_id', 'in', dayIds).execute();
  const daily = await refreshKeywords(store, { now });
  log(`one day (${dayIds.length} papers): ${daily.ms} ms`);
  // The same in another process (a `paperboy import` or `ingest` command): the counts come from the store.
  const other = await openStore(path.join(dir, 'bench.db'));
  await other.db.withTables<{ paper_keyword_state: { paper_id: string; source_hash: string } }>()
    .updateTable('paper_keyword_state').set({ source_hash: 'stale' }).where('paper_id', 'in', dayIds).execute();
  const fresh = await refreshKeywords(other, { now });
  await other.close();
  log(`one day in another process: ${fresh.ms} ms`);

  const app = createApp({
    store,
    config: {
      siteName: 'Bench', pageSize: 30, categories: ['cs.CL'], production: true, adminPassword: null, ingestAt: null,
      baseUrl: 'http://localhost', submitQuota: 10, trustProxy: 0, outboxDir: path.join(dir, 'outbox'),
    },
    mailer: outboxMailer(path.join(dir, 'outbox'), 'bench <b@localhost>'),
    secret: 'bench', arxiv: null, assets: await loadAssets(), clock: { now: () => Date.now() }, logger: pino({ level: 'silent' }),
  });
  // Signed-in requests bypass the page cache: a session-looking cookie makes every request a real render.
  const headers = { cookie: 'pb_session=none' };
  async function time(paths: string[]): Promise<{ p50: number; p95: number; n: number }> {
    for (const p of paths.slice(0, 5)) await app.request(p, { headers }); // warm statements
    const ms: number[] = [];
    for (const p of paths) {
      const s = performance.now();
      const res = await app.request(p, { headers });
      await res.text();
      if (res.status !== 200) throw new Error(`${p}: ${res.status}`);
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    return { p50: percentile(ms, 50), p95: percentile(ms, 95), n: ms.length };
  }
  const prolific = await store.db.selectFrom('paper_authors').select((eb) => ['name', eb.fn.countAll<number>().as('n')])
    .groupBy('name').orderBy('n', 'desc').orderBy('name').limit(200).execute();
  const single = await store.db.selectFrom('paper_authors').select((eb) => ['name', eb.fn.countAll<number>().as('n')])
    .groupBy('name').having((eb) => eb.fn.countAll(), '=', 1).orderBy('name').limit(200).execute();
  const cats = await store.db.selectFrom('paper_categories').select((eb) => ['category', eb.fn.countAll<number>().as('n')])
    .groupBy('category').orderBy('n', 'desc').limit(20).execute();
  const papers = (await store.db.selectFrom('daily_entries').select('paper_id').orderBy('paper_id').limit(200).execute()).map((r) => `/papers/${r.paper_id}`);
  const enc = (n: string) => `/authors/${encodeURIComponent(n)}`;
  const topAuthors = await time(prolific.map((r) => enc(r.name)));
  const oneAuthors = await time(single.map((r) => enc(r.name)));
  const catPages = await time(cats.flatMap((r) => [`/categories/${r.category}`, `/categories/${r.category}/month/2025-05`]));
  const paperPages = await time(papers);
  const most = prolific[0]!;
  log(`author pages (top 200, up to ${most.n} papers): p50 ${fmt(topAuthors.p50)} ms p95 ${fmt(topAuthors.p95)} ms`);
  log(`author pages (one paper): p50 ${fmt(oneAuthors.p50)} ms p95 ${fmt(oneAuthors.p95)} ms`);
  log(`category pages: p50 ${fmt(catPages.p50)} ms p95 ${fmt(catPages.p95)} ms`);
  log(`paper pages with keywords: p50 ${fmt(paperPages.p50)} ms p95 ${fmt(paperPages.p95)} ms`);

  const body = `## Discovery: keywords, author and category pages

Measured by \`node --import tsx bench/discovery.ts --write\` on ${machine()}${flags.note ? `; ${flags.note}` : ''}.
The bundled demo corpus (${imported.new.toLocaleString('en')} papers), a real SQLite file.

| what | figure |
|---|---|
| keywords of every paper (\`paperboy keywords --all\`: corpus statistics, extraction, storing) | ${all.papers.toLocaleString('en')} papers, ${all.keywords.toLocaleString('en')} keywords in ${(all.ms / 1000).toFixed(1)} s (${Math.round(all.papers / (all.ms / 1000)).toLocaleString('en')} papers/s) |
| keywords of one day of new papers (${dayIds.length} papers, ${day}), corpus statistics in memory (\`serve\`) | ${daily.ms} ms |
| the same in a new process (an import or ingest command): corpus statistics read from the store | ${fresh.ms} ms |
| author page, the 200 most prolific names (up to ${most.n} papers), uncached | p50 ${fmt(topAuthors.p50)} ms, p95 ${fmt(topAuthors.p95)} ms |
| author page, 200 names with one paper, uncached | p50 ${fmt(oneAuthors.p50)} ms, p95 ${fmt(oneAuthors.p95)} ms |
| category page (20 largest categories, latest day and a month), uncached | p50 ${fmt(catPages.p50)} ms, p95 ${fmt(catPages.p95)} ms |
| paper page with keyword chips and marks, uncached | p50 ${fmt(paperPages.p50)} ms, p95 ${fmt(paperPages.p95)} ms |
`;
  process.stdout.write(`\n${body}`);
  if (flags.write) writeSection('discovery', body);
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
