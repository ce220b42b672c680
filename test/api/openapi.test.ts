/**
 * The OpenAPI document: valid OpenAPI 3.1 by a maintained validator, generated from the same
 * descriptions the routes validate with, covering every machine-facing route of the app (and
 * naming none that does not exist); /docs/api shows each operation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openDataApp } from './support.ts';

type Json = Record<string, unknown>;

/** Where the machine-facing routes live; everything under these must be in the document. */
const MACHINE_PREFIXES = ['/api/', '/feeds/', '/search.', '/mcp', '/openapi.json', '/stats/votes.svg'];

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
    .filter((r) => MACHINE_PREFIXES.some((prefix) => r.path.startsWith(prefix)))
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
    }
  }
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
