/**
 * Hugging Face-compatible endpoints: the paths, parameters and shapes of huggingface.co's
 * /api/daily_papers, /api/papers/{id}, /api/papers/search and /api/papers, so clients written for
 * it (huggingface_hub's list_daily_papers, paper_info and list_papers; the `hf papers` CLI) work
 * against this instance with its endpoint pointed here.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { letterAvatar, titleCard } from '../../domain/svg-chart.ts';
import { getPaper, listDaily, listPapers, parseListWindow, requireArxivId, searchPapers, MAX_SEARCH_CHARS } from '../../services/open-data.ts';
import { findUserByName } from '../../store/users.ts';
import type { ListSort } from '../../store/types.ts';
import { ApiError, type ApiEnv } from './http.ts';
import { hfDailyRow, hfPaper } from './presenters.ts';
import { HfDailyRow, HfPaper } from './schemas.ts';
import { endpoint, type Registry } from './spec.ts';
import type { ApiContext } from './context.ts';
import { intParam, LINK_HEADER, nextLink, svg } from './params.ts';

const TAG = 'Hugging Face-compatible';
const MAX_P = 10_000;

const dailyQuery = z.object({
  date: z.string().max(40).optional().describe('A day, YYYY-MM-DD (1991-01-01 to 2999-12-31): the papers that entered its list.'),
  week: z.string().max(40).optional().describe('An ISO week, YYYY-Www.'),
  month: z.string().max(40).optional().describe('A month, YYYY-MM.'),
  submitter: z.string().min(1, 'submitter: say whose papers (a username)').max(40).optional().describe('Only papers this member submitted (username).'),
  sort: z.enum(['publishedAt', 'trending'], { error: 'sort must be publishedAt or trending' }).optional()
    .describe('publishedAt: newest on the list first; trending (the default): by the trending key.'),
  p: intParam('p', 0, MAX_P, 'Page, from 0.', 0),
  limit: intParam('limit', 1, 100, 'Rows per page.', 50),
});

const searchQuery = z.object({
  q: z.string().max(MAX_SEARCH_CHARS, `q: at most ${MAX_SEARCH_CHARS} characters`).optional()
    .describe('What to look for, in the search box\'s language. Without q: the newest Daily papers.'),
  limit: intParam('limit', 1, 120, 'Most rows.', 50),
});

const listQuery = z.object({
  cursor: z.string().max(200, 'cursor is not one this API returned').optional().describe('From the Link header of the previous page.'),
  limit: intParam('limit', 1, 100, 'Papers per page.', 50),
});

const idParams = z.object({ id: z.string().max(200).describe('An arXiv id (2505.00201; old-style ids as hep-th%2F9901001).') });

export function mountHfApi(api: Hono<ApiEnv>, registry: Registry, ctx: ApiContext): void {
  const { od, present } = ctx;

  endpoint(api, registry, {
    method: 'get', path: '/api/daily_papers', operationId: 'hfDailyPapers', tags: [TAG],
    summary: 'Daily papers, as Hugging Face lists them',
    description: 'Without date, week or month: every Daily paper, newest list first. A page past the end is an empty array.',
    query: dailyQuery,
    responses: { 200: { description: 'The rows, a bare array.', schema: z.array(HfDailyRow), headers: LINK_HEADER } },
  }, async (c, { query }) => {
    const window = parseListWindow(query);
    const sort: ListSort = query.sort === 'publishedAt' ? 'newest' : 'trending';
    const limit = query.limit;
    const p = query.p;
    const page = await listDaily(od, { window, sort, submitter: query.submitter, limit, offset: p * limit });
    if ((p + 1) * limit < page.total) c.header('Link', nextLink(c, ctx.present.baseUrl, { p: String(p + 1), limit: String(limit) }));
    return c.json(page.items.map((card) => hfDailyRow(present, card)));
  });

  endpoint(api, registry, {
    method: 'get', path: '/api/papers/search', operationId: 'hfSearchPapers', tags: [TAG],
    summary: 'Search papers',
    description: 'Rows shaped like Daily papers rows, best match first.',
    query: searchQuery,
    responses: {
      200: { description: 'The rows, a bare array.', schema: z.array(HfDailyRow) },
      503: { description: 'No search engine yet, or its index is not built yet (Retry-After says when to try again): not the same as no results.', schema: z.object({ error: z.string() }) },
    },
  }, async (c, { query }) => {
    const limit = query.limit;
    const q = query.q?.trim() ?? '';
    const cards = q
      ? await searchPapers(od, { q, limit })
      : (await listDaily(od, { window: null, sort: 'newest', limit, offset: 0 })).items;
    return c.json(cards.map((card) => hfDailyRow(present, card)));
  });

  endpoint(api, registry, {
    method: 'get', path: '/api/papers', operationId: 'hfListPapers', tags: [TAG],
    summary: 'Every paper, newest publication first',
    description: 'Cursor-paginated: follow the Link header (rel="next") until there is none.',
    query: listQuery,
    responses: { 200: { description: 'The papers, a bare array.', schema: z.array(HfPaper), headers: LINK_HEADER } },
  }, async (c, { query }) => {
    const limit = query.limit;
    const page = await listPapers(od, { cursor: query.cursor, limit });
    if (page.next) c.header('Link', nextLink(c, ctx.present.baseUrl, { cursor: page.next, limit: String(limit) }));
    return c.json(page.items.map((card) => hfPaper(present, card)));
  });

  endpoint(api, registry, {
    method: 'get', path: '/api/papers/{id}', operationId: 'hfPaper', tags: [TAG],
    summary: 'A paper',
    description: 'The paper object at the top level. Any form of the id works (with a version, arXiv: prefix, an abs URL encoded).',
    params: idParams,
    responses: {
      200: { description: 'The paper.', schema: HfPaper },
      404: { description: 'Not on this site.', schema: z.object({ error: z.string() }) },
    },
  }, async (c, { params }) => {
    const paper = await getPaper(od, requireArxivId(params.id));
    return c.json(hfPaper(present, paper));
  });

  endpoint(api, registry, {
    method: 'get', path: '/api/papers/{id}/thumbnail.svg', operationId: 'paperThumbnail', tags: [TAG],
    summary: 'A picture of a paper\'s title (the rows\' thumbnail)',
    params: idParams,
    responses: {
      200: { description: 'An SVG image, 1200×630.', mediaType: 'image/svg+xml' },
      404: { description: 'Not on this site.', schema: z.object({ error: z.string() }) },
    },
  }, async (c, { params }) => {
    const paper = await getPaper(od, requireArxivId(params.id));
    const byline = paper.authors.length > 3 ? `${paper.authors.slice(0, 3).join(', ')} et al.` : paper.authors.join(', ');
    return svg(c, titleCard({ title: paper.title, byline, site: ctx.siteName }));
  });

  endpoint(api, registry, {
    method: 'get', path: '/api/avatars/{file}', operationId: 'avatar', tags: [TAG],
    summary: 'A member\'s avatar (their initial), the users\' avatarUrl',
    params: z.object({
      file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}\.svg$/, 'expected a username followed by .svg').transform((s) => s.slice(0, -4))
        .describe('The username followed by .svg.'),
    }),
    responses: {
      200: { description: 'An SVG image.', mediaType: 'image/svg+xml' },
      404: { description: 'No such member.', schema: z.object({ error: z.string() }) },
    },
  }, async (c, { params }) => {
    const user = await findUserByName(od.store.db, params.file);
    if (!user) throw new ApiError(404, 'There is no member by that name.');
    return svg(c, letterAvatar(user.displayName || user.username));
  });
}
