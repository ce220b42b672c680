/**
 * Dates in imported files: impossible, implausibly early and far-future ones are refused line by line
 * (a far-future list day would stand in for today's list on the front page), a time without a zone
 * is UTC whatever the machine's zone, and Hugging Face rows give their papers a publication date.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { importFile } from '../../src/services/import.ts';
import { openStore } from '../../src/store/index.ts';
import { hotness } from '../../src/domain/ranking.ts';
import type { PaperRecord } from '../../src/domain/paper.ts';
import { testApp } from '../helpers/app.ts';
import { runPaperboy } from '../helpers/paperboy.ts';
import { tempDatabaseUrl, tempDir, tempStore, FIXED_NOW } from '../helpers/store.ts';

const now = () => FIXED_NOW; // 2026-11-28T12:00Z: dates up to 2026-11-30 are accepted
const SHARED = process.env.PAPERBOY_SHARED_DATA ?? path.resolve('../shared/data');

const listingRow = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  id, title: `Paper ${id}`, authors: ['A. Author'], categories: ['cs.CL'], abstract: 'An abstract.',
  listing_dates: ['2025-05-06'], hf_daily_published_at: null, ...extra,
});
const snapshotRow = (id: string, created: string) => JSON.stringify({
  id, title: `Paper ${id}`, authors: 'A. Author', categories: 'hep-ph', abstract: 'An abstract.',
  versions: [{ version: 'v1', created }], update_date: '2008-11-13',
});
const hfRow = (id: string, date: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  date, arxiv_id: id, title: `Paper ${id}`, authors: ['A. Author'], abstract: 'An abstract.', upvotes: 3,
  same_list_as_previous_date: false, ...extra,
});

test('impossible, too early and far-future dates are refused with the line number; nothing of those lines is written', async () => {
  const store = await tempStore();
  const file = path.join(tempDir(), 'dates.jsonl');
  const lines = [
    listingRow('2505.00001', { hf_daily_published_at: '2025-05-08T09:59:07' }), // 1: fine
    listingRow('2505.00002', { hf_daily_published_at: 'June 3' }), // 2: V8 read it as 2001-06-03
    listingRow('2505.00003', { hf_daily_published_at: '2025-02-30T12:00:00' }), // 3: rolled over to March 2
    listingRow('2505.00004', { hf_daily_published_at: '0001-01-01T00:00:00' }), // 4: day 0001-01-01, hotness -737424
    listingRow('2505.00005', { hf_daily_published_at: '+275760-09-13T00:00:00.000Z' }), // 5: day "+275760-09"
    hfRow('2505.00006', '2999-01-01'), // 6: a Daily list a thousand years ahead
    listingRow('2505.00007', { listing_dates: ['2025-05-06', '2999-12-31'] }), // 7
    listingRow('2505.00008', { listing_dates: ['2205-06-01'] }), // 8: a typo for 2025
    snapshotRow('0704.0009', 'yesterday'), // 9: was stored with no publication date
    snapshotRow('0704.0010', 'Mon, 4 Jan 2099 19:18:42 GMT'), // 10: topped every trending order
    listingRow('2505.00011', { listing_dates: ['1990-12-31'] }), // 11: before arXiv
    listingRow('2505.00012', { listing_dates: ['2026-12-01'] }), // 12: three days past the clock
    listingRow('2505.00013', { listing_dates: ['2026-11-30'], hf_daily_published_at: '2026-11-30T11:00:00Z' }), // 13: two days: fine
    snapshotRow('0704.0014', 'Mon, 2 Apr 2007 19:18:42 GMT'), // 14: fine
  ];
  fs.writeFileSync(file, lines.join('\n'));
  const r = await importFile(store, file, { now });
  assert.deepEqual(r.errorSamples.map((e) => e.line), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(r.errors, 11);
  assert.deepEqual([r.new, r.listed], [3, 2]);
  const reasons = r.errorSamples.map((e) => e.message);
  assert.match(reasons[0]!, /^listing: hf_daily_published_at: not a date and time .*: "June 3"$/);
  assert.match(reasons[4]!, /^hf-daily: date: "2999-01-01" is in the future: after 2026-11-30, 2 days past the import's clock$/);
  assert.match(reasons[5]!, /^listing: listing_dates\.1: "2999-12-31" is in the future/);
  assert.match(reasons[7]!, /^snapshot: versions\.0\.created: not a date and time .*"yesterday"$/);
  assert.match(reasons[9]!, /^listing: listing_dates\.0: "1990-12-31" is before 1991-08-01 \(arXiv began in August 1991\)$/);

  for (let n = 2; n <= 12; n++) {
    const id = (JSON.parse(lines[n - 1]!) as { id?: string; arxiv_id?: string });
    assert.equal(await store.findPaperById(id.id ?? id.arxiv_id!), null, `line ${n} wrote nothing`);
  }
  // The front page opens on the latest Daily list: a real day, not one from a far-off year.
  assert.equal(await store.latestDailyDay(), '2026-11-30');
  assert.equal(await store.latestAnnouncedDay(), '2026-11-30');
  assert.equal((await store.findPaperById('0704.0014'))?.publishedAt, '2007-04-02T19:18:42.000Z');
  assert.deepEqual(await store.integrityProblems(), []);
});

test('paperboy import under TZ=America/New_York reads times without a zone as UTC, and lists refused lines as FILE:LINE: reason', async () => {
  const dir = tempDir();
  const url = await tempDatabaseUrl(dir);
  const file = path.join(dir, 'zones.jsonl');
  fs.writeFileSync(file, [
    snapshotRow('hep-th/9901001', 'Mon, 4 Jan 1999 19:18:42'),
    listingRow('2505.00021', { hf_daily_published_at: '2025-05-08T23:30:00' }),
    listingRow('2505.00022', { listing_dates: ['2205-06-01'] }),
  ].join('\n'));
  const r = runPaperboy(['import', file], { DATABASE_URL: url, TZ: 'America/New_York' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /import done lines=3 new=2 updated=0 unchanged=0 listed=1 announced=1 errors=1 /);
  assert.equal(r.stderr.trim().replace(/after \d{4}-\d{2}-\d{2},/, 'after DAY,'),
    `${file}:3: listing: listing_dates.0: "2205-06-01" is in the future: after DAY, 2 days past the import's clock`);
  const store = await openStore(url);
  try {
    const old = await store.findPaperById('hep-th/9901001');
    assert.equal(old?.publishedAt, '1999-01-04T19:18:42.000Z', 'not 1999-01-05T00:18:42Z, as New York time would make it');
    const listed = await store.findPaperById('2505.00021');
    assert.deepEqual([listed?.entry?.day, listed?.entry?.submittedAt], ['2025-05-08', '2025-05-08T23:30:00.000Z']);
  } finally {
    await store.close();
  }
});

test('papers from Hugging Face daily rows have a publication date in the API, as Hugging Face always sends (real rows)', async () => {
  const store = await tempStore();
  const rows = zlib.gunzipSync(fs.readFileSync(path.join(SHARED, 'hf-daily-papers-2024', 'hf_daily_papers_2024.jsonl.gz')))
    .toString('utf8').split('\n').filter((l) => l.includes('"date": "2024-03-1'));
  assert.ok(rows.length > 20, `${rows.length} rows`);
  const file = path.join(tempDir(), 'hf.jsonl');
  fs.writeFileSync(file, rows.join('\n'));
  const r = await importFile(store, file, { now });
  assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
  const { app } = await testApp(store);
  const res = await app.request('/api/daily_papers?date=2024-03-15');
  assert.equal(res.status, 200);
  const day = await res.json() as { publishedAt: string; paper: { id: string; publishedAt: string | null } }[];
  assert.ok(day.length > 5, `${day.length} papers`);
  for (const row of day) {
    assert.ok(row.paper.publishedAt, `${row.paper.id} has a publication date`);
    const month = row.paper.id.slice(0, 4); // new-style ids: YYMM
    const lastOfMonth = new Date(Date.UTC(2000 + Number(month.slice(0, 2)), Number(month.slice(2)), 0)).toISOString();
    assert.ok(row.paper.publishedAt === '2024-03-15T00:00:00.000Z' || row.paper.publishedAt === lastOfMonth,
      `${row.paper.id}: ${row.paper.publishedAt}`);
    assert.ok(row.paper.publishedAt <= row.publishedAt, `${row.paper.id} published no later than it was listed`);
  }
  const page = await (await app.request(`/api/papers/${day[0]!.paper.id}`)).json() as { publishedAt: string | null };
  assert.equal(page.publishedAt, day[0]!.paper.publishedAt);
});

test('importing Hugging Face rows again dates the papers an earlier import left undated, and their trending key follows', async () => {
  const store = await tempStore();
  const undated = (id: string): PaperRecord => ({ id, title: `Paper ${id}`, abstract: 'An abstract.', authors: ['A. Author'], categories: [], publishedAt: null, updatedAt: null, versions: [] });
  // As an import of these rows left them before: no publication date; one on a Daily list, one not
  // (a weekend page's row), whose trending key was then the time of the import.
  await store.importBatch({ records: [], partialRecords: [undated('2403.00001'), undated('2402.00002')], entries: [
    { paperId: '2403.00001', day: '2024-03-15', submittedAt: '2024-03-15T00:00:00.000Z' },
  ] }, FIXED_NOW);
  // A paper known from arXiv keeps its exact date.
  await store.upsertPapers([{ ...undated('2403.00003'), categories: ['cs.CL'], publishedAt: '2024-03-04T17:59:59.000Z' }], FIXED_NOW);
  const key = async (id: string) => Number((await store.db.selectFrom('papers').select('hotness').where('id', '=', id).executeTakeFirstOrThrow()).hotness);
  assert.equal(await key('2402.00002'), hotness(0, Date.parse(FIXED_NOW)));

  const file = path.join(tempDir(), 'again.jsonl');
  fs.writeFileSync(file, [
    hfRow('2403.00001', '2024-03-15'),
    hfRow('2402.00002', '2024-03-16', { same_list_as_previous_date: true }),
    hfRow('2403.00003', '2024-03-15'),
  ].join('\n'));
  const r = await importFile(store, file, { now });
  assert.deepEqual([r.new, r.updated, r.unchanged, r.errors], [0, 2, 1, 0]);
  assert.equal((await store.findPaperById('2403.00001'))?.publishedAt, '2024-03-15T00:00:00.000Z');
  assert.equal((await store.findPaperById('2402.00002'))?.publishedAt, '2024-02-29T00:00:00.000Z');
  assert.equal((await store.findPaperById('2403.00003'))?.publishedAt, '2024-03-04T17:59:59.000Z');
  // Off the Daily list, the key is the publication time's, no longer the first import's.
  assert.equal(await key('2402.00002'), hotness(0, Date.parse('2024-02-29T00:00:00.000Z')));
  assert.equal(await key('2403.00001'), hotness(0, Date.parse('2024-03-15T00:00:00.000Z')), 'on a Daily list: the day it entered it');

  const again = await importFile(store, file, { now });
  assert.deepEqual([again.new, again.updated, again.unchanged], [0, 0, 3]);

  // arXiv's own record, arriving later, replaces the estimate: it is never before the first version.
  const snapshot = path.join(tempDir(), 'snapshot.jsonl');
  fs.writeFileSync(snapshot, JSON.stringify({
    id: '2402.00002', title: 'Paper 2402.00002', authors: 'A. Author', categories: 'cs.CL', abstract: 'An abstract.',
    versions: [{ version: 'v1', created: 'Wed, 7 Feb 2024 18:01:02 GMT' }],
  }));
  assert.equal((await importFile(store, snapshot, { now })).errors, 0);
  assert.equal((await store.findPaperById('2402.00002'))?.publishedAt, '2024-02-07T18:01:02.000Z');
});
