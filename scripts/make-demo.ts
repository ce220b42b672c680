/**
 * Builds the bundled demo corpus (demo/arxiv-cs-2025-05-06.jsonl.gz) from the shared arXiv cs.*
 * listings of May-June 2025 (arXiv metadata, CC0). Run once; the output is committed.
 *
 *   node --import tsx scripts/make-demo.ts [SHARED_DATA_DIR]
 *
 * The few papers that reappeared on Hugging Face's list long after the window (2026) keep their
 * arXiv data but not that late list entry, so the demo's latest day is in the window.
 *
 * arXiv announces Monday to Friday; on Saturday and Sunday its list pages still show Friday's
 * announcement, which the crawl saved again under the weekend dates (and once, when Friday's crawl
 * was missed, only under the Sunday). A weekend listing date is therefore taken as the Friday
 * before it, so no paper is "new" on a weekend or three times over.
 *
 * One author list has dozens of names run together with "and" and no spaces before it ("Xiangyu
 * Kongand Xiaoxia Xingand ..."); an author longer than the importer's limit is split there.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const shared = path.resolve(process.argv[2] ?? '../shared/data');
const source = path.join(shared, 'arxiv-cs-listings-2025-05-06', 'arxiv_cs_2025-05_06.jsonl.gz');
const target = path.resolve('demo', 'arxiv-cs-2025-05-06.jsonl.gz');
const LAST_LIST_DAY = '2025-07-06'; // a week past the last listing day

const AUTHOR_LIMIT = 300; // LIMITS.authorName in src/import/formats.ts

/** The Friday before a Saturday or Sunday; other days as they are. */
function weekdayListing(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const back = d.getUTCDay() === 6 ? 1 : d.getUTCDay() === 0 ? 2 : 0;
  return back ? new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10) : day;
}

function splitRunTogether(author: string): string[] {
  if (author.length <= AUTHOR_LIMIT) return [author];
  return author.split(/and(?:\s+|$)/).map((a) => a.trim()).filter(Boolean);
}

const lines = zlib.gunzipSync(fs.readFileSync(source)).toString('utf8').split('\n').filter(Boolean);
let dropped = 0;
let weekendDates = 0;
let splitAuthors = 0;
const out = lines.map((line) => {
  const row = JSON.parse(line) as { hf_daily_published_at?: string | null; listing_dates: string[]; authors: string[] };
  if (row.hf_daily_published_at && row.hf_daily_published_at.slice(0, 10) > LAST_LIST_DAY) {
    row.hf_daily_published_at = null;
    dropped++;
  }
  const days = row.listing_dates.map(weekdayListing);
  weekendDates += days.filter((d, i) => d !== row.listing_dates[i]).length;
  row.listing_dates = [...new Set(days)].sort();
  const authors = row.authors.flatMap(splitRunTogether);
  if (authors.length !== row.authors.length) splitAuthors++;
  row.authors = authors;
  return JSON.stringify(row);
});
const listed = out.filter((line) => (JSON.parse(line) as { hf_daily_published_at?: string | null }).hf_daily_published_at).length;
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, zlib.gzipSync(out.join('\n') + '\n', { level: 9 }));
console.log(`demo: ${out.length} papers written to ${path.relative(process.cwd(), target)}, ${listed} on a daily list `
  + `(${dropped} late list entries dropped, ${weekendDates} weekend listing dates taken as Friday's, ${splitAuthors} run-together author lists split)`);
