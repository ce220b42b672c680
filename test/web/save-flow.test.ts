/**
 * "Save" from a card in a list: the Save page offers the way back to that card, and after Add or
 * Remove it says what was done in a status line (which the page script focuses), instead of only
 * relabelling a button.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession } from '../helpers/web-client.ts';

const decode = (s: string) => s.replaceAll('&amp;', '&');
const PAPER = '2505.00201';

test('Save from a list comes back to the card, and the Save page says what was saved or removed', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');

  const list = (await ada.get('/papers/date/2025-05-05')).html;
  const saveLink = decode(new RegExp(`href="(/collections/save\\?paper=${PAPER.replace('.', '\\.')}[^"]*)"`).exec(list)![1]!);
  assert.equal(saveLink, `/collections/save?paper=${PAPER}&from=${encodeURIComponent(`/papers/date/2025-05-05#t-${PAPER.replace('.', '-')}`)}`);
  const back = `/papers/date/2025-05-05#t-${PAPER.replace('.', '-')}`;

  // A new collection made from the Save page: saved, said so, with the way back.
  const opened = (await ada.get(saveLink)).html;
  assert.match(opened, new RegExp(`<a href="${back}">Back to the list</a>`));
  const made = await ada.post('/collections', { name: 'Reading list', paper: PAPER, from: back }, { tokenPage: saveLink });
  assert.equal(made.status, 303);
  const afterMade = (await ada.get(made.headers.get('location')!)).html;
  assert.match(afterMade, new RegExp(`<p class="notice" role="status" id="saved" tabindex="-1" data-announce="true">Saved to Reading list\\. <a href="${back}">Back to the list</a></p>`));

  // Remove, then add again, with the forms' own next.
  const formNext = (html: string) => decode(/action="\/actions\/save"(?:(?!<\/form>).)*?name="next" value="([^"]*)"/s.exec(html)![1]!);
  const action = (html: string) => /action="\/actions\/save"(?:(?!<\/form>).)*?name="action" value="(\w+)"/s.exec(html)![1]!;
  const collection = (html: string) => /action="\/actions\/save"(?:(?!<\/form>).)*?name="collection" value="(\d+)"/s.exec(html)![1]!;
  const removed = await ada.post('/actions/save', { paper: PAPER, collection: collection(afterMade), action: action(afterMade), next: formNext(afterMade) }, { tokenPage: saveLink });
  assert.equal(removed.status, 303);
  assert.match(removed.headers.get('location')!, /&done=removed&collection=\d+#saved$/);
  const afterRemoved = (await ada.get(removed.headers.get('location')!)).html;
  assert.match(afterRemoved, /role="status" id="saved"[^>]*>Removed from Reading list\./);
  assert.match(afterRemoved, /Add to Reading list/);

  // A status the page cannot confirm is not shown: another member's collection, a state that does not hold, no such word.
  const id = collection(afterMade);
  for (const query of [`done=added&collection=${id}`, `done=removed&collection=999`, `done=maybe&collection=${id}`]) {
    assert.doesNotMatch((await ada.get(`/collections/save?paper=${PAPER}&${query}`)).html, /id="saved"/, query);
  }
  assert.doesNotMatch((await bob.get(`/collections/save?paper=${PAPER}&done=removed&collection=${id}`)).html, /Reading list/, "another member's collection is not named");
  // Only a local path is a way back.
  for (const from of ['//evil.example/x', 'https://evil.example/', 'javascript:alert(1)']) {
    const html = (await ada.get(`/collections/save?paper=${PAPER}&from=${encodeURIComponent(from)}`)).html;
    assert.doesNotMatch(html, /Back to the list/, from);
  }
});
