/**
 * Phrase queries of common words, as the search page, the JSON API and the search feed run them
 * (searchPapers: hybrid by relevance, 20 a page; and newest first): each query's pages 1, 2 and 3
 * in turn, then page 1 again, one at a time, in process. A phrase is checked against the text of
 * its candidates, so these are the searches where that check costs most: words that many papers
 * have, in an order few of them use ("network neural").
 *
 * With --results FILE it also writes what every search found (ids in order, total, whether the
 * total is exact) for both sort orders and the keyword mode too, so two checkouts can be compared
 * with `diff` (the results must not change when only the speed does).
 *
 *   node --import tsx bench/search-phrase.ts                       on the demo corpus (imported into .tmp/bench-phrase once)
 *   node --import tsx bench/search-phrase.ts --db FILE             on another store (e.g. bench/search.ts's corpus)
 *   ... --results FILE                                             write the results for comparison
 *   ... --write                                                    replace the search-phrase section of BENCHMARKS.md
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SearchIndex, type SearchMode, type SearchSort } from '../src/search/search-index.ts';
import { searchPapers } from '../src/search/service.ts';
import { importDemo } from '../src/services/demo.ts';
import { openStore } from '../src/store/index.ts';
import { machine, percentile, writeSection } from './report.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A small corpus-trained embedder (as the tests use): the default one trains for minutes. */
const EMBEDDER = { dims: 32, epochs: 2, queriesPerDoc: 2, batchSize: 16, maxTrainingDocs: 500 };
/** Common words of the demo's abstracts, in the order papers use and in the order few do. */
const PHRASE_QUERIES = [
  '"neural network"', '"network neural"', '"language models"', '"models language"', '"deep learning"', '"learning deep"',
  '"the model"', '"model the"', '"we propose"', '"propose we"', '"large language models"', '"models large language"',
  '"data set"', '"results show"', '"show results"', '"learning" "model"', '"state of the art"', '"of the art state"',
];
const PAGES = 3;

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: { db: { type: 'string' }, results: { type: 'string' }, write: { type: 'boolean', default: false } },
});

const log = (msg: string) => process.stderr.write(`[search-phrase] ${msg}\n`);

async function demoStore(): Promise<string> {
  const dir = path.join(ROOT, '.tmp', 'bench-phrase');
  const file = path.join(dir, 'demo.db');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.partial`;
  for (const ext of ['', '-wal', '-shm']) fs.rmSync(tmp + ext, { force: true });
  const store = await openStore(`sqlite:${tmp}`);
  await store.migrate(new Date().toISOString());
  await importDemo(store, { now: () => new Date().toISOString() });
  const index = await SearchIndex.open(store, { corpusEmbedder: EMBEDDER, buildInWorker: false }, true);
  await index.close();
  await store.close();
  for (const ext of ['-wal', '-shm']) fs.rmSync(tmp + ext, { force: true });
  fs.renameSync(tmp, file);
  log(`demo store written: ${file}`);
  return file;
}

const db = flags.db ? path.resolve(flags.db) : await demoStore();
const store = await openStore(`sqlite:${db}`);
await store.migrate(new Date().toISOString());
const index = await SearchIndex.open(store, { corpusEmbedder: EMBEDDER, buildInWorker: false }, true);
const deps = { store, index };
const papers = index.status().papers;
log(`${papers} papers, semantic ${index.status().semantic}`);

// What is found, before any timing (so the timed runs below start from the same state in every checkout).
if (flags.results) {
  const found: Record<string, unknown> = {};
  for (const q of PHRASE_QUERIES) {
    for (const [mode, sort] of [['hybrid', 'relevance'], ['keyword', 'relevance'], ['hybrid', 'date'], ['hybrid', 'upvotes']] as [SearchMode, SearchSort][]) {
      for (let page = 1; page <= PAGES; page++) {
        const r = await searchPapers(deps, { q, mode, sort, page });
        found[`${q} mode=${mode} sort=${sort} page=${page}`] = { total: r.total, exact: r.totalExact, ids: r.items.map((i) => i.id) };
      }
    }
  }
  fs.writeFileSync(flags.results, `${JSON.stringify(found, null, 1)}\n`);
  log(`results written: ${flags.results}`);
  await index.close();
  await store.close();
  process.exit(0);
}

const load0 = os.loadavg()[0]!;
const rows: string[] = [];
for (const sort of ['relevance', 'date'] as SearchSort[]) {
  const wall: number[][] = Array.from({ length: PAGES + 1 }, () => []);
  const cpu: number[][] = Array.from({ length: PAGES + 1 }, () => []);
  for (const q of PHRASE_QUERIES) {
    for (let page = 1; page <= PAGES + 1; page++) {
      const t = performance.now();
      const c = process.cpuUsage();
      await searchPapers(deps, { q, sort, page: page <= PAGES ? page : 1 });
      const used = process.cpuUsage(c);
      wall[page - 1]!.push(performance.now() - t);
      cpu[page - 1]!.push((used.user + used.system) / 1000);
    }
  }
  const p = (a: number[], k: number) => `${percentile(a, k).toFixed(1)} ms`;
  const label = sort === 'relevance' ? 'By relevance (hybrid, the default)' : 'Newest first';
  rows.push(`| ${label} | ${wall.map((c, i) => `${p(c, 50)} / ${p(c, 100)} (CPU ${p(cpu[i]!, 50)})`).join(' | ')} |`);
  log(rows[rows.length - 1]!);
}
await index.close();
await store.close();
const load1 = os.loadavg()[0]!;

const body = [
  '## Search: phrases of common words',
  '',
  `Measured on ${new Date().toISOString().slice(0, 10)} with \`node --import tsx bench/search-phrase.ts${flags.db ? ' --db ...' : ''} --write\` on ${papers.toLocaleString('en-US')} papers${flags.db ? '' : ' (the demo corpus)'} (${machine()}; load average ${load0.toFixed(1)} at the start and ${load1.toFixed(1)} at the end). ${PHRASE_QUERIES.length} phrase queries of common words, each in the order papers use and in an order few use (${PHRASE_QUERIES.slice(0, 4).join(', ')}, ...): pages 1, 2 and 3 in turn, then page 1 again, through the whole search call (searchPapers, 20 a page, as the search page, the JSON API and the search feed), in process, one at a time. Median / slowest over the queries (wall clock), and the median CPU time of the process (the figure that other work on the machine moves least).`,
  '',
  '| Sort | page 1 | page 2 | page 3 | page 1 again |',
  '|---|---:|---:|---:|---:|',
  ...rows,
].join('\n');
process.stdout.write(`${body}\n`);
if (flags.write) writeSection('search-phrase', body);
