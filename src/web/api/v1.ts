/**
 * Paperboy's own API, /api/v1: what the site does, as JSON. Reads need no token; a token
 * identifies the caller; writes need a token with write scope (created in Settings, API tokens).
 * Thin handlers: the spec validates, a service acts, a presenter shapes the answer.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { addComment, changeCollection, createCollection, dropCollection, editCollection, removeComment, submitPaper, updateComment, vote } from '../../services/community.ts';
import { MAX_QUERY_CHARS as MAX_ALERT_QUERY_CHARS, MAX_QUERY_TERMS as MAX_ALERT_QUERY_TERMS } from '../../domain/digest.ts';
import { getDailyFeed, getNewFeed } from '../../services/feed.ts';
import { getCategoryFeed } from '../../services/category-feed.ts';
import {
  getPaper, MAX_SEARCH_CHARS, parseListWindow, requireArxivId, searchPapers, similarPapers, voteHistory, withAllAuthors,
} from '../../services/open-data.ts';
import { changeMemberSubscription, endMemberSubscription, memberSubscriptions, subscribe, type SubscriptionDeps } from '../../services/subscriptions.ts';
import { collectionPaperIds, findCollection, findCollectionById, listUserCollections } from '../../store/collections.ts';
import { listPaperCommentsAfter } from '../../store/comments.ts';
import { listCardsByIds } from '../../store/listings.ts';
import { LIST_SORTS, type ListSort } from '../../store/types.ts';
import { findUserByName, type User } from '../../store/users.ts';
import type { ApiContext } from './context.ts';
import { ApiError, type ApiEnv } from './http.ts';
import { categoryParam, dayParam, intParam, LINK_HEADER, nextLink } from './params.ts';
import * as P from './presenters.ts';
import * as S from './schemas.ts';
import { endpoint, type Registry } from './spec.ts';
import { isRowId } from '../../store/row-id.ts';

const ERROR = z.object({ error: z.string() });
const notFound = (what: string) => ({ 404: { description: what, schema: ERROR } });

const sortParam = z.enum(LIST_SORTS as [ListSort, ...ListSort[]], { error: 'sort must be trending, upvotes or newest' }).optional();
const idParams = z.object({ id: z.string().max(200).describe('An arXiv id (2505.00201; old-style ids as hep-th%2F9901001).') });
/** The comments endpoint's page: 100 comments unless asked (at most 500, about 200 KB of JSON). */
const COMMENTS_PER_PAGE = 100;
const MAX_COMMENTS_PER_PAGE = 500;

/** The comments endpoint's opaque cursor: the last comment of a page (when it was written, its id). */
function encodeCommentCursor(key: readonly [string, number]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Reads a cursor made by encodeCommentCursor; a 400 for anything else. */
function decodeCommentCursor(cursor: string): readonly [string, number] {
  const bad = () => new ApiError(400, 'cursor is not one this API returned (take it from the Link header of the previous page).');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw bad();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== 'string' || key[0].length > 40 || !isRowId(key[1]) || !/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(key[0])) throw bad();
  return [key[0], key[1]];
}

/** A saved search (an alert's query), as long as the site's subscribe form allows. */
const alertQuery = (what: string) => z.string().max(MAX_ALERT_QUERY_CHARS).optional()
  .describe(`${what}, in the search box's language: at most ${MAX_ALERT_QUERY_CHARS} characters and ${MAX_ALERT_QUERY_TERMS} terms.`);

const numericId = (what: string) => z.string().regex(/^\d{1,12}$/, `${what} must be a number`).transform(Number);

export function mountApiV1(api: Hono<ApiEnv>, registry: Registry, ctx: ApiContext): void {
  const { od, present, community, deps } = ctx;
  const store = deps.store;
  const caller = (c: Context<ApiEnv>): User | null => c.get('apiUser');
  const me = (c: Context<ApiEnv>): User => c.get('apiUser')!;
  const pageSize = deps.config.pageSize;

  // Lists

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/daily', operationId: 'daily', tags: ['Lists'],
    summary: 'Daily papers of a day, week or month',
    description: 'Without date, week or month: the latest day that has a list (with category, the latest with papers of that category: the category\'s page). The same list as the site\'s pages.',
    query: z.object({
      date: z.string().max(40).optional().describe('YYYY-MM-DD'),
      week: z.string().max(40).optional().describe('YYYY-Www'),
      month: z.string().max(40).optional().describe('YYYY-MM'),
      category: categoryParam.optional().describe('Only papers in this arXiv category.'),
      sort: sortParam.describe('trending (default), upvotes or newest.'),
      page: intParam('page', 1, 10_000, 'Page, from 1.', 1),
      per_page: intParam('per_page', 1, 100, 'Papers per page.', pageSize),
    }),
    responses: { 200: { description: 'A page of the list.', schema: S.PaperList }, ...notFound('A page past the end, or a category with no papers.') },
  }, async (c, { query }) => {
    const window = parseListWindow(query) ?? undefined;
    const request = { window, sort: query.sort ?? 'trending', page: query.page, pageSize: query.per_page } as const;
    // With a category, the category's page as data: its latest day with papers, a 404 for one with none.
    const view = query.category ? await getCategoryFeed(store, { ...request, category: query.category }) : await getDailyFeed(store, request);
    return c.json(P.paperList(present, view, await withAllAuthors(store, view.items)));
  });

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/new', operationId: 'newOnArxiv', tags: ['Lists'],
    summary: 'New on arXiv: what arXiv announced on a day',
    description: 'Without date: the latest announcement day (in the category, when given).',
    query: z.object({
      date: dayParam.optional(),
      category: categoryParam.optional(),
      sort: sortParam.describe('newest (default), trending or upvotes.'),
      page: intParam('page', 1, 10_000, 'Page, from 1.', 1),
      per_page: intParam('per_page', 1, 100, 'Papers per page.', pageSize),
    }),
    responses: { 200: { description: 'A page of the list.', schema: S.PaperList }, ...notFound('A page past the end, or a category with no papers.') },
  }, async (c, { query }) => {
    if (query.category && !(await store.latestAnnouncedDay(query.category))) throw new ApiError(404, `No papers in ${query.category} yet.`);
    const window = query.date ? parseListWindow({ date: query.date }) ?? undefined : undefined;
    const view = await getNewFeed(store, { window, sort: query.sort ?? 'newest', page: query.page, pageSize: query.per_page, category: query.category });
    return c.json(P.paperList(present, view, await withAllAuthors(store, view.items)));
  });

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/search', operationId: 'search', tags: ['Papers'],
    summary: 'Search papers',
    description: 'Full text and meaning, best match first. q uses the search box\'s language (quotes, -word, author:, cat:, year:).',
    query: z.object({
      q: z.string({ error: 'q: say what to look for' }).trim().min(1, 'q: say what to look for').max(MAX_SEARCH_CHARS, `q: at most ${MAX_SEARCH_CHARS} characters`),
      category: categoryParam.optional(),
      from: dayParam.optional().describe('Published on or after this day.'),
      to: dayParam.optional().describe('Published on or before this day.'),
      limit: intParam('limit', 1, 100, 'Most papers.', 20),
    }),
    responses: {
      200: { description: 'The papers, best first.', schema: S.SearchResults },
      503: { description: 'No search engine yet, or its index is not built yet (Retry-After says when to try again): not the same as no results.', schema: ERROR },
    },
  }, async (c, { query }) => {
    if (query.from && query.to && query.from > query.to) throw new ApiError(400, 'from must not be after to.');
    const papers = await searchPapers(od, { q: query.q, limit: query.limit, category: query.category, from: query.from, to: query.to });
    return c.json({ query: query.q, papers: papers.map((p) => P.paper(present, p)) });
  });

  // Papers

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/papers/{id}', operationId: 'paper', tags: ['Papers'],
    summary: 'A paper: every author, versions, links, upvotes',
    params: idParams,
    responses: { 200: { description: 'The paper.', schema: S.PaperDetail }, ...notFound('Not on this site.') },
  }, async (c, { params }) => c.json(P.paperDetail(present, await getPaper(od, requireArxivId(params.id)))));

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/papers/{id}/similar', operationId: 'similarPapers', tags: ['Papers'],
    summary: 'Papers like this one',
    params: idParams,
    query: z.object({ limit: intParam('limit', 1, 50, 'Most papers.', 10) }),
    responses: {
      200: { description: 'The papers, most alike first, each with why.', schema: S.SimilarPapers }, ...notFound('Not on this site.'),
      503: { description: 'This instance has no search engine yet.', schema: ERROR },
    },
  }, async (c, { params, query }) => {
    const papers = await similarPapers(od, requireArxivId(params.id), query.limit);
    return c.json({ papers: papers.map((p) => (p.reason ? { ...P.paper(present, p), reason: p.reason } : P.paper(present, p))) });
  });

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/papers/{id}/votes', operationId: 'voteHistory', tags: ['Papers'],
    summary: 'Upvotes per day (the paper page\'s sparkline)',
    params: idParams,
    query: z.object({ days: intParam('days', 1, 365, 'Days ending today.', 30) }),
    responses: { 200: { description: 'One point a day, oldest first.', schema: S.VoteHistory }, ...notFound('Not on this site.') },
  }, async (c, { params, query }) => c.json(P.voteHistory(await voteHistory(od, requireArxivId(params.id), query.days))));

  endpoint(api, registry, {
    method: 'put', path: '/api/v1/papers/{id}/vote', operationId: 'upvote', tags: ['Votes'], access: 'write',
    summary: 'Upvote a paper (again is fine: one vote per member)',
    params: idParams,
    responses: { 200: { description: 'Your vote and the count.', schema: S.VoteState }, ...notFound('Not on this site.') },
  }, async (c, { params }) => c.json(await vote(community, caller(c), requireArxivId(params.id), true, ctx.ip(c))));

  endpoint(api, registry, {
    method: 'delete', path: '/api/v1/papers/{id}/vote', operationId: 'unvote', tags: ['Votes'], access: 'write',
    summary: 'Take your upvote back',
    params: idParams,
    responses: { 200: { description: 'Your vote and the count.', schema: S.VoteState }, ...notFound('Not on this site.') },
  }, async (c, { params }) => c.json(await vote(community, caller(c), requireArxivId(params.id), false, ctx.ip(c))));

  // Comments

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/papers/{id}/comments', operationId: 'comments', tags: ['Comments'],
    summary: 'A paper\'s discussion, oldest first (threads by parentId)',
    description: `A page of comments, oldest first: follow the Link header (rel="next") until there is none to read them all, each once. A reply comes after the comment it answers, on the same page or a later one.`,
    params: idParams,
    query: z.object({
      cursor: z.string().max(200, 'cursor is not one this API returned').optional().describe('From the Link header of the previous page.'),
      limit: intParam('limit', 1, MAX_COMMENTS_PER_PAGE, 'Comments per page.', COMMENTS_PER_PAGE),
    }),
    responses: {
      200: { description: 'A page of comments; removed ones keep their place without their text.', schema: S.Comments, headers: LINK_HEADER },
      400: { description: 'A limit out of range, or a cursor this API did not return.', schema: ERROR },
      ...notFound('Not on this site.'),
    },
  }, async (c, { params, query }) => {
    const paper = await getPaper(od, requireArxivId(params.id));
    const after = query.cursor !== undefined ? decodeCommentCursor(query.cursor) : null;
    const rows = await listPaperCommentsAfter(store.db, paper.id, after, query.limit + 1);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    if (rows.length > query.limit && last) c.header('Link', nextLink(c, ctx.present.baseUrl, { cursor: encodeCommentCursor([last.createdAt, last.id]), limit: String(query.limit) }));
    return c.json({ paperId: paper.id, comments: items.map(P.comment) });
  });

  endpoint(api, registry, {
    method: 'post', path: '/api/v1/papers/{id}/comments', operationId: 'addComment', tags: ['Comments'], access: 'write',
    summary: 'Comment on a paper, or reply to a comment (Markdown)',
    description: 'Needs a confirmed e-mail address.',
    params: idParams,
    body: z.object({ body: z.string().max(20_000), parentId: z.number().int().positive().optional() }),
    responses: {
      201: { description: 'The new comment.', schema: S.Created }, ...notFound('No such paper, or no such comment to reply to.'),
      409: { description: 'The comment replied to was removed (deleted by its author or hidden by a moderator).', schema: ERROR },
      422: { description: 'The text is empty or too long.', schema: ERROR },
    },
  }, async (c, { params, body }) => {
    const paperId = requireArxivId(params.id);
    const id = await addComment(community, caller(c), { paperId, body: body.body, parentId: body.parentId }, ctx.ip(c));
    return c.json({ id, url: `${P.paperUrl(present, paperId)}?comment=${id}#c${id}` }, 201);
  });

  endpoint(api, registry, {
    method: 'patch', path: '/api/v1/comments/{id}', operationId: 'editComment', tags: ['Comments'], access: 'write',
    summary: 'Edit your comment',
    params: z.object({ id: numericId('id') }),
    body: z.object({ body: z.string().max(20_000) }),
    responses: {
      200: { description: 'Edited.', schema: S.Created }, ...notFound('No such comment.'),
      409: { description: 'The comment changed while this edit was made (removed meanwhile): try again.', schema: ERROR },
      422: { description: 'The text is empty or too long.', schema: ERROR },
    },
  }, async (c, { params, body }) => {
    const paperId = await updateComment(community, caller(c), params.id, body.body);
    return c.json({ id: params.id, url: `${P.paperUrl(present, paperId)}?comment=${params.id}#c${params.id}` });
  });

  endpoint(api, registry, {
    method: 'delete', path: '/api/v1/comments/{id}', operationId: 'deleteComment', tags: ['Comments'], access: 'write',
    summary: 'Delete your comment (replies stay)',
    params: z.object({ id: numericId('id') }),
    responses: { 204: { description: 'Deleted.' }, ...notFound('No such comment.') },
  }, async (c, { params }) => {
    await removeComment(community, caller(c), params.id);
    return c.body(null, 204);
  });

  // Submissions

  endpoint(api, registry, {
    method: 'post', path: '/api/v1/submissions', operationId: 'submit', tags: ['Submissions'], access: 'write',
    summary: 'Put a paper on today\'s Daily papers list',
    description: 'By arXiv id or URL; fetched from arXiv when the site does not have it. Needs a confirmed e-mail address; a daily quota applies.',
    body: z.object({ id: z.string().max(200), codeUrl: z.string().max(500).optional(), projectUrl: z.string().max(500).optional() }),
    responses: {
      201: { description: 'On the list.', schema: S.Submission },
      ...notFound('arXiv does not know the paper.'),
      409: { description: 'Already on a list.', schema: ERROR },
      422: { description: 'Not an arXiv id, or a link that is not http(s).', schema: ERROR },
      503: { description: 'arXiv could not be reached to fetch the paper: try again after Retry-After seconds.', schema: ERROR, headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } },
    },
  }, async (c, { body }) => {
    const r = await submitPaper(community, caller(c), { id: body.id, codeUrl: body.codeUrl, projectUrl: body.projectUrl });
    return c.json({ ...r, url: P.paperUrl(present, r.paperId) }, 201);
  });

  // Collections

  const collectionsOf = async (c: Context<ApiEnv>, name: string) => {
    const owner = await findUserByName(store.db, name);
    if (!owner) throw new ApiError(404, 'There is no member by that name.');
    // Checked with us on every use, as a collection's feed is: its owner may make it private at any time.
    c.header('Cache-Control', c.req.header('authorization') ? 'private, no-cache' : 'public, no-cache');
    return { owner, mine: caller(c)?.id === owner.id };
  };

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/users/{name}/collections', operationId: 'userCollections', tags: ['Collections'], access: 'optional',
    summary: 'A member\'s public collections (all of them, to their own token)',
    params: z.object({ name: z.string().max(40) }),
    responses: { 200: { description: 'The collections.', schema: S.Collections }, ...notFound('No such member.') },
  }, async (c, { params }) => {
    const { owner, mine } = await collectionsOf(c, params.name);
    const rows = await listUserCollections(store.db, owner.id, !mine);
    return c.json({ collections: rows.map((r) => P.collection(present, r)) });
  });

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/users/{name}/collections/{slug}', operationId: 'collection', tags: ['Collections'], access: 'optional',
    summary: 'A collection and its papers, latest added first',
    params: z.object({ name: z.string().max(40), slug: z.string().max(80) }),
    responses: { 200: { description: 'The collection.', schema: S.CollectionWithPapers }, ...notFound('No such collection, or a private one.') },
  }, async (c, { params }) => {
    const { owner, mine } = await collectionsOf(c, params.name);
    const found = await findCollection(store.db, owner.id, params.slug);
    if (!found || (!found.isPublic && !mine)) throw new ApiError(404, 'There is no such collection (or it is private).');
    const cards = await withAllAuthors(store, await listCardsByIds(store.db, await collectionPaperIds(store.db, found.id, 500, 0)));
    return c.json({ ...P.collection(present, found), papers: cards.map((p) => P.paper(present, p)) });
  });

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/me/collections', operationId: 'myCollections', tags: ['Collections'], access: 'read',
    summary: 'Your collections, private ones too',
    responses: { 200: { description: 'The collections.', schema: S.Collections } },
  }, async (c) => c.json({ collections: (await listUserCollections(store.db, me(c).id, false)).map((r) => P.collection(present, r)) }));

  endpoint(api, registry, {
    method: 'post', path: '/api/v1/me/collections', operationId: 'createCollection', tags: ['Collections'], access: 'write',
    summary: 'Create a collection',
    body: z.object({ name: z.string().max(200), public: z.boolean().optional() }),
    responses: {
      201: { description: 'The new collection.', schema: S.Collection },
      409: { description: 'You have many collections with that name already.', schema: ERROR },
      422: { description: 'No name, or one too long.', schema: ERROR },
    },
  }, async (c, { body }) => {
    const created = await createCollection(community, caller(c), { name: body.name, isPublic: body.public === true });
    return c.json(P.collection(present, (await findCollectionById(store.db, created.id))!), 201);
  });

  endpoint(api, registry, {
    method: 'patch', path: '/api/v1/me/collections/{id}', operationId: 'changeCollection', tags: ['Collections'], access: 'write',
    summary: 'Rename one of your collections, or make it public or private',
    description: 'Fields left out stay as they are. The collection keeps its id and its address (slug) when renamed. Made private, its page and feed answer 404 to everyone else at once.',
    params: z.object({ id: numericId('id') }),
    body: z.object({ name: z.string().max(200).optional(), public: z.boolean().optional() }),
    responses: {
      200: { description: 'The collection as it is now.', schema: S.Collection },
      ...notFound('You have no such collection.'),
      422: { description: 'Neither name nor public given, or a name that is empty or too long.', schema: ERROR },
    },
  }, async (c, { params, body }) => {
    if (body.name === undefined && body.public === undefined) throw new ApiError(422, 'Give a new name, public (true or false), or both.');
    const changed = await editCollection(community, caller(c), params.id, { name: body.name, isPublic: body.public });
    return c.json(P.collection(present, changed));
  });

  endpoint(api, registry, {
    method: 'delete', path: '/api/v1/me/collections/{id}', operationId: 'deleteCollection', tags: ['Collections'], access: 'write',
    summary: 'Delete one of your collections',
    params: z.object({ id: numericId('id') }),
    responses: { 204: { description: 'Deleted.' }, ...notFound('You have no such collection.') },
  }, async (c, { params }) => {
    await dropCollection(community, caller(c), params.id);
    return c.body(null, 204);
  });

  for (const [method, action, summary] of [['put', 'add', 'Add a paper to one of your collections'], ['delete', 'remove', 'Take a paper out of one of your collections']] as const) {
    endpoint(api, registry, {
      method, path: '/api/v1/me/collections/{id}/papers/{paperId}', operationId: action === 'add' ? 'collectPaper' : 'uncollectPaper', tags: ['Collections'], access: 'write',
      summary,
      params: z.object({ id: numericId('id'), paperId: z.string().max(200) }),
      responses: { 204: { description: 'Done (also when it already was).' }, ...notFound('No such collection of yours, or no such paper.') },
    }, async (c, { params }) => {
      await changeCollection(community, caller(c), { collectionId: params.id, paperId: requireArxivId(params.paperId), action });
      return c.body(null, 204);
    });
  }

  // The caller

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/me', operationId: 'me', tags: ['Account'], access: 'read',
    summary: 'Who the token belongs to',
    responses: { 200: { description: 'The member and the token.', schema: S.Me } },
  }, async (c) => c.json(P.me(me(c), c.get('apiToken')!)));

  // Subscriptions (digests by e-mail)

  const subscriptionDeps: SubscriptionDeps = {
    store, mailer: deps.mailer, baseUrl: deps.config.baseUrl, siteName: deps.config.siteName, now: () => deps.clock.now(), later: deps.afterAnswer,
    onMailFailure: (err) => deps.logger.error({ err: err.cause ?? err }, `mail: a subscription e-mail (confirmation link or note) was not sent: ${err.message}`),
  };

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/me/subscriptions', operationId: 'mySubscriptions', tags: ['Subscriptions'], access: 'read',
    summary: 'Your digest subscriptions',
    responses: { 200: { description: 'The subscriptions.', schema: S.Subscriptions } },
  }, async (c) => c.json({ subscriptions: (await memberSubscriptions(store, me(c))).map(P.subscription) }));

  endpoint(api, registry, {
    method: 'post', path: '/api/v1/me/subscriptions', operationId: 'subscribe', tags: ['Subscriptions'], access: 'write',
    summary: 'Subscribe your address to a digest: trending papers, or a saved search',
    description: 'The account\'s address (confirmed: tokens work only for such accounts) is subscribed at once; nothing is e-mailed.',
    body: z.object({
      period: z.enum(['daily', 'weekdays', 'weekly']).optional(),
      kind: z.enum(['trending', 'search']).optional(),
      query: alertQuery('The search, for kind search'),
    }),
    responses: {
      201: { description: 'Subscribed: a subscription was created.', schema: S.SubscribeResult },
      200: { description: 'Nothing was created: the address already gets this digest (already-subscribed).', schema: S.SubscribeResult },
      422: { description: 'A search alert without a query, or too many subscriptions.', schema: ERROR },
    },
  }, async (c, { body }) => {
    const r = await subscribe(subscriptionDeps, { email: undefined, period: body.period, kind: body.kind, query: body.query, ip: ctx.ip(c), member: me(c) });
    return c.json({ outcome: r.outcome, subscription: r.subscription ? P.subscription(r.subscription) : null }, r.outcome === 'subscribed' ? 201 : 200);
  });

  endpoint(api, registry, {
    method: 'patch', path: '/api/v1/me/subscriptions/{id}', operationId: 'changeSubscription', tags: ['Subscriptions'], access: 'write',
    summary: 'Change how often a digest comes, or an alert\'s search',
    params: z.object({ id: z.string().regex(/^\d{1,12}$/, 'id must be a number') }),
    body: z.object({ period: z.enum(['daily', 'weekdays', 'weekly']), query: alertQuery('A search alert\'s new search') }),
    responses: {
      200: { description: 'The subscription.', schema: S.SubscriptionSchema }, ...notFound('You have no such subscription.'),
      422: { description: 'An alert\'s search that is empty or does not parse.', schema: ERROR },
    },
  }, async (c, { params, body }) => {
    const s = await changeMemberSubscription(subscriptionDeps, me(c), params.id, { action: 'update', period: body.period, query: body.query });
    return c.json(P.subscription(s));
  });

  endpoint(api, registry, {
    method: 'delete', path: '/api/v1/me/subscriptions/{id}', operationId: 'unsubscribe', tags: ['Subscriptions'], access: 'write',
    summary: 'Unsubscribe',
    params: z.object({ id: z.string().regex(/^\d{1,12}$/, 'id must be a number') }),
    responses: { 204: { description: 'Unsubscribed (also when it already was).' }, ...notFound('You have no such subscription.') },
  }, async (c, { params }) => {
    await endMemberSubscription(subscriptionDeps, me(c), params.id);
    return c.body(null, 204);
  });

  // Numbers

  endpoint(api, registry, {
    method: 'get', path: '/api/v1/stats', operationId: 'stats', tags: ['Stats'],
    summary: 'The numbers behind /stats',
    query: z.object({ month: z.string().max(40).optional().describe('YYYY-MM: the month of the most-upvoted list (default: the latest list\'s).') }),
    responses: { 200: { description: 'Per-day counts, top categories, the month\'s most upvoted.', schema: S.Stats } },
  }, async (c, { query }) => {
    const month = query.month !== undefined ? parseListWindow({ month: query.month }) ?? undefined : undefined;
    return c.json(P.stats(present, await ctx.siteStats(month)));
  });
}
