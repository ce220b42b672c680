/**
 * Which responses other sites may load (Cross-Origin-Resource-Policy). The open data (the JSON
 * API with its thumbnails and avatars, the feeds, the OpenAPI document, papers as Markdown at
 * /papers/{id}.md) and the vote sparkline are public and meant to be shown or read elsewhere:
 * they are sent `cross-origin`, so an `<img>` or a no-cors fetch on another site works. Everything
 * else (pages, forms, assets, admin) keeps the `same-origin` default. None of the public paths
 * reads the session cookie.
 */
const PUBLIC_PREFIXES = ['/api/', '/feeds/'];
const PUBLIC_PATHS = new Set(['/openapi.json', '/search.rss', '/search.atom', '/stats/votes.svg']);

/** True for a path whose response may be embedded or fetched by other origins. */
export function isPublicResource(path: string): boolean {
  return PUBLIC_PATHS.has(path) || PUBLIC_PREFIXES.some((p) => path.startsWith(p)) || (path.startsWith('/papers/') && path.endsWith('.md'));
}
