import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { importFile } from '../../src/services/import.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { mountSearchRoutes } from '../../src/web/search-routes.tsx';
import { loadAssets } from '../../src/web/assets.ts';
import { testApp } from '../helpers/app.ts';
import { tempDir, FIXED_NOW } from '../helpers/store.ts';
import { SMALL_EMBEDDER } from '../search/fixtures.ts';

const listingRow = (id: string, listingDates: string[], title: string) => JSON.stringify({
  id, title, authors: ['Ada Lovelace'], categories: ['cs.CV'], primary_category: 'cs.CV', comment: null,
  abstract: `An abstract about ${title.toLowerCase()}.`, abs_url: `https://arxiv.org/abs/${id}`, pdf_url: `https://arxiv.org/pdf/${id}`,
  listing_dates: listingDates, hf_daily_published_at: null,
});

// arXiv re-lists old papers (replaced, cross-listed) beside the new ones of the day.
const { app, store } = await testApp();
const file = path.join(tempDir(), 'relisted.jsonl');
fs.writeFileSync(file, [
  listingRow('2109.05721', ['2025-06-30'], 'Anomaly detection networks'),
  listingRow('hep-th/9901001', ['2025-06-30', '2025-07-01'], 'Old style strings'),
  listingRow('2505.23764', ['2025-06-02'], 'Spatial reasoning benchmark'),
  listingRow('2506.24001', ['2025-06-30'], 'Fresh results'),
].join('\n'));
const imported = await importFile(store, file, { now: () => FIXED_NOW });
assert.equal(imported.errors, 0);
const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
after(() => index.close());
const assets = await loadAssets();
mountSearchRoutes(app, {
  store, index, clock: { now: () => Date.parse(FIXED_NOW) }, categories: ['cs.CV'], pageSize: 10,
  site: async () => ({ siteName: 'Paperboy Test', viewer: null, demo: false, assets: { css: assets.get('style.css')!.hash, js: assets.get('app.js')!.hash } }),
});

test('a re-listed old paper is dated by its id month (its last day), not by the listing day', async () => {
  const published = async (id: string) => (await store.findPaperById(id))?.publishedAt;
  assert.equal(await published('2109.05721'), '2021-09-30T00:00:00.000Z');
  assert.equal(await published('hep-th/9901001'), '1999-01-31T00:00:00.000Z');
  assert.equal(await published('2505.23764'), '2025-05-31T00:00:00.000Z', 'listed in June, issued in May');
  assert.equal(await published('2506.24001'), '2025-06-30T00:00:00.000Z', 'a new paper keeps its listing day');
  // It is still announced on the day arXiv listed it.
  assert.deepEqual((await store.findPaperById('2109.05721'))?.announcedOn, ['2025-06-30']);
});

test('the paper page, its BibTeX and the API carry the right year', async () => {
  const html = await (await app.request('/papers/2109.05721')).text();
  assert.match(html, /<dt>Published<\/dt><dd><time datetime="2021-09-30T00:00:00.000Z">/);
  assert.match(html, /year=\{2021\}/);
  assert.doesNotMatch(html, /year=\{2025\}/);
  const res = await app.request('/api/papers/2109.05721');
  assert.equal(res.status, 200);
  const body = await res.json() as { publishedAt: string };
  assert.match(body.publishedAt, /^2021-09-30/);
});

test('year: search finds the re-listed paper in its own year', async () => {
  const ids = async (q: string) => [...(await (await app.request(`/search?q=${encodeURIComponent(q)}&mode=keyword`)).text())
    .matchAll(/href="\/papers\/([^"#?]+)"/g)].map((m) => decodeURIComponent(m[1]!));
  assert.ok((await ids('anomaly year:2021')).includes('2109.05721'));
  assert.ok(!(await ids('anomaly year:2025')).includes('2109.05721'));
  assert.ok((await ids('strings year:1999')).includes('hep-th/9901001'));
});
