/**
 * Ways into an account that is not yours, closed (in-process app on a real SQLite file, real
 * outbox folder): a confirmation link sent to a mistyped address that still works after the right
 * one was confirmed; old reset links; API tokens that outlive a password reset or change; an
 * account made with someone else's address that keeps its tokens once the owner takes it back, or
 * is presented to the owner as theirs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '../../src/services/accounts.ts';
import { insertApiToken, listUserApiTokens } from '../../src/store/api-tokens.ts';
import { findUserByName } from '../../src/store/users.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { linksInOutbox, mailsTo, memberSession, WebClient } from '../helpers/web-client.ts';

const PASSWORD = 'a long enough password';

async function setup() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  return t;
}

/** The token of the newest link of `kind` (verify or reset) sent to `to`. */
async function tokenSentTo(outboxDir: string, to: string, kind: 'verify' | 'reset'): Promise<string> {
  const link = (await linksInOutbox(outboxDir, to)).find((l) => l.includes(`/account/${kind}?`));
  assert.ok(link, `a ${kind} link went to ${to}`);
  return new URL(link).searchParams.get('token')!;
}

// The form token comes from another page: a link that no longer works shows no form.
const confirm = (client: WebClient, token: string) => client.post('/account/verify', { token }, { tokenPage: '/account/forgot' });
const reset = (client: WebClient, token: string, password: string) => client.post('/account/reset', { token, password }, { tokenPage: '/account/forgot' });
const addressOf = async (t: Awaited<ReturnType<typeof setup>>, username: string) => (await findUserByName(t.store.db, username))?.email ?? null;

async function newToken(client: WebClient, scope: 'read' | 'write'): Promise<string> {
  const res = await client.post('/settings/tokens', { name: `script ${scope}`, scope, expires: '' }, { tokenPage: '/settings/tokens' });
  assert.equal(res.status, 200);
  return /value="(pbt_[\w-]{43})"/.exec(await res.text())![1]!;
}

const api = (t: Awaited<ReturnType<typeof setup>>, token: string, p = '/api/v1/me') => t.app.request(p, { headers: { authorization: `Bearer ${token}` } });

test('a confirmation link to a mistyped address stops working once the right one is confirmed; the address the account had is told', async () => {
  const t = await setup();
  const alice = await memberSession(t.app, t.outboxDir, 'alice', '198.51.100.1');
  assert.equal((await alice.post('/settings/email', { current: PASSWORD, email: 'typo@example.org' })).status, 303);
  const typoToken = await tokenSentTo(t.outboxDir, 'typo@example.org', 'verify');
  assert.equal((await alice.post('/settings/email', { current: PASSWORD, email: 'alice2@example.org' })).status, 303);
  const rightToken = await tokenSentTo(t.outboxDir, 'alice2@example.org', 'verify');
  const confirmed = await confirm(alice, rightToken);
  assert.match(await confirmed.text(), /alice2@example.org is confirmed/);

  // The owner of the mistyped mailbox, in a browser of their own.
  const stranger = new WebClient(t.app, '192.0.2.9');
  assert.equal((await stranger.get(`/account/verify?token=${typoToken}`)).res.status, 400, 'the page says the link is no longer valid');
  const used = await confirm(stranger, typoToken);
  assert.equal(used.status, 400);
  assert.match(await used.text(), /not valid any more/);
  assert.equal(await addressOf(t, 'alice'), 'alice2@example.org');
  // Nor can they take the account with a reset: no account has their address.
  await stranger.post('/account/forgot', { email: 'typo@example.org' }, { tokenPage: '/account/forgot' });
  assert.deepEqual((await mailsTo(t.outboxDir, 'typo@example.org')).map((m) => m.subject), ['Confirm your new e-mail address for Paperboy Test']);

  // The old address hears that the address changed (and gets no link).
  const notice = (await mailsTo(t.outboxDir, 'alice@example.org')).at(-1)!;
  assert.equal(notice.subject, 'Your Paperboy Test address has changed');
  assert.match(notice.text, /The e-mail address of alice on Paperboy Test is now alice2@example.org/);
  assert.doesNotMatch(notice.text, /token=/);
  assert.equal((await mailsTo(t.outboxDir, 'alice2@example.org')).length, 1, 'the new address gets only its link');
});

test('an unused sign-up link to an old mailbox stops working once another address is confirmed', async () => {
  const t = await setup();
  const bob = new WebClient(t.app, '198.51.100.2');
  await bob.post('/signup', { username: 'bob', email: 'bob.old@example.org', password: PASSWORD }, { tokenPage: '/signup' });
  const signupToken = await tokenSentTo(t.outboxDir, 'bob.old@example.org', 'verify');
  assert.equal((await bob.post('/settings/email', { current: PASSWORD, email: 'bob.new@example.org' })).status, 303);
  assert.equal((await confirm(bob, await tokenSentTo(t.outboxDir, 'bob.new@example.org', 'verify'))).status, 200);
  assert.equal((await confirm(new WebClient(t.app, '192.0.2.10'), signupToken)).status, 400);
  assert.equal(await addressOf(t, 'bob'), 'bob.new@example.org');
  assert.ok((await mailsTo(t.outboxDir, 'bob.old@example.org')).every((m) => !/has changed/.test(m.subject)), 'an address never confirmed is not told of the change');
});

test('a password reset ends every other pending link; a confirmed address ends old reset links', async () => {
  const t = await setup();
  const cat = await memberSession(t.app, t.outboxDir, 'cat', '198.51.100.3');
  // A change of address is pending when the password is reset: its link no longer works after.
  await cat.post('/settings/email', { current: PASSWORD, email: 'cat.typo@example.org' });
  const changeToken = await tokenSentTo(t.outboxDir, 'cat.typo@example.org', 'verify');
  const owner = new WebClient(t.app, '198.51.100.3');
  await owner.post('/account/forgot', { email: 'cat@example.org' }, { tokenPage: '/account/forgot' });
  const first = await tokenSentTo(t.outboxDir, 'cat@example.org', 'reset');
  await owner.post('/account/forgot', { email: 'cat@example.org' }, { tokenPage: '/account/forgot' });
  const second = await tokenSentTo(t.outboxDir, 'cat@example.org', 'reset');
  assert.notEqual(first, second);
  assert.equal((await reset(owner, second, 'a brand new password')).status, 303);
  assert.equal((await reset(new WebClient(t.app, '192.0.2.11'), first, 'the attackers password')).status, 400, 'the other reset link is used up');
  assert.equal((await confirm(new WebClient(t.app, '192.0.2.12'), changeToken)).status, 400, 'so is the pending change of address');
  assert.equal(await addressOf(t, 'cat'), 'cat@example.org');

  // A reset link sent before the address changed does not work after the change is confirmed.
  await owner.post('/account/forgot', { email: 'cat@example.org' }, { tokenPage: '/account/forgot' });
  const stale = await tokenSentTo(t.outboxDir, 'cat@example.org', 'reset');
  assert.equal((await owner.post('/settings/email', { current: 'a brand new password', email: 'cat2@example.org' })).status, 303);
  assert.equal((await confirm(owner, await tokenSentTo(t.outboxDir, 'cat2@example.org', 'verify'))).status, 200);
  assert.equal((await reset(new WebClient(t.app, '192.0.2.13'), stale, 'the attackers password')).status, 400);
  assert.equal((await new WebClient(t.app, '198.51.100.3').post('/signin', { login: 'cat', password: 'a brand new password' })).status, 303, 'the password stays');
});

test('a change of address asked for with a stolen password dies when the owner changes the password: no takeover through the new address', async () => {
  const t = await setup();
  const owner = await memberSession(t.app, t.outboxDir, 'bob', '198.51.100.5');
  // Someone with bob's password signs in elsewhere and asks for the address to move to theirs.
  const thief = new WebClient(t.app, '192.0.2.20');
  assert.equal((await thief.post('/signin', { login: 'bob', password: PASSWORD }, { tokenPage: '/signin' })).status, 303);
  assert.equal((await thief.post('/settings/email', { current: PASSWORD, email: 'mallory@attacker.example' })).status, 303);
  const link = await tokenSentTo(t.outboxDir, 'mallory@attacker.example', 'verify');
  // Bob is told, and changes his password: the thief's session ends, and so does the pending change.
  assert.equal((await owner.post('/settings/password', { current: PASSWORD, password: 'a brand new password' })).status, 303);
  assert.equal((await thief.get('/settings')).res.status, 303, 'signed out');
  assert.equal((await confirm(new WebClient(t.app, '192.0.2.21'), link)).status, 400, 'the change of address no longer confirms');
  assert.equal(await addressOf(t, 'bob'), 'bob@example.org');
  // So a reset asked for the thief's address reaches nobody, and bob's account stays his.
  await new WebClient(t.app, '192.0.2.22').post('/account/forgot', { email: 'mallory@attacker.example' }, { tokenPage: '/account/forgot' });
  assert.equal((await linksInOutbox(t.outboxDir, 'mallory@attacker.example')).filter((l) => l.includes('/account/reset?')).length, 0);
  assert.equal((await new WebClient(t.app, '198.51.100.5').post('/signin', { login: 'bob', password: 'a brand new password' }, { tokenPage: '/signin' })).status, 303);
});

test('API tokens end with a password reset and with a password change', async () => {
  const t = await setup();
  const dan = await memberSession(t.app, t.outboxDir, 'dan', '198.51.100.4');
  const read = await newToken(dan, 'read');
  const write = await newToken(dan, 'write');
  assert.equal((await api(t, write)).status, 200);

  await dan.post('/account/forgot', { email: 'dan@example.org' }, { tokenPage: '/account/forgot' });
  assert.equal((await reset(dan, await tokenSentTo(t.outboxDir, 'dan@example.org', 'reset'), 'a brand new password')).status, 303);
  for (const token of [read, write]) assert.equal((await api(t, token)).status, 401, 'revoked by the reset');
  assert.match((await dan.get('/settings/tokens')).html, /revoked 2026-/);

  assert.match((await dan.get('/settings')).html, /other sessions end, your API tokens are revoked and a pending change of address is cancelled/, 'the password form says so');
  const again = await newToken(dan, 'read');
  assert.equal((await api(t, again)).status, 200);
  assert.equal((await dan.post('/settings/password', { current: 'a brand new password', password: 'another new password' })).status, 303);
  assert.equal((await api(t, again)).status, 401, 'revoked by the change');
  assert.equal((await dan.get('/settings')).res.status, 200, 'the session that changed it stays');
});

test('an account whose address is not confirmed makes no API tokens, and tokens it has do not work', async () => {
  const t = await setup();
  const eli = new WebClient(t.app, '198.51.100.5');
  await eli.post('/signup', { username: 'eli', email: 'eli@example.org', password: PASSWORD }, { tokenPage: '/signup' });
  const page = await eli.get('/settings/tokens');
  assert.equal(page.res.status, 200);
  assert.match(page.html, /Confirm your e-mail address first: API tokens are for accounts whose address is confirmed/);
  assert.doesNotMatch(page.html, /<button type="submit">Create token<\/button>/);
  const refused = await eli.post('/settings/tokens', { name: 'x', scope: 'write', expires: '' }, { tokenPage: '/settings/tokens' });
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /role="alert">Confirm your e-mail address first/);
  const user = (await findUserByName(t.store.db, 'eli'))!;
  assert.deepEqual(await listUserApiTokens(t.store.db, user.id), []);

  // A token made before this rule existed: refused by the API, and the answer says what to do
  // (confirming the address does not bring it back; a new token does).
  const legacy = 'pbt_' + 'L'.repeat(43);
  await insertApiToken(t.store.db, { userId: user.id, name: 'old', tokenHash: sha256(legacy), prefix: legacy.slice(0, 10), scope: 'write', expiresAt: null }, FIXED_NOW);
  const me = await api(t, legacy);
  assert.equal(me.status, 403);
  const refusal = ((await me.json()) as { error: string }).error;
  assert.match(refusal, /address was confirmed and cannot be used: confirming the address revokes it\. Confirm the address \(Settings\), then create a new token\./);
  assert.doesNotMatch(refusal, /works once/);
  // Confirming the address does not bring it back: tokens made before the first confirmation are revoked.
  assert.equal((await confirm(eli, await tokenSentTo(t.outboxDir, 'eli@example.org', 'verify'))).status, 200);
  assert.equal((await api(t, legacy)).status, 401);
  assert.equal((await api(t, await newToken(eli, 'read'))).status, 200, 'confirmed: tokens work');
});

test('an account made with someone else\'s address: the owner is not told it is theirs, signs up and takes the address; a reset shuts the maker out', async () => {
  const t = await setup();
  // The squatter signs up with the victim's address and never confirms it.
  const squatter = new WebClient(t.app, '192.0.2.66');
  await squatter.post('/signup', { username: 'squatter1', email: 'victim9@example.org', password: PASSWORD }, { tokenPage: '/signup' });
  const mailsBefore = (await mailsTo(t.outboxDir, 'victim9@example.org')).length;

  // The owner signs up: a confirmation link of their own, no "it already belongs to your account, squatter1".
  const victim = new WebClient(t.app, '198.51.100.9');
  const signup = await victim.post('/signup', { username: 'victim9', email: 'victim9@example.org', password: 'the victims password' }, { tokenPage: '/signup' });
  assert.equal(signup.headers.get('location'), '/account/welcome');
  const mails = (await mailsTo(t.outboxDir, 'victim9@example.org')).slice(mailsBefore);
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.subject, 'Confirm your e-mail for Paperboy Test');
  assert.match(mails[0]!.text, /Welcome to Paperboy Test, victim9/);
  assert.doesNotMatch(mails.map((m) => m.text).join('\n'), /squatter1/);
  assert.match((await victim.get('/settings')).html, /victim9@example.org <strong>\(not confirmed yet\)<\/strong>/);
  // Settings' "send the link again" works for this account too.
  assert.equal((await victim.post('/account/verify/resend', {})).status, 200);
  const token = await tokenSentTo(t.outboxDir, 'victim9@example.org', 'verify');
  assert.equal((await confirm(victim, token)).status, 200);
  assert.equal(await addressOf(t, 'victim9'), 'victim9@example.org');
  assert.equal(await addressOf(t, 'squatter1'), null, 'the unconfirmed hold gave way');
  const resets = (await mailsTo(t.outboxDir, 'victim9@example.org')).length;
  await new WebClient(t.app, '198.51.100.9').post('/account/forgot', { email: 'victim9@example.org' }, { tokenPage: '/account/forgot' });
  assert.match((await mailsTo(t.outboxDir, 'victim9@example.org')).slice(resets)[0]!.text, /reset the password of victim9 on/);

  // Another squatter, whose account the owner then resets instead: the squatter's session and
  // its tokens end (a token made before tokens needed a confirmed address stands in for one).
  const other = new WebClient(t.app, '192.0.2.67');
  await other.post('/signup', { username: 'squatter2', email: 'victim10@example.org', password: PASSWORD }, { tokenPage: '/signup' });
  const held = (await findUserByName(t.store.db, 'squatter2'))!;
  const legacy = 'pbt_' + 'S'.repeat(43);
  await insertApiToken(t.store.db, { userId: held.id, name: 'x', tokenHash: sha256(legacy), prefix: legacy.slice(0, 10), scope: 'write', expiresAt: null }, FIXED_NOW);
  const owner = new WebClient(t.app, '198.51.100.10');
  await owner.post('/account/forgot', { email: 'victim10@example.org' }, { tokenPage: '/account/forgot' });
  const resetMail = (await mailsTo(t.outboxDir, 'victim10@example.org')).at(-1)!;
  assert.match(resetMail.text, /This address was never confirmed for squatter2\. If you did not make that account, someone else may have made it with your address/);
  assert.match(resetMail.text, /sign up for your own \(http:\/\/localhost\/signup\)/);
  assert.equal((await reset(owner, await tokenSentTo(t.outboxDir, 'victim10@example.org', 'reset'), 'the owners password')).status, 303);
  assert.equal((await other.request('/settings')).status, 303, 'the squatter is signed out');
  assert.equal((await api(t, legacy)).status, 401, 'and the token is revoked');
  await owner.post('/collections', { name: 'my private reading' }, { tokenPage: '/collections' });
  assert.equal((await api(t, legacy, '/api/v1/me/collections')).status, 401);
});
