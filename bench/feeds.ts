/**
 * `npm run bench:feeds`: what one poll of a large feed costs the server, made anew and kept
 * (src/web/page-cache.ts). Writes the `feeds` section of BENCHMARKS.md.
 *
 *   node --import tsx bench/feeds.ts [--quick]    (--quick: fewer requests, print only)
 *
 * The bundled demo corpus is imported into a fresh SQLite file; the app answers in this process
 * (`app.request`: routing, the rate limit, the store, rendering, the ETag; no socket), one request
 * at a time. The feeds: New on arXiv of the demo's largest day, for the whole site and for that
 * day's largest category, in RSS and Atom. "Made anew" adds a throwaway query parameter to each
 * request, which the route ignores and the cache, keyed on the whole URL, does not; "kept" asks for
 * the same URL again after one request made it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { sql } from '../src/store/kysely.ts';
import { openStore } from '../src/store/index.ts';
import { importDemo } from '../src/services/demo.ts';
import { outboxMailer } from '../src/mail/mailer.ts';
import { loadAssets } from '../src/web/assets.ts';
import { createApp } from '../src/web/app.tsx';
import { machine, percentile, writeSection } from './report.ts';

const quick = process.argv.includes('--quick');
const REQUESTS = quick ? 10 : 40;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-bench-feeds-'));
const log = (line: string) => process.stderr.write(`bench:feeds: ${line}\n`);
const fmtMs = (ms: number) => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;

try {
  const store = await openStore(`sqlite:${path.join(dir, 'paperboy.db')}`);
  await store.migrate(new Date().toISOString());
  log('importing the demo corpus');
  await importDemo(store, { now: () => new Date().toISOString() });
  const { rows: [largest] } = await sql<{ day: string; n: number }>`SELECT day, COUNT(*) AS n FROM announcements GROUP BY day ORDER BY n DESC, day LIMIT 1`.execute(store.db);
  const { rows: [category] } = await sql<{ category: string; n: number }>`
    SELECT c.category, COUNT(*) AS n FROM announcements a JOIN paper_categories c ON c.paper_id = a.paper_id
    WHERE a.day = ${largest!.day} GROUP BY c.category ORDER BY n DESC, c.category LIMIT 1`.execute(store.db);

  const app = createApp({
    store,
    config: {
      siteName: 'Paperboy', pageSize: 30, categories: [], production: false, adminPassword: null, ingestAt: '01:30',
      baseUrl: 'http://127.0.0.1', submitQuota: 3, trustProxy: 1, outboxDir: path.join(dir, 'outbox'),
    },
    mailer: outboxMailer(path.join(dir, 'outbox'), 'Paperboy <no-reply@localhost>'),
    secret: 'bench-feeds',
    arxiv: null,
    assets: await loadAssets(),
    clock: { now: () => Date.now() },
    logger: pino({ level: 'silent' }),
  });

  // Each request from its own address: the rate limit (120 a minute per address) is not what is measured.
  let address = 0;
  const get = async (url: string) => {
    address++;
    const started = performance.now();
    const res = await app.request(url, { headers: { 'x-forwarded-for': `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}` } });
    // Read as bytes, as a socket sends them: decoding 1 MB of UTF-8 back into text here took longer than the server's answer.
    const body = Buffer.from(await res.arrayBuffer());
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${body.subarray(0, 200).toString()}`);
    return { ms, body };
  };

  const feeds = [
    { what: `New on arXiv, ${largest!.day} (${largest!.n} papers)`, path: `/feeds/new.FORMAT?date=${largest!.day}` },
    { what: `New on arXiv in ${category!.category}, ${largest!.day} (${category!.n} papers)`, path: `/feeds/new/${category!.category}.FORMAT?date=${largest!.day}` },
  ];
  const rows: string[] = [];
  for (const feed of feeds) {
    for (const format of ['rss', 'atom'] as const) {
      const url = feed.path.replace('FORMAT', format);
      await get(`${url}&_r=warm-up`); // the first answer of its kind (statements prepared, code compiled)
      const anew: number[] = [];
      for (let i = 0; i < REQUESTS; i++) anew.push((await get(`${url}&_r=${i}`)).ms);
      const { body } = await get(url);
      const kept: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const r = await get(url);
        if (!r.body.equals(body)) throw new Error(`${url}: a kept answer differs from the first`);
        kept.push(r.ms);
      }
      const row = `| ${feed.what} | ${format === 'rss' ? 'RSS' : 'Atom'} | ${(body.length / 1_048_576).toFixed(2)} MB | ${fmtMs(percentile(anew, 50))} | ${fmtMs(percentile(anew, 90))} | ${fmtMs(percentile(kept, 50))} | ${fmtMs(percentile(kept, 90))} |`;
      log(row);
      rows.push(row);
    }
  }
  await store.close();

  const section = [
    '## Feeds: one poll, made anew and kept',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:feeds\` on ${machine()}.`,
    '',
    `The demo corpus in a fresh SQLite file; the app answers in the benchmark's process (\`app.request\`: routing, the rate limit, the store, rendering, the ETag; no socket; the answer read as bytes, as a socket would send them), one request at a time, ${REQUESTS} requests per figure after one that is not counted. Made anew: each request carries a throwaway query parameter, so each misses the feed cache; kept: the same address again, answered from the cache while the store stands still (at most a minute; src/web/page-cache.ts).`,
    '',
    '| feed | format | size | made anew p50 | p90 | kept p50 | p90 |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  if (quick) {
    process.stdout.write(`\n${section}\n`);
    log('--quick: BENCHMARKS.md left as it is');
  } else {
    writeSection('feeds', section);
    log('wrote the "feeds" section of BENCHMARKS.md');
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
