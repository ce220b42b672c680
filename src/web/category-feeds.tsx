/**
 * A category's trending Daily papers as RSS 2.0 and Atom feeds: `/feeds/categories/cs.CL.rss`
 * (the latest day whose list has papers of the category, or `?date=`). Same service call as the
 * category page.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { formatWindow } from '../domain/dates.ts';
import { getCategoryFeed } from '../services/category-feed.ts';
import { parseListWindow, withAllAuthors } from '../services/open-data.ts';
import { UserError } from '../services/errors.ts';
import type { ApiContext } from './api/context.ts';
import { ApiError, type ApiEnv } from './api/http.ts';
import { CATEGORY_RE, dayParam } from './api/params.ts';
import { endpoint, type Registry } from './api/spec.ts';
import { feedItem, feedUpdated, lastModified, listChanged, renderAtom, renderRss, type FeedLink } from './feeds.tsx';

/** Items in a category feed. */
const CATEGORY_FEED_SIZE = 100;

/** The feed of a category's trending list. */
export function categoryFeedLink(category: string): FeedLink {
  return { title: `Trending in ${category}`, rss: `/feeds/categories/${category}.rss` };
}

export function mountCategoryFeeds(api: Hono<ApiEnv>, registry: Registry, ctx: ApiContext): void {
  const { store } = ctx.deps;
  const base = ctx.present.baseUrl;
  const site = ctx.siteName;
  const ERROR = z.object({ error: z.string() });
  for (const format of ['rss', 'atom'] as const) {
    const F = format === 'rss' ? 'RSS' : 'Atom';
    const media = format === 'rss' ? 'application/rss+xml' : 'application/atom+xml';
    endpoint(api, registry, {
      method: 'get', path: `/feeds/categories/{category}.${format}`, operationId: `categoryFeed${F}`, tags: ['Feeds'],
      honoPath: `/feeds/categories/:category{[A-Za-z.-]+\\.${format}}`,
      summary: `A category's trending Daily papers (${F})`,
      description: 'The Daily papers of the latest day with papers in the category (or the day given), trending first.',
      params: z.object({
        category: z.string().transform((s) => s.slice(0, -(format.length + 1)))
          .pipe(z.string().regex(CATEGORY_RE, 'category must be an arXiv category like cs.CL')).describe('An arXiv category, like cs.CL.'),
      }),
      query: z.object({ date: dayParam.optional() }),
      responses: {
        200: { description: `An ${F} feed.`, mediaType: media },
        404: { description: 'No papers in this category.', schema: ERROR },
      },
    }, async (c: Context<ApiEnv>, { params, query }) => {
      const window = query.date ? parseListWindow({ date: query.date }) ?? undefined : undefined;
      let view;
      try {
        view = await getCategoryFeed(store, { category: params.category, window, sort: 'trending', page: 1, pageSize: CATEGORY_FEED_SIZE });
      } catch (err) {
        if (err instanceof UserError) throw new ApiError(err.status, err.message);
        throw err;
      }
      const items = (await withAllAuthors(store, view.items)).map((p) => feedItem(base, p, 'listed'));
      const updated = feedUpdated(items, await listChanged(store.db, 'daily', view.window), ctx.od.now());
      const doc = {
        title: `Trending in ${params.category} · ${site}`,
        description: `Papers in ${params.category} on the Daily papers list of ${site} (${view.window ? formatWindow(view.window) : 'no list yet'}).`,
        pageUrl: `${base}/categories/${params.category}${view.window ? `/date/${view.window.label}` : ''}`,
        selfUrl: `${base}${new URL(c.req.url).pathname}${new URL(c.req.url).search}`,
        siteName: site, updated, items,
      };
      const body = format === 'rss' ? renderRss(doc) : renderAtom(doc);
      return c.body(body, 200, { 'Content-Type': `${media}; charset=utf-8`, 'Cache-Control': 'public, max-age=300', ...lastModified(updated) });
    });
  }
}
