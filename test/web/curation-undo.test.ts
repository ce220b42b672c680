/**
 * Every curator action can be undone: "unfeature" takes off the list a paper that featuring (or
 * pinning) put there, and a paper hidden and unhidden again keeps its pin.
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
  const cura = new WebClient(t.app, '192.0.2.211');
  await cura.post('/signin', { login: 'cura', password: 'curator password 1' });
  return { ...t, cura };
}

const entryOf = (store: Awaited<ReturnType<typeof setup>>['store'], id: string) =>
  store.db.selectFrom('daily_entries').select(['day', 'featured', 'pinned', 'hidden']).where('paper_id', '=', id).executeTakeFirst();

test('unfeature takes a paper off the list when featuring put it there', async () => {
  const { store, cura } = await setup();
  assert.equal(await entryOf(store, 'hep-th/9901001'), undefined, 'on no list to begin with');
  assert.equal((await cura.post('/actions/curate', { paper: 'hep-th/9901001', action: 'feature' })).status, 303);
  assert.equal((await entryOf(store, 'hep-th/9901001'))?.featured, 1);
  assert.equal((await cura.post('/actions/curate', { paper: 'hep-th/9901001', action: 'unfeature' })).status, 303);
  assert.equal(await entryOf(store, 'hep-th/9901001'), undefined, 'back off the list');
  assert.equal((await store.findPaperById('hep-th/9901001'))?.entry, null);
  // Pinning a paper on no list puts it there too; unpin then unfeature undoes it.
  assert.equal((await cura.post('/actions/curate', { paper: 'hep-th/9901001', action: 'pin' })).status, 303);
  assert.equal((await cura.post('/actions/curate', { paper: 'hep-th/9901001', action: 'unpin' })).status, 303);
  assert.equal((await cura.post('/actions/curate', { paper: 'hep-th/9901001', action: 'unfeature' })).status, 303);
  assert.equal(await entryOf(store, 'hep-th/9901001'), undefined);
});

test('unfeature keeps a paper that was on the list before it was featured', async () => {
  const { app, outboxDir, store, cura } = await setup();
  assert.equal((await cura.post('/actions/curate', { paper: '2505.00201', action: 'feature' })).status, 303);
  assert.equal((await cura.post('/actions/curate', { paper: '2505.00201', action: 'unfeature' })).status, 303);
  assert.deepEqual(await entryOf(store, '2505.00201'), { day: '2025-05-05', featured: 0, pinned: 0, hidden: 0 });
  // A member's submission featured by a curator stays the member's after unfeature.
  const ada = await memberSession(app, outboxDir, 'ada');
  assert.equal((await ada.post('/submit', { id: 'hep-th/9901001' })).status, 303);
  const submitted = await entryOf(store, 'hep-th/9901001');
  assert.ok(submitted, 'submitted');
  assert.equal((await cura.post('/actions/curate', { paper: 'hep-th/9901001', action: 'feature' })).status, 303);
  assert.equal((await cura.post('/actions/curate', { paper: 'hep-th/9901001', action: 'unfeature' })).status, 303);
  assert.deepEqual(await entryOf(store, 'hep-th/9901001'), { ...submitted, featured: 0 });
});

test('pin, hide, unhide keeps the pin; a hidden pinned paper is on no list', async () => {
  const { store, cura } = await setup();
  assert.equal((await cura.post('/actions/curate', { paper: '2505.00203', action: 'pin' })).status, 303);
  assert.equal((await cura.post('/actions/curate', { paper: '2505.00203', action: 'hide' })).status, 303);
  const day = await store.listDailyPapers({ from: '2025-05-05', to: '2025-05-05', sort: 'trending', limit: 10, offset: 0 });
  assert.ok(!day.items.some((p) => p.id === '2505.00203'), 'hidden');
  assert.equal((await cura.post('/actions/curate', { paper: '2505.00203', action: 'unhide' })).status, 303);
  assert.equal((await entryOf(store, '2505.00203'))?.pinned, 1);
  const again = await store.listDailyPapers({ from: '2025-05-05', to: '2025-05-05', sort: 'trending', limit: 10, offset: 0 });
  assert.equal(again.items[0]?.id, '2505.00203', 'pinned first again');
});

test('a hidden paper: readers see no list for it on its page, its cards or the APIs; curators see it is hidden', async () => {
  const { app, outboxDir, cura } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  assert.equal((await ada.post('/submit', { id: 'hep-th/9901001' })).status, 303);
  assert.equal((await cura.post('/actions/curate', { paper: 'hep-th/9901001', action: 'pin' })).status, 303);
  const reader = new WebClient(app, '192.0.2.212');
  const looks = async () => ({
    page: (await reader.get('/papers/hep-th/9901001')).html,
    // The paper's card among its author's papers.
    author: (await reader.get('/authors/Alan%20Turing?page=3')).html.split('<article class="card"').find((a) => a.includes('Old style strings')) ?? '',
    v1: await (await reader.request('/api/v1/papers/hep-th%2F9901001')).json() as { daily: unknown },
    hf: await (await reader.request('/api/papers/hep-th%2F9901001')).json() as Record<string, unknown>,
  });
  const listed = await looks();
  assert.match(listed.page, /on the <a href="[^"]+">Daily papers of \w+day, /);
  assert.match(listed.author, /<span class="badge">Pinned<\/span>/);
  assert.match(listed.author, /submitted by <a href="\/users\/ada">ada<\/a>/);
  const day = (listed.v1.daily as { day: string }).day;
  assert.match(day, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok('submittedOnDailyAt' in listed.hf);

  assert.equal((await cura.post('/actions/curate', { paper: 'hep-th/9901001', action: 'hide' })).status, 303);
  const hidden = await looks();
  assert.doesNotMatch(hidden.page, /Daily papers of/, 'no list named on the public page');
  assert.doesNotMatch(hidden.author, /Pinned|submitted by/);
  assert.equal(hidden.v1.daily, null);
  assert.ok(!('submittedOnDailyAt' in hidden.hf) && !('submittedOnDailyBy' in hidden.hf), JSON.stringify(hidden.hf));
  assert.match((await cura.get('/papers/hep-th/9901001')).html, /hidden from the Daily papers of \w+day, /);
  // Nor does the submitter's profile list it as submitted, but for the submitter and curators.
  const submitted = (html: string) => /<h2[^>]*>Submitted[\s\S]*?(?=<h2|<\/main>)/.exec(html)?.[0] ?? '';
  assert.doesNotMatch(submitted((await reader.get('/users/ada')).html), /Old style strings/);
  assert.match(submitted((await ada.get('/users/ada')).html), /Old style strings/);
  assert.match(submitted((await cura.get('/users/ada')).html), /Old style strings/);
});
