import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempStore, FIXED_NOW } from '../helpers/store.ts';
import { paperRecord } from '../helpers/factories.ts';

async function seeded() {
  const store = await tempStore();
  const records = [
    paperRecord({ id: '2505.00101', categories: ['cs.CL'], announcedOn: ['2025-05-05'] }),
    paperRecord({ id: '2505.00102', categories: ['cs.CV', 'cs.CL'], announcedOn: ['2025-05-05'] }),
    paperRecord({ id: '2505.00103', categories: ['cs.CV'], announcedOn: ['2025-05-06'] }),
    paperRecord({ id: '2505.00104', categories: ['cs.LG'], announcedOn: ['2025-05-08'] }),
  ];
  await store.importBatch({
    records,
    entries: [
      { paperId: '2505.00101', day: '2025-05-05', submittedAt: '2025-05-05T08:00:00.000Z' },
      { paperId: '2505.00102', day: '2025-05-05', submittedAt: '2025-05-05T09:00:00.000Z' },
      { paperId: '2505.00103', day: '2025-05-07', submittedAt: '2025-05-07T09:00:00.000Z' },
      { paperId: '2505.00104', day: '2025-05-12', submittedAt: '2025-05-12T09:00:00.000Z' },
    ],
  }, FIXED_NOW);
  await store.seedDemoVotes(new Map([['2505.00101', 3], ['2505.00102', 30], ['2505.00103', 1]]), FIXED_NOW);
  return store;
}

const q = { sort: 'trending' as const, limit: 10, offset: 0 };

test('daily list of one day, sorted three ways', async () => {
  const store = await seeded();
  const day = { ...q, from: '2025-05-05', to: '2025-05-05' };
  const trending = await store.listDailyPapers(day);
  assert.equal(trending.total, 2);
  assert.deepEqual(trending.items.map((c) => c.id), ['2505.00102', '2505.00101']);
  assert.deepEqual(trending.items.map((c) => c.upvotes), [30, 3]);
  const newest = await store.listDailyPapers({ ...day, sort: 'newest' });
  assert.deepEqual(newest.items.map((c) => c.id), ['2505.00102', '2505.00101']);
  const card = trending.items[0]!;
  assert.deepEqual(card.authors, ['Ada Lovelace', 'Alan Turing']);
  assert.equal(card.authorCount, 2);
  assert.deepEqual(card.categories, ['cs.CV', 'cs.CL']);
  assert.equal(card.entry?.day, '2025-05-05');
});

test('week and month windows, category filter, pagination', async () => {
  const store = await seeded();
  const week = await store.listDailyPapers({ ...q, from: '2025-05-05', to: '2025-05-11', sort: 'upvotes' });
  assert.deepEqual(week.items.map((c) => c.id), ['2505.00102', '2505.00101', '2505.00103']);
  const month = await store.listDailyPapers({ ...q, from: '2025-05-01', to: '2025-05-31', limit: 2, offset: 2, sort: 'upvotes' });
  assert.equal(month.total, 4);
  assert.deepEqual(month.items.map((c) => c.id), ['2505.00103', '2505.00104']);
  const cv = await store.listDailyPapers({ ...q, from: '2025-05-01', to: '2025-05-31', category: 'cs.CV' });
  assert.deepEqual(cv.items.map((c) => c.id).sort(), ['2505.00102', '2505.00103']);
});

test('latest day and neighbouring days skip days without papers', async () => {
  const store = await seeded();
  assert.equal(await store.latestDailyDay(), '2025-05-12');
  assert.deepEqual(await store.neighbourDailyDays('2025-05-07'), { prev: '2025-05-05', next: '2025-05-12' });
  assert.deepEqual(await store.neighbourDailyDays('2025-05-05'), { prev: null, next: '2025-05-07' });
});

test('New on arXiv lists announcements by day and category', async () => {
  const store = await seeded();
  const day = await store.listAnnouncedPapers({ ...q, from: '2025-05-05', to: '2025-05-05', sort: 'newest' });
  assert.equal(day.total, 2);
  const cl = await store.listAnnouncedPapers({ ...q, from: '2025-05-01', to: '2025-05-31', category: 'cs.CL' });
  assert.deepEqual(cl.items.map((c) => c.id).sort(), ['2505.00101', '2505.00102']);
  assert.equal(cl.total, 2);
  assert.equal(await store.latestAnnouncedDay(), '2025-05-08');
  assert.equal(await store.latestAnnouncedDay('cs.CV'), '2025-05-06');
});

test('vote counts equal the vote rows; stats count demo votes', async () => {
  const store = await seeded();
  const stats = await store.stats();
  assert.equal(stats.votes, 34);
  assert.equal(stats.demoVotes, 34);
  const rows = await store.db.selectFrom('papers').select(['id', 'upvotes']).execute();
  for (const r of rows) {
    const n = await store.db.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n')).where('paper_id', '=', r.id).executeTakeFirstOrThrow();
    assert.equal(r.upvotes, Number(n.n), r.id);
  }
  assert.deepEqual(await store.integrityProblems(), []);
});
