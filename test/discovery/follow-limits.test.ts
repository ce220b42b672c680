/**
 * Follows and "not interested" marks are counted per account like votes, and one account follows at
 * most MAX_FOLLOWED_AUTHORS authors (through the whole app in-process, real SQLite; the cap also
 * holds for follows sent side by side).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/services/errors.ts';
import { MAX_FOLLOWED_AUTHORS, setFollow } from '../../src/services/follows.ts';
import { RULES } from '../../src/services/rate-limits.ts';
import { countFollowedAuthors, followAuthor, listFollowedAuthors } from '../../src/store/follows.ts';
import { findUserByName } from '../../src/store/users.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { createMember, paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';
import { memberSession } from '../helpers/web-client.ts';

test('follows and unfollows: 300 an hour per account, then a 429 that says so, with Retry-After; other accounts are not held back', async () => {
  let nowMs = Date.parse(FIXED_NOW);
  const { app, store, outboxDir } = await testApp(undefined, { now: () => nowMs });
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const csrf = await ada.csrf('/settings');
  assert.equal(RULES.followAccount.limit, 300);
  for (let i = 0; i < RULES.followAccount.limit; i++) {
    const res = await ada.post('/actions/follow', { author: 'Ada Lovelace', want: i % 2 === 0 ? '1' : '0' }, { csrf, accept: 'application/json' });
    assert.equal(res.status, 200, `request ${i + 1}`);
  }
  const over = await ada.post('/actions/follow', { author: 'Alan Turing', want: '1' }, { csrf, accept: 'application/json' });
  assert.equal(over.status, 429);
  assert.match(JSON.stringify(await over.json()), /Too many follows and unfollows: at most 300 in 60 minutes/);
  assert.ok(Number(over.headers.get('retry-after')) > 0);
  const page = await ada.post('/actions/follow', { author: 'Alan Turing', want: '1' }, { csrf });
  assert.equal(page.status, 429);
  assert.match(await page.text(), /Too many follows and unfollows/);
  const user = (await findUserByName(store.db, 'ada'))!;
  assert.deepEqual((await listFollowedAuthors(store.db, user.id)).map((a) => a.name), [], 'the refused follow was not written');

  const bob = await memberSession(app, outboxDir, 'bob');
  assert.equal((await bob.post('/actions/follow', { author: 'Alan Turing', want: '1' })).status, 303, 'another account');
  nowMs += 61 * 60 * 1000;
  assert.equal((await ada.post('/actions/follow', { author: 'Alan Turing', want: '1' }, { csrf })).status, 303, 'an hour later');
});

test('"not interested": 300 marks an hour per account, then a 429', async () => {
  const { app, store, outboxDir } = await testApp();
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const csrf = await ada.csrf('/settings');
  assert.equal(RULES.notInterestedAccount.limit, 300);
  for (let i = 0; i < RULES.notInterestedAccount.limit; i++) {
    const res = await ada.post('/actions/not-interested', { paper: '2505.00202', want: i % 2 === 0 ? '1' : '0' }, { csrf, accept: 'application/json' });
    assert.equal(res.status, 200, `request ${i + 1}`);
  }
  const over = await ada.post('/actions/not-interested', { paper: '2505.00203', want: '1' }, { csrf });
  assert.equal(over.status, 429);
  assert.match(await over.text(), /Too many (&quot;|")not interested(&quot;|") marks: at most 300 in 60 minutes/);
  assert.ok(Number(over.headers.get('retry-after')) > 0);
  const rows = await store.db.selectFrom('not_interested' as never).selectAll().execute();
  assert.equal(rows.length, 0, 'the last accepted request took the mark back; the refused one wrote nothing');
});

test(`an account follows at most ${MAX_FOLLOWED_AUTHORS} authors: the next follow is a 409 that says what to do; unfollowing makes room`, async () => {
  const { app, store, outboxDir } = await testApp();
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const user = (await findUserByName(store.db, 'ada'))!;
  for (let i = 0; i < MAX_FOLLOWED_AUTHORS - 1; i++) await followAuthor(store.db, user.id, `Earlier Author ${i}`, FIXED_NOW);
  assert.equal((await ada.post('/actions/follow', { author: 'Ada Lovelace', want: '1' })).status, 303, 'the last place');
  assert.equal((await ada.post('/actions/follow', { author: 'Ada Lovelace', want: '1' })).status, 303, 'following again at the cap is fine');
  const refused = await ada.post('/actions/follow', { author: 'Alan Turing', want: '1' });
  assert.equal(refused.status, 409);
  const html = await refused.text();
  assert.match(html, new RegExp(`You follow ${MAX_FOLLOWED_AUTHORS} authors, the most one account can`));
  assert.match(html, /\/settings\/following/);
  const json = await ada.post('/actions/follow', { author: 'Alan Turing', want: '1' }, { accept: 'application/json' });
  assert.equal(json.status, 409);
  assert.equal(await countFollowedAuthors(store.db, user.id), MAX_FOLLOWED_AUTHORS);
  assert.equal((await ada.post('/actions/follow', { author: 'Earlier Author 0', want: '0' })).status, 303);
  assert.equal((await ada.post('/actions/follow', { author: 'Alan Turing', want: '1' })).status, 303, 'room again after an unfollow');
  assert.equal(await countFollowedAuthors(store.db, user.id), MAX_FOLLOWED_AUTHORS);
});

test('follows sent side by side stop at the cap', async () => {
  const store = await tempStore();
  const names = Array.from({ length: 6 }, (_, i) => `Side Author ${i}`);
  await store.upsertPapers([paperRecord({ id: '2505.09901', authors: names })], FIXED_NOW);
  const deps = { store, now: () => Date.parse(FIXED_NOW) };
  for (let round = 0; round < 5; round++) {
    const member = await createMember(store, `follower${round}`);
    for (let i = 0; i < MAX_FOLLOWED_AUTHORS - 2; i++) await followAuthor(store.db, member.id, `Earlier Author ${i}`, FIXED_NOW);
    const results = await Promise.allSettled(names.map((n) => setFollow(deps, member, n, true)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2, `round ${round}: the last two places are taken once each`);
    const statuses = results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof UserError ? r.reason.status : String(r.reason)] : []));
    assert.deepEqual(statuses, [409, 409, 409, 409], `round ${round}`);
    assert.equal(await countFollowedAuthors(store.db, member.id), MAX_FOLLOWED_AUTHORS);
  }
});
