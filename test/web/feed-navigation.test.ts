import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW } from '../helpers/store.ts';

/**
 * The small corpus (lists on 2025-05-05 and 2025-05-07, week 19) plus lists on 2025-04-08 (week 15,
 * April) and 2025-06-20 (week 25, June), so weeks 16-18 and 20-24 are empty and the neighbours
 * of week 19 lie several weeks away.
 */
async function app() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  await t.store.importBatch({
    records: [
      paperRecord({ id: '2504.00301', title: 'An April paper', categories: ['cs.CL'], announcedOn: ['2025-04-08'] }),
      paperRecord({ id: '2506.00401', title: 'A June paper', categories: ['cs.CV'], announcedOn: ['2025-06-20'] }),
    ],
    entries: [
      { paperId: '2504.00301', day: '2025-04-08', submittedAt: '2025-04-08T08:00:00.000Z' },
      { paperId: '2506.00401', day: '2025-06-20', submittedAt: '2025-06-20T08:00:00.000Z' },
    ],
  }, FIXED_NOW);
  return t.app;
}

/** The previous and next links of the date pager: href, or null when the link is disabled. */
function datePager(html: string): { prev: string | null; next: string | null } {
  const nav = /<nav aria-label="Dates"[^>]*>(.*?)<\/nav>/s.exec(html)?.[1];
  assert.ok(nav, 'the page has a date pager');
  const href = (rel: string) => new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(nav)?.[1]?.replaceAll('&amp;', '&') ?? null;
  return { prev: href('prev'), next: href('next') };
}

async function pager(a: Awaited<ReturnType<typeof app>>, url: string) {
  const res = await a.request(url);
  assert.equal(res.status, 200, url);
  return datePager(await res.text());
}

test('previous and next keep the chosen sort (day, week, month, category, New on arXiv)', async () => {
  const a = await app();
  assert.deepEqual(await pager(a, '/papers/date/2025-05-05?sort=upvotes'),
    { prev: '/papers/date/2025-04-08?sort=upvotes', next: '/papers/date/2025-05-07?sort=upvotes' });
  assert.deepEqual(await pager(a, '/papers/week/2025-W19?sort=newest'),
    { prev: '/papers/week/2025-W15?sort=newest', next: '/papers/week/2025-W25?sort=newest' });
  assert.deepEqual(await pager(a, '/papers/month/2025-05?sort=upvotes'),
    { prev: '/papers/month/2025-04?sort=upvotes', next: '/papers/month/2025-06?sort=upvotes' });
  assert.deepEqual(await pager(a, '/categories/cs.CL/date/2025-05-05?sort=newest'),
    { prev: '/categories/cs.CL/date/2025-04-08?sort=newest', next: null });
  assert.deepEqual(await pager(a, '/new?date=2025-05-07&sort=upvotes'),
    { prev: '/new?date=2025-05-05&sort=upvotes', next: '/new?date=2025-06-20&sort=upvotes' });
  // The default sort stays out of the links.
  assert.deepEqual(await pager(a, '/papers/date/2025-05-07'), { prev: '/papers/date/2025-05-05', next: '/papers/date/2025-06-20' });
  assert.deepEqual(await pager(a, '/new?date=2025-05-07'), { prev: '/new?date=2025-05-05', next: '/new?date=2025-06-20' });
});

test('previous and next skip empty weeks and months and stop at the first and last lists', async () => {
  const a = await app();
  // Weeks: 15, 19 and 25 have lists.
  assert.deepEqual(await pager(a, '/papers/week/2025-W15'), { prev: null, next: '/papers/week/2025-W19' });
  assert.deepEqual(await pager(a, '/papers/week/2025-W25'), { prev: '/papers/week/2025-W19', next: null });
  // An empty week in a gap links to the weeks with lists on either side.
  assert.deepEqual(await pager(a, '/papers/week/2025-W22'), { prev: '/papers/week/2025-W19', next: '/papers/week/2025-W25' });
  // Past the ends: nothing further out to go to.
  assert.deepEqual(await pager(a, '/papers/week/2025-W30'), { prev: '/papers/week/2025-W25', next: null });
  assert.deepEqual(await pager(a, '/papers/month/2025-06'), { prev: '/papers/month/2025-05', next: null });
  assert.deepEqual(await pager(a, '/papers/month/2025-04'), { prev: null, next: '/papers/month/2025-05' });
  assert.deepEqual(await pager(a, '/papers/month/2025-08'), { prev: '/papers/month/2025-06', next: null });
  // Days: the first list day has no previous day, and neither has a day before it.
  assert.deepEqual(await pager(a, '/papers/date/2025-04-08'), { prev: null, next: '/papers/date/2025-05-05' });
  assert.deepEqual(await pager(a, '/papers/date/2020-01-01'), { prev: null, next: '/papers/date/2025-04-08' });
  assert.deepEqual(await pager(a, '/papers/date/2025-06-20'), { prev: '/papers/date/2025-05-07', next: null });
});

test('a category steps over periods without papers of the category', async () => {
  const a = await app();
  // cs.CV is on the lists of 2025-05-05 (week 19, May) and 2025-06-20 (week 25, June) only.
  assert.deepEqual(await pager(a, '/categories/cs.CV/week/2025-W19'), { prev: null, next: '/categories/cs.CV/week/2025-W25' });
  assert.deepEqual(await pager(a, '/categories/cs.CV/week/2025-W25'), { prev: '/categories/cs.CV/week/2025-W19', next: null });
  assert.deepEqual(await pager(a, '/categories/cs.CV/month/2025-05'), { prev: null, next: '/categories/cs.CV/month/2025-06' });
  // cs.CL: 2025-04-08 and 2025-05-05.
  assert.deepEqual(await pager(a, '/categories/cs.CL/month/2025-05'), { prev: '/categories/cs.CL/month/2025-04', next: null });
  assert.deepEqual(await pager(a, '/categories/cs.CL/date/2025-05-05'), { prev: '/categories/cs.CL/date/2025-04-08', next: null });
});

test('lists on the first and last days a date may name: the page and its tabs, no 500', async () => {
  const t = await testApp();
  await t.store.importBatch({
    records: [
      paperRecord({ id: '2501.00501', title: 'At the far end', categories: ['cs.CL'], announcedOn: ['2999-12-31'] }),
      paperRecord({ id: '2501.00502', title: 'At the start', categories: ['cs.CL'], announcedOn: ['1991-01-01'] }),
    ],
    entries: [
      { paperId: '2501.00501', day: '2999-12-31', submittedAt: '2999-12-31T08:00:00.000Z' },
      { paperId: '2501.00502', day: '1991-01-01', submittedAt: '1991-01-01T08:00:00.000Z' },
    ],
  }, FIXED_NOW);
  const tabs = (html: string) => [...(/<nav aria-label="Period"[^>]*>(.*?)<\/nav>/s.exec(html)?.[1] ?? '').matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
  const cases: [string, string, string[]][] = [
    // 2999-12-30 and -31 lie in ISO week 3000-W01, which no label names: no Weekly tab.
    ['/', 'At the far end', ['/papers/date/2999-12-31', '/papers/month/2999-12']],
    ['/papers/date/2999-12-30', 'No papers', ['/papers/date/2999-12-30', '/papers/month/2999-12']],
    ['/categories/cs.CL/date/2999-12-31', 'At the far end', ['/categories/cs.CL/date/2999-12-31', '/categories/cs.CL/month/2999-12']],
    // Week 1991-W01 starts on 1990-12-31: its tabs take the week's last day.
    ['/papers/week/1991-W01', 'At the start', ['/papers/date/1991-01-06', '/papers/week/1991-W01', '/papers/month/1991-01']],
    ['/categories/cs.CL/week/1991-W01', 'At the start', ['/categories/cs.CL/date/1991-01-06', '/categories/cs.CL/week/1991-W01', '/categories/cs.CL/month/1991-01']],
  ];
  for (const [url, shows, links] of cases) {
    const res = await t.app.request(url);
    const html = await res.text();
    assert.equal(res.status, 200, `${url}: ${html.slice(0, 300)}`);
    assert.match(html, new RegExp(shows), url);
    assert.deepEqual(tabs(html), links, url);
  }
});

test('Hugging Face\'s older addresses, /papers?date=, ?week=, ?month=, lead to the same page here', async () => {
  const a = await app();
  const cases: [string, string][] = [
    ['/papers?date=2025-05-05', '/papers/date/2025-05-05'],
    ['/papers?week=2025-W19&sort=upvotes', '/papers/week/2025-W19?sort=upvotes'],
    ['/papers?month=2025-05&page=2&utm=x', '/papers/month/2025-05?page=2'],
    ['/papers', '/'],
    ['/papers?date=<b>', '/papers/date/%3Cb%3E'],
  ];
  for (const [from, to] of cases) {
    const res = await a.request(from);
    assert.equal(res.status, 301, from);
    assert.equal(res.headers.get('location'), to, from);
  }
  assert.equal((await a.request('/papers/date/%3Cb%3E')).status, 400, 'a bad label is refused where it lands');
  assert.match(await (await a.request('/papers/date/2025-05-05')).text(), /Sparse attention/);
});
