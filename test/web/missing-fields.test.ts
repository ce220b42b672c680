/**
 * Every form the site answers, posted with its fields left out (as a hand-made request would): it is
 * refused or ignored in the site's own words, never with a validator's account of types ("Invalid
 * input: expected string, received undefined") and never with a server error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

const VALIDATOR_WORDING = /Invalid input|expected (string|number|array|object)|received undefined|Too (small|big):/;

/** What the page or JSON says, for the failure message. */
async function said(res: Response): Promise<string> {
  const text = await res.text();
  const main = text.includes('<main') ? text.slice(text.indexOf('<main')) : text;
  return main.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300);
}

test('forms posted without their fields get the site\'s words, not the validator\'s, and no 500', async () => {
  const { app, store, outboxDir } = await testApp();
  await seedSmallCorpus(store);
  await createAccount({ store, now: () => Date.now() }, { username: 'boss', email: 'boss@example.org', password: 'a long enough password', role: 'admin' });

  const visitor = new WebClient(app);
  const ada = await memberSession(app, outboxDir, 'ada');
  const posted = await ada.post('/actions/comment', { paper: '2505.00202', body: 'A comment to act on' }, { tokenPage: '/papers/2505.00202' });
  const comment = /#c(\d+)$/.exec(posted.headers.get('location') ?? '')![1]!;
  const boss = new WebClient(app);
  assert.equal((await boss.post('/signin', { login: 'boss', password: 'a long enough password' })).status, 303);

  const forms: [WebClient, string][] = [
    ...['/signup', '/signin', '/account/forgot', '/account/reset', '/account/verify', '/subscribe', '/subscribe/confirm', '/unsubscribe', '/subscriptions/manage']
      .map((p) => [visitor, p] as [WebClient, string]),
    ...['/account/verify/resend', '/actions/comment', '/actions/curate', '/actions/follow', '/actions/links', '/actions/not-interested', '/actions/save',
      '/actions/vote', '/collections', '/collections/1', '/collections/1/delete', `/comments/${comment}/edit`, `/comments/${comment}/report`,
      `/comments/${comment}/vote`, '/settings/digests/1', '/settings/tokens', '/settings/tokens/1/revoke', '/submit']
      .map((p) => [ada, p] as [WebClient, string]),
    ...['/admin/digests/bounces', `/comments/${comment}/moderate`, '/users/ada/admin'].map((p) => [boss, p] as [WebClient, string]),
  ];
  const tokens = new Map<WebClient, string>([[visitor, await visitor.csrf('/signin')], [ada, await ada.csrf('/settings')], [boss, await boss.csrf('/settings')]]);
  for (const [client, path] of forms) {
    for (const accept of [undefined, 'application/json']) {
      const res = await client.post(path, {}, { csrf: tokens.get(client)!, ...(accept ? { accept } : {}) });
      const what = `${path}${accept ? ' (JSON)' : ''}: ${res.status}`;
      const text = await said(res);
      assert.ok(res.status < 500, `${what} ${text}`);
      assert.doesNotMatch(text, VALIDATOR_WORDING, what);
    }
  }
  // What the refusals say instead, for the forms whose fields are the member's own words.
  const words = async (client: WebClient, path: string) => said(await client.post(path, {}, { csrf: tokens.get(client)! }));
  assert.match(await words(visitor, '/signup'), /Username: at least 3 characters\..*E-mail: that is not an e-mail address\..*Password: at least 10 characters/);
  assert.match(await words(visitor, '/account/forgot'), /E-mail: that is not an e-mail address/);
  assert.match(await words(ada, '/collections'), /Name the collection\./);
  assert.match(await words(ada, '/settings/tokens'), /Name the token \(what will use it\?\)\./);
});
