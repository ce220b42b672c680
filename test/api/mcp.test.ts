/**
 * The MCP server at /mcp, driven by the official SDK's own client over streamable HTTP (its
 * fetch routed into the app in-process): initialisation, the tool list, each tool's answers and
 * errors, and what plain HTTP clients get.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Paper, PaperDetail } from '../../src/web/api/schemas.ts';
import { openDataApp, type OpenDataTest } from './support.ts';

type ToolResult = { content: { type: string; text?: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

async function connect(t: OpenDataTest): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL('http://localhost/mcp'), {
    fetch: async (url, init) => t.app.request(String(url), { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), 'x-forwarded-for': '198.51.100.9' } }),
  });
  const client = new Client({ name: 'paperboy-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

const textOf = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('\n');

test('an MCP client connects, sees the server and its five read-only tools with input schemas', async () => {
  const t = await openDataApp();
  const client = await connect(t);
  assert.equal(client.getServerVersion()?.name, 'paperboy');
  assert.match(client.getInstructions() ?? '', /Daily Papers site/);
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((x) => x.name).sort(), ['find_similar_papers', 'get_paper', 'list_daily_papers', 'list_new_papers', 'search_papers']);
  for (const tool of tools) {
    assert.equal(tool.annotations?.readOnlyHint, true, tool.name);
    assert.equal(tool.inputSchema.type, 'object');
    assert.ok(tool.description);
  }
  const getPaper = tools.find((x) => x.name === 'get_paper')!;
  assert.deepEqual(getPaper.inputSchema.required, ['id']);
  await client.close();
});

test('list_daily_papers: a day\'s and a week\'s list, trending first, as text and as structured papers', async () => {
  const t = await openDataApp();
  const client = await connect(t);
  const day = await client.callTool({ name: 'list_daily_papers', arguments: { date: '2025-05-05' } }) as ToolResult;
  assert.equal(day.isError, undefined);
  const text = textOf(day);
  assert.match(text, /^Daily papers, Monday, May 5, 2025: 3 of 3\./);
  assert.ok(text.indexOf('Diffusion models <b>for</b> video & more') < text.indexOf('Sparse attention for long documents'), 'trending first');
  assert.match(text, /1\. \*\*Diffusion models <b>for<\/b> video & more\*\* \(arXiv:2505.00202\)\n {3}Authors: Ada Lovelace, Alan Turing\n.*Upvotes: 40/);
  const papers = (day.structuredContent!.papers as unknown[]).map((p) => Paper.parse(p));
  assert.deepEqual(papers.map((p) => p.id), ['2505.00202', '2505.00201', '2505.00203']);
  const week = await client.callTool({ name: 'list_daily_papers', arguments: { week: '2025-W19', sort: 'upvotes', limit: 2 } }) as ToolResult;
  assert.match(textOf(week), /Week 19, 2025 .*: 2 of 5\./);
  assert.deepEqual((week.structuredContent!.papers as { id: string }[]).map((p) => p.id), ['2505.00202', '2505.00201']);
  await client.close();
});

test('search_papers, get_paper, find_similar_papers and list_new_papers answer from the instance', async () => {
  const t = await openDataApp();
  const client = await connect(t);
  const found = await client.callTool({ name: 'search_papers', arguments: { query: 'Tokenizers' } }) as ToolResult;
  assert.deepEqual((found.structuredContent!.papers as { id: string }[]).map((p) => p.id), ['2505.00210']);
  assert.match(textOf(found), /Papers matching "Tokenizers":/);

  const paper = await client.callTool({ name: 'get_paper', arguments: { id: 'https://arxiv.org/abs/hep-th/9901001v2' } }) as ToolResult;
  const detail = PaperDetail.parse(paper.structuredContent!.paper);
  assert.equal(detail.id, 'hep-th/9901001');
  assert.match(textOf(paper), /Versions: v1 \(1999-01-04\), v2 \(1999-02-01\)/);
  assert.match(textOf(paper), /Abstract: We study attention in transformers/);

  const similar = await client.callTool({ name: 'find_similar_papers', arguments: { id: '2505.00210', limit: 2 } }) as ToolResult;
  assert.deepEqual((similar.structuredContent!.papers as { id: string }[]).map((p) => p.id), ['2505.00201', '2505.00202']);

  const news = await client.callTool({ name: 'list_new_papers', arguments: { category: 'cs.CL' } }) as ToolResult;
  assert.match(textOf(news), /New on arXiv in cs.CL, Tuesday, May 6, 2025: 1 of 1\./);
  await client.close();
});

test('tool errors a person can act on come back as tool errors, not protocol failures', async () => {
  const t = await openDataApp();
  const client = await connect(t);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['get_paper', { id: '2401.00001' }, /not on this site/],
    ['get_paper', { id: 'not an id' }, /not an arXiv id/],
    ['list_daily_papers', { date: '2025-02-30' }, /not a date/],
    ['list_daily_papers', { date: '1990-12-31' }, /"1990-12-31" is out of range: a date must be between 1991-01-01 and 2999-12-31/],
    ['list_daily_papers', { date: '2025-05-05', week: '2025-W19' }, /one of date, week and month/],
    ['list_daily_papers', { limit: 1000 }, /limit|100/],
  ];
  for (const [name, args, re] of cases) {
    const r = await client.callTool({ name, arguments: args }) as ToolResult;
    assert.equal(r.isError, true, `${name} ${JSON.stringify(args)}`);
    assert.match(textOf(r), re);
  }
  await client.close();
  const noEngine = await openDataApp({ search: false });
  const c2 = await connect(noEngine);
  const r = await c2.callTool({ name: 'search_papers', arguments: { query: 'x' } }) as ToolResult;
  assert.equal(r.isError, true);
  assert.match(textOf(r), /Search is not available/);
  await c2.close();
});

test('plain HTTP: GET and DELETE are 405 (stateless server), junk is a JSON-RPC error, never a 500', async () => {
  const t = await openDataApp();
  const get = await t.json('/mcp', { headers: { accept: 'text/event-stream' } });
  assert.equal(get.res.status, 405);
  assert.equal(get.res.headers.get('allow'), 'POST');
  assert.equal((await t.json('/mcp', { method: 'DELETE' })).res.status, 405);
  const junk = await t.json('/mcp', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{not json' });
  assert.equal(junk.res.status, 400);
  assert.equal((junk.body as { jsonrpc: string }).jsonrpc, '2.0');
  const tools = await t.json('/mcp', {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(tools.res.status, 200, 'stateless: no initialisation needed for a single request');
  assert.equal(((tools.body as { result: { tools: unknown[] } }).result.tools).length, 5);

  // A batch (a JSON array of messages) is refused whole: it would be many tool calls for one request
  // of the rate limit. Nothing in it runs.
  const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'search_papers', arguments: { query: 'transformer' } } });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-forwarded-for': '203.0.113.50' };
  const one = await t.json('/mcp', { method: 'POST', headers, body: JSON.stringify(call(1)) });
  assert.equal(one.res.status, 200);
  const before = Number(one.res.headers.get('ratelimit-remaining'));
  const batch = await t.json('/mcp', {
    method: 'POST', headers,
    body: ` \n${JSON.stringify(Array.from({ length: 100 }, (_, i) => call(i + 1)))}`,
  });
  assert.equal(batch.res.status, 400);
  assert.deepEqual(batch.body, { jsonrpc: '2.0', error: { code: -32000, message: 'Batches are not accepted: send one JSON-RPC message per request.' }, id: null });
  assert.equal(Number(batch.res.headers.get('ratelimit-remaining')), before - 1, 'counted as the one request it is');
  const huge = await t.json('/mcp', {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ ...call(1), params: { name: 'search_papers', arguments: { query: 'x'.repeat(300 * 1024) } } }),
  });
  assert.equal(huge.res.status, 413);
  assert.equal((huge.body as { jsonrpc: string }).jsonrpc, '2.0');
});
