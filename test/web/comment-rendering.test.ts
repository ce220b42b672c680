/**
 * Comments read the same everywhere: the moderation queue and the profile render a comment's
 * Markdown with the renderer of the paper page (raw HTML off), not as raw asterisks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { memberSession, WebClient } from '../helpers/web-client.ts';

test('the moderation queue and the profile render comment Markdown, escaping HTML', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'root-admin', email: 'admin@example.org', password: 'admin password 123', role: 'admin' });
  const admin = new WebClient(app, '192.0.2.220');
  assert.equal((await admin.post('/signin', { login: 'root-admin', password: 'admin password 123' })).status, 303);
  const ada = await memberSession(app, outboxDir, 'ada');
  const bob = await memberSession(app, outboxDir, 'bob');
  const body = 'Nice **paper** <b>raw</b> and `code`';
  const res = await ada.post('/actions/comment', { paper: '2505.00201', body }, { tokenPage: '/papers/2505.00201' });
  const id = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  assert.equal((await bob.post(`/comments/${id}/report`, { reason: 'spam' })).status, 200);

  const paper = (await bob.get('/papers/2505.00201')).html;
  assert.match(paper, /Nice <strong>paper<\/strong> &lt;b&gt;raw&lt;\/b&gt; and <code>code<\/code>/, 'as the paper page shows it');
  for (const [where, html] of [['moderation', (await admin.get('/admin/moderation')).html], ['profile', (await bob.get('/users/ada')).html]] as const) {
    assert.match(html, /Nice <strong>paper<\/strong> &lt;b&gt;raw&lt;\/b&gt; and <code>code<\/code>/, where);
    assert.doesNotMatch(html, /\*\*paper\*\*/, where);
    assert.doesNotMatch(html, /<b>raw<\/b>/, where);
  }
});

test('the profile cuts a long comment before rendering it', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const long = `*Start* ${'word '.repeat(100)}tail-end-marker`;
  assert.equal((await ada.post('/actions/comment', { paper: '2505.00201', body: long }, { tokenPage: '/papers/2505.00201' })).status, 303);
  const html = (await ada.get('/users/ada')).html;
  assert.match(html, /<em>Start<\/em> word/);
  assert.doesNotMatch(html, /tail-end-marker/);
  assert.match(html, /word…/);
});

/** The excerpt of comment `id` on a profile page, and what follows it in the same list item. */
function excerptOf(html: string, id: number): { body: string; after: string } {
  const m = new RegExp(`#c${id}">[^<]*</a>[\\s\\S]*?<div class="comment-body[^"]*">([\\s\\S]*?)</div>([\\s\\S]*?)</li>`).exec(html);
  assert.ok(m, `comment ${id} is on the profile`);
  return { body: m[1]!, after: m[2]! };
}

/** The text a reader sees of an HTML fragment (tags dropped, the few entities the renderer writes decoded). */
const seen = (fragment: string) => fragment.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** True when every tag opened in the fragment is closed in order (void <br> aside). */
function balanced(fragment: string): boolean {
  const stack: string[] = [];
  for (const [, close, name] of fragment.matchAll(/<(\/?)([a-z]+)[^>]*>/g)) {
    if (name === 'br') continue;
    if (!close) stack.push(name!);
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0;
}

test('profile excerpts are cut from the rendered comment: no Markdown syntax, no broken or unescaped HTML, and they say they are cut', async () => {
  const { app, outboxDir, store } = await testApp();
  await seedSmallCorpus(store);
  const ada = await memberSession(app, outboxDir, 'ada');
  const filler = (ch: string) => `${ch} `.repeat(70); // 140 characters: the cut (160) falls in what follows
  const bodies = {
    link: `${filler('a')}see [the appendix of the paper](https://example.org/appendix) for details`,
    code: `${filler('b')}run \`make all-the-things --verbose\` twice`,
    emphasis: `${filler('c')}it is **really quite important** to _note this well_ here`,
    list: Array.from({ length: 40 }, (_, i) => `- item ${i}`).join('\n'),
    fence: `${filler('d')}\n\n\`\`\`\nconst x = 1;\nconst y = 2;\n\`\`\`\nafter the code`,
    html: `${'<script>alert(1)</script> <img src=x onerror=alert(2)> '.repeat(8)}`,
    longWord: `${'x'.repeat(600)} end`,
    nonLatin: `${'日本語の文章には単語の間に空白がありません。'.repeat(20)}👩‍👩‍👧‍👦${'Ελληνικά κείμενα '.repeat(10)}`,
    short: 'A *short* one with `code` and [a link](https://example.org).',
  };
  const ids: Record<string, number> = {};
  for (const [name, body] of Object.entries(bodies)) {
    const res = await ada.post('/actions/comment', { paper: '2505.00201', body }, { tokenPage: '/papers/2505.00201' });
    assert.equal(res.status, 303, name);
    ids[name] = Number(/#c(\d+)$/.exec(res.headers.get('location')!)![1]);
  }
  const html = (await new WebClient(app).get('/users/ada')).html;
  assert.doesNotMatch(html, /<script>alert|<img src=x/, 'no HTML from a comment gets through');

  for (const [name, id] of Object.entries(ids)) {
    const { body, after } = excerptOf(html, id);
    const text = seen(body);
    assert.ok(balanced(body), `${name}: every element of the excerpt is closed: ${body}`);
    assert.doesNotMatch(text, /\[|\]\(|`|\*\*|(^|\s)_\S/, `${name}: no Markdown syntax shows: ${text}`);
    assert.doesNotMatch(text, /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, `${name}: no character is cut in two`);
    if (name === 'short') {
      assert.match(body, /A <em>short<\/em> one with <code>code<\/code> and <a href="https:\/\/example.org" rel="nofollow ugc noopener">a link<\/a>\./);
      assert.doesNotMatch(after, /Read the whole comment/, 'a comment shown whole has no "read" link');
      continue;
    }
    assert.ok(text.trim().endsWith('…'), `${name}: the excerpt ends with an ellipsis: ${text}`);
    assert.ok(text.replace(/\s+/g, ' ').length <= 200, `${name}: the excerpt is short (${text.length})`);
    assert.match(after, new RegExp(`<a href="/papers/2505.00201\\?comment=${id}#c${id}"[^>]*>Read the whole comment<span class="sr-only"> on Sparse attention for long documents</span></a>`), `${name}: links the whole comment`);
  }
  assert.match(excerptOf(html, ids.link!).body, /<a href="https:\/\/example.org\/appendix" rel="nofollow ugc noopener">the appendix[^<]*<\/a>…/, 'a link cut in its text stays a link');
  assert.match(excerptOf(html, ids.code!).body, /<code>make[^<]*<\/code>…/, 'a code span cut stays code');
  assert.match(excerptOf(html, ids.emphasis!).body, /<strong>really[^<]*<\/strong>…/, 'emphasis cut stays emphasis');
  assert.ok((excerptOf(html, ids.list!).body.match(/<li>/g) ?? []).length <= 8, 'a long list shows its first few items');
  assert.match(seen(excerptOf(html, ids.html!).body), /^<script>alert\(1\)<\/script> <img src=x onerror=alert\(2\)>/, 'HTML is shown as the text it is');
  assert.match(seen(excerptOf(html, ids.longWord!).body).trim(), /^x{100,160}…$/, 'a very long word is cut where the room ends');
  assert.ok(bodies.nonLatin.startsWith(seen(excerptOf(html, ids.nonLatin!).body).trim().replace(/…$/, '')), 'non-Latin text is cut, not changed');
});
