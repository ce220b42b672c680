import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchIndex } from '../../src/search/search-index.ts';
import { mountSearchRoutes } from '../../src/web/search-routes.tsx';
import { loadAssets } from '../../src/web/assets.ts';
import { testApp } from '../helpers/app.ts';
import { paperRecord } from '../helpers/factories.ts';
import type { PaperRecord } from '../../src/domain/paper.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { SMALL_EMBEDDER, topicalRecords } from './fixtures.ts';

const assets = await loadAssets();

/** An app with these papers, their search index and the search routes, `pageSize` results a page. */
async function searchApp(records: PaperRecord[], pageSize: number, categories = ['cs.CL']) {
  const t = await testApp();
  await t.store.upsertPapers(records, FIXED_NOW);
  const index = await SearchIndex.open(t.store, { corpusEmbedder: SMALL_EMBEDDER }, true);
  after(() => index.close());
  mountSearchRoutes(t.app, {
    store: t.store, index, clock: { now: () => Date.parse(FIXED_NOW) }, categories, pageSize,
    site: async () => ({ siteName: 'Paperboy Test', viewer: null, demo: false, assets: { css: assets.get('style.css')!.hash, js: assets.get('app.js')!.hash } }),
  });
  return t.app;
}

const app = await searchApp([
  ...topicalRecords(30),
  paperRecord({ id: '2505.00202', title: 'Diffusion models <b>for</b> video & more', abstract: 'We <script>alert(1)</script> diffuse.' }),
  paperRecord({ id: '2505.00303', title: 'DiffusionDrive: truncated policies for driving', abstract: 'DiffusionDrive plans trajectories in real time.' }),
], 4, ['cs.CL', 'cs.CV']);

const get = (path: string) => app.request(path);

describe('the search page', () => {
  test('without a query it explains the syntax', async () => {
    const res = await get('/search');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /How to search/);
    assert.match(html, /<form[^>]*role="search"/);
  });

  test('results as cards with marked words, the count, and pages', async () => {
    const res = await get('/search?q=quantum+codes&mode=keyword');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /5 papers<!-- -->|5 papers/);
    assert.match(html, /<mark>Quantum<\/mark>/);
    assert.equal((html.match(/<article class="card"/g) ?? []).length, 4);
    assert.match(html, /href="\/search\?q=quantum\+codes&amp;mode=keyword&amp;page=2"/);
    const p2 = await (await get('/search?q=quantum+codes&mode=keyword&page=2')).text();
    assert.equal((p2.match(/<article class="card"/g) ?? []).length, 1);
    assert.match(p2, /<title>Search: quantum codes, page 2 · /);
    assert.match(html, /<title>Search: quantum codes · /);
  });

  test('titles and abstracts stay escaped around the marks', async () => {
    const html = await (await get('/search?q=video+more&mode=keyword')).text();
    assert.ok(/Diffusion models &lt;b&gt;for&lt;\/b&gt; <mark>video<\/mark> &amp; <mark>more<\/mark>/.test(html), 'marked and escaped title');
    assert.ok(!html.includes('<script>alert(1)'));
    const q = await (await get(`/search?q=${encodeURIComponent('<script>alert(1)</script> "x')}`)).text();
    assert.ok(!q.includes('<script>alert(1)'));
    assert.match(q, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt; &quot;x"/);
  });

  test('filters as form controls, and the query says what was searched', async () => {
    const html = await (await get('/search?q=attention+-video&category=cs.CL&from=2024-01-01&code=1&sort=date')).text();
    assert.ok(html.includes('attention -video cat:cs.CL after:2024-01-01 has:code'), 'what was searched');
    assert.ok(html.includes('<option value="date" selected="">Newest</option>'), 'sort kept');
    assert.ok(html.includes('<input type="checkbox" name="code" value="1" checked=""/>'), 'has code kept');
  });

  test('an arXiv id or URL of a paper here goes straight to it', async () => {
    const res = await get('/search?q=arXiv%3A2505.00202v3');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/papers/2505.00202');
  });

  test('did you mean', async () => {
    const html = await (await get('/search?q=quantun')).text();
    assert.match(html, /Did you mean <a href="\/search\?q=quantum">quantum<\/a>/);
    // Also when the other words find many papers: the misspelt one still gets its correction.
    const many = await (await get('/search?q=quantun+attention&mode=keyword')).text();
    assert.match(many, /(\d+) papers/);
    assert.ok(Number(/(\d+) papers/.exec(many)![1]) >= 5, 'many papers found');
    assert.match(many, /Did you mean <a href="\/search\?q=quantum\+attention(&amp;[^"]*)?">quantum attention<\/a>/);
    const fine = await (await get('/search?q=quantum+attention&mode=keyword')).text();
    assert.doesNotMatch(fine, /Did you mean/, 'no suggestion for words the corpus knows');
  });

  test('bad parameters get a 400 page; odd queries never a 500', async () => {
    assert.equal((await get('/search?q=x&mode=fast')).status, 400);
    assert.equal((await get('/search?q=x&page=0')).status, 400);
    for (const q of ['"', 'NEAR(', '-', '*', '\u0001', 'a'.repeat(1500), 'عربى', 'author:', 'year:abcd']) {
      const res = await get(`/search?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200, q.slice(0, 10));
    }
    const controls = await (await get('/search?q=quantum%00%01%7F%C2%85codes&mode=keyword')).text();
    assert.doesNotMatch(controls, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/, 'no control characters echoed into the page');
    assert.match(controls, /<title>Search: quantum codes ·/);
    for (const q of ['模型'.repeat(500), 'поиск '.repeat(166)]) {
      const res = await get(`/search?q=${encodeURIComponent(q)}&mode=keyword`);
      assert.equal(res.status, 200, `1,000 characters of ${q.slice(0, 2)}: ${encodeURIComponent(q).length} bytes encoded`);
    }
    assert.equal((await get(`/search?q=${'a'.repeat(12_000)}`)).status, 400, 'the app limits query strings');
  });

  test('search-as-you-type: JSON results with marks, completing the last word', async () => {
    const res = await get('/search/live?q=quantu');
    assert.equal(res.status, 200);
    const body = await res.json() as { items: { id: string; url: string; marks: [string, boolean][] }[] };
    assert.ok(body.items.length > 0);
    assert.ok(body.items[0]!.marks.some(([t, hit]) => hit && /quantum/i.test(t)));
    assert.equal(body.items[0]!.url, `/papers/${body.items[0]!.id}`);
  });

  test('search-as-you-type: a common word stands as typed; an unfinished one is searched as its completions', async () => {
    type Live = { total: number; completions: string[]; items: { id: string; marks: [string, boolean][] }[] };
    const whole = await (await get('/search/live?q=diffusion')).json() as Live;
    assert.deepEqual(whole.completions, [], 'a whole common word is not completed');
    assert.ok(whole.items.length > 0);
    assert.ok(!whole.items.some((i) => i.id === '2505.00303'), 'a rare longer word does not outrank the word typed');
    const enter = await (await get('/search?q=diffusion&mode=keyword')).text();
    assert.match(enter, new RegExp(`${whole.total} papers?<!-- -->|${whole.total} papers? for`), 'the count is what Enter finds');

    const typing = await (await get('/search/live?q=quantu')).json() as Live;
    assert.deepEqual(typing.completions, ['quantum']);
    for (const past of ['quantu -robots', 'quantu cat:cs.CV', 'quantu "error correction"', 'quantu -quant']) {
      const r = await (await get(`/search/live?q=${encodeURIComponent(past)}`)).json() as Live;
      assert.deepEqual(r.completions, [], `${past}: the word before a filter, phrase or exclusion is finished`);
    }
    assert.ok(typing.items.every((i) => i.marks.some(([t, hit]) => hit && /quantum/i.test(t))));
  });

  test('its own stylesheet and script', async () => {
    const css = await get('/search/search.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type')!, /text\/css/);
    const js = await get('/search/search.js');
    assert.equal(js.status, 200);
    assert.match(await js.text(), /search\/live/);
  });
});

describe('past the last page', () => {
  test('a page past the last of more results than can be paged is a 404, not the last page again', async () => {
    // More matches than MAX_RESULTS (1,000): with 30 a page, 34 pages can be shown.
    const own = await searchApp(Array.from({ length: 1_010 }, (_, i) => paperRecord({
      id: `2506.${String(10000 + i)}`, title: `Zyzzyva beetles, study ${i}`, abstract: `Zyzzyva beetles observed in field ${i}.`,
    })), 30);
    const last = await own.request('/search?q=zyzzyva&mode=keyword&page=34');
    assert.equal(last.status, 200);
    assert.equal(((await last.text()).match(/<article class="card"/g) ?? []).length, 10, 'the 1,000th result ends page 34');
    for (const page of [35, 999]) {
      const past = await own.request(`/search?q=zyzzyva&mode=keyword&page=${page}`);
      assert.equal(past.status, 404, `page ${page}`);
      assert.match(await past.text(), new RegExp(`There is no page ${page} of these results: there are 34 pages\\.`));
    }
  });
});

describe('search-as-you-type with several words', () => {
  test('an unfinished last word is one word: each of its completions stands in for it, never both at once', async () => {
    let n = 0;
    const papers = (count: number, title: string, abstract: string) => Array.from({ length: count }, () => paperRecord({
      id: `2507.${String(10000 + n++)}`, title: `${title} ${n}`, abstract,
    }));
    const own = await searchApp([
      ...papers(20, 'Sparse coding of images', 'Sparse codes for natural images.'),
      ...papers(10, 'Attention models', 'Attention models for text.'),
      ...papers(10, 'Attack detection', 'Attack detection for networks.'),
      // Papers with both completions ("attention" and "attack") and not the word typed first.
      ...papers(5, 'Adversarial attacks on attention', 'Attack the attention of a model; attention under attack.'),
      paperRecord({ id: '2507.19999', title: 'Sparse attention for long documents', abstract: 'Sparse attention reads long documents.' }),
    ], 10);
    const r = await (await own.request('/search/live?q=sparse+att')).json() as { completions: string[]; items: { id: string }[] };
    assert.deepEqual([...r.completions].sort(), ['attack', 'attention']);
    assert.equal(r.items[0]?.id, '2507.19999', 'the paper with the words typed comes first');
  });
});

describe('a phrase search counts what has the phrase', () => {
  test('the count is exact and the same on every page, and every page the pager offers exists', async () => {
    const own = await searchApp([
      // The phrase itself, in the title too, so these rank first among papers with its words.
      ...Array.from({ length: 30 }, (_, i) => paperRecord({ id: `2508.${String(10000 + i)}`, title: `Reinforcement learning for control ${i}`, abstract: 'Deep reinforcement learning agents.' })),
      // Its words apart: found by the words, not by the phrase.
      ...Array.from({ length: 30 }, (_, i) => paperRecord({ id: `2508.${String(20000 + i)}`, title: `Learning to plan ${i}`, abstract: 'Learning rules with reinforcement from a teacher.' })),
    ], 4);
    const seen = new Set<string>();
    for (let page = 1; page <= 8; page++) {
      const html = await (await own.request(`/search?q=%22reinforcement+learning%22&mode=keyword&page=${page}`)).text();
      assert.match(html, /30 papers/, `page ${page}: the same exact count`);
      assert.doesNotMatch(html, /about 30|about \d+ papers/, `page ${page}`);
      for (const m of html.matchAll(/<a href="\/papers\/(2508\.\d+)">/g)) seen.add(m[1]!);
    }
    assert.equal(seen.size, 30);
    assert.ok([...seen].every((id) => id.startsWith('2508.1')), 'only papers with the phrase');
    assert.equal((await own.request('/search?q=%22reinforcement+learning%22&mode=keyword&page=9')).status, 404);
  });
});
