/**
 * The MCP server at /mcp (Model Context Protocol, streamable HTTP, the official TypeScript SDK):
 * tools for assistants to list a day's or week's papers, list what arXiv announced, search, read
 * a paper and find similar papers. Stateless: each POST gets a fresh server and transport, so
 * any app process can answer any request, and nothing is kept between requests.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { formatWindow } from '../domain/dates.ts';
import { UserError } from '../services/errors.ts';
import { getDailyFeed, getNewFeed, NotFoundError } from '../services/feed.ts';
import { getPaper, MAX_SEARCH_CHARS, parseListWindow, requireArxivId, searchPapers, similarPapers, withAllAuthors } from '../services/open-data.ts';
import { listedEntry, type PaperCard, type PaperDetail } from '../store/types.ts';
import type { ApiContext } from './api/context.ts';
import type { ApiEnv } from './api/http.ts';
import { paper as presentPaper, paperDetail as presentDetail } from './api/presenters.ts';
import { describeOnly, JsonRpcErrorBody, type Registry } from './api/spec.ts';

/** Version of the tools' contract, reported to clients. */
const SERVER_VERSION = '1.0.0';
/** Abstracts in lists are cut here: enough to judge a paper, short enough for a model's context. */
const LIST_ABSTRACT_CHARS = 600;

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n).replace(/\s+\S*$/, '')}…` : s);

function describePaper(p: PaperCard | PaperDetail, rank: number | null, full: boolean, baseUrl: string): string {
  const entry = listedEntry(p.entry);
  const authors = p.authors.length > 12 ? `${p.authors.slice(0, 12).join(', ')} et al. (${p.authors.length} authors)` : p.authors.join(', ');
  const lines = [
    `${rank !== null ? `${rank}. ` : ''}**${p.title}** (arXiv:${p.id})`,
    `   Authors: ${authors || 'unknown'}`,
    `   Published: ${p.publishedAt?.slice(0, 10) ?? 'unknown'} · Categories: ${p.categories.join(', ') || 'none'} · Upvotes: ${p.upvotes} · Comments: ${p.commentsCount}`,
    entry ? `   On the Daily papers list of ${entry.day}${entry.submittedBy ? `, submitted by ${entry.submittedBy}` : ''}` : null,
    `   Page: ${baseUrl}/papers/${p.id} · arXiv: https://arxiv.org/abs/${p.id}${p.codeUrl ? ` · Code: ${p.codeUrl}` : ''}`,
    `   Abstract: ${full ? p.abstract : cut(p.abstract, LIST_ABSTRACT_CHARS)}`,
  ];
  return lines.filter((l): l is string => l !== null).join('\n');
}

function ok(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** Runs a tool; errors a person can act on come back as a tool error with the message. */
async function answer(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UserError) return { isError: true, content: [{ type: 'text', text: err.message }] };
    if (err instanceof NotFoundError) return { isError: true, content: [{ type: 'text', text: `There is no such page: ${err.message}.` }] };
    throw err;
  }
}

/**
 * The SDK's server and transport, imported by the first request to /mcp rather than when the app
 * starts: with the schema validators it brings, the SDK is about 130 modules, a tenth of what a
 * process starting the app loads, for a route most instances rarely serve.
 */
let sdk: Promise<{ McpServer: typeof McpServer; Transport: typeof import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js').WebStandardStreamableHTTPServerTransport }> | null = null;
const loadSdk = () => (sdk ??= Promise.all([
  import('@modelcontextprotocol/sdk/server/mcp.js'),
  import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'),
]).then(([server, transport]) => ({ McpServer: server.McpServer, Transport: transport.WebStandardStreamableHTTPServerTransport })));

/** A server with the tools, over this instance's data. */
function createMcpServer(ctx: ApiContext, Server: typeof McpServer): McpServer {
  const { store } = ctx.deps;
  const base = ctx.present.baseUrl;
  const server = new Server(
    { name: 'paperboy', title: ctx.siteName, version: SERVER_VERSION },
    {
      instructions: `${ctx.siteName} is a Daily Papers site: research papers from arXiv that its community submits and upvotes, `
        + 'ranked by a trending formula. Use list_daily_papers for a day\'s, week\'s or month\'s list, list_new_papers for everything arXiv '
        + 'announced, search_papers to find papers on a topic, get_paper for one paper in full, and find_similar_papers for related work. '
        + 'Paper ids are arXiv ids like 2505.00201.',
    },
  );
  const readOnly = { readOnlyHint: true, openWorldHint: false };
  const list = (cards: PaperCard[], heading: string) => ok(
    cards.length ? `${heading}\n\n${cards.map((p, i) => describePaper(p, i + 1, false, base)).join('\n\n')}` : `${heading}\n\nNo papers.`,
    { papers: cards.map((p) => presentPaper(ctx.present, p)) },
  );

  server.registerTool('list_daily_papers', {
    title: 'List Daily papers',
    description: 'The Daily papers list of a day, an ISO week or a month (give at most one), or of the latest day with a list. '
      + 'Sorted by trending (default), upvotes or newest.',
    inputSchema: {
      date: z.string().max(40).optional().describe('A day, YYYY-MM-DD, from 1991-01-01 to 2999-12-31.'),
      week: z.string().max(40).optional().describe('An ISO week, YYYY-Www (e.g. 2025-W19).'),
      month: z.string().max(40).optional().describe('A month, YYYY-MM.'),
      sort: z.enum(['trending', 'upvotes', 'newest']).optional(),
      limit: z.number().int().min(1).max(100).optional().describe('How many papers (default 20).'),
    },
    annotations: readOnly,
  }, (args) => answer(async () => {
    const window = parseListWindow(args) ?? undefined;
    const view = await getDailyFeed(store, { window, sort: args.sort ?? 'trending', page: 1, pageSize: args.limit ?? 20 });
    const heading = view.window ? `Daily papers, ${formatWindow(view.window)}: ${view.items.length} of ${view.total}.` : 'There is no Daily papers list yet.';
    return list(await withAllAuthors(store, view.items), heading);
  }));

  server.registerTool('list_new_papers', {
    title: 'List new papers on arXiv',
    description: 'What arXiv announced on a day (default: its latest announcement day), optionally in one category such as cs.CL.',
    inputSchema: {
      date: z.string().max(40).optional().describe('A day, YYYY-MM-DD, from 1991-01-01 to 2999-12-31.'),
      category: z.string().regex(/^[a-z-]{2,20}(\.[A-Za-z-]{1,10})?$/).optional().describe('An arXiv category like cs.CL.'),
      limit: z.number().int().min(1).max(100).optional().describe('How many papers (default 20).'),
    },
    annotations: readOnly,
  }, (args) => answer(async () => {
    const window = args.date !== undefined ? parseListWindow({ date: args.date }) ?? undefined : undefined;
    const view = await getNewFeed(store, { window, sort: 'newest', page: 1, pageSize: args.limit ?? 20, category: args.category });
    const heading = view.window ? `New on arXiv${args.category ? ` in ${args.category}` : ''}, ${formatWindow(view.window)}: ${view.items.length} of ${view.total}.` : 'Nothing announced yet.';
    return list(await withAllAuthors(store, view.items), heading);
  }));

  server.registerTool('search_papers', {
    title: 'Search papers',
    description: 'Papers matching a query, best first. The query may use quotes for phrases, -word to exclude, author:Name, cat:cs.CL, year:2024.',
    inputSchema: {
      query: z.string().min(1).max(MAX_SEARCH_CHARS).describe('What to look for.'),
      limit: z.number().int().min(1).max(50).optional().describe('How many papers (default 10).'),
    },
    annotations: readOnly,
  }, (args) => answer(async () => list(await searchPapers(ctx.od, { q: args.query, limit: args.limit ?? 10 }), `Papers matching "${args.query}":`)));

  server.registerTool('get_paper', {
    title: 'Get a paper',
    description: 'Everything known about one paper: all authors, the full abstract, versions, links, upvotes.',
    inputSchema: { id: z.string().min(1).max(200).describe('An arXiv id (2505.00201), in any form: with version, arXiv: prefix, or an arxiv.org URL.') },
    annotations: readOnly,
  }, (args) => answer(async () => {
    const p = await getPaper(ctx.od, requireArxivId(args.id));
    const extra = [
      p.comment ? `   Comment: ${p.comment}` : null,
      p.journalRef ? `   Journal: ${p.journalRef}` : null,
      p.doi ? `   DOI: ${p.doi}` : null,
      `   Versions: ${p.versions.map((v) => `v${v.version}${v.submittedAt ? ` (${v.submittedAt.slice(0, 10)})` : ''}`).join(', ') || 'v1'}`,
    ].filter((l): l is string => l !== null);
    return ok(`${describePaper(p, null, true, base)}\n${extra.join('\n')}`, { paper: presentDetail(ctx.present, p) });
  }));

  server.registerTool('find_similar_papers', {
    title: 'Find similar papers',
    description: 'Papers most like a given paper, by meaning: related work to read next.',
    inputSchema: {
      id: z.string().min(1).max(200).describe('An arXiv id.'),
      limit: z.number().int().min(1).max(50).optional().describe('How many papers (default 10).'),
    },
    annotations: readOnly,
  }, (args) => answer(async () => {
    const id = requireArxivId(args.id);
    const papers = await similarPapers(ctx.od, id, args.limit ?? 10);
    const heading = `Papers like arXiv:${id}:`;
    return ok(
      papers.length ? `${heading}\n\n${papers.map((p, i) => `${describePaper(p, i + 1, false, base)}${p.reason ? `\n   Why: ${p.reason}` : ''}`).join('\n\n')}` : `${heading}\n\nNo papers.`,
      { papers: papers.map((p) => (p.reason ? { ...presentPaper(ctx.present, p), reason: p.reason } : presentPaper(ctx.present, p))) },
    );
  }));

  return server;
}

/** Bodies of /mcp requests at most (refused while they stream in: see mount.tsx). */
export const MAX_MCP_BODY_BYTES = 256 * 1024;

export function mountMcp(api: Hono<ApiEnv>, registry: Registry, ctx: ApiContext): void {
  const errorBody = (message: string) => ({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });
  api.post('/mcp', async (c) => {
    // One message per request. A JSON-RPC batch (an array, dropped from MCP in its 2025-06-18
    // revision) would be up to 100 tool calls for one request's share of the rate limit.
    const body = await c.req.raw.text();
    if (body.trimStart().startsWith('[')) {
      return c.json(errorBody('Batches are not accepted: send one JSON-RPC message per request.'), 400);
    }
    const { McpServer: Server, Transport } = await loadSdk();
    const server = createMcpServer(ctx, Server);
    const transport = new Transport({ sessionIdGenerator: undefined, enableJsonResponse: true, maxRequestBodySize: MAX_MCP_BODY_BYTES });
    await server.connect(transport);
    try {
      return await transport.handleRequest(new Request(c.req.raw.url, { method: 'POST', headers: c.req.raw.headers, body }));
    } finally {
      await transport.close();
      await server.close();
    }
  });
  // Stateless: no stream to open with GET, no session to end with DELETE. Those, PUT, PATCH and the
  // rest get a JSON-RPC 405, never the site's HTML page; the document has them as its shared
  // MethodNotAllowed answer, not as operations (a method a path does not answer is no operation).
  const usePost = (c: Context) => c.json(errorBody('This MCP server is stateless: send JSON-RPC requests with POST.'), 405, { Allow: 'POST' });
  api.all('/mcp', usePost);

  const mcpBody = z.object({ jsonrpc: z.literal('2.0'), method: z.string(), id: z.union([z.string(), z.number()]).optional(), params: z.record(z.string(), z.unknown()).optional() });
  describeOnly(registry, {
    method: 'post', path: '/mcp', operationId: 'mcp', tags: ['MCP'],
    summary: 'Model Context Protocol (streamable HTTP, stateless)',
    description: 'JSON-RPC 2.0 messages of the Model Context Protocol. Tools: list_daily_papers, list_new_papers, search_papers, get_paper, '
      + 'find_similar_papers. Send Accept: application/json, text/event-stream. Answers are JSON.',
    body: mcpBody,
    responses: {
      200: { description: 'The JSON-RPC response.', schema: z.record(z.string(), z.unknown()) },
      202: { description: 'A notification was accepted.' },
      400: { description: 'Not a JSON-RPC message (or a batch of them).', schema: JsonRpcErrorBody },
      406: { description: 'Accept does not name both application/json and text/event-stream.', schema: JsonRpcErrorBody },
      413: { description: `The body is over ${MAX_MCP_BODY_BYTES / 1024} KB.`, schema: JsonRpcErrorBody },
      415: { description: 'The body is not sent as application/json.', schema: JsonRpcErrorBody },
    },
  });
}
