/**
 * A curator's refused links come back in the paper page's links form, open, with what was typed
 * and the error by the fields; error pages for 401, 403, 409 and 422 say what went wrong in their title.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

async function setup() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  await createAccount({ store: t.store, now: () => Date.parse(FIXED_NOW) }, { username: 'cura', email: 'cura@example.org', password: 'curator password 1', role: 'curator' });
  const cura = new WebClient(t.app, '192.0.2.201');
  await cura.post('/signin', { login: 'cura', password: 'curator password 1' });
  return { ...t, cura };
}

test('a refused code link: the paper page with its links form open, the values as typed, and the error tied to the fields', async () => {
  const { cura, store } = await setup();
  for (const [code, project] of [['javascript:alert(1)', 'https://example.org/p'], ['https://github.com/x/y', 'ftp://example.org/"quoted"']] as const) {
    const res = await cura.post('/actions/links', { paper: '2505.00201', code, project }, { tokenPage: '/papers/2505.00201' });
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.match(html, /<h1 id="paper-title">Sparse attention for long documents<\/h1>/, 'the paper page, not an error page');
    const form = /<details open="">\s*<summary>Code and project links<\/summary>(.*?)<\/details>/s.exec(html)?.[1];
    assert.ok(form, 'the links form is open');
    assert.match(form, /<p class="alert" role="alert" id="links-error">[^<]+<\/p>/);
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    assert.ok(form.includes(`name="code" value="${esc(code)}"`), `code as typed: ${form}`);
    assert.ok(form.includes(`name="project" value="${esc(project)}"`), 'project as typed');
    assert.match(form, /name="code"[^>]*autofocus=""[^>]*aria-describedby="links-error"/);
    assert.match(form, /name="project"[^>]*aria-describedby="links-error"/);
  }
  assert.equal((await store.findPaperById('2505.00201'))?.codeUrl ?? null, null, 'nothing saved');
  const ok = await cura.post('/actions/links', { paper: '2505.00201', code: 'https://github.com/x/y', project: '' }, { tokenPage: '/papers/2505.00201' });
  assert.equal(ok.status, 303);
  assert.doesNotMatch((await cura.get('/papers/2505.00201')).html, /<details open="">\s*<summary>Code and project links/, 'closed again once saved');
});

test('error pages name the problem in their title: sign in required, not allowed, cannot be done now', async () => {
  const { app, outboxDir, store } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
  const h1 = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? '';

  const anon = await new WebClient(app).post('/actions/vote', { paper: '2505.00201', want: '1' });
  assert.equal(anon.status, 401);
  const anonHtml = await anon.text();
  assert.match(title(anonHtml), /^Sign in required/);
  assert.equal(h1(anonHtml), 'Sign in required');

  const forbidden = await bob.post('/actions/curate', { paper: '2505.00201', action: 'hide' });
  assert.equal(forbidden.status, 403);
  assert.match(title(await forbidden.text()), /^Not allowed/);

  const posted = await ada.post('/actions/comment', { paper: '2505.00202', body: 'Mine' }, { tokenPage: '/papers/2505.00202' });
  const id = /#c(\d+)$/.exec(posted.headers.get('location')!)![1]!;
  assert.equal(h1((await bob.get(`/comments/${id}/edit`)).html), 'Not allowed');

  await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'boss', email: 'boss@example.org', password: 'admin password 123', role: 'admin' });
  const boss = new WebClient(app, '192.0.2.202');
  await boss.post('/signin', { login: 'boss', password: 'admin password 123' });
  const own = await boss.post('/users/boss/admin', { action: 'suspend' });
  assert.equal(own.status, 409);
  assert.match(title(await own.text()), /^That cannot be done now/);
});
