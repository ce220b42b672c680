import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderCommentMarkdown } from './markdown.ts';

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
    ['![img](https://example.org/a.png)', /!/, /<img/],
    ['"quotes" & <b>', /&quot;quotes&quot; &amp; &lt;b&gt;/],
  ];
  for (const [input, want, never] of cases) {
    const html = renderCommentMarkdown(input);
    assert.match(html, want, input);
    if (never) assert.doesNotMatch(html, never, input);
  }
});
