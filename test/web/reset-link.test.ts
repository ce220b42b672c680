/**
 * A password-reset link that was used (or never worked) says so as soon as it is opened, with a way
 * to ask for a new one, instead of showing the form and failing only after a new password is typed
 * (in-process app on a real store, real outbox folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { linksInOutbox, memberSession, WebClient } from '../helpers/web-client.ts';

test('a used reset link says at once that it does not work any more and links to a new request', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  await memberSession(app, outboxDir, 'ada', '198.51.100.50');
  const browser = new WebClient(app, '198.51.100.51');
  await browser.post('/account/forgot', { email: 'ada@example.org' }, { tokenPage: '/account/forgot' });
  const link = new URL((await linksInOutbox(outboxDir, 'ada@example.org')).find((l) => l.includes('/account/reset'))!);
  const token = link.searchParams.get('token')!;

  const live = await browser.get(link.pathname + link.search);
  assert.equal(live.res.status, 200);
  assert.match(live.html, /<form method="post" action="\/account\/reset"/, 'a live link opens the form');
  const used = await browser.post('/account/reset', { token, password: 'a brand new password' }, { tokenPage: link.pathname + link.search });
  assert.equal(used.status, 303);

  const dead = (html: string, what: string) => {
    assert.match(html, /it was used, or it expired/, what);
    assert.match(html, /<a href="\/account\/forgot">/, `${what}: a link to ask for a new one`);
    assert.doesNotMatch(html, /action="\/account\/reset"/, `${what}: no form that cannot work`);
    assert.doesNotMatch(html, new RegExp(token), `${what}: the dead token is not repeated`);
  };
  // Opened again, signed in or in another browser: the page says it at once.
  for (const client of [browser, new WebClient(app, '198.51.100.52')]) {
    const again = await client.get(link.pathname + link.search);
    assert.equal(again.res.status, 400);
    assert.equal(again.res.headers.get('cache-control'), 'no-store');
    dead(again.html, 'GET of a used link');
  }
  // A form opened before the link was used, sent after: the same page.
  const late = new WebClient(app, '198.51.100.53');
  const posted = await late.post('/account/reset', { token, password: 'the attackers password' }, { tokenPage: '/account/forgot' });
  assert.equal(posted.status, 400);
  dead(await posted.text(), 'POST of a used link');
  // A link that never worked.
  const made = await late.get(`/account/reset?token=${'x'.repeat(43)}`);
  assert.equal(made.res.status, 400);
  dead(made.html, 'GET of an unknown link');
  const empty = await late.get('/account/reset');
  assert.equal(empty.res.status, 400);
  assert.match(empty.html, /<a href="\/account\/forgot">/);
});
