/**
 * Open data on the app: the Hugging Face-compatible API, /api/v1, feeds, the MCP server, the
 * OpenAPI document and its page, /stats, and API tokens in Settings.
 *
 * Machine-facing routes (/api, /feeds, /search.rss|atom, /mcp, /openapi.json) live in one
 * sub-app whose errors are JSON. On the way in: CORS for reads, the Bearer token and the rate
 * limit; on the way out: Cache-Control, ETag and 304s.
 *
 * The search engine comes in as `deps.search` (a `PaperSearch`); without it, search and similar
 * papers answer 503.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { z } from 'zod';
import { keptSiteStats, type PaperSearch } from '../../services/open-data.ts';
import type { AppDeps, Web } from '../app.tsx';
import { clientIp, type AppEnv } from '../auth.ts';
import { MEDIA, mountFeeds } from '../feeds.tsx';
import { mountCategoryFeeds } from '../category-feeds.tsx';
import { MAX_MCP_BODY_BYTES, mountMcp } from '../mcp.ts';
import { ApiDocsPage } from '../pages/api-docs.tsx';
import { mountStats } from '../stats.tsx';
import type { ApiContext } from './context.ts';
import { mountHfApi } from './hf.ts';
import { API_RATE_LIMITS, apiAccess, conditionalGet, jsonError, type ApiEnv } from './http.ts';
import { unmatchedRequest } from './methods.ts';
import { describeOnly, MAX_JSON_BODY_BYTES, Registry, toOpenApi } from './spec.ts';
import { mountTokenPages } from './tokens-page.tsx';
import { mountApiV1 } from './v1.ts';
import { MEMBER_PAGE } from '../cache-policy.ts';
import { FEED_CACHE_BOUNDS, pageCache } from '../page-cache.ts';

/** The version of /api/v1's contract, in the OpenAPI document. */
export const API_VERSION = '1.0.0';

/** What the app's deps may carry for open data beyond `AppDeps`. */
export type OpenDataAppDeps = AppDeps & { search?: PaperSearch | null };

/** The reads: open to any origin, with validators and cache defaults. */
const READ_PATHS = ['/api/*', '/feeds/*', '/search.rss', '/search.atom'];
/** Where requests pass the token check and the rate limit: the OpenAPI document says so for each operation under them. */
const TOKEN_PATHS = [...READ_PATHS, '/mcp'];

const EXPOSED = ['ETag', 'Last-Modified', 'Link', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'];

/** Anonymous GETs may be cached briefly by anyone; answers to a token are the caller's alone. */
function cacheDefaults(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    await next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return;
    c.res.headers.append('Vary', 'Authorization');
    if (c.res.status !== 200 || c.res.headers.has('cache-control')) return;
    c.res.headers.set('Cache-Control', c.req.header('authorization') ? 'private, no-cache' : 'public, max-age=60');
  };
}

export function mountOpenData(app: Hono<AppEnv>, web: Web): void {
  const deps = web.deps as OpenDataAppDeps;
  const { store, config } = deps;
  const now = () => deps.clock.now();
  const od = { store, search: deps.search ?? null, now };
  const ctx: ApiContext = {
    deps,
    od,
    siteStats: keptSiteStats(od),
    tokens: { store, now },
    community: { store, now, arxiv: deps.arxiv, submitQuota: config.submitQuota },
    present: { baseUrl: config.baseUrl.replace(/\/+$/, '') },
    siteName: config.siteName,
    ip: (c: Context) => clientIp(c, config.trustProxy),
  };
  const registry = new Registry();
  const api = new Hono<ApiEnv>();
  api.onError((err, c) => jsonError(err, c, (e, path, fault) => {
    // As the site logs them: a store fault says so (its 503 answered), anything else is unhandled.
    if (fault) deps.logger[fault.status === 503 ? 'error' : 'warn']({ err: e, path }, `open data: store fault: ${fault.message}`);
    else deps.logger.error({ err: e, path }, 'open data: unhandled error');
  }));

  const readCors = cors({
    origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'], allowHeaders: ['Authorization', 'If-None-Match', 'If-Modified-Since'],
    exposeHeaders: EXPOSED, maxAge: 86_400,
  });
  const access = apiAccess(ctx.tokens, ctx.ip);
  for (const path of READ_PATHS) {
    api.use(path, readCors, access, conditionalGet(), cacheDefaults());
  }
  api.use('/openapi.json', readCors, conditionalGet(), cacheDefaults());
  // The site's feeds read the same to every reader, token or not, and a New on arXiv feed is a whole
  // day: kept as pages are (page-cache.ts), behind the rate limit. A collection's feed is not: its
  // owner may make it private at any moment.
  const keptFeeds = pageCache({ changeToken: () => store.changeToken(), now }, { types: Object.values(MEDIA).map((m) => m.split(';')[0]!), bounds: FEED_CACHE_BOUNDS });
  api.use('/feeds/*', (c, next) => (c.req.path.startsWith('/feeds/collections/') ? next() : keptFeeds(c, next)));
  // Bodies are read whole; refuse a long one while it streams in, whatever Content-Length says.
  const tooLarge = bodyLimit({ maxSize: MAX_JSON_BODY_BYTES, onError: (c) => c.json({ error: `Bodies are limited to ${MAX_JSON_BODY_BYTES / 1024} KB.` }, 413) });
  api.use('/api/v1/*', async (c, next) => (['POST', 'PUT', 'PATCH'].includes(c.req.method) ? tooLarge(c, next) : next()));
  api.use('/mcp', cors({
    origin: '*', allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Accept', 'Mcp-Protocol-Version', 'Mcp-Session-Id', 'Last-Event-ID'],
    exposeHeaders: ['Mcp-Session-Id', ...EXPOSED], maxAge: 86_400,
  }), access);
  const mcpTooLarge = bodyLimit({
    maxSize: MAX_MCP_BODY_BYTES,
    onError: (c) => c.json({ jsonrpc: '2.0', error: { code: -32000, message: `Bodies are limited to ${MAX_MCP_BODY_BYTES / 1024} KB.` }, id: null }, 413),
  });
  api.use('/mcp', async (c, next) => (c.req.method === 'POST' ? mcpTooLarge(c, next) : next()));

  mountHfApi(api, registry, ctx);
  mountApiV1(api, registry, ctx);
  mountFeeds(api, registry, ctx);
  mountCategoryFeeds(api, registry, ctx);
  mountMcp(api, registry, ctx);

  describeOnly(registry, {
    method: 'get', path: '/openapi.json', operationId: 'openapi', tags: ['About the API'],
    summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1.', schema: z.record(z.string(), z.unknown()) } },
  });
  describeOnly(registry, {
    method: 'get', path: '/stats/votes.svg', operationId: 'voteSparkline', tags: ['Papers'],
    summary: 'A paper\'s upvotes over the last month, as a small SVG line (the paper page\'s sparkline)',
    query: z.object({ paper: z.string().max(200).describe('An arXiv id.') }),
    responses: {
      200: { description: 'An SVG image.', mediaType: 'image/svg+xml' },
      // Plain text, like the 404: the address is an image's, read by an <img> or a person, not by a JSON client.
      400: { description: 'No paper given, or not an arXiv id.', mediaType: 'text/plain' },
      404: { description: 'Not on this site.', mediaType: 'text/plain' },
    },
  });

  describeOnly(registry, {
    method: 'get', path: '/papers/{id}.md', operationId: 'paperMarkdown', tags: ['Hugging Face-compatible'],
    summary: 'A paper as Markdown (huggingface_hub\'s read_paper, `hf papers read`)',
    description: 'The title as a heading, authors, arXiv links, versions, code and project links, the Daily papers day and upvotes, the abstract. '
      + 'Text from the data is escaped. Old-style ids as hep-th%2F9901001 (or with the slash, /papers/hep-th/9901001.md); any other form of an id (a version, arXiv:) is redirected to the id without version.',
    params: z.object({ id: z.string().max(200).describe('An arXiv id without version (2505.00201; old-style ids as hep-th%2F9901001).') }),
    responses: {
      200: { description: 'The paper, as text/markdown.', mediaType: 'text/markdown' },
      301: { description: 'The id was given in another form: the address of the id without version.', headers: { Location: { description: '/papers/{id}.md', schema: { type: 'string' } } } },
      404: { description: 'Not on this site.', schema: z.object({ error: z.string() }) },
    },
  });

  let document: Record<string, unknown> | null = null;
  const openapi = () => (document ??= toOpenApi(registry, {
    title: `${config.siteName} API`, version: API_VERSION, serverUrl: ctx.present.baseUrl,
    description: `The JSON API of ${config.siteName}, a Paperboy instance: Hugging Face-compatible paper endpoints, /api/v1, feeds and MCP. See ${ctx.present.baseUrl}/docs/api.`,
  }, { tokenPaths: TOKEN_PATHS }));
  api.get('/openapi.json', (c) => c.json(openapi()));

  const notFound = (c: Context) => c.json({ error: 'There is no such endpoint. The API is described at /docs/api and /openapi.json.' }, 404);
  const unmatched = unmatchedRequest(registry, notFound); // 405 with Allow for a known path under another method
  for (const path of ['/api/*', '/feeds/*', '/openapi.json', '/search.rss', '/search.atom']) api.all(path, unmatched);

  app.route('/', api);

  // Pages

  app.use('/docs/api', conditionalGet());
  app.get('/docs/api', async (c) => {
    c.header('Cache-Control', c.get('user') ? MEMBER_PAGE : 'public, max-age=300');
    return web.html(c, <ApiDocsPage site={await web.site(c)} doc={openapi()} baseUrl={ctx.present.baseUrl}
      limits={{ anonymous: API_RATE_LIMITS.anonymous.limit, token: API_RATE_LIMITS.token.limit }} />);
  });
  mountStats(app, web, ctx.od, ctx.siteStats);
  mountTokenPages(app, web, ctx.tokens);
}
