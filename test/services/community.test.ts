/**
 * Comment edits racing a deletion (two tabs, or two app processes on one PostgreSQL database): a
 * deleted comment's text stays gone, and the late edit is told the comment no longer exists.
 * Collections made with the same name at once get distinct addresses, as one after the other do.
 * Submissions: racing the daily quota, a paper a curator took off, a withdrawn paper.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addComment, createCollection, flagComment, removeComment, submitPaper, updateComment, type CommunityDeps } from '../../src/services/community.ts';
import { UserError } from '../../src/services/errors.ts';
import { listUserCollections } from '../../src/store/collections.ts';
import { setEntryFlags } from '../../src/store/curation.ts';
import { editComment, findComment, setCommentHidden, softDeleteComment } from '../../src/store/comments.ts';
import type { PaperRecord } from '../../src/domain/paper.ts';
import type { Store } from '../../src/store/index.ts';
import { createMember, paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** arXiv's API, answering each id asked for with `record(id)` after `delayMs`; the ids asked go into `fetched`. */
function arxivAnswering(record: (id: string) => PaperRecord, fetched: string[], delayMs = 0): CommunityDeps['arxiv'] {
  return {
    apiQuery: async (q) => {
      const id = q.idList![0]!;
      fetched.push(id);
      if (delayMs > 0) await delay(delayMs);
      return { records: [record(id)], totalResults: 1 } as unknown as Awaited<ReturnType<NonNullable<CommunityDeps['arxiv']>['apiQuery']>>;
    },
  };
}

function depsOf(store: Store): CommunityDeps {
  return { store, now: () => Date.parse(FIXED_NOW), arxiv: null, submitQuota: 3 };
}

test('an edit that races the comment\'s deletion does not bring its text back', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  const paper = paperRecord();
  await store.upsertPapers([paper], FIXED_NOW);
  const ada = await createMember(store, 'ada');
  for (let round = 0; round < 20; round++) {
    const id = await addComment(deps, ada, { paperId: paper.id, body: `First thoughts, round ${round}.` }, '10.4.0.1');
    const edits = [0, 1, 2].map((ms) => delay(ms).then(() => updateComment(deps, ada, id, `Second thoughts after ${ms} ms.`)));
    const [removed, ...edited] = await Promise.allSettled([removeComment(deps, ada, id), ...edits]);
    assert.equal(removed.status, 'fulfilled');
    const c = (await findComment(store.db, id))!;
    assert.ok(c.deletedAt, `round ${round}: the comment is deleted`);
    assert.equal(c.body, '', `round ${round}: its text is gone`);
    for (const e of edited) {
      if (e.status === 'fulfilled') continue;
      assert.ok(e.reason instanceof UserError, `round ${round}: ${e.reason}`);
      assert.equal(e.reason.status, 404, 'a late edit is told the comment does not exist');
    }
  }
});

test('a late edit leaves a deleted or hidden comment as it is', async () => {
  const store = await tempStore();
  const paper = paperRecord();
  await store.upsertPapers([paper], FIXED_NOW);
  const ada = await createMember(store, 'ada');
  const deps = depsOf(store);
  const deleted = await addComment(deps, ada, { paperId: paper.id, body: 'To be deleted.' }, '10.4.0.2');
  const hidden = await addComment(deps, ada, { paperId: paper.id, body: 'To be hidden.' }, '10.4.0.2');
  await store.transaction((trx) => softDeleteComment(trx, deleted, paper.id, FIXED_NOW));
  await store.transaction((trx) => setCommentHidden(trx, hidden, paper.id, true, FIXED_NOW));
  assert.equal(await editComment(store.db, deleted, 'Edited.', FIXED_NOW), false);
  assert.equal(await editComment(store.db, hidden, 'Edited.', FIXED_NOW), false);
  assert.equal((await findComment(store.db, deleted))!.body, '');
  assert.equal((await findComment(store.db, hidden))!.body, 'To be hidden.');
});

test('three collections of the same name made at once get three addresses, as made one after the other', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  for (let round = 0; round < 20; round++) {
    const bea = await createMember(store, `bea${round}`);
    const made = await Promise.all([1, 2, 3].map(() => createCollection(deps, bea, { name: 'Reading list', isPublic: false })));
    assert.deepEqual(made.map((c) => c.slug).sort(), ['reading-list', 'reading-list-2', 'reading-list-3'], `round ${round}`);
    assert.equal((await listUserCollections(store.db, bea.id, false)).length, 3);
  }
});

test('six submissions sent at once with two left today: two are listed, four refused, and only two papers are fetched from arXiv', async () => {
  const store = await tempStore();
  const fetched: string[] = [];
  // arXiv takes a while: every submission is under way before the first is listed.
  const deps: CommunityDeps = { ...depsOf(store), arxiv: arxivAnswering((id) => paperRecord({ id }), fetched, 20), submitQuota: 2 };
  const ada = await createMember(store, 'ada');
  const ids = ['2501.00001', '2501.00002', '2501.00003', '2501.00004', '2501.00005', '2501.00006'];
  const results = await Promise.allSettled(ids.map((id) => submitPaper(deps, ada, { id })));
  const listed = results.filter((r) => r.status === 'fulfilled');
  const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  assert.equal(listed.length, 2);
  assert.deepEqual(refused.map((e) => (e instanceof UserError ? e.status : String(e))), [429, 429, 429, 429]);
  assert.equal(fetched.length, 2, `fetched from arXiv: ${fetched.join(' ')}`);
  assert.equal((await store.stats()).papers, 2, 'no paper stored without being listed');
});

test('a paper a curator took off a list cannot be submitted again, and the refusal says so rather than "already on the list"', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  const ada = await createMember(store, 'ada');
  await store.upsertPapers([paperRecord({ id: '2501.00031' })], FIXED_NOW);
  await submitPaper(deps, ada, { id: '2501.00031' });
  await setEntryFlags(store.db, '2501.00031', { hidden: true }, FIXED_NOW);
  const refused = await submitPaper(deps, ada, { id: 'arXiv:2501.00031' }).then(() => null, (e: unknown) => e);
  assert.ok(refused instanceof UserError);
  assert.equal(refused.status, 409);
  assert.match(refused.message, /^arXiv:2501\.00031 was on the list of \d{4}-\d\d-\d\d, and a curator took it off; it cannot be submitted again\.$/);
});

test('a member cannot report their own comment (the page offers Edit and Delete instead)', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  const paper = paperRecord();
  await store.upsertPapers([paper], FIXED_NOW);
  const ada = await createMember(store, 'ada');
  const bob = await createMember(store, 'bob');
  const id = await addComment(deps, ada, { paperId: paper.id, body: 'Mine.' }, '10.4.0.9');
  const refused = await flagComment(deps, ada, id, 'spam').then(() => null, (e: unknown) => e);
  assert.ok(refused instanceof UserError);
  assert.equal(refused.status, 403);
  assert.match(refused.message, /your own comment/);
  assert.equal(await flagComment(deps, bob, id, 'spam'), paper.id, 'another member can');
  const reports = await store.db.selectFrom('comment_reports').select(['user_id']).where('comment_id', '=', id).execute();
  assert.deepEqual(reports.map((r) => r.user_id), [bob.id]);
});

test('a withdrawn paper cannot be submitted, whether the site has it or arXiv is asked, and nothing is stored or listed', async () => {
  const store = await tempStore();
  const fetched: string[] = [];
  const deps: CommunityDeps = { ...depsOf(store), arxiv: arxivAnswering((id) => paperRecord({ id, withdrawn: true }), fetched) };
  const ada = await createMember(store, 'ada');
  await store.upsertPapers([paperRecord({ id: '2501.00041', withdrawn: true })], FIXED_NOW);
  for (const id of ['2501.00041', 'https://arxiv.org/abs/2501.00042v2']) {
    const refused = await submitPaper(deps, ada, { id }).then(() => null, (e: unknown) => e);
    assert.ok(refused instanceof UserError, id);
    assert.equal(refused.status, 409);
    assert.match(refused.message, /^arXiv:2501\.0004[12] has been withdrawn by its authors, so it cannot be submitted to the daily list\.$/);
  }
  assert.deepEqual(fetched, ['2501.00042'], 'the paper the site had was not fetched again');
  assert.equal((await store.stats()).papers, 1, 'the withdrawn paper arXiv sent is not stored');
  assert.equal(await store.db.selectFrom('daily_entries').select('paper_id').executeTakeFirst(), undefined, 'no list has either');
});
