/**
 * RSS 2.0 and Atom 1.0 feeds: the Daily papers list, the week's list, New on arXiv (all, or one
 * category), any search, and a member's public collection; and `FeedLinks`, the autodiscovery
 * <link>s for a page's head. The lists come from the same service calls as the pages.
 */
import type { Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { dayToMs, formatWindow, type DayWindow } from '../domain/dates.ts';
import { escapeXml as xmlText } from '../domain/svg-chart.ts';
import { getDailyFeed, getNewFeed, latestWindow } from '../services/feed.ts';
import { MAX_SEARCH_CHARS, parseListWindow, searchPapers, withAllAuthors } from '../services/open-data.ts';
import { collectionPaperIds, findCollection } from '../store/collections.ts';
import { listsChangedAt, type ListKind } from '../store/list-changes.ts';
import { listCardsByIds } from '../store/listings.ts';
import type { Database } from '../store/schema.ts';
import { listedEntry, type PaperCard } from '../store/types.ts';
import { findUserByName } from '../store/users.ts';
import type { ApiContext } from './api/context.ts';
import { ApiError, httpDate, type ApiEnv } from './api/http.ts';
import { CATEGORY_RE, dayParam } from './api/params.ts';
import { endpoint, type Registry } from './api/spec.ts';

// --- Rendering -----------------------------------------------------------------------------------

export interface FeedItem {
  /** A permanent, unique URL: the paper's page. */
  id: string;
  url: string;
  title: string;
  /** Plain text. */
  summary: string;
  authors: string[];
  categories: string[];
  /** When the item appeared (entered the list, or was published), ms since the epoch. */
  published: number;
  updated: number;
}

export interface FeedDoc {
  title: string;
  description: string;
  /** The page the feed follows. */
  pageUrl: string;
  /** The feed's own URL (rel="self"). */
  selfUrl: string;
  siteName: string;
  /** The newest item's time, or when the list's window ends. */
  updated: number;
  items: FeedItem[];
}

const AUTHORS_SHOWN = 20;
const authorLine = (authors: string[]) => (authors.length > AUTHORS_SHOWN ? `${authors.slice(0, AUTHORS_SHOWN).join(', ')} et al. (${authors.length} authors)` : authors.join(', '));

/** RSS 2.0 (with atom:link rel="self" and dc:creator), dates in RFC 822. */
export function renderRss(doc: FeedDoc): string {
  const x = xmlText;
  const selfUrl = doc.selfUrl;
  const items = doc.items.map((i) => [
    '<item>',
    `<title>${x(i.title)}</title>`,
    `<link>${x(i.url)}</link>`,
    `<guid isPermaLink="true">${x(i.id)}</guid>`,
    `<pubDate>${new Date(i.published).toUTCString()}</pubDate>`,
    // One dc:creator per author (Dublin Core's element repeats), as Atom has one <author> each.
    ...i.authors.slice(0, AUTHORS_SHOWN).map((a) => `<dc:creator>${x(a)}</dc:creator>`),
    ...i.categories.map((c) => `<category>${x(c)}</category>`),
    `<description>${x(`<p>${x(authorLine(i.authors))}</p><p>${x(i.summary)}</p>`)}</description>`,
    '</item>',
  ].join('')).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>${x(doc.title)}</title>
<link>${x(doc.pageUrl)}</link>
<description>${x(doc.description)}</description>
<language>en</language>
<lastBuildDate>${new Date(doc.updated).toUTCString()}</lastBuildDate>
<generator>Paperboy</generator>
<ttl>60</ttl>
<atom:link href="${x(selfUrl)}" rel="self" type="application/rss+xml"/>
${items}
</channel>
</rss>
`;
}

/** Atom 1.0 (RFC 4287), dates in RFC 3339. */
export function renderAtom(doc: FeedDoc): string {
  const x = xmlText;
  const selfUrl = doc.selfUrl;
  const iso = (ms: number) => new Date(ms).toISOString();
  const entries = doc.items.map((i) => [
    '<entry>',
    `<id>${x(i.id)}</id>`,
    `<title type="text">${x(i.title)}</title>`,
    `<link rel="alternate" type="text/html" href="${x(i.url)}"/>`,
    `<published>${iso(i.published)}</published>`,
    `<updated>${iso(i.updated)}</updated>`,
    ...(i.authors.length ? i.authors.slice(0, AUTHORS_SHOWN) : [doc.siteName]).map((a) => `<author><name>${x(a)}</name></author>`),
    ...i.categories.map((c) => `<category term="${x(c)}"/>`),
    `<summary type="text">${x(i.summary)}</summary>`,
    '</entry>',
  ].join('')).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${x(selfUrl)}</id>
<title type="text">${x(doc.title)}</title>
<subtitle type="text">${x(doc.description)}</subtitle>
<updated>${iso(doc.updated)}</updated>
<link rel="self" type="application/atom+xml" href="${x(selfUrl)}"/>
<link rel="alternate" type="text/html" href="${x(doc.pageUrl)}"/>
<author><name>${x(doc.siteName)}</name></author>
<generator>Paperboy</generator>
${entries}
</feed>
`;
}

/**
 * A paper as a feed item, dated by `dateOf`: entry into the list, publication, or a given time
 * (the announcement day of New on arXiv, where a re-listed paper may have been published years ago).
 */
export function feedItem(baseUrl: string, p: PaperCard, dateOf: 'listed' | 'published' | { at: number }): FeedItem {
  const entry = listedEntry(p.entry);
  const listed = entry ? Date.parse(entry.submittedAt) : NaN;
  const published = p.publishedAt ? Date.parse(p.publishedAt) : NaN;
  const when = typeof dateOf === 'object' ? dateOf.at
    : dateOf === 'listed' ? (Number.isNaN(listed) ? published : listed) : (Number.isNaN(published) ? listed : published);
  const at = Number.isNaN(when) ? 0 : when;
  const url = `${baseUrl}/papers/${p.id}`;
  return { id: url, url, title: p.title, summary: p.abstract, authors: p.authors, categories: p.categories, published: at, updated: at };
}

// --- Autodiscovery -----------------------------------------------------------------------------

export interface FeedLink {
  title: string;
  /** Path of the RSS feed; the Atom one is the same with .atom. */
  rss: string;
}

/** The feeds every page offers: the daily and the weekly lists. */
export const SITE_FEEDS: FeedLink[] = [
  { title: 'Daily papers', rss: '/feeds/daily.rss' },
  { title: 'Papers of the week', rss: '/feeds/weekly.rss' },
];

/** The feed of New on arXiv, all or in a category. */
export function newFeedLink(category?: string): FeedLink {
  return category ? { title: `New on arXiv in ${category}`, rss: `/feeds/new/${category}.rss` } : { title: 'New on arXiv', rss: '/feeds/new.rss' };
}

/** The feed of a public collection. */
export function collectionFeedLink(username: string, slug: string, name: string): FeedLink {
  return { title: `Collection: ${name}`, rss: `/feeds/collections/${encodeURIComponent(username)}/${encodeURIComponent(slug)}.rss` };
}

/** The feed of a search. */
export function searchFeedLink(q: string): FeedLink {
  return { title: `Search: ${q.slice(0, 80)}`, rss: `/search.rss?q=${encodeURIComponent(q)}` };
}

/** `<link rel="alternate">` for each feed, RSS and Atom, for a page's <head>: feed readers find them. */
export function FeedLinks({ feeds = SITE_FEEDS, siteName }: { feeds?: FeedLink[]; siteName: string }) {
  return (
    <>
      {feeds.flatMap((f) => [
        <link rel="alternate" type="application/rss+xml" title={`${f.title} · ${siteName} (RSS)`} href={f.rss} />,
        <link rel="alternate" type="application/atom+xml" title={`${f.title} · ${siteName} (Atom)`} href={f.rss.replace(/\.rss(\?|$)/, '.atom$1')} />,
      ])}
    </>
  );
}

// --- Routes ------------------------------------------------------------------------------------

type Format = 'rss' | 'atom';
const FORMATS: Format[] = ['rss', 'atom'];
export const MEDIA: Record<Format, string> = { rss: 'application/rss+xml; charset=utf-8', atom: 'application/atom+xml; charset=utf-8' };

/**
 * How many items each feed carries. New on arXiv carries its whole day, as arXiv's own feeds do
 * (the recorded cs feed of one day has 1,504 items; the demo corpus's days have up to 679): a
 * reader who follows it sees every paper. Its bound only stops a runaway import from making a
 * feed of tens of megabytes.
 */
const FEED_SIZE = { daily: 100, weekly: 50, new: 5_000, search: 50, collection: 100 } as const;

/**
 * Site feeds may be kept 5 minutes. A collection's feed is checked with us on every use
 * (`no-cache`; an unchanged feed costs a 304), because its owner can make it private at any time.
 */
function send(c: Context, doc: FeedDoc, format: Format, cacheControl = 'public, max-age=300', dated = true): Response {
  const body = format === 'rss' ? renderRss(doc) : renderAtom(doc);
  return c.body(body, 200, { 'Content-Type': MEDIA[format], 'Cache-Control': cacheControl, ...(dated ? lastModified(doc.updated) : {}) });
}

/** Last-Modified for a feed dated `updated`; none for a feed with no date (nothing listed yet). */
export const lastModified = (updated: number): Record<string, string> => (updated > 0 ? { 'Last-Modified': httpDate(updated) } : {});

/**
 * When a feed last changed: its newest item, or `fallback` (the window's last day) when that is
 * later, but never after `nowMs`: a Last-Modified in the future (a feed of a day to come) would
 * make caches send it back as If-Modified-Since and get 304s until then (RFC 9110, 8.8.2.1).
 */
export const feedUpdated = (items: readonly FeedItem[], fallback: number, nowMs: number) => Math.min(items.reduce((m, i) => Math.max(m, i.updated), fallback), nowMs);

/**
 * When a window's list last changed: the end of its last day, or a later change recorded for its
 * days (an entry hidden, taken off, pinned, ...), so that a feed's date never moves back.
 */
export async function listChanged(db: Kysely<Database>, list: ListKind, w: DayWindow | null): Promise<number> {
  if (!w) return 0;
  const at = await listsChangedAt(db, list, w.from, w.to);
  return Math.max(dayToMs(w.to), at ? Date.parse(at) || 0 : 0);
}

export function mountFeeds(api: Hono<ApiEnv>, registry: Registry, ctx: ApiContext): void {
  const { store } = ctx.deps;
  const base = ctx.present.baseUrl;
  const site = ctx.siteName;
  const newest = (items: FeedItem[], fallback: number) => feedUpdated(items, fallback, ctx.od.now());
  const selfOf = (c: Context) => {
    const u = new URL(c.req.url);
    return `${base}${u.pathname}${u.search}`;
  };
  const feedResponses = (format: Format, extra: Record<number, { description: string; schema: z.ZodType }> = {}) => ({
    200: { description: format === 'rss' ? 'An RSS 2.0 feed.' : 'An Atom 1.0 feed.', mediaType: MEDIA[format].split(';')[0]! },
    ...extra,
  });
  const ERROR = z.object({ error: z.string() });

  for (const format of FORMATS) {
    const F = format === 'rss' ? 'RSS' : 'Atom';

    endpoint(api, registry, {
      method: 'get', path: `/feeds/daily.${format}`, operationId: `dailyFeed${F}`, tags: ['Feeds'],
      summary: `Daily papers (${F})`, description: 'The latest day\'s list (or the day given), trending first.',
      query: z.object({ date: dayParam.optional() }),
      responses: feedResponses(format),
    }, async (c, { query }) => {
      const window = query.date ? parseListWindow({ date: query.date }) ?? undefined : undefined;
      const view = await getDailyFeed(store, { window, sort: 'trending', page: 1, pageSize: FEED_SIZE.daily });
      const items = (await withAllAuthors(store, view.items)).map((p) => feedItem(base, p, 'listed'));
      const when = view.window ? formatWindow(view.window) : 'no list yet';
      return send(c, {
        title: `Daily papers · ${site}`, description: `The papers members put on the Daily papers list of ${site} (${when}).`,
        pageUrl: view.window ? `${base}/papers/date/${view.window.label}` : `${base}/`, selfUrl: selfOf(c), siteName: site,
        updated: newest(items, await listChanged(store.db, 'daily', view.window)), items,
      }, format);
    });

    endpoint(api, registry, {
      method: 'get', path: `/feeds/weekly.${format}`, operationId: `weeklyFeed${F}`, tags: ['Feeds'],
      summary: `Papers of the week (${F})`, description: 'The most trending papers of the latest week with a list (or the week given).',
      query: z.object({ week: z.string().max(40).optional().describe('YYYY-Www') }),
      responses: feedResponses(format),
    }, async (c, { query }) => {
      const window = query.week !== undefined ? parseListWindow({ week: query.week }) : await latestWindow(store, 'week');
      const view = window
        ? await getDailyFeed(store, { window, sort: 'trending', page: 1, pageSize: FEED_SIZE.weekly })
        : { window: null, items: [] as PaperCard[] };
      const items = (await withAllAuthors(store, view.items)).map((p) => feedItem(base, p, 'listed'));
      return send(c, {
        title: `Papers of the week · ${site}`, description: `The week's most trending Daily papers on ${site}${view.window ? ` (${formatWindow(view.window)})` : ''}.`,
        pageUrl: view.window ? `${base}/papers/week/${view.window.label}` : `${base}/`, selfUrl: selfOf(c), siteName: site,
        updated: newest(items, await listChanged(store.db, 'daily', view.window)), items,
      }, format);
    });

    const newFeed = async (c: Context<ApiEnv>, category: string | undefined, date: string | undefined) => {
      if (category !== undefined && !(await store.latestAnnouncedDay(category))) throw new ApiError(404, `No papers in ${category} yet.`);
      const window = date ? parseListWindow({ date }) ?? undefined : undefined;
      const view = await getNewFeed(store, { window, sort: 'newest', page: 1, pageSize: FEED_SIZE.new, category });
      // Dated by the announcement, as arXiv's own feeds are: a replaced or cross-listed paper is news that day.
      const announced = view.window ? dayToMs(view.window.from) : null;
      const items = (await withAllAuthors(store, view.items)).map((p) => feedItem(base, p, announced === null ? 'published' : { at: announced }));
      const what = category ? `New on arXiv in ${category}` : 'New on arXiv';
      return send(c, {
        title: `${what} · ${site}`, description: `Everything arXiv announced${category ? ` in ${category}` : ''} on ${view.window ? formatWindow(view.window) : 'its latest day'}.`,
        pageUrl: `${base}/new${category ? `/${category}` : ''}${view.window ? `?date=${view.window.label}` : ''}`, selfUrl: selfOf(c), siteName: site,
        updated: newest(items, await listChanged(store.db, 'new', view.window)), items,
      }, format);
    };

    endpoint(api, registry, {
      method: 'get', path: `/feeds/new.${format}`, operationId: `newFeed${F}`, tags: ['Feeds'],
      summary: `New on arXiv (${F})`, description: 'Everything arXiv announced on its latest day (or the day given), newest first.',
      query: z.object({ date: dayParam.optional() }),
      responses: feedResponses(format),
    }, (c, { query }) => newFeed(c, undefined, query.date));

    endpoint(api, registry, {
      method: 'get', path: `/feeds/new/{category}.${format}`, operationId: `newCategoryFeed${F}`, tags: ['Feeds'],
      honoPath: `/feeds/new/:category{[A-Za-z.-]+\\.${format}}`,
      summary: `New on arXiv in a category (${F})`,
      params: z.object({
        category: z.string().transform((s) => s.slice(0, -(format.length + 1)))
          .pipe(z.string().regex(CATEGORY_RE, 'category must be an arXiv category like cs.CL')).describe('An arXiv category, like cs.CL.'),
      }),
      query: z.object({ date: dayParam.optional() }),
      responses: feedResponses(format, { 404: { description: 'No papers in this category.', schema: ERROR } }),
    }, (c, { params, query }) => newFeed(c, params.category, query.date));

    endpoint(api, registry, {
      method: 'get', path: `/search.${format}`, operationId: `searchFeed${F}`, tags: ['Feeds'],
      summary: `A search, as a feed (${F})`, description: 'The best matches of a search: subscribe to follow a topic.',
      query: z.object({ q: z.string({ error: 'q: say what to look for' }).trim().min(1, 'q: say what to look for').max(MAX_SEARCH_CHARS, `q: at most ${MAX_SEARCH_CHARS} characters`) }),
      responses: feedResponses(format, { 503: { description: 'No search engine yet, or its index is not built yet (Retry-After says when to try again).', schema: ERROR } }),
    }, async (c, { query }) => {
      const items = (await searchPapers(ctx.od, { q: query.q, limit: FEED_SIZE.search })).map((p) => feedItem(base, p, 'published'));
      return send(c, {
        title: `Search: ${query.q} · ${site}`, description: `Papers on ${site} matching "${query.q}".`,
        // Its results change whenever the index does (a paper indexed late, an edit), whatever their
        // dates: no Last-Modified, and its ETag tells a client whether it changed. The date written
        // in it must not change between two identical answers (the ETag is the body's): its newest
        // paper's, or with none the start of today.
        pageUrl: `${base}/search?q=${encodeURIComponent(query.q)}`, selfUrl: selfOf(c), siteName: site,
        updated: newest(items, 0) || dayToMs(new Date(ctx.od.now()).toISOString().slice(0, 10)), items,
      }, format, undefined, false);
    });

    endpoint(api, registry, {
      method: 'get', path: `/feeds/collections/{user}/{slug}.${format}`, operationId: `collectionFeed${F}`, tags: ['Feeds'],
      honoPath: `/feeds/collections/:user/:slug{[^/]+\\.${format}}`,
      summary: `A member's public collection (${F})`,
      params: z.object({ user: z.string().max(40), slug: z.string().max(90).transform((s) => s.slice(0, -(format.length + 1))) }),
      responses: feedResponses(format, { 404: { description: 'No such collection, or a private one.', schema: ERROR } }),
    }, async (c, { params }) => {
      const owner = await findUserByName(store.db, params.user);
      const found = owner ? await findCollection(store.db, owner.id, params.slug) : null;
      if (!found || !found.isPublic) throw new ApiError(404, 'There is no such public collection.');
      const cards = await withAllAuthors(store, await listCardsByIds(store.db, await collectionPaperIds(store.db, found.id, FEED_SIZE.collection, 0)));
      const items = cards.map((p) => feedItem(base, p, 'published'));
      return send(c, {
        title: `${found.name} · a collection by ${found.username} · ${site}`, description: `Papers ${found.username} collected in "${found.name}" on ${site}.`,
        pageUrl: `${base}/users/${encodeURIComponent(found.username)}/collections/${encodeURIComponent(found.slug)}`, selfUrl: selfOf(c), siteName: site,
        updated: newest(items, Date.parse(found.changedAt) || 0), items,
      }, format, 'public, no-cache');
    });
  }
}
