/**
 * What an admin hid or suspended can be found again: /admin/moderation lists hidden comments,
 * hidden papers and suspended accounts, each with its undo button (the existing undo routes), and
 * every admin page links to every other, /admin/digests included. The same lists with the keyboard
 * and axe-core in Chromium: test/browser/admin-undo-lists.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { moderationSite } from '../helpers/moderation-site.ts';
import type { WebClient } from '../helpers/web-client.ts';
import type { Running } from '../helpers/running-site.ts';

let r: Running;
let admin: WebClient;
let ada: WebClient;

before(async () => {
  ({ r, admin, ada } = await moderationSite());
});
after(async () => r.close());

const section = (html: string, id: string) => {
  const start = html.indexOf(`aria-labelledby="${id}"`);
  assert.ok(start >= 0, `section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
};

test('hidden comments, hidden papers and suspended accounts are listed with their undo, which works from there', async () => {
  const res = await ada.post('/actions/comment', { paper: '2505.00201', body: 'Buy **cheap** pills' }, { tokenPage: '/papers/2505.00201' });
  const id = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  assert.equal((await admin.post(`/comments/${id}/moderate`, { action: 'hide' }, { tokenPage: '/admin/moderation' })).status, 303);
  assert.equal((await admin.post('/actions/curate', { paper: '2505.00202', action: 'hide' }, { tokenPage: '/admin/moderation' })).status, 303);
  assert.equal((await admin.post('/users/bob/admin', { action: 'suspend' }, { tokenPage: '/admin/moderation' })).status, 303);

  let html = (await admin.get('/admin/moderation')).html;
  const comments = section(html, 'hidden-comments-h');
  assert.match(comments, /Buy <strong>cheap<\/strong> pills/);
  assert.match(comments, new RegExp(`action="/comments/${id}/moderate"[\\s\\S]*?name="action" value="unhide"[\\s\\S]*?name="next" value="/admin/moderation#hidden-comments-h"`));
  const papers = section(html, 'hidden-papers-h');
  assert.match(papers, /Diffusion models &lt;b&gt;for&lt;\/b&gt; video &amp; more/);
  assert.match(papers, /action="\/actions\/curate"[\s\S]*?name="paper" value="2505.00202"[\s\S]*?name="action" value="unhide"/);
  const accounts = section(html, 'suspended-h');
  assert.match(accounts, /href="\/users\/bob"/);
  assert.match(accounts, /action="\/users\/bob\/admin"[\s\S]*?name="action" value="restore"[\s\S]*?name="next" value="\/admin\/moderation#suspended-h"/);

  // Each undo, as the page's forms send it, comes back to the page, and the list is empty.
  const back = async (path: string, fields: Record<string, string>) => {
    const done = await admin.post(path, { ...fields, next: '/admin/moderation' }, { tokenPage: '/admin/moderation' });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), '/admin/moderation');
  };
  await back(`/comments/${id}/moderate`, { action: 'unhide' });
  await back('/actions/curate', { paper: '2505.00202', action: 'unhide' });
  await back('/users/bob/admin', { action: 'restore' });
  html = (await admin.get('/admin/moderation')).html;
  for (const s of ['hidden-comments-h', 'hidden-papers-h', 'suspended-h']) assert.match(section(html, s), /class="empty"/, s);
  assert.match((await ada.get('/papers/2505.00201')).html, /Buy <strong>cheap<\/strong> pills/);
  assert.equal((await r.store.db.selectFrom('users').select('suspended_at').where('username', '=', 'bob').executeTakeFirstOrThrow()).suspended_at, null);
});

test('every admin page links to every other, /admin/digests included', async () => {
  const pages = ['/admin/moderation', '/admin/runs', '/admin/outbox', '/admin/digests'];
  for (const page of pages) {
    const { res, html } = await admin.get(page);
    assert.equal(res.status, 200, page);
    const nav = /<nav aria-label="Admin"[\s\S]*?<\/nav>/.exec(html)?.[0];
    assert.ok(nav, `${page} has the admin navigation`);
    for (const other of pages) assert.match(nav, new RegExp(`href="${other}"`), `${page} links ${other}`);
    assert.match(nav, new RegExp(`href="${page}" aria-current="page"`), `${page} marks itself`);
  }
});
