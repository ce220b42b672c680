/**
 * Deleting an account takes its votes with it, and every count they were part of drops: the
 * papers' upvotes and the comments' scores, also when the member was voting in another tab (or
 * through another app process) at that moment. Two accounts confirming the same new address at
 * once: one gets it, the other is told another account uses it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outboxMailer } from '../../src/mail/mailer.ts';
import { deleteAccount, requestPasswordReset, sha256, verifyEmail, type AccountDeps } from '../../src/services/accounts.ts';
import { UserError } from '../../src/services/errors.ts';
import { addComment, vote, voteComment, type CommunityDeps } from '../../src/services/community.ts';
import { hashPassword } from '../../src/services/passwords.ts';
import type { Store } from '../../src/store/index.ts';
import { findLogin, insertEmailToken } from '../../src/store/users.ts';
import { createMember, paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempDir, tempStore } from '../helpers/store.ts';

const PASSWORD = 'a long enough password';
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function depsOf(store: Store): AccountDeps & CommunityDeps {
  return {
    store, mailer: outboxMailer(tempDir(), 'Paperboy <accounts@paperboy.test>'), baseUrl: 'http://localhost', siteName: 'Paperboy',
    now: () => Date.parse(FIXED_NOW), arxiv: null, submitQuota: 3,
  };
}

/** Papers whose shown upvotes differ from their vote rows. */
async function miscountedPapers(store: Store, ids: string[]): Promise<string[]> {
  const rows = await store.db.selectFrom('papers as p')
    .select((eb) => ['p.id', 'p.upvotes', eb.selectFrom('votes as v').select(eb.fn.countAll<number>().as('n')).whereRef('v.paper_id', '=', 'p.id').as('rows')])
    .where('p.id', 'in', ids).execute();
  return rows.filter((r) => r.upvotes !== Number(r.rows)).map((r) => `${r.id}: shows ${r.upvotes}, has ${r.rows}`);
}

test('votes cast while the account is being deleted do not stay in the papers\' counts', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  const papers = Array.from({ length: 40 }, () => paperRecord());
  await store.upsertPapers(papers, FIXED_NOW);
  const ids = papers.map((p) => p.id);
  const passwordHash = await hashPassword(PASSWORD);
  for (let round = 0; round < 20; round++) {
    const user = await createMember(store, `leaver${round}`, { passwordHash });
    // Votes spread over the time the deletion takes (its password check, then its transaction).
    const votes = ids.map((id, i) => delay(i).then(() => vote(deps, user, id, true, `10.2.0.${round}`)));
    await Promise.all([deleteAccount(deps, user, { current: PASSWORD, confirm: user.username }), Promise.allSettled(votes)]);
    assert.deepEqual(await miscountedPapers(store, ids), [], `round ${round}`);
  }
});

test('a deleted account\'s comment votes leave the comments\' scores', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  const paper = paperRecord();
  await store.upsertPapers([paper], FIXED_NOW);
  const author = await createMember(store, 'author');
  const voter = await createMember(store, 'voter', { passwordHash: await hashPassword(PASSWORD) });
  const comment = await addComment(deps, author, { paperId: paper.id, body: 'A careful reading of section 3.' }, '10.3.0.1');
  await voteComment(deps, voter, comment, true);
  await deleteAccount(deps, voter, { current: PASSWORD, confirm: voter.username });
  const row = await store.db.selectFrom('comments').select('score').where('id', '=', comment).executeTakeFirstOrThrow();
  assert.equal(row.score, 0);
});

test('two accounts confirming the same new address at once: one gets it, the other a clear refusal', async () => {
  const store = await tempStore();
  const deps = depsOf(store);
  for (let round = 0; round < 20; round++) {
    const address = `shared${round}@example.org`;
    const tokens = await Promise.all(['a', 'b'].map(async (who) => {
      const user = await createMember(store, `${who}${round}`);
      const token = `change-to-shared-address-${who}-${round}`;
      await insertEmailToken(store.db, { tokenHash: sha256(token), userId: user.id, purpose: 'change-email', email: address, createdAt: FIXED_NOW, expiresAt: '2099-01-01T00:00:00.000Z' });
      return token;
    }));
    const results = await Promise.allSettled(tokens.map((t) => verifyEmail(deps, t)));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason as Error);
    assert.equal(refused.length, 1, `round ${round}: one of the two confirms`);
    assert.ok(refused[0] instanceof UserError, `round ${round}: ${refused[0]}`);
    assert.equal(refused[0].status, 409);
    assert.match(refused[0].message, /Another account uses this address/);
    assert.ok(await findLogin(store.db, address), `round ${round}: the winner signs in with it`);
  }
});

test('password reset requests answer the same for an address with an account and one without, past the account limit too', async () => {
  const store = await tempStore();
  const sent: string[] = [];
  const outbox = depsOf(store).mailer;
  const deps: AccountDeps = { ...depsOf(store), mailer: { send: (m) => { sent.push(m.to); return outbox.send(m); }, describe: () => outbox.describe() } };
  await createMember(store, 'owner');
  for (const email of ['owner@example.org', 'nobody@example.org']) {
    for (let i = 0; i < 6; i++) {
      // A new address each time, so only the per-account limit could tell the two apart.
      await requestPasswordReset(deps, { email, ip: `10.0.${email.length}.${i}` });
    }
  }
  assert.deepEqual(sent, ['owner@example.org', 'owner@example.org', 'owner@example.org'], 'three reset mails an hour, the rest skipped without saying so');
  await store.close();
});
