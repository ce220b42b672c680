import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { importFile } from '../../src/services/import.ts';
import { tempDir, tempStore, FIXED_NOW } from '../helpers/store.ts';

const now = () => FIXED_NOW;
const SHARED = process.env.PAPERBOY_SHARED_DATA ?? path.resolve('../shared/data');

const listingRow = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  id, title: `Paper\n  ${id}`, authors: ['A. Author', 'B. Author'], categories: ['cs.CL', 'I.2.7', 'cs.AI'],
  primary_category: 'cs.CL', comment: null, abstract: 'An abstract\nwrapped at eighty columns.',
  abs_url: `https://arxiv.org/abs/${id}`, pdf_url: `https://arxiv.org/pdf/${id}`,
  listing_dates: ['2025-05-06', '2025-05-07'], hf_daily_published_at: null, ...extra,
});

test('listing format: papers, announcements and daily entries; ACM classes dropped from categories', async () => {
  const store = await tempStore();
  const file = path.join(tempDir(), 'listing.jsonl');
  fs.writeFileSync(file, [listingRow('2505.00001'), listingRow('2505.00002', { hf_daily_published_at: '2025-05-08T09:59:07' })].join('\n'));
  const r = await importFile(store, file, { now });
  assert.equal(r.new, 2);
  assert.equal(r.listed, 1);
  assert.equal(r.errors, 0);
  const p = await store.findPaperById('2505.00002');
  assert.equal(p?.title, 'Paper 2505.00002');
  assert.equal(p?.abstract, 'An abstract wrapped at eighty columns.');
  assert.deepEqual(p?.categories, ['cs.CL', 'cs.AI']);
  assert.deepEqual(p?.announcedOn, ['2025-05-06', '2025-05-07']);
  assert.equal(p?.entry?.day, '2025-05-08');
  assert.equal(p?.entry?.submittedAt, '2025-05-08T09:59:07.000Z');
});

test('a malformed line is reported with its number; the other lines are imported', async () => {
  const store = await tempStore();
  const file = path.join(tempDir(), 'mixed.jsonl');
  const lines = [
    listingRow('2505.00011'),
    '{"id": "2505.00012", "title": ',                        // 2: truncated JSON
    listingRow('not-an-id'),                                   // 3: bad id
    '',                                                        // 4: blank, ignored
    listingRow('2505.00013', { title: 'x'.repeat(5000) }),     // 5: absurd title
    '[1, 2, 3]',                                               // 6: not an object
    '{"hello": "world"}',                                      // 7: unknown format
    listingRow('2505.00014', { listing_dates: ['2025-02-30'] }), // 8: impossible date
    listingRow('2505.00015'),
  ];
  fs.writeFileSync(file, lines.join('\n'));
  const r = await importFile(store, file, { now });
  assert.equal(r.new, 2);
  assert.equal(r.errors, 6);
  assert.deepEqual(r.errorSamples.map((e) => e.line), [2, 3, 5, 6, 7, 8]);
  assert.match(r.errorSamples[0]!.message, /not JSON/);
  assert.match(r.errorSamples[1]!.message, /not an arXiv id/);
  assert.match(r.errorSamples[2]!.message, /longer than 1000 characters/);
  assert.match(r.errorSamples[4]!.message, /unknown format/);
  assert.match(r.errorSamples[5]!.message, /not a date/);
  assert.ok(await store.findPaperById('2505.00015'));
  assert.equal(await store.findPaperById('2505.00013'), null);
});

test('importing the same file twice changes nothing the second time', async () => {
  const store = await tempStore();
  const file = path.join(tempDir(), 'twice.jsonl.gz');
  fs.writeFileSync(file, zlib.gzipSync([listingRow('2505.00021'), listingRow('2505.00022')].join('\n')));
  const first = await importFile(store, file, { now });
  const second = await importFile(store, file, { now });
  assert.deepEqual([first.new, first.unchanged, first.announced], [2, 0, 4]);
  assert.deepEqual([second.new, second.updated, second.unchanged, second.announced], [0, 0, 2, 0]);
  assert.equal((await store.stats()).papers, 2);
});

test('a known paper listed again on a later day is unchanged but announced, and is on that day\'s New on arXiv', async () => {
  const store = await tempStore();
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'may6.jsonl'), listingRow('2505.00025', { listing_dates: ['2025-05-06'] }));
  await importFile(store, path.join(dir, 'may6.jsonl'), { now });
  // arXiv lists it again on June 2 (a replacement): the same record, one more day of New on arXiv.
  fs.writeFileSync(path.join(dir, 'jun2.jsonl'), listingRow('2505.00025', { listing_dates: ['2025-05-06', '2025-06-02'] }));
  const again = await importFile(store, path.join(dir, 'jun2.jsonl'), { now });
  assert.deepEqual([again.new, again.updated, again.unchanged, again.announced], [0, 0, 1, 1]);
  assert.deepEqual((await store.findPaperById('2505.00025'))?.announcedOn, ['2025-05-06', '2025-06-02']);
  const june = await store.listAnnouncedPapers({ from: '2025-06-02', to: '2025-06-02', sort: 'newest', limit: 10, offset: 0 });
  assert.deepEqual(june.items.map((c) => c.id), ['2505.00025'], 'on the New on arXiv list of June 2');
});

test('a paper met again in the same file (files joined together) is applied in order and counted: every line is new, updated or unchanged', async () => {
  const store = await tempStore();
  const file = path.join(tempDir(), 'joined.jsonl');
  fs.writeFileSync(file, [
    listingRow('2505.00031'), listingRow('2505.00032'),
    listingRow('2505.00031'), // the same record again
    listingRow('2505.00032', { title: 'A corrected title' }), // a later record of the same paper
  ].join('\n'));
  const r = await importFile(store, file, { now });
  assert.deepEqual([r.lines, r.new, r.updated, r.unchanged, r.errors], [4, 2, 1, 1, 0]);
  assert.equal((await store.findPaperById('2505.00032'))?.title, 'A corrected title', 'the later line wins');
  assert.equal((await store.stats()).papers, 2);
});

test('the keyword phase after the last line reports its progress, from nothing to every new paper', async () => {
  const store = await tempStore();
  const file = path.join(tempDir(), 'keywords.jsonl');
  fs.writeFileSync(file, ['2505.00031', '2505.00032', '2505.00033'].map((id) => listingRow(id)).join('\n'));
  const seen: [number, number][] = [];
  const r = await importFile(store, file, { now, onKeywordsProgress: (done, total) => seen.push([done, total]) });
  assert.equal(r.keywords, 3);
  assert.deepEqual(seen[0], [0, 3], 'shown before the corpus is counted');
  assert.deepEqual(seen.at(-1), [3, 3]);
  const again: [number, number][] = [];
  await importFile(store, file, { now, onKeywordsProgress: (done, total) => again.push([done, total]) });
  assert.deepEqual(again, [], 'nothing new, no keyword phase');
});

test('a truncated gzip keeps the complete lines and reports where it stopped', async () => {
  const store = await tempStore();
  const rows = Array.from({ length: 3000 }, (_, i) => listingRow(`2505.${String(30000 + i)}`));
  const gz = zlib.gzipSync(rows.join('\n'));
  const file = path.join(tempDir(), 'cut.jsonl.gz');
  fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const r = await importFile(store, file, { now });
  assert.ok(r.new > 0 && r.new < 3000, `some but not all: ${r.new}`);
  assert.equal(r.errors, 1);
  assert.match(r.errorSamples[0]!.message, /input ended early/);
  assert.equal((await store.stats()).papers, r.new);
  assert.deepEqual(await store.integrityProblems(), []);
});

test('a missing file is a clear error', async () => {
  const store = await tempStore();
  await assert.rejects(importFile(store, '/nonexistent/file.jsonl', { now }), /import: cannot read \/nonexistent\/file.jsonl: ENOENT/);
});

test('bulk snapshot format: versions, LaTeX accents, journal ref, DOI (real records)', async () => {
  const store = await tempStore();
  const file = path.join(SHARED, 'arxiv-kaggle-snapshot-head200', 'arxiv-metadata-oai-snapshot.head200.jsonl');
  const r = await importFile(store, file, { now });
  assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
  assert.equal(r.new, 200);
  assert.deepEqual(r.formats, { snapshot: 200 });
  const p = await store.findPaperById('0704.0001');
  assert.equal(p?.title, 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies');
  assert.equal(p?.authors[0], 'C. Balázs');
  assert.equal(p?.journalRef, 'Phys.Rev.D76:013009,2007');
  assert.equal(p?.doi, '10.1103/PhysRevD.76.013009');
  assert.equal(p?.publishedAt, '2007-04-02T19:18:42.000Z');
  assert.ok((p?.versions.length ?? 0) >= 2);
  assert.equal(p?.categories[0], 'hep-ph');
  // Titles and abstracts are stored as arXiv's own interfaces store them: accents decoded, math kept.
  assert.equal((await store.findPaperById('0704.0019'))?.title, 'Approximation for extinction probability of the contact process based on the Gröbner basis');
  assert.equal((await store.findPaperById('0704.0073'))?.title, "A transcendental approach to Kollár's injectivity theorem");
  const abstract = (await store.findPaperById('0704.0010'))?.abstract ?? '';
  assert.match(abstract, /Djoković's and Winkler's relations/);
});

test('Hugging Face daily format: list entries without overwriting richer arXiv metadata (real rows)', async () => {
  const store = await tempStore();
  const dir = tempDir();
  const src = zlib.gunzipSync(fs.readFileSync(path.join(SHARED, 'hf-daily-papers-2024', 'hf_daily_papers_2024.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean);
  const sample = src.slice(0, 60);
  const file = path.join(dir, 'hf.jsonl');
  fs.writeFileSync(file, sample.join('\n'));
  const first = JSON.parse(sample[0]!) as { arxiv_id: string; date: string; title: string };
  // The paper is already known from arXiv with its categories: the HF row must not erase them.
  await store.upsertPapers([{ id: first.arxiv_id, title: first.title, abstract: 'from arXiv', authors: ['Full Author List'], categories: ['cs.CL'],
    publishedAt: '2023-12-29T00:00:00.000Z', updatedAt: null, versions: [] }], FIXED_NOW);
  const r = await importFile(store, file, { now });
  assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
  assert.deepEqual(r.formats, { 'hf-daily': 60 });
  const p = await store.findPaperById(first.arxiv_id);
  assert.deepEqual(p?.categories, ['cs.CL']);
  assert.deepEqual(p?.authors, ['Full Author List']);
  assert.equal(p?.entry?.day, first.date);
  const repeated = sample.filter((l) => (JSON.parse(l) as { same_list_as_previous_date: boolean }).same_list_as_previous_date === false).length;
  assert.ok(r.listed <= repeated);
  assert.ok(r.listed > 0);
});

test('a byte-order mark before the first line is read as nothing (files saved by some Windows editors)', async () => {
  const store = await tempStore();
  const file = path.join(tempDir(), 'bom.jsonl');
  fs.writeFileSync(file, `\uFEFF${listingRow('2505.00031')}\n${listingRow('2505.00032')}\n`);
  const r = await importFile(store, file, { now });
  assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
  assert.equal(r.new, 2);
  // Only at the very start: elsewhere it is a bad line, as any other stray character.
  fs.writeFileSync(file, `${listingRow('2505.00033')}\n\uFEFF${listingRow('2505.00034')}\n`);
  const later = await importFile(store, file, { now });
  assert.equal(later.errors, 1);
  assert.equal(later.errorSamples[0]?.line, 2);
});

test('a stop asked for (Ctrl-C) ends the import after the batch being written: what was read is kept, and imported again it finishes', async () => {
  const store = await tempStore();
  const file = path.join(tempDir(), 'long.jsonl');
  fs.writeFileSync(file, Array.from({ length: 5_000 }, (_, i) => listingRow(`2506.${String(10000 + i)}`)).join('\n'));
  const stop = new AbortController();
  const r = await importFile(store, file, { now, signal: stop.signal, onProgress: () => stop.abort() });
  assert.equal(r.interrupted, true);
  assert.equal(r.lines, 2_000, 'stopped after the first batch');
  assert.equal(r.new, 2_000);
  assert.equal(r.keywords, 0, 'keywords are left for the next run');
  assert.equal((await store.stats()).papers, 2_000);
  const again = await importFile(store, file, { now });
  assert.equal(again.interrupted, false);
  assert.deepEqual([again.new, again.unchanged, again.keywords], [3_000, 2_000, 5_000]);
});
