/**
 * Endpoints described once, as data: method, path, zod schemas for the path, query and body, and
 * the responses. The same description validates each request (a 400 with the first problems when
 * it does not fit), and generates the OpenAPI 3.1 document (`toOpenApi`), so the document cannot
 * drift from what the routes accept and return.
 *
 * @example
 * endpoint(app, registry, {
 *   method: 'get', path: '/api/papers/{id}', operationId: 'hfPaper', summary: 'A paper', tags: ['Hugging Face'],
 *   params: z.object({ id: z.string() }), responses: { 200: { description: 'The paper', schema: HfPaper } },
 * }, async (c, { params }) => c.json(await present(params.id)));
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { plainIssue } from '../../issue-wording.ts';
import { ApiError, bearerChallenge, type ApiEnv } from './http.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call: `none` (anyone; a token is ignored), `optional` (anyone; a token identifies the
 * caller), `read` (a token of any scope), `write` (a token with write scope).
 */
export type Access = 'none' | 'optional' | 'read' | 'write';

export interface ResponseSpec {
  description: string;
  /** The JSON body's schema. */
  schema?: z.ZodType;
  /** Media type of a body that is not JSON (feeds, SVG). */
  mediaType?: string;
  /** Response headers worth documenting (Link, RateLimit-*). */
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface EndpointSpec<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** OpenAPI form: `/api/v1/papers/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  access?: Access;
  params?: P;
  query?: Q;
  /** A JSON request body. */
  body?: B;
  responses: Record<number, ResponseSpec>;
  /** Hono's path when it differs from the OpenAPI one (a regular expression on a parameter). */
  honoPath?: string;
}

export interface Input<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

/** Every endpoint described so far; `toOpenApi` turns them into the document. */
export class Registry {
  readonly endpoints: EndpointSpec[] = [];
  add(spec: EndpointSpec): void {
    if (this.endpoints.some((e) => e.method === spec.method && e.path === spec.path)) throw new Error(`api/spec: ${spec.method} ${spec.path} described twice`);
    if (this.endpoints.some((e) => e.operationId === spec.operationId)) throw new Error(`api/spec: operationId ${spec.operationId} used twice`);
    this.endpoints.push(spec);
  }
}

/** `{id}` to `:id`. */
export function honoPathOf(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * One line per problem (the first five), each naming the field: `period must be one of daily,
 * weekdays or weekly`, `query must be at most 300 characters`, in plain words (src/issue-wording.ts),
 * never the validator's own; a message the schema gives itself is kept, after the field unless it
 * names it already.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 5).map((i) => {
    const where = i.path.join('.');
    const { plain, text } = plainIssue(i);
    if (!where) return text;
    if (plain) return `${where} ${text}`;
    return text === where || text.startsWith(`${where} `) || text.startsWith(`${where}:`) ? text : `${where}: ${text}`;
  }).join('; ');
}

/** The most a JSON body may weigh, in bytes: a comment is at most 10,000 characters. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * Whether a Content-Type names JSON: `application/json` or a `+json` type (RFC 6839), with any
 * parameters (`; charset=utf-8`). The media type is compared whole: `application/jsonx` is not JSON.
 */
export function isJsonMediaType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type);
}

async function readBody(c: Context): Promise<unknown> {
  if (!isJsonMediaType(c.req.header('content-type'))) throw new ApiError(415, 'Send the body as JSON (Content-Type: application/json).');
  const length = Number(c.req.header('content-length') ?? '0');
  if (length > MAX_JSON_BODY_BYTES) throw new ApiError(413, `Bodies are limited to ${MAX_JSON_BODY_BYTES / 1024} KB.`);
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_JSON_BODY_BYTES) throw new ApiError(413, `Bodies are limited to ${MAX_JSON_BODY_BYTES / 1024} KB.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'The body is not valid JSON.');
  }
}

const CREATE_ONE = 'create one in Settings, API tokens';

/** The 401 of an endpoint that needs a token and got none of Paperboy's, with its challenge. */
function missingToken(foreign: 'bearer' | 'scheme' | null): ApiError {
  if (foreign === 'scheme') return new ApiError(401, `This needs an API token, sent as Authorization: Bearer <token> (${CREATE_ONE}).`, bearerChallenge('invalid_request'));
  if (foreign === 'bearer') return new ApiError(401, `This needs a Paperboy API token (pbt_...); the Bearer token sent is not one (${CREATE_ONE}).`, bearerChallenge('invalid_token'));
  return new ApiError(401, `This needs an API token: send Authorization: Bearer <token> (${CREATE_ONE}).`, bearerChallenge());
}

/** Registers an endpoint: documents it, and routes it through validation to `handler`. */
export function endpoint<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(
  app: Hono<ApiEnv>, registry: Registry, spec: EndpointSpec<P, Q, B>,
  handler: (c: Context<ApiEnv>, input: Input<P, Q, B>) => Response | Promise<Response>,
): void {
  registry.add(spec as unknown as EndpointSpec);
  const access = spec.access ?? 'none';
  app.on(spec.method.toUpperCase(), spec.honoPath ?? honoPathOf(spec.path), async (c) => {
    if (access === 'read' || access === 'write') {
      const token = c.get('apiToken');
      if (!token) throw missingToken(c.get('foreignCredential'));
      if (access === 'write' && token.scope !== 'write') {
        throw new ApiError(403, 'This token can only read; create a token with write access to do this.', {
          'WWW-Authenticate': 'Bearer realm="api", error="insufficient_scope", scope="write"',
        });
      }
    }
    const parse = <S extends z.ZodType>(schema: S | undefined, value: unknown, what: string): z.output<S> => {
      if (!schema) return undefined as z.output<S>;
      const r = schema.safeParse(value);
      if (!r.success) throw new ApiError(400, `${what}: ${describeIssues(r.error)}`);
      return r.data;
    };
    const params = parse(spec.params, c.req.param(), 'Path');
    const query = parse(spec.query, c.req.query(), 'Query');
    const body = spec.body ? parse(spec.body, await readBody(c), 'Body') : (undefined as z.output<B>);
    return handler(c, { params, query, body } as Input<P, Q, B>);
  });
}

/** A non-JSON route (a feed, an image, the MCP endpoint) that belongs in the document all the same. */
export function describeOnly(registry: Registry, spec: EndpointSpec): void {
  registry.add(spec);
}

// --- OpenAPI 3.1 -------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** JSON Schema (2020-12, which OpenAPI 3.1 uses) of a zod schema; named schemas move to components. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, Json>): Json {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' }) as Json;
  delete out.$schema;
  const defs = (out.$defs ?? {}) as Record<string, Json>;
  delete out.$defs;
  for (const [name, def] of Object.entries(defs)) components[name] = rewriteRefs(def) as Json;
  return rewriteRefs(out) as Json;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace(/^#\/\$defs\//, '#/components/schemas/') : rewriteRefs(v);
    }
    return out;
  }
  return value;
}

/** A query or path parameter's schema: integers written as strings are documented as integers. */
function parameterSchema(s: Json): Json {
  const out = { ...s };
  if (out.type === 'integer') delete out.pattern;
  if (out['x-default'] !== undefined) {
    out.default = out['x-default'];
    delete out['x-default'];
  }
  delete out.description;
  return out;
}

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
  serverUrl: string;
}

/**
 * How the app is mounted, where it decides which shared answers an operation can give: the
 * paths whose requests pass the token check and the rate limit (`/api/*` covers everything under
 * /api/; a path without `*` only itself).
 */
export interface Mounting {
  tokenPaths: readonly string[];
}

/** Whether `path` (an OpenAPI path) is one of `patterns` (`/api/*`, `/mcp`). */
export function coveredBy(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) => (p.endsWith('/*') ? path.startsWith(p.slice(0, -1)) : path === p));
}

const ERROR_SCHEMA: Json = {
  type: 'object', properties: { error: { type: 'string', description: 'What went wrong, for a person to read.' } }, required: ['error'],
};

/** The error body of the MCP endpoint: a JSON-RPC 2.0 error with no request id. */
export const JsonRpcErrorBody = z.object({
  jsonrpc: z.literal('2.0'),
  error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }),
  id: z.null(),
}).meta({ id: 'JsonRpcError', description: 'A JSON-RPC 2.0 error, as /mcp answers.' });

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const jsonError = (description: string, headers?: Json): Json => ({ description, ...(headers ? { headers } : {}), content: { 'application/json': { schema: ERROR_REF } } });
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } };

/**
 * What every operation can answer besides its own responses, by what it takes: its query string,
 * parameters and body are validated (400), a body is read (413 past the limit, 415 if it is not JSON), a token is
 * read and requests are counted (401, 403, 429: on every path behind the token check, even where no
 * token is needed, since a dead pbt_ token is refused there too), and a GET that answers 200 carries
 * an ETag, so it answers 304 to a request that still has that version. An operation's own response
 * for a status wins (the MCP endpoint's errors are JSON-RPC errors).
 */
function sharedResponses(e: EndpointSpec, mounting: Mounting): Record<number, Json> {
  const out: Record<number, Json> = {};
  const needsToken = e.access === 'read' || e.access === 'write';
  const readsToken = needsToken || e.access === 'optional' || coveredBy(mounting.tokenPaths, e.path);
  // Any request's query string is checked first (its length, escapes that are not UTF-8), so every operation may answer 400.
  out[400] = jsonError('The request does not fit: a parameter, the query string or the body is malformed or out of range.');
  if (readsToken) {
    out[401] = jsonError(needsToken
      ? 'No token, or one that is malformed, revoked or expired.'
      : 'A Paperboy token (pbt_...) that is malformed, revoked or expired, or one not sent as Authorization: Bearer. None is needed here: send a live one or none.', { 'WWW-Authenticate': { description: 'The Bearer challenge (RFC 6750).', schema: { type: 'string' } } });
    out[403] = jsonError(needsToken
      ? 'The token may not do this (read-only), or the account may not (its e-mail address is not confirmed, for one).'
      : 'The token\'s account has not confirmed its e-mail address: the token cannot be used.');
    out[429] = jsonError('Too many requests: wait for Retry-After seconds.', RETRY_AFTER);
  }
  if (e.body) {
    out[413] = jsonError(`The body is over ${MAX_JSON_BODY_BYTES / 1024} KB.`);
    out[415] = jsonError('The body is not sent as JSON (Content-Type: application/json, or a +json type).');
  }
  if (e.method === 'get' && e.responses[200]) {
    out[304] = {
      description: 'Not modified: the request\'s If-None-Match (or, without it, If-Modified-Since) still matches this version. No body.',
      headers: { ETag: { description: 'The version\'s validator.', schema: { type: 'string' } } },
    };
  }
  return out;
}

/** The OpenAPI 3.1 document of every endpoint in the registry. */
export function toOpenApi(registry: Registry, info: DocumentInfo, mounting: Mounting): Json {
  const components: Record<string, Json> = { Error: ERROR_SCHEMA };
  const jsonRpcError = jsonSchema(JsonRpcErrorBody, 'output', components);
  const paths: Record<string, Record<string, Json>> = {};
  const tags = new Set<string>();
  for (const e of registry.endpoints) {
    e.tags.forEach((t) => tags.add(t));
    const parameters: Json[] = [];
    for (const [where, schema] of [['path', e.params], ['query', e.query]] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input', components);
      const props = (js.properties ?? {}) as Record<string, Json>;
      const required = new Set((js.required ?? []) as string[]);
      for (const [name, p] of Object.entries(props)) {
        parameters.push({
          name, in: where, required: where === 'path' ? true : required.has(name),
          ...(p.description ? { description: p.description } : {}),
          schema: parameterSchema(p),
        });
      }
    }
    const responses: Record<string, Json> = {};
    for (const [status, r] of Object.entries(e.responses)) {
      const content = r.schema
        ? { 'application/json': { schema: jsonSchema(r.schema, 'output', components) } }
        : r.mediaType ? { [r.mediaType]: { schema: { type: 'string' } } } : undefined;
      responses[status] = { description: r.description, ...(r.headers ? { headers: r.headers } : {}), ...(content ? { content } : {}) };
    }
    for (const [status, r] of Object.entries(sharedResponses(e, mounting))) responses[status] ??= r;
    const operation: Json = {
      operationId: e.operationId, summary: e.summary, ...(e.description ? { description: e.description } : {}), tags: e.tags,
      ...(parameters.length ? { parameters } : {}),
      ...(e.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(e.body, 'input', components) } } } } : {}),
      responses,
      ...(e.access === 'read' || e.access === 'write' ? { security: [{ bearer: [] }], 'x-token-scope': e.access } : e.access === 'optional' ? { security: [{}, { bearer: [] }] } : {}),
    };
    (paths[e.path] ??= {})[e.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title, version: info.version,
      description: `${info.description}\n\nA method that a path does not answer (POST to the PUT and DELETE of a vote, say) gets 405 with Allow: components.responses.MethodNotAllowed.`,
    },
    servers: [{ url: info.serverUrl }],
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      responses: {
        MethodNotAllowed: {
          description: 'The path does not answer this method; Allow lists those it does. As {"error": ...}, and at /mcp as a JSON-RPC error.',
          headers: { Allow: { description: 'The methods the path answers.', required: true, schema: { type: 'string' } } },
          content: { 'application/json': { schema: { anyOf: [ERROR_REF, jsonRpcError] } } },
        },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (pbt_...) created in Settings, API tokens.' },
      },
    },
  };
}
