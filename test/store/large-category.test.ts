/**
 * A category of LARGE_CATEGORY papers or more is looked up from the days' side (its latest day,
 * its neighbours, its New on arXiv): the answers are those of the small-category queries, hidden
 * entries left out as there. A rare category on the same store keeps its own answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATEGORY_WALK, isLargeCategory, LARGE_CATEGORY, latestCategoryDay, neighbourCategoryDays } from '../../src/store/category-lists.ts';
import { setEntryFlags } from '../../src/store/curation.ts';
import { latestAnnouncedDay } from '../../src/store/listings.ts';
import { addDays } from '../../src/domain/dates.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';

test('a large category: latest day, neighbours and New on arXiv as a small one would answer them', async () => {
  const store = await tempStore();
  // cs.CV on 40 days (2025-03-01 ..), 60 papers a day; cs.LG on those days too, the last two days
  // cs.LG only; astro-ph.EP (rare) on one early day.
  const days = Array.from({ length: 42 }, (_, i) => addDays('2025-03-01', i));
  const records = [];
  const entries = [];
  let n = 0;
  for (const [i, day] of days.entries()) {
    for (let k = 0; k < 60; k++) {
      const id = `2503.${String(10000 + n++).padStart(5, '0')}`;
      const categories = i >= 40 ? ['cs.LG'] : k === 0 && i === 3 ? ['astro-ph.EP'] : ['cs.CV', 'cs.LG'];
      records.push(paperRecord({ id, categories, announcedOn: [day], publishedAt: `${day}T00:00:00.000Z` }));
      entries.push({ paperId: id, day, submittedAt: `${day}T09:00:00.000Z` });
    }
  }
  await store.importBatch({ records, entries }, FIXED_NOW);
  assert.equal(await isLargeCategory(store.db, 'cs.CV'), true, `cs.CV has ${40 * 60 - 1} papers, over ${LARGE_CATEGORY}`);
  assert.equal(await isLargeCategory(store.db, 'astro-ph.EP'), false);

  assert.equal(await latestCategoryDay(store.db, 'cs.CV'), days[39]);
  assert.equal(await latestCategoryDay(store.db, 'cs.LG'), days[41]);
  assert.equal(await latestCategoryDay(store.db, 'astro-ph.EP'), days[3]);
  assert.equal(await latestAnnouncedDay(store.db, 'cs.CV'), days[39]);
  assert.equal(await latestAnnouncedDay(store.db, 'astro-ph.EP'), days[3]);
  assert.equal(await latestAnnouncedDay(store.db, 'cs.XX'), null);
  assert.deepEqual(await neighbourCategoryDays(store.db, 'cs.CV', days[10]!), { prev: days[9], next: days[11] });
  assert.deepEqual(await neighbourCategoryDays(store.db, 'cs.CV', days[0]!, days[39]!), { prev: null, next: null });
  assert.deepEqual(await neighbourCategoryDays(store.db, 'astro-ph.EP', days[10]!), { prev: days[3], next: null });

  // A day whose cs.CV entries are all hidden is no day of the category's list.
  for (const r of records.slice(39 * 60, 40 * 60)) await setEntryFlags(store.db, r.id, { hidden: true }, FIXED_NOW);
  assert.equal(await latestCategoryDay(store.db, 'cs.CV'), days[38]);
  assert.deepEqual(await neighbourCategoryDays(store.db, 'cs.CV', days[37]!), { prev: days[36], next: days[38] });

  const newOn = await store.listAnnouncedPapers({ from: days[20]!, to: days[20]!, sort: 'newest', limit: 100, offset: 0, category: 'cs.CV' });
  assert.equal(newOn.total, 60);
  assert.ok(newOn.items.every((c) => c.categories.includes('cs.CV')));
});

test('a large category whose last list day lies further back than the walk reads: found from its own rows', async () => {
  const store = await tempStore();
  const records = [];
  const entries = [];
  let n = 0;
  // 2,100 cs.CV papers on 2025-01-06, then CATEGORY_WALK + 100 entries of other papers on later days.
  for (let k = 0; k < 2_100; k++) {
    const id = `2501.${String(10000 + n++).padStart(5, '0')}`;
    records.push(paperRecord({ id, categories: ['cs.CV'], announcedOn: ['2025-01-06'] }));
    entries.push({ paperId: id, day: '2025-01-06', submittedAt: '2025-01-06T09:00:00.000Z' });
  }
  for (let k = 0; k < CATEGORY_WALK + 100; k++) {
    const id = `2502.${String(10000 + n++).padStart(5, '0')}`;
    const day = addDays('2025-02-03', k % 20);
    records.push(paperRecord({ id, categories: ['math.CO'], announcedOn: [day] }));
    entries.push({ paperId: id, day, submittedAt: `${day}T09:00:00.000Z` });
  }
  await store.importBatch({ records, entries }, FIXED_NOW);
  assert.equal(await isLargeCategory(store.db, 'cs.CV'), true);
  assert.equal(await latestCategoryDay(store.db, 'cs.CV'), '2025-01-06');
  assert.equal(await latestAnnouncedDay(store.db, 'cs.CV'), '2025-01-06');
  assert.deepEqual(await neighbourCategoryDays(store.db, 'cs.CV', '2025-03-01'), { prev: '2025-01-06', next: null });
});
