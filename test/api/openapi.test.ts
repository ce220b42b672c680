/**
 * The OpenAPI document: valid OpenAPI 3.1 by a maintained validator, generated from the same
 * descriptions the routes validate with, covering every machine-facing route of the app (and
 * naming none that does not exist); /docs/api shows each operation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { openDataApp } from './support.ts';

type Json = Record<string, unknown>;

/** Where the machine-facing routes live; everything under these must be in the document. */
const MACHINE_PREFIXES = ['/api/', '/feeds/', '/search.', '/mcp', '/openapi.json', '/stats/votes.svg'];
/** Papers as Markdown, among the pages' /papers/ routes: `/papers/:file{.+\\.md}`. */
const isMachineRoute = (path: string) => MACHINE_PREFIXES.some((prefix) => path.startsWith(prefix)) || (path.startsWith('/papers/') && path.endsWith('\\.md}'));

/** A concrete path that an app route (`/papers/:id`, `/feeds/new/:category{[a-z.]+\\.rss}`) matches. */
function sampleOf(routePath: string): string {
  return routePath.replace(/:(\w+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, (_m, _name: string, re: string | undefined) => `sample${re ? (/\\\.(\w+)\}$/.exec(re)?.[0].slice(1, -1) ?? '') : ''}`);
}

/** Whether an OpenAPI path (`/feeds/new/{category}.rss`) covers an app route. */
function matchesRoute(docPath: string, routePath: string): boolean {
  const pattern = docPath.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, '[^/]+');
  return new RegExp(`^${pattern}$`).test(sampleOf(routePath));
}

test('/openapi.json is a valid OpenAPI 3.1 document', async () => {
  const t = await openDataApp();
  const { res, body } = await t.json('/openapi.json');
  assert.equal(res.status, 200);
  const doc = body as Json;
  assert.equal(doc.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 3000));
  assert.equal(validator.version, '3.1');
  // Every $ref resolves.
  const refs = JSON.stringify(doc).match(/"\$ref":"([^"]+)"/g) ?? [];
  const schemas = ((doc.components as Json).schemas ?? {}) as Json;
  for (const ref of new Set(refs)) {
    const name = /#\/components\/schemas\/([^"]+)/.exec(ref)?.[1];
    assert.ok(name && schemas[name], `${ref} resolves`);
  }
  for (const name of ['HfPaper', 'HfDailyRow', 'HfUser', 'HfAuthor', 'Paper', 'PaperDetail', 'PaperList', 'Comment', 'Collection', 'Stats', 'Error']) {
    assert.ok(schemas[name], `components.schemas.${name}`);
  }
});

test('every machine-facing route of the app is in the document, with its method, and the document names no route that does not exist', async () => {
  const t = await openDataApp();
  const doc = (await t.json('/openapi.json')).body as Json;
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const documented = Object.entries(paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path: p })));
  const routes = t.app.routes
    .filter((r) => isMachineRoute(r.path))
    .filter((r) => r.method !== 'ALL' && !r.path.endsWith('*'));
  assert.ok(routes.length >= 40, `found ${routes.length} routes`);
  const missing = routes.filter((r) => !documented.some((d) => d.method === r.method && matchesRoute(d.path, r.path)));
  assert.deepEqual(missing.map((r) => `${r.method} ${r.path}`), [], 'undocumented routes');
  const stale = documented.filter((d) => !routes.some((r) => r.method === d.method && matchesRoute(d.path, r.path)));
  assert.deepEqual(stale.map((d) => `${d.method} ${d.path}`), [], 'documented routes that do not exist');
  for (const [p, methods] of Object.entries(paths)) {
    for (const [m, op] of Object.entries(methods)) {
      assert.ok(op.summary, `${m} ${p} has a summary`);
      assert.ok(Object.keys(op.responses as Json).length > 0, `${m} ${p} has responses`);
      // A method the path does not answer (only a 405) is no operation: the shared MethodNotAllowed says it.
      assert.ok(Object.keys(op.responses as Json).some((status) => /^[23]\d\d$/.test(status)), `${m} ${p} answers something besides errors`);
    }
  }
  assert.deepEqual(Object.keys(paths['/mcp']!), ['post'], 'GET and DELETE /mcp are 405s, not operations');
});

test('the document says what the routes enforce: limits, required tokens, the error shape', async () => {
  const t = await openDataApp();
  const doc = (await t.json('/openapi.json')).body as Json;
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const daily = paths['/api/daily_papers']!.get!;
  const limit = (daily.parameters as Json[]).find((p) => p.name === 'limit')!;
  assert.deepEqual(limit.schema, { type: 'integer', minimum: 1, maximum: 100, default: 50 });
  assert.equal(limit.in, 'query');
  const sort = (daily.parameters as Json[]).find((p) => p.name === 'sort')!;
  assert.deepEqual((sort.schema as Json).enum, ['publishedAt', 'trending']);
  const ok = ((daily.responses as Json)['200'] as Json);
  assert.deepEqual(((ok.content as Json)['application/json'] as Json).schema, { type: 'array', items: { $ref: '#/components/schemas/HfDailyRow' } });
  assert.ok((ok.headers as Json).Link);
  assert.deepEqual(((((daily.responses as Json)['400'] as Json).content as Json)['application/json'] as Json).schema, { $ref: '#/components/schemas/Error' });
  const vote = paths['/api/v1/papers/{id}/vote']!.put!;
  assert.deepEqual(vote.security, [{ bearer: [] }]);
  assert.equal(vote['x-token-scope'], 'write');
  assert.ok((vote.responses as Json)['401'] && (vote.responses as Json)['403']);
  const comment = paths['/api/v1/papers/{id}/comments']!.post!;
  const body = (((comment.requestBody as Json).content as Json)['application/json'] as Json).schema as Json;
  assert.deepEqual(body.required, ['body']);
  assert.deepEqual(Object.keys((doc.components as Json).securitySchemes as Json), ['bearer']);
});

test('/docs/api shows every operation of the document, and how to start', async () => {
  const t = await openDataApp();
  const doc = (await t.json('/openapi.json')).body as Json;
  const res = await t.app.request('/docs/api');
  assert.equal(res.status, 200);
  const html = await res.text();
  for (const [p, methods] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const m of Object.keys(methods)) {
      const shown = `${m.toUpperCase()} ${p}`.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      assert.ok(html.includes(shown), `${shown} is on the page`);
    }
  }
  assert.match(html, /HfApi\(endpoint=&quot;http:\/\/localhost&quot;\)/);
  assert.match(html, /&quot;url&quot;: &quot;http:\/\/localhost\/mcp&quot;/);
  assert.match(html, /120 requests a minute per address/);
  assert.match(html, /href="\/settings\/tokens"/);
});

// --- Real answers against the document ----------------------------------------------------------

/** The operation (or, for a method the path does not answer, the shared 405) a request's answer is documented by. */
function documentedResponse(doc: Json, method: string, pathname: string, status: number): Json | string {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  // Literal paths before templated ones: /api/papers/search is not /api/papers/{id}.
  const candidates = Object.keys(paths)
    .filter((p) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, '[^/]+')}$`).test(pathname))
    .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  if (!candidates.length) return `no path of the document matches ${pathname}`;
  const op = paths[candidates[0]!]![method.toLowerCase()];
  if (!op) {
    if (status !== 405) return `${method} ${candidates[0]} is not in the document`;
    const shared = ((doc.components as Json).responses as Json | undefined)?.MethodNotAllowed as Json | undefined;
    return shared ?? `${method} ${candidates[0]}: a 405, and the document has no components.responses.MethodNotAllowed`;
  }
  const response = (op.responses as Record<string, Json>)[String(status)];
  return response ?? `${method} ${candidates[0]} does not declare ${status}`;
}

/** What is wrong with an answer by the document: its status, media type, body and required headers. */
async function problemsOf(doc: Json, ajv: Ajv2020, method: string, url: string, res: Response): Promise<string[]> {
  const pathname = new URL(url, 'http://localhost').pathname;
  const where = `${method} ${url} -> ${res.status}`;
  const response = documentedResponse(doc, method, pathname, res.status);
  if (typeof response === 'string') return [`${where}: ${response}`];
  const problems: string[] = [];
  for (const [name, h] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
    if (h.required && !res.headers.has(name)) problems.push(`${where}: no ${name} header`);
  }
  const body = await res.text();
  const content = response.content as Record<string, Json> | undefined;
  if (!content) {
    if (body !== '') problems.push(`${where}: documented without a body, sent ${body.slice(0, 80)}`);
    return problems;
  }
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const declared = content[mediaType];
  if (!declared) return [...problems, `${where}: sent as ${mediaType}, documented as ${Object.keys(content).join(', ')}`];
  const schema = declared.schema as Json;
  if (mediaType === 'application/json') {
    const validate = ajv.compile({ $id: `answer-${++answers}`, ...schema, components: (doc.components as Json) });
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return [...problems, `${where}: not JSON: ${body.slice(0, 80)}`];
    }
    if (!validate(value)) problems.push(`${where}: ${ajv.errorsText(validate.errors)} in ${body.slice(0, 200)}`);
  } else if (schema.type !== 'string') {
    problems.push(`${where}: a ${mediaType} body documented with a non-string schema`);
  }
  return problems;
}
let answers = 0;

test('real answers fit the document: each status is declared for its operation, with the body\'s media type and schema', async () => {
  const failingArxiv = { apiQuery: async () => { throw new Error('connect ECONNREFUSED export.arxiv.org'); } };
  const t = await openDataApp({ arxiv: failingArxiv as unknown as NonNullable<Parameters<typeof openDataApp>[0]>['arxiv'] });
  const doc = (await t.json('/openapi.json')).body as Json;
  // The document's own references (#/components/schemas/...) resolve inside each compiled schema.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const write = await t.token(t.ada, 'write');
  const dead = 'pbt_' + 'x'.repeat(43);
  let ip = 0;
  const send = async (method: string, url: string, opts: { token?: string; body?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { 'x-forwarded-for': `198.19.${Math.floor(++ip / 250)}.${ip % 250}`, ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    return t.app.request(url, { method, headers, ...(opts.body !== undefined ? { body: opts.body } : {}) });
  };
  const json = (value: unknown) => JSON.stringify(value);

  // Set-up through the API: a comment removed, then replied to; a search alert.
  const made = await (await send('POST', '/api/v1/papers/2505.00210/comments', { token: write, body: json({ body: 'A first thought.' }) })).json() as { id: number };
  assert.equal((await send('DELETE', `/api/v1/comments/${made.id}`, { token: write })).status, 204);
  const alert = await send('POST', '/api/v1/me/subscriptions', { token: write, body: json({ kind: 'search', query: 'tokenizers' }) });
  assert.equal(alert.status, 201);
  const alertId = ((await alert.json()) as { subscription: { id: number } }).subscription.id;
  const etagOf = async (url: string) => (await send('GET', url)).headers.get('etag')!;
  const mcpHeaders = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
  const mcpCall = json({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

  const cases: Array<[status: number, method: string, url: string, opts?: Parameters<typeof send>[2]]> = [
    // A dead pbt_ token on public reads and feeds.
    [401, 'GET', '/api/daily_papers', { token: dead }],
    [401, 'GET', '/api/papers/2505.00210', { token: dead }],
    [401, 'GET', '/api/v1/papers/2505.00210', { token: dead }],
    [401, 'GET', '/feeds/daily.rss', { token: dead }],
    [401, 'GET', '/search.atom?q=tokenizers', { token: dead }],
    [401, 'POST', '/mcp', { token: dead, body: mcpCall, headers: mcpHeaders }],
    // A method the path does not answer.
    [405, 'POST', '/api/v1/papers/2505.00210/vote', { token: write }],
    [405, 'DELETE', '/api/daily_papers'],
    [405, 'GET', '/mcp'],
    [405, 'PUT', '/mcp', { body: mcpCall, headers: mcpHeaders }],
    // Bodies too large or not JSON, on every endpoint that takes one.
    [413, 'POST', '/api/v1/papers/2505.00210/comments', { token: write, body: json({ body: 'x'.repeat(70_000) }) }],
    [415, 'POST', '/api/v1/papers/2505.00210/comments', { token: write, body: 'body=hello', headers: { 'content-type': 'text/plain' } }],
    [413, 'PATCH', '/api/v1/me/subscriptions/1', { token: write, body: json({ period: 'daily', query: 'x'.repeat(70_000) }) }],
    [415, 'POST', '/api/v1/submissions', { token: write, body: 'id=2505.00210', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
    // Per endpoint.
    [409, 'POST', '/api/v1/papers/2505.00210/comments', { token: write, body: json({ body: 'A reply.', parentId: made.id }) }],
    [422, 'PATCH', `/api/v1/me/subscriptions/${alertId}`, { token: write, body: json({ period: 'daily', query: '' }) }],
    [503, 'POST', '/api/v1/submissions', { token: write, body: json({ id: '2401.09999' }) }],
    // MCP's own refusals.
    [406, 'POST', '/mcp', { body: mcpCall, headers: { ...mcpHeaders, accept: 'application/json' } }],
    [413, 'POST', '/mcp', { body: json({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(300_000) } }), headers: mcpHeaders }],
    [415, 'POST', '/mcp', { body: mcpCall, headers: { ...mcpHeaders, 'content-type': 'text/plain' } }],
    [400, 'POST', '/mcp', { body: json([JSON.parse(mcpCall)]), headers: mcpHeaders }],
    // Validators: any GET with an ETag answers 304 to it.
    [304, 'GET', '/api/daily_papers', { headers: { 'if-none-match': await etagOf('/api/daily_papers') } }],
    [304, 'GET', '/api/v1/papers/2505.00210', { headers: { 'if-none-match': await etagOf('/api/v1/papers/2505.00210') } }],
    [304, 'GET', '/feeds/daily.rss', { headers: { 'if-none-match': await etagOf('/feeds/daily.rss') } }],
    [304, 'GET', '/openapi.json', { headers: { 'if-none-match': await etagOf('/openapi.json') } }],
    [304, 'GET', '/stats/votes.svg?paper=2505.00210', { headers: { 'if-none-match': await etagOf('/stats/votes.svg?paper=2505.00210') } }],
    // The sparkline's refusals are plain text, as an image address's are.
    [400, 'GET', '/stats/votes.svg'],
    [400, 'GET', '/stats/votes.svg?paper=not-an-id'],
    [404, 'GET', '/stats/votes.svg?paper=2401.00001'],
    // A query string with escapes that are not UTF-8, refused before any route: as each path's document says.
    [400, 'GET', '/feeds/daily.rss?date=%FF'],
    [400, 'GET', '/search.rss?q=%FF'],
    [400, 'GET', '/openapi.json?x=%FF'],
    [400, 'GET', '/api/daily_papers?date=%FF'],
    [400, 'GET', '/stats/votes.svg?paper=%FF'],
    [400, 'GET', '/papers/2505.00210.md?x=%FF'],
    [400, 'POST', '/mcp?x=%FF', { body: mcpCall, headers: mcpHeaders }],
    // And the usual answers still fit.
    [200, 'GET', '/api/daily_papers'],
    [200, 'POST', '/mcp', { body: mcpCall, headers: mcpHeaders }],
    [400, 'GET', '/api/daily_papers?limit=0'],
    [401, 'GET', '/api/v1/me'],
    // A discussion's pages: one with a next page, and the limits' refusals.
    [200, 'GET', '/api/v1/papers/2505.00210/comments'],
    [200, 'GET', `/api/v1/papers/2505.00210/comments?limit=1&cursor=${Buffer.from(JSON.stringify(['1970-01-01T00:00:00.000Z', 1])).toString('base64url')}`],
    [400, 'GET', '/api/v1/papers/2505.00210/comments?limit=501'],
    [400, 'GET', '/api/v1/papers/2505.00210/comments?cursor=nope!'],
    // Papers as Markdown.
    [200, 'GET', '/papers/2505.00210.md'],
    [200, 'GET', '/papers/hep-th%2F9901001.md'],
    [301, 'GET', '/papers/2505.00210v1.md'],
    [304, 'GET', '/papers/2505.00210.md', { headers: { 'if-none-match': await etagOf('/papers/2505.00210.md') } }],
    [400, 'GET', '/papers/not-an-id.md'],
    [404, 'GET', '/papers/2401.00001.md'],
  ];
  const problems: string[] = [];
  for (const [status, method, url, opts] of cases) {
    const res = await send(method, url, opts);
    if (res.status !== status) {
      problems.push(`${method} ${url}: expected ${status}, got ${res.status} ${(await res.text()).slice(0, 120)}`);
      continue;
    }
    problems.push(...await problemsOf(doc, ajv, method, url, res));
  }
  assert.deepEqual(problems, []);
  // Nor does the document promise what cannot happen: the sparkline and the document itself read no token and count nothing.
  const paths = doc.paths as Record<string, Record<string, Json>>;
  assert.deepEqual(Object.keys(paths['/stats/votes.svg']!.get!.responses as Json).sort(), ['200', '304', '400', '404']);
  assert.deepEqual(Object.keys(paths['/openapi.json']!.get!.responses as Json).sort(), ['200', '304', '400']);
});
