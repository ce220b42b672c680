/**
 * Papers as Markdown at /papers/{id}.md (what huggingface_hub's read_paper and `hf papers read`
 * fetch): the content, rendered by a real Markdown parser; text from the data that cannot add
 * links, images or HTML; ids in every form; CORS, ETag and 304; errors as JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { escapeMarkdown } from '../../src/web/paper-markdown.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { openDataApp } from './support.ts';

/** A strict reader: HTML allowed (so any that got through would show), bare URLs not turned into links. */
const md = new MarkdownIt({ html: true, linkify: false });
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const hrefs = (rendered: string) => [...rendered.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));

test('/papers/{id}.md: the paper as Markdown, with its links, its list and upvotes; machine-facing headers', async () => {
  const t = await openDataApp();
  assert.equal((await t.json('/api/v1/papers/2505.00210/vote', { method: 'PUT', headers: { authorization: `Bearer ${await t.token(t.ada, 'write')}` } })).res.status, 200);
  const res = await t.app.request('/papers/2505.00210.md', { headers: { origin: 'https://elsewhere.example' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/markdown; charset=utf-8');
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
  assert.equal(res.headers.get('cache-control'), 'public, max-age=60');
  assert.equal(res.headers.get('set-cookie'), null);
  const text = await res.text();
  assert.equal(text.split('\n')[0], '# Tokenizers \\& \\<friends\\>: a "study"');
  assert.match(text, /^\*\*Authors:\*\* Émile Zola, Ada Lovelace {2}$/m);
  assert.match(text, /^\*\*Daily papers:\*\* on the list of \[2025-05-06\]\(<http:\/\/localhost\/papers\/date\/2025-05-06>\) · 1 upvote {2}$/m);
  assert.match(text, /^## Abstract\n\nWe study attention in transformers/m);

  const rendered = md.render(text);
  assert.match(rendered, /^<h1>Tokenizers &amp; &lt;friends&gt;: a &quot;study&quot;<\/h1>/, 'the title reads as itself');
  assert.deepEqual(hrefs(rendered), [
    'https://arxiv.org/abs/2505.00210', 'https://arxiv.org/pdf/2505.00210', 'https://arxiv.org/html/2505.00210',
    'https://github.com/example/tok', 'https://example.org/tok', 'http://localhost/papers/date/2025-05-06', 'http://localhost/papers/2505.00210',
  ]);
  assert.match(rendered, /<strong>Published:<\/strong> 2025-05-06 · <strong>Categories:<\/strong> cs.CL<br>/);
  assert.match(rendered, /<h2>Abstract<\/h2>\n<p>We study attention in transformers, case \d+\. Results improve on baselines\.<\/p>/);

  // The app's ETag, and a 304 for a client that has this version.
  const etag = res.headers.get('etag');
  assert.ok(etag);
  const again = await t.app.request('/papers/2505.00210.md', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), '');
  // A preflight from another origin is allowed, as for the API's reads.
  const preflight = await t.app.request('/papers/2505.00210.md', { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
  // The paper's page is still the page.
  const page = await t.app.request('/papers/2505.00210');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type')!, /^text\/html/);
});

test('/papers/{id}.md: a title, authors, abstract or links from the data cannot add links, images or HTML', async () => {
  const t = await openDataApp();
  await t.store.upsertPapers([paperRecord({
    id: '2505.00299',
    title: '[Click here](javascript:alert(1)) <img src=x onerror=alert(1)> ![pixel](https://tracker.example/p.png) *bold* `code` &amp; #',
    authors: ['<script>alert(1)</script>', '[Mallory](https://evil.example)'],
    abstract: '- not a list\n\n1. not a numbered list\n\n> not a quote\n\n[ref]: https://evil.example\n\n<div onclick="x()">raw</div> and <https://evil.example/autolink> | a | table |\n---',
    comment: '**10 pages**, <b>bold</b>',
    codeUrl: 'javascript:alert(1)',
    projectUrl: 'https://example.org/a page?q=<b>&x="y"',
    categories: ['cs.CL'],
  })], FIXED_NOW);
  const res = await t.app.request('/papers/2505.00299.md');
  assert.equal(res.status, 200);
  const rendered = md.render(await res.text());
  assert.deepEqual(hrefs(rendered), [
    'https://arxiv.org/abs/2505.00299', 'https://arxiv.org/pdf/2505.00299', 'https://arxiv.org/html/2505.00299',
    'https://example.org/a%20page?q=%3Cb%3E&x=%22y%22', 'http://localhost/papers/2505.00299',
  ], 'only the links the document makes; a javascript: code link is left out');
  for (const tag of ['<img', '<script', '<div', '<em>', '<code>', '<b>', '<ul>', '<ol>', '<blockquote>', '<table>', '<hr>']) {
    assert.ok(!rendered.includes(tag), `no ${tag} from the data in ${rendered}`);
  }
  assert.match(rendered, /^<h1>\[Click here\]\(javascript:alert\(1\)\) &lt;img src=x onerror=alert\(1\)&gt; !\[pixel\]\(https:\/\/tracker.example\/p.png\) \*bold\* `code` &amp;amp; #<\/h1>/);
  assert.match(rendered, /<strong>Authors:<\/strong> &lt;script&gt;alert\(1\)&lt;\/script&gt;, \[Mallory\]\(https:\/\/evil.example\)<br>/);
  assert.match(rendered, /<p>- not a list<\/p>\n<p>1. not a numbered list<\/p>\n<p>&gt; not a quote<\/p>\n<p>\[ref\]: https:\/\/evil.example<\/p>/);
});

test('escapeMarkdown: any text, as a heading or a paragraph, renders as exactly that text on one line', () => {
  const chars = [...'abcXYZ019 \t\n\r!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', 'é', '→'];
  // Pieces that mean something to a Markdown reader, so that the strings try them often.
  const pieces = ['<b>', '</div>', '<!-- ', '<https://e.x>', '[a](b)', '![i](s)', '[r]: /u', '1. ', '2) ', '- ', '+ ', '> ', '# ', '---', '===', '***', '&amp;', '&#42;', '``', '**', '__', '~~', '| a |', '\\*', '    '];
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...chars, ...pieces), maxLength: 20 }), (s) => {
    const text = s.replace(/\s+/g, ' ').trim();
    if (!text) return;
    assert.equal(md.render(`# ${escapeMarkdown(s)}`), `<h1>${html(text)}</h1>\n`);
    assert.equal(md.render(escapeMarkdown(s)), `<p>${html(text)}</p>\n`);
  }), { numRuns: 2000 });
});

test('/papers/{id}.md: ids in every form, like the paper page; unknown and bad ids are JSON errors', async () => {
  const t = await openDataApp();
  // Old-style ids, with the slash as a client writes it or encoded.
  for (const path of ['/papers/hep-th/9901001.md', '/papers/hep-th%2F9901001.md']) {
    const res = await t.app.request(path);
    assert.equal(res.status, 200, path);
    assert.match((await res.text()).split('\n')[2]!, /^\*\*Authors:\*\* /);
  }
  // A version, an arXiv: prefix, a pasted URL: to the id without version, as the page does.
  for (const path of ['/papers/2505.00210v2.md', '/papers/arXiv:2505.00210.md', '/papers/hep-th/9901001v2.md', '/papers/https:/arxiv.org/abs/2505.00210v1.md']) {
    const res = await t.app.request(path);
    assert.equal(res.status, 301, path);
    assert.match(res.headers.get('location')!, /^\/papers\/(2505\.00210|hep-th\/9901001)\.md$/, path);
  }
  const unknown = await t.app.request('/papers/2401.00001.md', { headers: { origin: 'https://elsewhere.example' } });
  assert.equal(unknown.status, 404);
  assert.match(unknown.headers.get('content-type')!, /^application\/json/);
  assert.equal(unknown.headers.get('access-control-allow-origin'), '*', 'a client elsewhere can read why');
  assert.deepEqual(await unknown.json(), { error: 'arXiv:2401.00001 is not on this site.' });
  for (const path of ['/papers/not-an-id.md', '/papers/2505.0021.md', `/papers/${'9'.repeat(300)}.md`, '/papers/%E2%80%AE.md']) {
    const res = await t.app.request(path);
    assert.equal(res.status, 400, path);
    assert.match(((await res.json()) as { error: string }).error, /is not an arXiv id/, path);
  }
});
