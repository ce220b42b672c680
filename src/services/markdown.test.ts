import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderCommentExcerpt, renderCommentMarkdown } from './markdown.ts';

test('the safe subset renders; raw HTML, scripts and dangerous links do not', () => {
  const cases: [string, RegExp, RegExp?][] = [
    ['*em* and **strong**', /<em>em<\/em> and <strong>strong<\/strong>/],
    ['`code` here', /<code>code<\/code>/],
    ['- a\n- b', /<ul>\n<li>a<\/li>\n<li>b<\/li>\n<\/ul>/],
    ['> quoted', /<blockquote>/],
    ['[arXiv](https://arxiv.org)', /<a href="https:\/\/arxiv.org" rel="nofollow ugc noopener">arXiv<\/a>/],
    ['see https://example.org/x', /<a href="https:\/\/example.org\/x" rel="nofollow ugc noopener">/],
    ['<script>alert(1)</script>', /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, /<script>/],
    ['<img src=x onerror=alert(1)>', /&lt;img/, /<img/],
    ['[x](javascript:alert(1))', /\[x\]\(javascript:alert\(1\)\)/, /href="javascript/],
    ['[x](data:text/html;base64,PHNjcmlwdD4=)', /\[x\]/, /href="data:/],
    ['# not a heading', /# not a heading/, /<h1>/],
    // An image is a link to it, named by its alt text or its address; never an <img>, never a stray "!".
    ['See ![the plot](https://example.org/a.png) here', /^<p>See <a href="https:\/\/example.org\/a.png" rel="nofollow ugc noopener">the plot<\/a> here<\/p>/, /<img|!/],
    ['![](https://example.org/a.png)', /<a href="https:\/\/example.org\/a.png" rel="nofollow ugc noopener">https:\/\/example.org\/a.png<\/a>/, /<img/],
    ['![<b>x</b> *y*](https://example.org/a"b.png)', /<a href="https:\/\/example.org\/a%22b.png" rel="nofollow ugc noopener">&lt;b&gt;x&lt;\/b&gt; y<\/a>/, /<img|<b>/],
    ['![x](javascript:alert(1))', /!\[x\]\(javascript:alert\(1\)\)/, /href=/],
    ['![x](data:image/png;base64,AAAA)', /!\[x\]/, /href=|<img/],
    ['"quotes" & <b>', /&quot;quotes&quot; &amp; &lt;b&gt;/],
  ];
  for (const [input, want, never] of cases) {
    const html = renderCommentMarkdown(input);
    assert.match(html, want, input);
    if (never) assert.doesNotMatch(html, never, input);
  }
});

test('excerpts keep what fits, close what they cut, and say they are cut', () => {
  const cases: [string, number, string, boolean][] = [
    ['A *short* one', 40, '<p>A <em>short</em> one</p>\n', false],
    ['', 40, '', false],
    ['See [the appendix of it](https://example.org/a) now', 16, '<p>See <a href="https://example.org/a" rel="nofollow ugc noopener">the appendix</a>…</p>\n', true],
    ['Run `make all the things` twice', 12, '<p>Run <code>make all</code>…</p>\n', true],
    ['It is **very much so** here', 12, '<p>It is <strong>very</strong>…</p>\n', true],
    ['- one\n- two\n- three\n- four', 45, '<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p>…</p>\n', true],
    ['```\nlet a = 1;\nlet b = 2;\n```', 15, '<pre><code>let a = 1;…\n</code></pre>\n', true],
    ['<script>x</script> and more text', 20, '<p>&lt;script&gt;x&lt;/script&gt;…</p>\n', true],
    ['x'.repeat(50), 10, `<p>${'x'.repeat(10)}…</p>\n`, true],
    ['日本語の文章です', 4, '<p>日本語の…</p>\n', true],
    ['ab👩‍👩‍👧 cd', 5, '<p>ab…</p>\n', true],
    // A link or emphasis that starts exactly where the room ends is left out, not shown empty.
    ['See [the appendix](https://example.org/a) now', 4, '<p>See …</p>\n', true],
    ['Abcd *emph here* more', 5, '<p>Abcd …</p>\n', true],
    // Line breaks are spaces in a preview: 2,000 short lines made one 80 lines tall.
    ['one\ntwo\nthree', 40, '<p>one two three</p>\n', false],
    ['x\n'.repeat(2000), 8, '<p>x x x x …</p>\n', true],
    // An image cut by the room stays a link to it, named by the start of its description.
    ['See ![a figure of the loss over training steps](https://example.org/f.png) here', 20,
      '<p>See <a href="https://example.org/f.png" rel="nofollow ugc noopener">a figure of the</a>…</p>\n', true],
  ];
  for (const [input, max, html, cut] of cases) assert.deepEqual(renderCommentExcerpt(input, max), { html, cut }, input);
});

test('a comment rendered again (kept from the first time) reads the same, and an excerpt is kept per length', () => {
  const body = `A *slow* one ${'*a'.repeat(2000)}`;
  const first = renderCommentMarkdown(body);
  assert.equal(renderCommentMarkdown(body), first);
  const short = renderCommentExcerpt(body, 10);
  const long = renderCommentExcerpt(body, 100);
  assert.deepEqual(renderCommentExcerpt(body, 10), short);
  assert.notEqual(short.html, long.html);
  assert.equal(short.cut, true);
  assert.deepEqual(renderCommentExcerpt('Short.', 10), { html: '<p>Short.</p>\n', cut: false });
});
