/**
 * A paper as Markdown at `/papers/{id}.md`, the address Hugging Face serves it at, so that
 * `hf papers read` and huggingface_hub's `HfApi.read_paper` work against an instance: the title as
 * a heading, the authors, links to arXiv, the abstract, code and project links, and the Daily
 * papers day and upvotes when the paper is on a list.
 *
 * Machine-facing like the API: no session is read, any origin may fetch it (CORS), the answer has
 * an ETag (304s from the app's conditional GET), and errors are `{"error": ...}`. Everything from
 * the data is escaped, so a title or an abstract reads as the text it is and cannot add links,
 * images or HTML to the document.
 *
 * @example
 * paperMarkdown(paper, 'https://papers.example.org')
 * // '# Tokenizers \\& \\<friends\\>\n\n**Authors:** Émile Zola, Ada Lovelace\n...'
 */
import type { Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Logger } from 'pino';
import { arxivLinks, parseArxivId } from '../domain/arxiv-id.ts';
import type { Store } from '../store/index.ts';
import { listedEntry, type PaperDetail } from '../store/types.ts';
import { ApiError, jsonError } from './api/http.ts';
import type { AppEnv } from './auth.ts';

export const MARKDOWN_TYPE = 'text/markdown; charset=utf-8';

/** Characters that mean something to CommonMark or GitHub's Markdown wherever they stand. */
const INLINE_SIGNIFICANT = /[\\`*_[\]<>&#|~]/g;

/**
 * Text from the data as Markdown that shows exactly that text: one line (runs of white space
 * become one space), with every character that could start a link, an image, HTML, an entity,
 * code, emphasis, a table or a heading escaped, and what would open a block at the start of a line
 * (a list, a quote, a setext underline) escaped there.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
    .replace(INLINE_SIGNIFICANT, '\\$&')
    .replace(/^([-+=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A link to an http(s) address from the data, or null for anything else (no javascript:, no relative links). */
function safeLink(raw: string | null): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // The parser percent-encodes spaces, quotes and angle brackets: safe inside <...>.
  return `[${escapeMarkdown(url.href)}](<${url.href}>)`;
}

/** The paper as a Markdown document; `baseUrl` (no trailing slash) makes the site's own links absolute. */
export function paperMarkdown(paper: PaperDetail, baseUrl: string): string {
  const links = arxivLinks(paper.id);
  const entry = listedEntry(paper.entry);
  const facts: string[] = [
    `**Authors:** ${paper.authors.length ? paper.authors.map(escapeMarkdown).join(', ') : 'unknown'}`,
    `**arXiv:** [${paper.id}](<${links.abs}>) · [PDF](<${links.pdf}>) · [HTML](<${links.html}>)`,
  ];
  const published = paper.publishedAt ? `**Published:** ${paper.publishedAt.slice(0, 10)}` : null;
  const categories = paper.categories.length ? `**Categories:** ${paper.categories.map(escapeMarkdown).join(', ')}` : null;
  if (published || categories) facts.push([published, categories].filter(Boolean).join(' · '));
  if (paper.versions.length) {
    facts.push(`**Versions:** ${paper.versions.map((v) => `v${v.version}${v.submittedAt ? ` (${v.submittedAt.slice(0, 10)})` : ''}`).join(', ')}`);
  }
  if (paper.withdrawn) facts.push('**Withdrawn** by its authors.');
  const code = safeLink(paper.codeUrl);
  if (code) facts.push(`**Code:** ${code}`);
  const project = safeLink(paper.projectUrl);
  if (project) facts.push(`**Project page:** ${project}`);
  if (entry) {
    facts.push(`**Daily papers:** on the list of [${entry.day}](<${baseUrl}/papers/date/${entry.day}>) · ${paper.upvotes} upvote${paper.upvotes === 1 ? '' : 's'}`);
  } else {
    facts.push(`**Upvotes:** ${paper.upvotes}`);
  }
  if (paper.comment) facts.push(`**Comment:** ${escapeMarkdown(paper.comment)}`);
  if (paper.journalRef) facts.push(`**Journal reference:** ${escapeMarkdown(paper.journalRef)}`);
  if (paper.doi) facts.push(`**DOI:** ${escapeMarkdown(paper.doi)}`);
  facts.push(`**Page:** <${baseUrl}/papers/${paper.id}>`);
  // Paragraphs of the abstract stay paragraphs; each is one line, escaped.
  const abstract = paper.abstract.split(/\n\s*\n/).map(escapeMarkdown).filter(Boolean);
  return [
    `# ${escapeMarkdown(paper.title) || paper.id}`,
    '',
    // Two trailing spaces: a hard line break, so each fact keeps its line when rendered.
    facts.join('  \n'),
    '',
    '## Abstract',
    '',
    abstract.length ? abstract.join('\n\n') : 'No abstract.',
    '',
  ].join('\n');
}

/** Any origin may read it, as the API's reads. */
const readCors = cors({
  origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'], allowHeaders: ['If-None-Match', 'If-Modified-Since'],
  exposeHeaders: ['ETag'], maxAge: 86_400,
});

/**
 * Routes `/papers/{id}.md` (old-style ids as `/papers/hep-th/9901001.md`). Mount it before the
 * paper pages, whose `/papers/:id` would take the address otherwise, and before the session.
 */
export function mountPaperMarkdown(app: Hono<AppEnv>, deps: { store: Store; baseUrl: string; logger: Logger }): void {
  const baseUrl = deps.baseUrl.replace(/\/+$/, '');
  const route = '/papers/:file{.+\\.md}';
  app.use(route, readCors);
  app.get(route, async (c: Context<AppEnv>) => {
    try {
      const raw = (c.req.param('file') ?? '').slice(0, -'.md'.length);
      // As the paper page: any form of the id is sent to the address of the id without version.
      const parsed = parseArxivId(raw.replace(/^(https?:)\/(?!\/)/i, '$1//'));
      if (!parsed) throw new ApiError(400, `${JSON.stringify(raw.slice(0, 60))} is not an arXiv id (like 2407.13168 or hep-th/9901001).`);
      if (parsed.id !== raw) return c.redirect(`/papers/${parsed.id}.md`, 301);
      const paper = await deps.store.findPaperById(parsed.id);
      if (!paper) throw new ApiError(404, `arXiv:${parsed.id} is not on this site.`);
      return c.body(paperMarkdown(paper, baseUrl), 200, { 'Content-Type': MARKDOWN_TYPE, 'Cache-Control': 'public, max-age=60' });
    } catch (err) {
      // As the API answers errors: JSON, a store fault with its 503, never a stack trace.
      return jsonError(err as Error, c, (e, path, fault) => {
        if (fault) deps.logger[fault.status === 503 ? 'error' : 'warn']({ err: e, path }, `paper markdown: store fault: ${fault.message}`);
        else deps.logger.error({ err: e, path }, 'paper markdown: unhandled error');
      });
    }
  });
}
