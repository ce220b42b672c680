/**
 * Forms that a refusal sends back (in-process app, real store): what the member typed comes back in
 * the form it was typed in (passwords never), with the error by that form, tied to its fields with
 * aria-describedby; a reply's form comes back open under its comment. And "Create and save" writes
 * nothing when any part of it fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession, type WebClient } from '../helpers/web-client.ts';

const PAPER = '2505.00202';
const PAGE = `/papers/${PAPER}`;

async function setup() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  return t;
}

/** The whole element of kind `tag` (`form`, `details`) that holds `marker`: from its opening tag to its end. */
function around(html: string, marker: string, tag: 'form' | 'details'): string {
  const at = html.indexOf(marker);
  assert.ok(at >= 0, `${marker} is on the page`);
  const start = html.lastIndexOf(`<${tag}`, at);
  const end = html.indexOf(`</${tag}>`, at);
  assert.ok(start >= 0 && end > at, `${marker} is in a <${tag}>`);
  return html.slice(start, end + tag.length + 3);
}

/** The text of the textarea `id`, as the browser shows it (entities read). */
function textareaText(html: string, id: string): string {
  const m = new RegExp(`<textarea id="${id}"[^>]*>([^<]*)</textarea>`).exec(html);
  assert.ok(m, `textarea #${id} is on the page`);
  return m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Checks that the error `message` is shown in the form of `fieldMarker`, as an alert its field points to. */
function assertErrorBy(html: string, fieldMarker: string, errorId: string, message: RegExp) {
  const form = around(html, fieldMarker, 'form');
  const error = new RegExp(`<p class="alert" role="alert" id="${errorId}">([^<]*)</p>`).exec(form);
  assert.ok(error, `the error is in the form of ${fieldMarker}`);
  assert.match(error[1]!, message);
  assert.match(form, new RegExp(`${fieldMarker}[^>]*aria-describedby="${errorId}"`), 'the field names the error');
  assert.equal(html.split('role="alert"').length - 1, 1, 'one error on the page, by its form');
}

async function comment(client: WebClient, fields: Record<string, string>) {
  return client.post('/actions/comment', { paper: PAPER, ...fields }, { tokenPage: PAGE });
}

async function commentId(res: Response): Promise<number> {
  assert.equal(res.status, 303, await res.clone().text());
  return Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
}

test('a refused reply comes back open under its comment, with the text written and the error by it', async () => {
  const { app, outboxDir } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const first = await commentId(await comment(ada, { body: 'First comment' }));
  const second = await commentId(await comment(ada, { body: 'Second comment' }));

  const cases: [string, RegExp][] = [
    [`A long reply: ${'y'.repeat(10_000)}`, /Comments: at most 10,000 characters\./],
    ['A reply with a control character \u0001 in it & <b>markup</b>', /cannot contain control characters/],
  ];
  for (const [body, message] of cases) {
    const res = await comment(bob, { body, parent: String(second) });
    assert.equal(res.status, 422);
    const html = await res.text();
    const details = around(html, `id="body-${second}"`, 'details');
    assert.match(details, /^<details open="">/, 'the reply box is open');
    assert.equal(textareaText(html, `body-${second}`), body.slice(0, 10_000), 'the text written is back in it');
    assert.match(html, new RegExp(`<textarea id="body-${second}"[^>]*autofocus=""`), 'and takes the focus');
    assertErrorBy(html, `id="body-${second}"`, `body-${second}-error`, message);
    assert.equal(textareaText(html, `body-${first}`), '', 'the other reply box is empty');
    assert.doesNotMatch(around(html, `id="body-${first}"`, 'details'), /^<details open/, 'and closed');
    assert.equal(textareaText(html, 'body-new'), '', 'the box for a new comment stays empty');
  }

  // A new comment keeps its text as before, now with its error in its form.
  const top = await comment(bob, { body: `Top ${'z'.repeat(10_000)}` });
  assert.equal(top.status, 422);
  const html = await top.text();
  assert.equal(textareaText(html, 'body-new'), `Top ${'z'.repeat(10_000)}`.slice(0, 10_000));
  assertErrorBy(html, 'id="body-new"', 'body-new-error', /at most 10,000 characters/);
  assert.doesNotMatch(html, /<details open/, 'no reply box open');
});

test('a reply to a comment removed meanwhile comes back in the box for a new comment, which says so', async () => {
  const { app, outboxDir } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const id = await commentId(await comment(ada, { body: 'Soon deleted' }));
  assert.equal((await ada.post(`/comments/${id}/delete`, {}, { tokenPage: PAGE })).status, 303);
  const res = await comment(bob, { body: 'My careful reply', parent: String(id) });
  assert.equal(res.status, 409);
  const html = await res.text();
  assert.equal(textareaText(html, 'body-new'), 'My careful reply');
  assertErrorBy(html, 'id="body-new"', 'body-new-error', /That comment was removed; you cannot reply to it\. What you wrote is in the box for a new comment below\./);
  assert.doesNotMatch(html, /<details open/);
});

test('a reply past the comment limit (429) comes back open under its comment, with the text written', async () => {
  const { app, outboxDir } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const id = await commentId(await comment(ada, { body: 'Reply to me' }));
  for (let i = 0; i < 30; i++) assert.equal((await comment(bob, { body: '' })).status, 422, 'refused posts count too');
  const res = await comment(bob, { body: 'One reply too many', parent: String(id) });
  assert.equal(res.status, 429);
  assert.ok(Number(res.headers.get('retry-after')) > 0);
  const html = await res.text();
  assert.match(around(html, `id="body-${id}"`, 'details'), /^<details open="">/);
  assert.equal(textareaText(html, `body-${id}`), 'One reply too many');
  assertErrorBy(html, `id="body-${id}"`, `body-${id}-error`, /Too many comments/);
});

test('edits past the limit (60 an hour) are refused with 429, the text written kept in the form and the comment as last saved', async () => {
  const { app, outboxDir } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const id = await commentId(await comment(ada, { body: 'First' }));
  for (let i = 1; i <= 60; i++) {
    const res = await ada.post(`/comments/${id}/edit`, { body: `Edit ${i}` }, { tokenPage: PAGE });
    assert.equal(res.status, 303, `edit ${i}`);
  }
  const res = await ada.post(`/comments/${id}/edit`, { body: 'One edit too many' }, { tokenPage: PAGE });
  assert.equal(res.status, 429);
  assert.ok(Number(res.headers.get('retry-after')) > 0);
  const html = await res.text();
  assert.equal(textareaText(html, 'edit-body'), 'One edit too many');
  assert.match(html, /Too many comment edits: at most 60 in 60 minutes/);
  const page = (await ada.get(PAGE)).html;
  assert.match(page, /Edit 60/);
  assert.doesNotMatch(page, /One edit too many/);
});

test('a refused edit of a comment keeps the text written, with the error by the form', async () => {
  const { app, outboxDir } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const id = await commentId(await comment(ada, { body: 'Before' }));
  const res = await ada.post(`/comments/${id}/edit`, { body: 'After \u0002 edit' }, { tokenPage: PAGE });
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.equal(textareaText(html, 'edit-body'), 'After \u0002 edit');
  assertErrorBy(html, 'id="edit-body"', 'edit-body-error', /control characters/);
});

const collectionCount = async (store: Awaited<ReturnType<typeof setup>>['store']) =>
  Number((await store.db.selectFrom('collections').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

test('"Create and save" with a paper the site does not have writes nothing, however often it is tried', async () => {
  const { app, outboxDir, store } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  for (let i = 0; i < 3; i++) {
    const res = await ada.post('/collections', { name: 'Half written', paper: '2501.99999' }, { tokenPage: '/collections' });
    assert.equal(res.status, 404);
    const html = await res.text();
    assertErrorBy(html, 'name="name" required="" maxlength="80" value="Half written"', 'new-collection-error', /arXiv:2501\.99999 is not on this site\./);
  }
  assert.equal(await collectionCount(store), 0);
  assert.doesNotMatch((await ada.get('/collections')).html, /Half written/);
  // Not a paper at all: refused too, rather than a collection without it.
  assert.equal((await ada.post('/collections', { name: 'Half written', paper: 'not a paper' }, { tokenPage: '/collections' })).status, 400);
  assert.equal(await collectionCount(store), 0);

  // A refused name from a paper's Save page comes back there, typed as it was; the paper is still one to save.
  const bad = await ada.post('/collections', { name: 'Bad\u0007name', public: '1', paper: PAPER }, { tokenPage: '/collections' });
  assert.equal(bad.status, 422);
  const html = await bad.text();
  assert.match(html, /<h1>Save to a collection<\/h1>/);
  assertErrorBy(html, 'value="Bad\u0007name"', 'new-collection-error', /cannot contain control characters/);
  assert.match(around(html, 'value="Bad\u0007name"', 'form'), /name="public" value="1" checked=""/, 'the box ticked stays ticked');
  assert.equal(await collectionCount(store), 0);

  // The whole of it works: one collection, holding the paper, at the address of its name.
  const ok = await ada.post('/collections', { name: 'Half written', paper: PAPER }, { tokenPage: '/collections' });
  assert.equal(ok.status, 303);
  assert.match(ok.headers.get('location')!, new RegExp(`^/collections/save\\?paper=${PAPER.replace('.', '\\.')}&done=added&collection=\\d+#saved$`));
  const rows = await store.db.selectFrom('collections as c').innerJoin('collection_items as i', 'i.collection_id', 'c.id').select(['c.slug', 'i.paper_id']).execute();
  assert.deepEqual(rows, [{ slug: 'half-written', paper_id: PAPER }]);
});

test('a refused rename comes back in that collection\'s open Edit form, with the name typed', async () => {
  const { app, outboxDir } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  assert.equal((await ada.post('/collections', { name: 'Reading list' }, { tokenPage: '/collections' })).status, 303);
  assert.equal((await ada.post('/collections', { name: 'Other list' }, { tokenPage: '/collections' })).status, 303);
  const page = (await ada.get('/collections')).html;
  const id = /<li id="collection-(\d+)"><a href="\/users\/ada\/collections\/reading-list">/.exec(page)![1]!;
  const res = await ada.post(`/collections/${id}`, { name: 'Renamed \u0085 badly' }, { tokenPage: '/collections' });
  assert.equal(res.status, 422);
  const html = await res.text();
  const field = 'value="Renamed \u0085 badly"';
  assert.match(around(html, field, 'details'), /^<details class="collection-edit" open="">/);
  assert.match(around(html, field, 'form'), new RegExp(`action="/collections/${id}"`), 'in the Edit form of that collection');
  assertErrorBy(html, field, `collection-${id}-error`, /Collection names cannot contain control characters\./);
  assert.doesNotMatch(around(html, field, 'form'), /name="public" value="1" checked=""/, 'the box left unticked stays unticked');
  assert.equal((html.match(/<details class="collection-edit" open="">/g) ?? []).length, 1, 'only that one is open');
  assert.match(html, /value="Other list"/, 'the others show their names');
  assert.match(html, /<input type="text" name="name" required="" maxlength="80" value=""\/>/, 'the New collection form stays empty');
});

test('password reset and change of address: the address typed comes back, never the password, and the error is by its form', async () => {
  const { app, outboxDir } = await setup();
  const ada = await memberSession(app, outboxDir, 'ada');
  const forgot = await ada.post('/account/forgot', { email: 'bad' }, { tokenPage: '/account/forgot' });
  assert.equal(forgot.status, 422);
  const forgotHtml = await forgot.text();
  assertErrorBy(forgotHtml, 'name="email" required="" maxlength="254" autocomplete="email" value="bad"', 'forgot-error', /not an e-mail address/);

  const change = await ada.post('/settings/email', { email: 'ada.new@example.org', current: 'not my password' });
  assert.equal(change.status, 403);
  const html = await change.text();
  const field = 'value="ada.new@example.org"';
  assert.match(around(html, field, 'form'), /action="\/settings\/email"/);
  assertErrorBy(html, field, 's-email-error', /password/i);
  assert.doesNotMatch(html, /not my password/, 'the password is not sent back');
  assert.doesNotMatch(html, /type="password"[^>]*value=/);
  assert.ok(html.indexOf('role="alert"') > html.indexOf('<h2 id="s-email">'), 'not at the top of the page');
  assert.ok(html.indexOf('role="alert"') < html.indexOf('<h2 id="s-password">'));

  // The other settings forms show their errors by themselves too.
  const del = await ada.post('/settings/delete', { confirm: 'adaa', current: 'not my password' });
  assert.ok(del.status >= 400 && del.status < 500);
  const delHtml = await del.text();
  assertErrorBy(delHtml, 'name="confirm" required="" maxlength="30" autocomplete="off" value="adaa"', 's-delete-error', /./);
  assert.match(delHtml, /<input type="email" name="email" required="" maxlength="254" autocomplete="email" value=""\/>/, 'the address form is untouched');
});
