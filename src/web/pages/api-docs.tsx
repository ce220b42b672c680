/**
 * /docs/api: the API reference, read from the generated OpenAPI document (so it lists exactly
 * what the routes accept), with the things a first call needs around it: tokens, limits, errors,
 * the Hugging Face clients, MCP, feeds.
 */
import { Layout, type SiteInfo } from './layout.tsx';
import { scrollable } from './controls.tsx';

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  op: Json;
}

function operationsByTag(doc: Json): Map<string, Operation[]> {
  const byTag = new Map<string, Operation[]>();
  for (const t of (doc.tags ?? []) as { name: string }[]) byTag.set(t.name, []);
  for (const [path, methods] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = ((op.tags ?? ['Other']) as string[])[0]!;
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ method, path, op });
    }
  }
  return byTag;
}

/** A schema in a few words: `integer 1–100`, `string`, `one of a, b`. */
function typeOf(s: Json | undefined): string {
  if (!s) return '';
  if (Array.isArray(s.enum)) return `one of ${(s.enum as unknown[]).map(String).join(', ')}`;
  if (typeof s.$ref === 'string') return (s.$ref as string).split('/').pop()!;
  const type = String(s.type ?? (s.anyOf ? 'any of several' : 'value'));
  const range = s.minimum !== undefined && s.maximum !== undefined ? ` ${s.minimum}–${s.maximum}` : '';
  const format = s.format ? ` (${s.format})` : '';
  return `${type}${range}${format}`;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

function OperationView({ o, base }: { o: Operation; base: string }) {
  const params = (o.op.parameters ?? []) as { name: string; in: string; required: boolean; description?: string; schema?: Json }[];
  const bodySchema = ((o.op.requestBody as Json | undefined)?.content as Record<string, { schema: Json }> | undefined)?.['application/json']?.schema;
  const bodyProps = (bodySchema?.properties ?? {}) as Record<string, Json>;
  const bodyRequired = new Set((bodySchema?.required ?? []) as string[]);
  const responses = Object.entries((o.op.responses ?? {}) as Record<string, { description: string }>);
  const scope = o.op['x-token-scope'] as 'read' | 'write' | undefined;
  const needsToken = scope !== undefined;
  const example = `curl ${o.method === 'get' ? '' : `-X ${o.method.toUpperCase()} `}${needsToken ? '-H "Authorization: Bearer $PAPERBOY_TOKEN" ' : ''}${bodySchema ? "-H 'Content-Type: application/json' -d '{...}' " : ''}'${base}${o.path}'`;
  return (
    <section class="endpoint" aria-labelledby={`op-${String(o.op.operationId)}`}>
      <h3 id={`op-${String(o.op.operationId)}`}><code>{o.method.toUpperCase()} {o.path}</code></h3>
      <p>{String(o.op.summary ?? '')}{scope ? <strong> Needs a token{scope === 'write' ? ' with write access' : ''}.</strong> : null}</p>
      {o.op.description ? <p class="muted">{String(o.op.description)}</p> : null}
      {params.length ? (
        <div class="table-wrap" {...scrollable(`Parameters of ${o.method.toUpperCase()} ${o.path}`)}>
          <table class="runs">
            <caption class="sr-only">Parameters of {o.method.toUpperCase()} {o.path}</caption>
            <thead><tr><th scope="col">Parameter</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">What</th></tr></thead>
            <tbody>
              {params.map((p) => (
                <tr>
                  <td><code>{p.name}</code>{p.required ? ' (required)' : ''}</td>
                  <td>{p.in}</td>
                  <td>{typeOf(p.schema)}{p.schema?.default !== undefined ? `, default ${String(p.schema.default)}` : ''}</td>
                  <td>{p.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {bodySchema ? (
        <>
          <p>JSON body:</p>
          <ul>
            {Object.entries(bodyProps).map(([name, s]) => (
              <li><code>{name}</code>{bodyRequired.has(name) ? ' (required)' : ''}: {typeOf(s)}{s.description ? `: ${String(s.description)}` : ''}</li>
            ))}
          </ul>
        </>
      ) : null}
      <p>Answers:</p>
      <ul>
        {responses.map(([status, r]) => <li><strong>{status}</strong>: {r.description}</li>)}
      </ul>
      <pre {...scrollable(`Example: ${o.method.toUpperCase()} ${o.path}`)}><code>{example}</code></pre>
    </section>
  );
}

export function ApiDocsPage({ site, doc, baseUrl, limits }: { site: SiteInfo; doc: Json; baseUrl: string; limits: { anonymous: number; token: number } }) {
  const byTag = operationsByTag(doc);
  return (
    <Layout site={site} title="API" description={`The JSON API, feeds and MCP server of ${site.siteName}.`}>
      <h1>{site.siteName} for developers and agents</h1>
      <p>
        Everything on the site is also JSON: the lists, papers, search, votes, comments, collections, submissions and
        digest subscriptions. The machine-readable description is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1);
        this page is made from it.
      </p>
      <nav aria-label="On this page">
        <ul>
          <li><a href="#basics">Basics: tokens, limits, errors, caching</a></li>
          <li><a href="#huggingface">Hugging Face clients</a></li>
          <li><a href="#mcp">Agents (MCP)</a></li>
          <li><a href="#feeds">Feeds</a></li>
          {[...byTag.keys()].map((t) => <li><a href={`#tag-${slug(t)}`}>{t}</a></li>)}
        </ul>
      </nav>

      <h2 id="basics">Basics</h2>
      <ul>
        <li>Reads need no token and no particular User-Agent. Writes need an <strong>API token</strong>: create one in <a href="/settings/tokens">Settings, API tokens</a> and send it as <code>Authorization: Bearer pbt_…</code>. A read token identifies you (your private collections, <code>/api/v1/me</code>); a write token may also vote, comment, submit and save. The API never reads the site's cookies. A credential that is not a Paperboy token (a Hugging Face <code>hf_…</code> token that <code>huggingface_hub</code> sends by itself, Basic) counts as none: reads answer as usual.</li>
        <li><strong>Rate limits</strong>: {limits.anonymous} requests a minute per address without a token, {limits.token} a minute per token. Every answer says where you stand in <code>RateLimit-Limit</code>, <code>RateLimit-Remaining</code> and <code>RateLimit-Reset</code> (seconds); past the limit the answer is 429 with <code>Retry-After</code>.</li>
        <li><strong>Errors</strong> are an HTTP status and a JSON body <code>{'{"error": "what went wrong"}'}</code>: 400 for a malformed or out-of-range parameter, 401 for a missing or invalid token, 403 when the token or account may not do it, 404 for what is not here, 405 (with <code>Allow</code>) for a method the endpoint does not answer, 429 for too many requests.</li>
        <li><strong>Caching</strong>: answers carry an <code>ETag</code> (and feeds a <code>Last-Modified</code>); send it back in <code>If-None-Match</code> (or <code>If-Modified-Since</code>) to get a bodiless 304 when nothing changed.</li>
        <li>Read endpoints answer any origin (<abbr title="Cross-Origin Resource Sharing">CORS</abbr>), so pages elsewhere can show this instance's lists.</li>
        <li>Paper ids are arXiv ids without version (<code>2505.00201</code>); in paths, old-style ids keep their slash encoded (<code>hep-th%2F9901001</code>).</li>
      </ul>

      <h2 id="huggingface">Hugging Face clients</h2>
      <p>
        <code>/api/daily_papers</code>, <code>/api/papers/{'{id}'}</code>, <code>/api/papers/search</code> and <code>/api/papers</code> take the
        parameters and return the shapes of Hugging Face's, so its clients work with this instance as their endpoint:
      </p>
      <pre {...scrollable('Python example')}><code>{`from huggingface_hub import HfApi
api = HfApi(endpoint="${baseUrl}")
for paper in api.list_daily_papers(date="2025-05-06"):
    print(paper.id, paper.upvotes, paper.title)
print(api.paper_info("2505.00201").title)`}</code></pre>

      <h2 id="mcp">Agents (MCP)</h2>
      <p>
        An MCP server answers at <code>{baseUrl}/mcp</code> (streamable HTTP). Its tools: <code>list_daily_papers</code>, <code>list_new_papers</code>,
        {' '}<code>search_papers</code>, <code>get_paper</code> and <code>find_similar_papers</code>. For a client that reads a JSON configuration:
      </p>
      <pre {...scrollable('MCP client settings')}><code>{JSON.stringify({ mcpServers: { [slug(site.siteName) || 'paperboy']: { type: 'http', url: `${baseUrl}/mcp` } } }, null, 2)}</code></pre>

      <h2 id="feeds">Feeds</h2>
      <p>RSS 2.0 and Atom: change <code>.rss</code> to <code>.atom</code> in any of these.</p>
      <ul>
        <li><a href="/feeds/daily.rss">/feeds/daily.rss</a>: the latest Daily papers list (<code>?date=YYYY-MM-DD</code> for another day)</li>
        <li><a href="/feeds/weekly.rss">/feeds/weekly.rss</a>: the week's most trending papers (<code>?week=YYYY-Www</code>)</li>
        <li><a href="/feeds/new.rss">/feeds/new.rss</a> and <code>/feeds/new/cs.CL.rss</code>: New on arXiv, all or one category</li>
        <li><code>/search.rss?q=…</code>: a search</li>
        <li><code>/feeds/collections/USER/SLUG.rss</code>: a member's public collection</li>
      </ul>

      {[...byTag].filter(([, ops]) => ops.length).map(([tag, ops]) => (
        <section aria-labelledby={`tag-${slug(tag)}`}>
          <h2 id={`tag-${slug(tag)}`}>{tag}</h2>
          {ops.map((o) => <OperationView o={o} base={baseUrl} />)}
        </section>
      ))}
    </Layout>
  );
}
