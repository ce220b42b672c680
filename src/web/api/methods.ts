/**
 * The answer to a request that no route took: 405 with `Allow` when the path is an endpoint's
 * under another method (a POST to a PUT/DELETE vote, a DELETE of a list), else 404. Both as JSON:
 * a client of the API never gets the site's HTML page.
 */
import type { Context } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { honoPathOf, type Registry } from './spec.ts';

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The methods each described path answers, looked up by a request path (Hono's own matching). */
export function allowedMethods(registry: Registry): (path: string) => string[] {
  let router: TrieRouter<string> | null = null;
  return (path) => {
    if (!router) { // built on first use: every endpoint is registered by then
      router = new TrieRouter<string>();
      for (const e of registry.endpoints) router.add('ALL', e.honoPath ?? honoPathOf(e.path), e.method.toUpperCase());
    }
    const methods = new Set(router.match('GET', path)[0].map(([method]) => method));
    if (methods.has('GET')) methods.add('HEAD'); // Hono answers HEAD with the GET route
    return ORDER.filter((m) => methods.has(m));
  };
}

/** 405 (with Allow) for a described path under a method it does not answer, else `notFound`. */
export function unmatchedRequest(registry: Registry, notFound: (c: Context) => Response): (c: Context) => Response {
  const allowed = allowedMethods(registry);
  return (c) => {
    const methods = allowed(c.req.path);
    if (methods.length === 0 || methods.includes(c.req.method)) return notFound(c);
    const list = methods.filter((m) => m !== 'HEAD');
    const words = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
    return c.json({ error: `This endpoint does not answer ${c.req.method}: use ${words}. The API is described at /docs/api and /openapi.json.` }, 405, { Allow: methods.join(', ') });
  };
}
