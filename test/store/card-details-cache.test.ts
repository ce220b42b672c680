/**
 * Card details (authors, categories, keywords) are kept per paper while the store's details token
 * stands: the kept details are the ones a fresh read gives, votes and comments leave them kept,
 * and a re-import, new keywords or another process's write show on the next read. Real SQLite file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listCardsByIds } from '../../src/store/listings.ts';
import { openStore } from '../../src/store/index.ts';
import { replacePaperKeywords } from '../../src/store/keywords.ts';
import { createUser } from '../../src/store/users.ts';
import { addComment, vote, type CommunityDeps } from '../../src/services/community.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { paperRecord } from '../helpers/factories.ts';

const store = await tempStore();
const many = Array.from({ length: 15 }, (_, i) => `Author ${String(i).padStart(2, '0')}`);
const records = [
  paperRecord({ id: '2505.00001', authors: ['Ada Lovelace', 'Alan Turing'], categories: ['cs.CL', 'cs.LG'] }),
  paperRecord({ id: '2505.00002', authors: many, categories: ['cs.CV'] }),
  paperRecord({ id: '2505.00003', authors: ['Grace Hopper'], categories: ['cs.PL'] }),
];
await store.upsertPapers(records, FIXED_NOW);
const ids = records.map((r) => r.id);

/** The same read inside a transaction: details are never kept there, so this is the reference. */
const fresh = () => store.db.transaction().execute((trx) => listCardsByIds(trx, ids));
const details = (cards: Awaited<ReturnType<typeof fresh>>) => cards.map((c) => ({ id: c.id, authors: c.authors, authorCount: c.authorCount, categories: c.categories, keywords: c.keywords }));

test('kept details are the ones a fresh read gives (authors cut at 12, the count exact)', async () => {
  const first = await listCardsByIds(store.db, ids);
  const again = await listCardsByIds(store.db, ids);
  assert.deepEqual(details(first), details(await fresh()));
  assert.deepEqual(details(again), details(first));
  assert.equal(first[1]!.authors.length, 12);
  assert.equal(first[1]!.authorCount, 15);
  // A card is a copy: changing it does not change what later reads get.
  again[0]!.authors.push('Someone else');
  again[0]!.categories.length = 0;
  assert.deepEqual(details(await listCardsByIds(store.db, ids)), details(first));
  // A list with the same paper twice gets details on both.
  const twice = await listCardsByIds(store.db, ['2505.00003', '2505.00003']);
  assert.deepEqual(twice.map((c) => c.authors), [['Grace Hopper'], ['Grace Hopper']]);
});

test('votes and comments do not move the details token; other writes do', async () => {
  const user = await createUser(store.db, { username: 'reader', email: 'reader@example.org', passwordHash: null, role: 'member', verified: true }, FIXED_NOW);
  const deps: CommunityDeps = { store, now: () => Date.parse(FIXED_NOW), arxiv: null, submitQuota: 5 };
  const before = { details: store.detailsToken(), change: store.changeToken() };
  await vote(deps, user, '2505.00001', true, '10.0.0.1');
  await addComment(deps, user, { paperId: '2505.00001', body: 'A fine paper.' }, '10.0.0.1');
  assert.notEqual(store.changeToken(), before.change, 'pages must change');
  // On PostgreSQL the shared commit counter (moved by every commit, votes too) is part of both tokens.
  if (store.dialect === 'sqlite') assert.equal(store.detailsToken(), before.details, 'card details stay kept');
  const cards = await listCardsByIds(store.db, ids);
  assert.equal(cards[0]!.upvotes, 1, 'counts are read fresh');
  assert.equal(cards[0]!.commentsCount, 1);
  await store.upsertPapers([records[2]!], FIXED_NOW);
  assert.notEqual(store.detailsToken(), before.details);
});

test('a re-import with other authors and categories shows on the next read', async () => {
  await listCardsByIds(store.db, ids); // kept
  await store.upsertPapers([{ ...records[0]!, authors: ['Emmy Noether'], categories: ['math.AG'], title: `${records[0]!.title} (v2)` }], FIXED_NOW);
  const cards = await listCardsByIds(store.db, ids);
  assert.deepEqual(cards[0]!.authors, ['Emmy Noether']);
  assert.deepEqual(cards[0]!.categories, ['math.AG']);
  assert.deepEqual(details(cards), details(await fresh()));
});

test('new keywords show on the next read', async () => {
  await listCardsByIds(store.db, ids); // kept
  await store.transaction((trx) => replacePaperKeywords(trx, [{ paperId: '2505.00003', sourceHash: 'x', keywords: [{ keyword: 'compilers', score: 2 }, { keyword: 'cobol', score: 1 }] }], FIXED_NOW));
  const cards = await listCardsByIds(store.db, ids);
  assert.deepEqual(cards[2]!.keywords, ['compilers', 'cobol']);
  assert.deepEqual(details(cards), details(await fresh()));
});

test('a write by another connection (another process) shows on the next read', async () => {
  await listCardsByIds(store.db, ids); // kept
  const other = await openStore(store.url);
  await other.db.updateTable('paper_authors').set({ name: 'Renamed Elsewhere' }).where('paper_id', '=', '2505.00003').execute();
  await other.close();
  // SQLite tells at once; PostgreSQL's shared counter is read every 250 ms, so allow a little longer.
  const deadline = Date.now() + (store.dialect === 'postgres' ? 1_000 : 0);
  let cards = await listCardsByIds(store.db, ids);
  while (cards[2]!.authors[0] !== 'Renamed Elsewhere' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    cards = await listCardsByIds(store.db, ids);
  }
  assert.deepEqual(cards[2]!.authors, ['Renamed Elsewhere']);
});
