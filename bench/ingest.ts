/**
 * `npm run bench:ingest`: how fast papers go from arXiv's formats into the store.
 *
 * 1. OAI-PMH: a local HTTP server serves the recorded 1,000-record arXivRaw page as a harvest of
 *    PAGES pages (each page's ids rewritten to be new, each pointing to the next by resumptionToken);
 *    the real client (no rate limit: the server is local), parser and store ingest them.
 * 2. The bulk snapshot importer on a file of SNAPSHOT_LINES records made from the recorded head of
 *    the arXiv metadata snapshot (ids rewritten to be new).
 * Figures go to the "ingest" section of BENCHMARKS.md, with what a full arXiv back-fill would take.
 *
 *   npm run bench:ingest [-- --quick]
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createArxivClient } from '../src/arxiv/client.ts';
import { ingestOai } from '../src/services/ingest.ts';
import { importFile } from '../src/services/import.ts';
import { openStore } from '../src/store/index.ts';
import { machine, writeSection } from './report.ts';

const { values: flags } = parseArgs({ args: process.argv.slice(2), options: { quick: { type: 'boolean', default: false } } });
const quick = flags.quick === true;
const PAGES = quick ? 5 : 30;
const SNAPSHOT_LINES = quick ? 10_000 : 60_000;
const TARGET_PER_S = 3_000;
/** Papers on arXiv, roughly (late 2025). */
const ARXIV_PAPERS = 2_700_000;
/** arXiv's OAI-PMH pages hold 1,000 records (arXivRaw), one request every 3 s. */
const OAI_PAGE = 1_000;
const ARXIV_INTERVAL_S = 3;

const shared = process.env.PAPERBOY_SHARED_DATA ?? path.resolve('../shared/data');
const log = (m: string) => process.stdout.write(`[bench:ingest] ${m}\n`);

/** A new-style id unique to (page, index): yymm from the page, five digits from the index. */
function syntheticId(page: number, index: number): string {
  const yy = 20 + Math.floor(page / 12);
  const mm = String((page % 12) + 1).padStart(2, '0');
  return `${yy}${mm}.${String(index).padStart(5, '0')}`;
}

function oaiPages(): string[] {
  const xml = fs.readFileSync(path.join(shared, 'arxiv-oai-pmh', 'arxivraw-listrecords-1000', 'ListRecords_arXivRaw_resumption_47001.xml'), 'utf8');
  const ids = [...new Set([...xml.matchAll(/<id>([^<]+)<\/id>/g)].map((m) => m[1]!))];
  const pages: string[] = [];
  for (let p = 0; p < PAGES; p++) {
    const map = new Map(ids.map((id, i) => [id, syntheticId(p, i)]));
    let page = xml.replace(/(<id>|oai:arXiv\.org:)([^<\s]+?)(<\/id>|<\/identifier>)/g, (m, a: string, id: string, b: string) => (map.has(id) ? `${a}${map.get(id)}${b}` : m));
    page = page.replace(/<resumptionToken([^>]*)>[^<]*<\/resumptionToken>/, p === PAGES - 1 ? '<resumptionToken$1></resumptionToken>' : `<resumptionToken$1>bench|${p + 1}</resumptionToken>`);
    pages.push(page);
  }
  return pages;
}

async function benchOai(dir: string): Promise<{ papers: number; seconds: number; errors: number }> {
  const pages = oaiPages();
  const server = http.createServer((req, res) => {
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('resumptionToken');
    const page = token ? Number(token.split('|')[1]) : 0;
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(pages[page] ?? pages[0]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const store = await openStore(`sqlite:${path.join(dir, 'oai.db')}`);
  await store.migrate(new Date().toISOString());
  try {
    const client = createArxivClient({ oaiUrl: `http://127.0.0.1:${port}/oai`, userAgent: 'Paperboy-bench', minIntervalMs: 0 });
    const started = performance.now();
    const report = await ingestOai({ store, client, categories: [], now: () => new Date().toISOString() }, { from: '2008-01-01', metadataPrefix: 'arXivRaw' });
    const seconds = (performance.now() - started) / 1000;
    if (report.failure) throw new Error(report.failure);
    return { papers: report.new, seconds, errors: report.errors };
  } finally {
    await store.close();
    server.close();
  }
}

async function benchSnapshot(dir: string): Promise<{ papers: number; seconds: number; errors: number }> {
  const head = fs.readFileSync(path.join(shared, 'arxiv-kaggle-snapshot-head200', 'arxiv-metadata-oai-snapshot.head200.jsonl'), 'utf8').split('\n').filter(Boolean);
  const file = path.join(dir, 'snapshot.jsonl');
  const out = fs.openSync(file, 'w');
  for (let i = 0; i < SNAPSHOT_LINES; i++) {
    const row = JSON.parse(head[i % head.length]!) as { id: string };
    row.id = syntheticId(Math.floor(i / 100_000) + 40, i % 100_000);
    fs.writeSync(out, `${JSON.stringify(row)}\n`);
  }
  fs.closeSync(out);
  const store = await openStore(`sqlite:${path.join(dir, 'snapshot.db')}`);
  await store.migrate(new Date().toISOString());
  try {
    const started = performance.now();
    const report = await importFile(store, file, { now: () => new Date().toISOString() });
    return { papers: report.new, seconds: (performance.now() - started) / 1000, errors: report.errors };
  } finally {
    await store.close();
  }
}

const hours = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${(s / 60).toFixed(1)} min`);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-bench-ingest-'));
  try {
    log(`OAI-PMH: ${PAGES} pages of 1,000 records from a local server`);
    const oai = await benchOai(dir);
    const oaiRate = oai.papers / oai.seconds;
    log(`OAI-PMH: ${oai.papers} papers in ${oai.seconds.toFixed(1)} s = ${Math.round(oaiRate)} papers/s`);
    log(`snapshot: ${SNAPSHOT_LINES} records`);
    const snap = await benchSnapshot(dir);
    const snapRate = snap.papers / snap.seconds;
    log(`snapshot: ${snap.papers} papers in ${snap.seconds.toFixed(1)} s = ${Math.round(snapRate)} papers/s`);
    const arxivBound = (ARXIV_PAPERS / OAI_PAGE) * ARXIV_INTERVAL_S;
    const body = [
      '## Ingestion: parse and store',
      '',
      `Measured on ${new Date().toISOString().slice(0, 10)} with \`npm run bench:ingest\`${quick ? ' (--quick)' : ''}.`,
      '',
      `- Machine: ${machine()}.`,
      `- OAI-PMH: the recorded 1,000-record arXivRaw page, served by a local HTTP server as a ${PAGES}-page harvest (ids rewritten per page so every record is new, pages chained by resumptionToken), fetched by the real client with no rate limit, parsed, filtered and upserted page by page with its checkpoint, into a fresh SQLite file.`,
      `- Snapshot: ${SNAPSHOT_LINES.toLocaleString('en-US')} records of the arXiv bulk-metadata format (the recorded first 200 repeated with new ids) through \`paperboy import\`'s importer, batches of 2,000 per transaction.`,
      '- Search indexing is not part of these figures: the search index has its own benchmark section.',
      '',
      '| Path | Papers | Seconds | Papers/s | Target | Holds |',
      '|---|---:|---:|---:|---|---|',
      `| OAI-PMH harvest (fetch, parse, upsert, checkpoint) | ${oai.papers.toLocaleString('en-US')} | ${oai.seconds.toFixed(1)} | ${Math.round(oaiRate).toLocaleString('en-US')} | >= ${TARGET_PER_S.toLocaleString('en-US')}/s | ${oaiRate >= TARGET_PER_S ? 'yes' : 'no'} |`,
      `| Bulk snapshot import (read, parse, validate, upsert) | ${snap.papers.toLocaleString('en-US')} | ${snap.seconds.toFixed(1)} | ${Math.round(snapRate).toLocaleString('en-US')} | >= ${TARGET_PER_S.toLocaleString('en-US')}/s | ${snapRate >= TARGET_PER_S ? 'yes' : 'no'} |`,
      '',
      `A full back-fill of arXiv (about ${(ARXIV_PAPERS / 1e6).toFixed(1)} million papers) would take ${hours(ARXIV_PAPERS / oaiRate)} of Paperboy's own work at the OAI rate above, or ${hours(ARXIV_PAPERS / snapRate)} from the bulk snapshot. Through arXiv's OAI-PMH interface the rate limit decides: ${(ARXIV_PAPERS / OAI_PAGE).toLocaleString('en-US')} pages of ${OAI_PAGE.toLocaleString('en-US')} records at one request every ${ARXIV_INTERVAL_S} s is at least ${hours(arxivBound)}, plus arXiv's own response time for each page (not measured here; flow control with 503 and Retry-After lengthens it further). So the snapshot is the way to back-fill, and OAI-PMH the way to stay current.`,
    ].join('\n');
    writeSection('ingest', body);
    log(`wrote the "ingest" section of BENCHMARKS.md`);
    log(`ingest bench done oai_per_s=${Math.round(oaiRate)} snapshot_per_s=${Math.round(snapRate)} errors=${oai.errors + snap.errors}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:ingest failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
