/**
 * Comment Markdown: a safe subset (links, emphasis, code, lists, quotes) rendered by markdown-it
 * with raw HTML off. Links must be http(s) or mailto and get rel="nofollow ugc noopener". An image
 * (`![alt](url)`) is shown as a link to it, its alt text (or address) as the link's text: pages load
 * no image from elsewhere (it would tell another site who reads the thread, and the page's CSP
 * refuses it anyway).
 */
import MarkdownIt, { type Token } from 'markdown-it';

const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true })
  .enable(['paragraph', 'newline', 'emphasis', 'backticks', 'fence', 'code', 'list', 'blockquote', 'link', 'image', 'linkify', 'escape', 'autolink', 'entity']);

md.validateLink = (url: string) => /^(https?:|mailto:)/i.test(url.trim());

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'nofollow ugc noopener');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const image = tokens[idx]!;
  const src = String(image.attrGet('src') ?? '');
  const alt = self.renderInlineAsText(image.children ?? [], options, env).trim();
  const { escapeHtml } = md.utils;
  return `<a href="${escapeHtml(src)}" rel="nofollow ugc noopener">${escapeHtml(alt || src)}</a>`;
};

/**
 * Rendered comments, by their text: a page renders every comment of its thread on each signed-in
 * view (those pages are not cached), and a comment written to be slow to parse (`*a` 5,000 times)
 * costs tens of milliseconds each time. Bounded by the characters held, text and HTML.
 */
const RENDERED_MAX_CHARS = 8_000_000;
const rendered = new Map<string, string>();
let renderedChars = 0;

function remembered(key: string, render: () => string): string {
  const hit = rendered.get(key);
  if (hit !== undefined) {
    rendered.delete(key); // most recently used last
    rendered.set(key, hit);
    return hit;
  }
  const html = render();
  rendered.set(key, html);
  renderedChars += key.length + html.length;
  for (const [oldKey, oldHtml] of rendered) {
    if (renderedChars <= RENDERED_MAX_CHARS) break;
    rendered.delete(oldKey);
    renderedChars -= oldKey.length + oldHtml.length;
  }
  return html;
}

/** Comment text to HTML; safe to insert unescaped. */
export function renderCommentMarkdown(text: string): string {
  return remembered(`full\u0000${text}`, () => md.render(text));
}

/** A new paragraph, list item or line of code takes room in an excerpt as this many characters would. */
const EXCERPT_BLOCK_COST = 20;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** markdown-it's Token class (the package does not export its module; a parser state carries it). */
const TokenClass = new md.core.State('', md, {}).Token;

/** The closing token of an open one (`em_open` → `em_close`), shown like it (tight-list paragraphs stay hidden). */
function closing(open: Token): Token {
  const t = new TokenClass(open.type.replace(/_open$/, '_close'), open.tag, -1);
  t.block = open.block;
  t.hidden = open.hidden;
  t.markup = open.markup;
  t.level = open.level;
  return t;
}

function textToken(content: string): Token {
  const t = new TokenClass('text', '', 0);
  t.content = content;
  return t;
}

/**
 * The start of `text` within `room` characters, cut between graphemes (never inside a letter with
 * its accents, an emoji or a surrogate pair), at the last space when that keeps at least `keep`
 * characters; a word longer than that (or a script without spaces) is cut where the room ends.
 */
function cutText(text: string, room: number, keep: number): string {
  let head = '';
  for (const { segment } of graphemes.segment(text)) {
    if (head.length + segment.length > room) {
      if (/^\s/.test(segment)) return head.trimEnd(); // the room ends where a word does
      break;
    }
    head += segment;
  }
  const space = head.search(/\s\S*$/);
  return (space >= keep ? head.slice(0, space) : head).trimEnd();
}

/**
 * The start of a comment for lists of comments such as a profile: the comment is parsed as for
 * its page, and its tokens are kept while their text fits in `max` characters (a paragraph, list
 * item or line of code counts as EXCERPT_BLOCK_COST more); the text that does not fit is cut (at a
 * word when one ends late enough), "…" is added, and every element still open is closed. So the cut
 * never falls inside a link, code span or emphasis as Markdown syntax or half a tag, and the HTML is
 * as safe as renderCommentMarkdown's. `cut` says whether anything was left out.
 *
 * @example renderCommentExcerpt('A [long link](https://x.org) text', 8) // { html: '<p>A <a …>long</a>…</p>\n', cut: true }
 */
export function renderCommentExcerpt(text: string, max: number): { html: string; cut: boolean } {
  // Kept as its HTML with the cut flag in front ("1" or "0").
  const kept = remembered(`excerpt ${max}\u0000${text}`, () => { const r = excerptOf(text, max); return `${r.cut ? 1 : 0}${r.html}`; });
  return { html: kept.slice(1), cut: kept[0] === '1' };
}

function excerptOf(text: string, max: number): { html: string; cut: boolean } {
  const env = {};
  const blocks = md.parse(text, env);
  if (blocks.length === 0) return { html: '', cut: false };
  const out: Token[] = [];
  const openBlocks: Token[] = [];
  let used = 0;
  let cut = false;
  let marked = false; // the "…" is in place
  const keepFrom = Math.floor(max * 0.6); // a cut at a space that leaves less than this is too short
  for (const block of blocks) {
    if (block.nesting === 1) {
      const startsLine = block.type === 'list_item_open' || (block.type === 'paragraph_open' && out.at(-1)?.type !== 'list_item_open');
      if (startsLine && used > 0) {
        if (used + EXCERPT_BLOCK_COST >= max) { cut = true; break; }
        used += EXCERPT_BLOCK_COST;
      }
      openBlocks.push(block);
      out.push(block);
    } else if (block.nesting === -1) {
      openBlocks.pop();
      out.push(block);
    } else if (block.type === 'inline') {
      const children: Token[] = [];
      const openInline: Token[] = [];
      for (const child of block.children ?? []) {
        const shown = child.type === 'text' || child.type === 'code_inline' || child.type === 'image' ? child.content
          : child.type === 'softbreak' || child.type === 'hardbreak' ? ' ' : '';
        if (used + shown.length > max) {
          const head = cutText(shown, max - used, Math.max(0, keepFrom - used));
          if (head && (child.type === 'text' || child.type === 'code_inline')) {
            const part = new TokenClass(child.type, child.tag, 0);
            part.markup = child.markup;
            part.content = head;
            children.push(part);
          } else if (head && child.type === 'image') {
            // Still a link to the image, named by the start of its description.
            const part = new TokenClass('image', child.tag, 0);
            part.attrs = child.attrs;
            part.content = head;
            part.children = [textToken(head)];
            children.push(part);
          }
          cut = true;
          break;
        }
        used += shown.length;
        if (child.nesting === 1) openInline.push(child);
        if (child.nesting === -1) openInline.pop();
        // A line break is a space here: a preview is a few lines whatever the comment's shape.
        children.push(child.type === 'softbreak' || child.type === 'hardbreak' ? textToken(' ') : child);
      }
      if (cut) {
        // An element opened right at the cut would close with nothing inside (an empty link): leave it out.
        while (children.at(-1)?.nesting === 1) { children.pop(); openInline.pop(); }
        for (const open of openInline.reverse()) children.push(closing(open));
        children.push(textToken('…'));
        marked = true;
      }
      const inline = new TokenClass('inline', '', 0);
      inline.children = children;
      out.push(inline);
      if (cut) break;
    } else {
      // a fenced or indented code block: its lines, as far as they fit
      const lines = block.content.replace(/\n$/, '').split('\n');
      const kept: string[] = [];
      for (const line of lines) {
        const cost = line.length + (kept.length > 0 || used > 0 ? EXCERPT_BLOCK_COST : 0);
        if (used + cost > max) {
          const head = kept.length === 0 ? cutText(line, Math.max(0, max - used), 0) : '';
          if (head) kept.push(head);
          cut = true;
          break;
        }
        used += cost;
        kept.push(line);
      }
      if (kept.length === 0) break;
      const code = new TokenClass(block.type, block.tag, 0);
      code.block = true;
      code.markup = block.markup;
      code.content = `${kept.join('\n')}${cut ? '…' : ''}\n`;
      marked = cut;
      out.push(code);
      if (cut) break;
    }
  }
  if (cut) {
    for (const open of openBlocks.reverse()) out.push(closing(open));
    if (!marked) {
      // the cut fell between blocks: the ellipsis goes in a paragraph of its own after them
      const p = new TokenClass('paragraph_open', 'p', 1);
      p.block = true;
      const inline = new TokenClass('inline', '', 0);
      inline.children = [textToken('…')];
      out.push(p, inline, closing(p));
    }
  }
  return { html: md.renderer.render(out, md.options, env), cut };
}
