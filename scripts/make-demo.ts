/**
 * Builds the bundled demo corpus (demo/arxiv-cs-2025-05-06.jsonl.gz) from the shared arXiv cs.*
 * listings of May-June 2025 (arXiv metadata, CC0). Run once; the output is committed.
 *
 *   node --import tsx scripts/make-demo.ts [SHARED_DATA_DIR]
 *
 * The few papers that reappeared on Hugging Face's list long after the window (2026) keep their
 * arXiv data but not that late list entry, so the demo's latest day is in the window.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const shared = path.resolve(process.argv[2] ?? '../shared/data');
const source = path.join(shared, 'arxiv-cs-listings-2025-05-06', 'arxiv_cs_2025-05_06.jsonl.gz');
const target = path.resolve('demo', 'arxiv-cs-2025-05-06.jsonl.gz');
const LAST_LIST_DAY = '2025-07-06'; // a week past the last listing day

const lines = zlib.gunzipSync(fs.readFileSync(source)).toString('utf8').split('\n').filter(Boolean);
let dropped = 0;
const out = lines.map((line) => {
  const row = JSON.parse(line) as { hf_daily_published_at?: string | null };
  if (row.hf_daily_published_at && row.hf_daily_published_at.slice(0, 10) > LAST_LIST_DAY) {
    row.hf_daily_published_at = null;
    dropped++;
  }
  return JSON.stringify(row);
});
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, zlib.gzipSync(out.join('\n') + '\n', { level: 9 }));
console.log(`demo: ${out.length} papers written to ${path.relative(process.cwd(), target)} (${dropped} late list entries dropped)`);
