/**
 * Comment Markdown: a safe subset (links, emphasis, code, lists, quotes) rendered by markdown-it
 * with raw HTML off. Links must be http(s) or mailto and get rel="nofollow ugc noopener".
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true })
  .enable(['paragraph', 'newline', 'emphasis', 'backticks', 'fence', 'code', 'list', 'blockquote', 'link', 'linkify', 'escape', 'autolink', 'entity']);

md.validateLink = (url: string) => /^(https?:|mailto:)/i.test(url.trim());

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'nofollow ugc noopener');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Comment text to HTML; safe to insert unescaped. */
export function renderCommentMarkdown(text: string): string {
  return md.render(text);
}

/**
 * The start of a comment (at most `max` characters of its text, cut at a word, then "…") rendered
 * like the whole comment: for lists of comments such as a profile. Markup cut in two shows as text.
 */
export function renderCommentExcerpt(text: string, max: number): string {
  if (text.length <= max) return md.render(text);
  const head = text.slice(0, max);
  const space = head.search(/\s\S*$/);
  return md.render(`${(space > max * 0.6 ? head.slice(0, space) : head).trimEnd()}…`);
}
