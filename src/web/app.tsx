/**
 * The web app: routes, validation and presentation, without listen(). Tests drive it with
 * `createApp(deps).request(...)`; `serve` hands it to @hono/node-server.
 */
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { getCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ArxivClient } from '../arxiv/client.ts';
import type { Config } from '../config.ts';
import { parseArxivId } from '../domain/arxiv-id.ts';
import { dayWindow, labelProblem, parseDay } from '../domain/dates.ts';
import type { Mailer } from '../mail/mailer.ts';
import { UserError } from '../services/errors.ts';
import { AfterAnswer } from '../services/after-answer.ts';
import { getDailyFeed, getNewFeed, NotFoundError, parseWindow } from '../services/feed.ts';
import { closeAbandonedRuns } from '../services/run-liveness.ts';
import { countPaperThreads, findThreadIndex, listPaperThreadPage, listUpvotedCommentIds, type CommentOrder } from '../store/comments.ts';
import type { Store } from '../store/index.ts';
import { LIST_SORTS, type ListSort } from '../store/types.ts';
import { hasVoted, votedAmong } from '../store/votes.ts';
import type { Assets } from './assets.ts';
import { hasActiveAdmin } from '../store/users.ts';
import { csrfToken, sessionMiddleware, SESSION_COOKIE, StaleFormError, type AppEnv, type AuthSettings } from './auth.ts';
import { mountCommunityRoutes } from './community-routes.tsx';
import { mountSearchRoutes } from './search-routes.tsx';
import type { SearchIndex } from '../search/search-index.ts';
import type { PaperSearchEngine } from '../search/engine.ts';
import type { PaperSearch } from '../services/open-data.ts';
import { mountOpenData } from './api/mount.tsx';
import { mountPaperMarkdown } from './paper-markdown.ts';
import { conditionalGet } from './api/http.ts';
import { CATEGORY_RE } from './api/params.ts';
import { mountDigestRoutes } from './digest-routes.tsx';
import { mountDiscoveryRoutes } from './discovery-routes.tsx';
import { pageCache } from './page-cache.ts';
import { isSharedPage, pageCachePolicy, PRIVATE_PAGE } from './cache-policy.ts';
import { mountMetrics, requestMetrics } from './metrics-routes.ts';
import { isPublicResource } from './resource-policy.ts';
import { resendableFields } from './forms.ts';
import { storeFault, STORE_FAULT_RETRY_SECONDS } from './store-faults.ts';
import { perAddress } from './bot-limits.ts';
import { adminPasswordGuard } from './admin-password.ts';
import { AboutPage } from './pages/about.tsx';
import { AdminRunsPage } from './pages/admin.tsx';
import { ErrorPage, ExpiredFormPage } from './pages/error.tsx';
import { FeedPage } from './pages/feed.tsx';
import { renderDocument, type SiteInfo } from './pages/layout.tsx';
import { COMMENT_THREADS_PER_PAGE, PaperPage, type PaperPageProps } from './pages/paper.tsx';
import { similarView } from './pages/similar.tsx';
import { mountForYouRoutes, type ForYouOptions } from './for-you-routes.tsx';
import { isRowId } from '../store/row-id.ts';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface AppDeps {
  store: Store;
  config: Pick<Config, 'siteName' | 'pageSize' | 'categories' | 'production' | 'adminPassword' | 'ingestAt' | 'baseUrl' | 'submitQuota' | 'trustProxy' | 'outboxDir'>
    & Partial<Pick<Config, 'metricsToken' | 'mailFrom' | 'digest'>>;
  assets: Assets;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  /** Signs CSRF tokens; the same for every process of the instance. */
  secret: string;
  /** Fetches submitted papers the store lacks; null turns that off. */
  arxiv: Pick<ArxivClient, 'apiQuery'> | null;
  /** The search index behind /search; without it the page is absent. */
  searchIndex?: SearchIndex | null;
  /** The engine that answers /search when it is not the in-memory index (PAPERBOY_SEARCH_ENGINE=postgres). */
  searchEngine?: PaperSearchEngine | null;
  /** Search as the JSON API, feeds and MCP use it (ids, best first). */
  search?: PaperSearch | null;
  /** "For you" settings (followed authors); the page is there whenever the search index is. */
  discovery?: ForYouOptions;
  /** Runs account and subscription mail after the answer (see services/after-answer); made when not given. */
  afterAnswer?: AfterAnswer;
}

/**
 * A query string longer than this is not one a page of ours produced: the search form's 1,000
 * characters percent-encoded (up to 9 bytes each in other scripts) and its other fields fit.
 */
export const MAX_QUERY_LENGTH = 10_240;

/**
 * Why a query string cannot be read, or null. Escapes that are not UTF-8 (`%ED%A0%80`, `%FF`) would
 * otherwise be read as their own letters ("ed a0 80" searched as words); a lone `%` is left to the
 * router, which reads it as itself.
 */
export function queryStringProblem(query: string): string | null {
  if (query.length > MAX_QUERY_LENGTH) return `The query string is longer than ${MAX_QUERY_LENGTH} characters.`;
  for (const run of query.match(/(?:%[0-9A-Fa-f]{2})+/g) ?? []) {
    try {
      decodeURIComponent(run);
    } catch {
      return `The query string has escapes that are not UTF-8 text (${run.slice(0, 30)}).`;
    }
  }
  return null;
}

/** How long the demo-banner check is cached, in ms: it only changes when demo data is added or removed. */
const SITE_INFO_TTL_MS = 30_000;
/** When that check fails (the database is away), how long the last known answer serves before it is asked again, in ms. */
const SITE_INFO_RETRY_MS = 5_000;
const MAX_PAGE = 10_000;

class BadRequest extends Error {}

const listQuery = z.object({
  sort: z.enum(LIST_SORTS as [ListSort, ...ListSort[]], { error: 'sort must be trending, upvotes or newest' }).optional(),
  page: z.string().regex(/^\d{1,5}$/, 'page must be a whole number').transform(Number)
    .refine((n) => n >= 1 && n <= MAX_PAGE, `page must be between 1 and ${MAX_PAGE}`).optional(),
  date: z.string().optional(),
});

function parseListQuery(c: Context): { sort: ListSort; page: number; date: string | undefined } {
  const parsed = listQuery.safeParse({ sort: c.req.query('sort'), page: c.req.query('page'), date: c.req.query('date') });
  if (!parsed.success) throw new BadRequest(parsed.error.issues.map((i) => i.message).join('; '));
  return { sort: parsed.data.sort ?? 'trending', page: parsed.data.page ?? 1, date: parsed.data.date };
}


/** What route modules share: the deps, presentation helpers, auth settings. */
export interface Web {
  deps: AppDeps;
  auth: AuthSettings;
  site(c: Context<AppEnv>): Promise<SiteInfo>;
  html(c: Context<AppEnv>, node: unknown, status?: number): Promise<Response>;
  errorPage(c: Context<AppEnv>, status: number, message: string): Promise<Response>;
  /** A paper page, with the viewer's vote and the discussion. */
  paperPage(c: Context<AppEnv>, id: string, extra?: Pick<PaperPageProps, 'commentError' | 'linksError'>, status?: number): Promise<Response>;
}

export function createApp(given: AppDeps) {
  // One runner for the mail that goes after the answer (accounts, subscriptions), made here when not given.
  const deps: AppDeps = { ...given, afterAnswer: given.afterAnswer ?? new AfterAnswer((err) => given.logger.error({ err }, 'work after the answer failed (an e-mail may not have been sent)')) };
  const { store, config, assets, clock, logger } = deps;
  const app = new Hono<AppEnv>();
  const auth: AuthSettings = {
    store, secret: deps.secret, secureCookies: config.baseUrl.startsWith('https://'), now: () => clock.now(), origin: new URL(config.baseUrl).origin,
  };

  let siteCache: { until: number; info: Omit<SiteInfo, 'viewer'> } | null = null;
  /** Never throws: error pages use it, the store-fault page included, while the database is away. */
  async function site(c: Context<AppEnv>): Promise<SiteInfo> {
    const now = clock.now();
    if (!siteCache || now >= siteCache.until) {
      const info = { siteName: config.siteName, demo: siteCache?.info.demo ?? false, assets: { css: assets.get('style.css')!.hash, js: assets.get('app.js')!.hash } };
      try {
        const demoUser = await store.db.selectFrom('users').select('id').where('is_demo', '=', 1).limit(1).executeTakeFirst();
        siteCache = { until: now + SITE_INFO_TTL_MS, info: { ...info, demo: !!demoUser } };
      } catch {
        siteCache = { until: now + SITE_INFO_RETRY_MS, info }; // the last known banner (none before the first answer)
      }
    }
    const user = c.get('user');
    const viewer = user ? { username: user.username, role: user.role, verified: !!user.emailVerifiedAt, csrf: csrfToken(c, auth) } : null;
    return { ...siteCache.info, viewer };
  }

  const html = async (c: Context<AppEnv>, node: unknown, status = 200) => c.html(renderDocument(node as never), status as 200);
  const errorPage = async (c: Context<AppEnv>, status: number, message: string) =>
    html(c, <ErrorPage site={await site(c)} status={status} message={message} />, status);

  app.use('*', requestMetrics()); // first: times and counts every request, errors included
  // Public data meant for other sites (API, feeds, their images): Cross-Origin-Resource-Policy
  // cross-origin, so an <img> or no-cors fetch elsewhere may load it; pages stay same-origin.
  // Runs after secureHeaders has set its same-origin default (that one is registered inside this).
  app.use('*', async (c, next) => {
    await next();
    if (isPublicResource(c.req.path)) c.header('Cross-Origin-Resource-Policy', 'cross-origin');
  });
  app.use('*', secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
    crossOriginEmbedderPolicy: false,
  }));

  app.use('*', async (c, next) => {
    const started = performance.now();
    const q = c.req.url.indexOf('?');
    const message = q >= 0 ? queryStringProblem(c.req.url.slice(q + 1)) : null;
    if (message) {
      c.set('user', null);
      c.set('sessionToken', null);
      // Answered here, before the cache policy below runs: an error page, private like the others.
      c.header('Cache-Control', PRIVATE_PAGE);
      c.header('Vary', 'Cookie');
      // Machine-facing paths answer as their documents say: the sparkline in plain text, /mcp a JSON-RPC error, the rest JSON.
      const path = c.req.path;
      c.res = path === '/stats/votes.svg' ? c.text(message, 400)
        : path === '/mcp' ? c.json({ jsonrpc: '2.0', error: { code: -32600, message }, id: null }, 400)
          : isPublicResource(path) ? c.json({ error: message }, 400) : await errorPage(c, 400, message);
    } else {
      await next();
    }
    const ms = performance.now() - started;
    if (c.res.status >= 500) logger.warn({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request failed');
    else logger.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request');
  });

  // ETag on every successful GET and a 304 when the client has it (pages, API, feeds alike);
  // not on the health checks, which are never cached.
  const conditional = conditionalGet();
  app.use('*', (c, next) => (c.req.path === '/healthz' || c.req.path === '/readyz' ? next() : conditional(c, next)));

  app.onError(async (err, c) => {
    if (c.get('user') === undefined) { c.set('user', null); c.set('sessionToken', null); }
    const wantsJson = (c.req.header('accept') ?? '').includes('application/json');
    if (err instanceof StaleFormError && !wantsJson) {
      const fields = await resendableFields(c);
      if (fields) return html(c, <ExpiredFormPage site={await site(c)} action={self(c)} fields={fields} />, 403);
    }
    if (err instanceof UserError) {
      if (err.status >= 500) logger.warn({ err: err.cause ?? err, path: c.req.path }, err.message); // a service we depend on failed
      if (err.retryAfterSeconds) c.header('Retry-After', String(err.retryAfterSeconds));
      return wantsJson ? c.json({ error: err.message }, err.status) : errorPage(c, err.status, err.message);
    }
    if (err instanceof BadRequest) return errorPage(c, 400, err.message);
    if (err instanceof NotFoundError) return errorPage(c, 404, `There is no such page: ${err.message}.`);
    if (err instanceof HTTPException) return err.getResponse(); // e.g. 401 with its WWW-Authenticate challenge
    const fault = storeFault(err, { reading: c.req.method === 'GET' || c.req.method === 'HEAD' });
    if (fault) {
      logger[fault.status === 503 ? 'error' : 'warn']({ err, path: c.req.path }, `store fault: ${fault.message}`);
      if (fault.status === 503) c.header('Retry-After', String(STORE_FAULT_RETRY_SECONDS));
      return wantsJson ? c.json({ error: fault.message }, fault.status) : errorPage(c, fault.status, fault.message);
    }
    logger.error({ err, path: c.req.path }, 'unhandled error');
    return errorPage(c, 500, 'The server could not answer this request. It has been logged; please try again.');
  });

  app.notFound((c) => errorPage(c, 404, 'There is nothing at this address.'));

  // Static assets: immutable when asked for by hash, short-lived otherwise. No session needed.
  app.get('/assets/:name', (c) => {
    const a = assets.get(c.req.param('name'));
    if (!a) return errorPage(c, 404, 'No such file.');
    const versioned = c.req.query('v') === a.hash;
    return c.body(new Uint8Array(a.body), 200, {
      'Content-Type': a.type,
      'Cache-Control': versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
      ETag: `"${a.hash}"`,
    });
  });
  app.get('/favicon.ico', (c) => c.redirect('/assets/favicon.svg', 301));
  app.get('/healthz', (c) => c.text('ok', 200, { 'Cache-Control': 'no-store' })); // the process answers
  mountMetrics(app, { token: config.metricsToken ?? null });
  app.get('/readyz', async (c) => {
    const r = await store.readiness();
    c.header('Cache-Control', 'no-store');
    return r.ok ? c.text('ready') : c.text(`not ready: ${r.problem}`, 503);
  });
  mountPaperMarkdown(app, { store, baseUrl: config.baseUrl, logger }); // /papers/{id}.md: machine-facing, before the session and the paper pages

  // Cache-Control and Vary on every page, cached ones included (cache-policy.ts).
  app.use('*', pageCachePolicy());
  // Pages that look the same to every visitor who is not signed in are cached; members' pages are not.
  const cached = pageCache({ changeToken: () => store.changeToken(), now: () => clock.now() });
  app.use('*', async (c, next) => {
    if (getCookie(c, SESSION_COOKIE)) return next();
    c.set('user', null);
    c.set('sessionToken', null);
    return isSharedPage(c.req.path) ? cached(c, next) : next();
  });
  app.use('*', async (c, next) => (c.get('user') === undefined ? sessionMiddleware(auth)(c, next) : next()));

  const votedOn = async (c: Context<AppEnv>, ids: string[]) => {
    const user = c.get('user');
    return user ? votedAmong(store.db, user.id, ids) : new Set<string>();
  };
  const self = (c: Context) => { const u = new URL(c.req.url); return u.pathname + u.search; };

  const dailyFeed = async (c: Context<AppEnv>, label?: string, period: 'day' | 'week' | 'month' = 'day') => {
    const { sort, page } = parseListQuery(c);
    let window;
    if (label !== undefined) {
      window = parseWindow(period, label);
      if (!window) throw new BadRequest(`"${label.slice(0, 40)}" ${labelProblem(period, label)}.`);
    }
    const view = await getDailyFeed(store, { window, sort, page, pageSize: config.pageSize });
    const voted = await votedOn(c, view.items.map((p) => p.id));
    return html(c, <FeedPage site={await site(c)} view={view} nowMs={clock.now()} kind="daily" defaultSort="trending" voted={voted} self={self(c)} />);
  };

  app.get('/', (c) => dailyFeed(c));
  // Hugging Face's older addresses (`/papers?date=2025-05-30`, `?week=`, `?month=`): the day's, week's or month's page.
  app.get('/papers', (c) => {
    const q = c.req.query();
    const [kind, label] = q.date !== undefined ? ['date', q.date] : q.week !== undefined ? ['week', q.week] : q.month !== undefined ? ['month', q.month] : [null, null];
    const rest = new URLSearchParams(Object.entries(q).filter(([k]) => k === 'sort' || k === 'page'));
    const query = rest.size > 0 ? `?${rest}` : '';
    return c.redirect(kind ? `/papers/${kind}/${encodeURIComponent(label!)}${query}` : `/${query}`, 301);
  });
  app.get('/papers/date/:day', (c) => dailyFeed(c, c.req.param('day'), 'day'));
  app.get('/papers/week/:week', (c) => dailyFeed(c, c.req.param('week'), 'week'));
  app.get('/papers/month/:month', (c) => dailyFeed(c, c.req.param('month'), 'month'));

  const newFeed = async (c: Context<AppEnv>, category?: string) => {
    const { sort, page, date } = parseListQuery(c);
    if (category !== undefined && !CATEGORY_RE.test(category)) throw new BadRequest(`"${category.slice(0, 40)}" is not an arXiv category (like cs.CL).`);
    let window;
    if (date !== undefined) {
      const day = parseDay(date);
      if (!day) throw new BadRequest(`"${date.slice(0, 40)}" ${labelProblem('day', date)}.`);
      window = dayWindow(day);
    }
    if (category && !(await store.latestAnnouncedDay(category))) {
      return errorPage(c, 404, `No papers in ${category} yet.`);
    }
    const view = await getNewFeed(store, { window, sort: c.req.query('sort') ? sort : 'newest', page, pageSize: config.pageSize, category });
    const voted = await votedOn(c, view.items.map((p) => p.id));
    return html(c, <FeedPage site={await site(c)} view={view} nowMs={clock.now()} kind="new" category={category} defaultSort="newest" voted={voted} self={self(c)} />);
  };
  app.get('/new', (c) => newFeed(c));
  app.get('/new/:category', (c) => newFeed(c, c.req.param('category')));

  const COMMENT_ORDERS: CommentOrder[] = ['oldest', 'newest', 'top'];
  const paperPage: Web['paperPage'] = async (c, id, extra = {}, status = 200) => {
    const paper = await store.findPaperById(id);
    if (!paper) return errorPage(c, 404, `arXiv:${id} is not on this site.`);
    const user = c.get('user');
    const order = COMMENT_ORDERS.find((o) => o === c.req.query('comments')) ?? 'oldest';
    // The discussion a page of threads at a time: `?page=N`, or the page holding a comment, the one
    // a link names (`?comment=123`) or the one a refused reply answered. Anything else: the first page.
    const wanted = c.req.query('comment');
    const target = extra.commentError?.parentId ?? (wanted && /^\d{1,10}$/.test(wanted) && isRowId(Number(wanted)) ? Number(wanted) : null);
    const pageQuery = c.req.query('page');
    const threadCount = await countPaperThreads(store.db, id);
    const pages = Math.max(1, Math.ceil(threadCount / COMMENT_THREADS_PER_PAGE));
    let page = pageQuery && /^\d{1,6}$/.test(pageQuery) ? Number(pageQuery) : 1;
    const at = target !== null ? await findThreadIndex(store.db, id, target, order) : null;
    if (at !== null) page = Math.floor(at / COMMENT_THREADS_PER_PAGE) + 1;
    if (page < 1 || page > pages) page = 1;
    const [voted, comments, upvotedComments] = await Promise.all([
      user ? hasVoted(store.db, user.id, id) : Promise.resolve(false),
      // hidden ones keep their place in threads; only admins see their text
      listPaperThreadPage(store.db, id, order, (page - 1) * COMMENT_THREADS_PER_PAGE, COMMENT_THREADS_PER_PAGE),
      user ? listUpvotedCommentIds(store.db, user.id, id) : Promise.resolve(new Set<number>()),
    ]);
    const similar = deps.searchIndex ? await similarView({ store, index: deps.searchIndex }, id) : null;
    // What the member just did, for the page to say: after "Submit" and after "Delete comment".
    const notice = c.req.query('submitted') === '1' ? 'submitted' as const : c.req.query('deleted') === 'comment' ? 'comment-deleted' as const : null;
    return html(c, <PaperPage site={await site(c)} paper={paper} nowMs={clock.now()} voted={voted} comments={comments} order={order} commentPage={{ page, pages }} similar={similar} notice={notice} upvotedComments={upvotedComments} {...extra} />, status);
  };
  const paperRoute = async (c: Context<AppEnv>, raw: string) => {
    const parsed = parseArxivId(raw);
    if (!parsed) return errorPage(c, 400, `"${raw.slice(0, 60)}" is not an arXiv id (like 2407.13168 or hep-th/9901001).`);
    if (parsed.id !== raw) return c.redirect(`/papers/${parsed.id}`, 301);
    return paperPage(c, parsed.id);
  };
  app.get('/papers/:archive{[A-Za-z.-]+}/:number{[0-9]{7}(?:v[0-9]+)?}', (c) => paperRoute(c, `${c.req.param('archive')}/${c.req.param('number')}`));
  app.get('/papers/:id', (c) => paperRoute(c, c.req.param('id')));
  // Any other path under /papers/ that names a paper (a pasted arXiv URL, `arXiv:hep-th/9901001`,
  // a trailing slash) goes to the paper's page; the rest is not found.
  app.get('/papers/*', (c) => {
    let raw = c.req.path.slice('/papers/'.length);
    try { raw = decodeURIComponent(raw); } catch { /* left as it came */ }
    const parsed = parseArxivId(raw.replace(/\/+$/, '').replace(/^(https?:)\/(?!\/)/i, '$1//'));
    return parsed ? c.redirect(`/papers/${parsed.id}`, 301) : errorPage(c, 404, 'There is no paper at this address.');
  });

  // /about's counts (whole tables of papers, announcements and votes) kept while the data stands.
  let aboutStats: { token: string; stats: Awaited<ReturnType<typeof store.stats>> } | null = null;
  app.get('/about', async (c) => {
    const token = store.changeToken();
    if (aboutStats?.token !== token) aboutStats = { token, stats: await store.stats() };
    const stats = aboutStats.stats;
    return html(c, <AboutPage site={await site(c)} stats={stats} categories={config.categories} />);
  });

  // Admin pages: for admins; or, on an instance without an active admin account yet, behind PAPERBOY_ADMIN_PASSWORD.
  app.use('/admin/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    const user = c.get('user');
    if (user?.role === 'admin') return next();
    if (user) return errorPage(c, 403, 'Only admins can see this page.');
    // The shared password only stands in until an admin account exists: from then on admins sign in.
    if (!config.adminPassword || (await hasActiveAdmin(store.db))) return c.redirect(`/signin?next=${encodeURIComponent(c.req.path)}`, 303);
    return adminPasswordGuard({ store, password: config.adminPassword, trustProxy: config.trustProxy, now: () => clock.now() })(c, next);
  });
  app.get('/admin', (c) => c.redirect('/admin/runs', 302));
  app.get('/admin/runs', async (c) => {
    await closeAbandonedRuns(store, new Date(clock.now()).toISOString()); // runs whose process died show as interrupted
    const runs = await store.listJobRuns(100);
    return html(c, <AdminRunsPage site={await site(c)} runs={runs} schedule={config.ingestAt} />);
  });

  if (deps.searchIndex) {
    app.use('/search', perAddress(store, 'searchIp', config.trustProxy, () => clock.now()));
    app.use('/search/live', perAddress(store, 'searchLiveIp', config.trustProxy, () => clock.now()));
    mountSearchRoutes(app, {
      store, index: deps.searchEngine ?? deps.searchIndex, site, clock, categories: config.categories, pageSize: config.pageSize,
      votedAmong: (c, ids) => votedOn(c, ids),
    });
  }
  mountDigestRoutes(app, { deps, auth, site, html, errorPage, paperPage });
  mountOpenData(app, { deps, auth, site, html, errorPage, paperPage });
  mountCommunityRoutes(app, { deps, auth, site, html, errorPage, paperPage });
  mountDiscoveryRoutes(app, { deps, auth, site, html, errorPage, paperPage });
  mountForYouRoutes(app, { deps, auth, site, html, errorPage, paperPage });

  return app;
}
