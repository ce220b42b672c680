/**
 * Discovery routes: author pages and following authors, and category pages.
 *
 * - `GET /authors/:name` (URL-encoded name, `?page=`): everyone published under the name.
 * - `POST /actions/follow` (`author`, `want` 1|0, `next`, CSRF): follow or unfollow, for members;
 *   JSON `{following}` when asked with Accept: application/json.
 * - `GET /settings/following`: the authors a member follows.
 * - `GET /categories/:cat`, `/categories/:cat/date|week|month/:label`: the category's trending
 *   Daily papers (`?sort=`, `?page=`), feeds at /feeds/categories/:cat.rss|atom.
 */
import { ownEntry } from '../domain/lookup.ts';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { labelProblem } from '../domain/dates.ts';
import { getAuthorView } from '../services/authors.ts';
import { getCategoryFeed } from '../services/category-feed.ts';
import { UserError } from '../services/errors.ts';
import { parseWindow } from '../services/feed.ts';
import { setFollow } from '../services/follows.ts';
import { isFollowing, listFollowedAuthors } from '../store/follows.ts';
import { LIST_SORTS, type ListSort } from '../store/types.ts';
import { votedAmong } from '../store/votes.ts';
import type { Web } from './app.tsx';
import { CATEGORY_RE } from './api/params.ts';
import { readForm } from './forms.ts';
import { safeNext, verifyCsrf, type AppEnv } from './auth.ts';
import { authorPath } from './pages/discovery-bits.tsx';
import { AuthorPage, FollowingPage } from './pages/author.tsx';
import { FeedPage } from './pages/feed.tsx';

const MAX_PAGE = 10_000;
const PERIODS = { date: 'day', week: 'week', month: 'month' } as const;

const pageParam = z.string().regex(/^\d{1,5}$/, 'page must be a whole number').transform(Number)
  .refine((n) => n >= 1 && n <= MAX_PAGE, `page must be between 1 and ${MAX_PAGE}`).optional();
const sortParam = z.enum(LIST_SORTS as [ListSort, ...ListSort[]], { error: 'sort must be trending, upvotes or newest' }).optional();

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UserError(400, r.error.issues.map((i) => i.message).join('; '));
  return r.data;
}


const FOLLOW_NOTICES: Record<string, string> = {
  followed: 'You follow this author now.',
  unfollowed: 'You no longer follow this author.',
};

export function mountDiscoveryRoutes(app: Hono<AppEnv>, web: Web): void {
  const { store, config } = web.deps;
  const nowMs = () => web.deps.clock.now();
  const self = (c: Context) => { const u = new URL(c.req.url); return u.pathname + u.search; };

  // Authors

  app.get('/authors/:name{[^]+}', async (c) => {
    const name = c.req.param('name');
    const page = parse(pageParam, c.req.query('page')) ?? 1;
    const view = await getAuthorView(store, name, page, config.pageSize);
    if ('elsewhere' in view) {
      // Temporary: which spelling most papers carry can change, and a spelling no paper carries today may be carried tomorrow.
      c.header('Cache-Control', 'no-store');
      return c.redirect(`/authors/${encodeURIComponent(view.elsewhere)}${new URL(c.req.url).search}`, 302);
    }
    const user = c.get('user');
    const [following, voted] = await Promise.all([
      user ? isFollowing(store.db, user.id, view.author.name) : Promise.resolve(false),
      user ? votedAmong(store.db, user.id, view.papers.map((p) => p.id)) : Promise.resolve(new Set<string>()),
    ]);
    return web.html(c, <AuthorPage site={await web.site(c)} view={view} nowMs={nowMs()} following={following} voted={voted}
      self={self(c)} notice={ownEntry(FOLLOW_NOTICES, c.req.query('follow')) ?? null} />);
  });

  app.post('/actions/follow', async (c) => {
    const f = await readForm(c);
    verifyCsrf(c, web.auth, f._csrf);
    const want = f.want !== '0';
    const name = await setFollow({ store, now: nowMs }, c.get('user'), f.author, want);
    if ((c.req.header('accept') ?? '').includes('application/json')) return c.json({ author: name, following: want });
    const fallback = `${authorPath(name)}?follow=${want ? 'followed' : 'unfollowed'}`;
    const next = safeNext(f.next, fallback);
    return c.redirect(next === authorPath(name) ? fallback : next, 303);
  });

  app.get('/settings/following', async (c) => {
    const user = c.get('user');
    if (!user) return c.redirect(`/signin?next=${encodeURIComponent('/settings/following')}`, 303);
    c.header('Cache-Control', 'no-store');
    const authors = await listFollowedAuthors(store.db, user.id);
    return web.html(c, <FollowingPage site={await web.site(c)} authors={authors} nowMs={nowMs()} />);
  });

  // Categories

  const categoryPage = async (c: Context<AppEnv>, category: string, period?: keyof typeof PERIODS, label?: string) => {
    if (!CATEGORY_RE.test(category)) throw new UserError(400, `"${category.slice(0, 40)}" is not an arXiv category (like cs.CL).`);
    const page = parse(pageParam, c.req.query('page')) ?? 1;
    const sort = parse(sortParam, c.req.query('sort')) ?? 'trending';
    let window;
    if (period !== undefined && label !== undefined) {
      window = parseWindow(PERIODS[period], label);
      if (!window) throw new UserError(400, `"${label.slice(0, 40)}" ${labelProblem(PERIODS[period], label)}.`);
    }
    const view = await getCategoryFeed(store, { category, window, sort, page, pageSize: config.pageSize });
    const user = c.get('user');
    const voted = user ? await votedAmong(store.db, user.id, view.items.map((p) => p.id)) : new Set<string>();
    return web.html(c, <FeedPage site={await web.site(c)} view={view} nowMs={nowMs()} kind="daily" category={category} defaultSort="trending" voted={voted} self={self(c)} />);
  };
  app.get('/categories/:category', (c) => categoryPage(c, c.req.param('category')));
  app.get('/categories/:category/:period{date|week|month}/:label', (c) =>
    categoryPage(c, c.req.param('category'), c.req.param('period') as keyof typeof PERIODS, c.req.param('label')));
}
