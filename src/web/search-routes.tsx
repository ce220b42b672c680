/**
 * Search routes, mounted on the app with `mountSearchRoutes(app, deps)`:
 *
 * - `GET /search?q=&mode=&sort=&page=&category=&from=&to=&code=1`: the search page (an arXiv id
 *   or URL of a paper on this site redirects to it);
 * - `GET /search/live?q=`: a few results as JSON, for search-as-you-type;
 * - `GET /search/search.css`, `/search/search.js`: the page's own style and script.
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Context, Env, Hono } from 'hono';
import { z } from 'zod';
import { analyze, surfaceWords } from '../search/text.ts';
import { parseQuery } from '../search/query.ts';
import type { PaperSearchEngine } from '../search/engine.ts';
import { DEFAULT_MODE, SEARCH_MODES, SEARCH_SORTS, type SearchMode, type SearchSort } from '../search/search-index.ts';
import { searchPapers } from '../search/service.ts';
import { highlight } from '../search/highlight.ts';
import type { Store } from '../store/index.ts';
import { ErrorPage } from './pages/error.tsx';
import { renderDocument, type SiteInfo } from './pages/layout.tsx';
import { SEARCH_CSS, SearchPage, type SearchForm } from './pages/search.tsx';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Results search-as-you-type shows. */
const LIVE_RESULTS = 6;
const MAX_PAGE = 1_000;

export interface SearchRouteDeps<E extends Env = Env> {
  store: Store;
  index: PaperSearchEngine;
  /** The site frame's information (name, demo banner, asset versions), as the app's other pages get it. */
  site: (c: Context<E>) => Promise<SiteInfo>;
  clock: { now(): number };
  /** Categories offered in the category field. */
  categories: readonly string[];
  pageSize: number;
  /** Which of these papers the signed-in viewer upvoted (none when signed out). */
  votedAmong?: (c: Context<E>, ids: string[]) => Promise<Set<string>>;
}

/** Control characters (but tab and newlines) are not text anyone searches for, and not valid in a page: each run becomes a space. */
const withoutControls = (q: string) => q.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+/g, ' ');

const params = z.object({
  q: z.string().transform(withoutControls).optional(),
  mode: z.enum(SEARCH_MODES as [SearchMode, ...SearchMode[]], { error: 'mode must be hybrid, keyword or semantic' }).optional(),
  sort: z.enum(SEARCH_SORTS as [SearchSort, ...SearchSort[]], { error: 'sort must be relevance, date or upvotes' }).optional(),
  page: z.string().regex(/^\d{1,5}$/, 'page must be a whole number').transform(Number)
    .refine((n) => n >= 1 && n <= MAX_PAGE, `page must be between 1 and ${MAX_PAGE}`).optional(),
  category: z.string().max(40, 'category is at most 40 characters').optional(),
  from: z.string().max(20, 'from is a date (YYYY-MM-DD)').optional(),
  to: z.string().max(20, 'to is a date (YYYY-MM-DD)').optional(),
  code: z.string().optional(),
});

function asset(body: string) {
  return { body, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

let clientBundle: Promise<{ body: string; hash: string }> | null = null;

/** The search-as-you-type module, bundled by esbuild on first use (like the app's own client script). */
function searchClient(): Promise<{ body: string; hash: string }> {
  clientBundle ??= (async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [path.join(HERE, 'client', 'search.ts')],
      bundle: true, format: 'esm', minify: true, target: 'es2020', write: false, logLevel: 'silent',
    });
    return asset(result.outputFiles[0]!.text);
  })();
  return clientBundle;
}

const css = asset(SEARCH_CSS);

export function mountSearchRoutes<E extends Env>(app: Hono<E>, deps: SearchRouteDeps<E>): void {
  const { store, index } = deps;

  const error = async (c: Context<E>, status: 400 | 404, message: string) =>
    c.html(renderDocument(<ErrorPage site={await deps.site(c)} status={status} message={message} />), status);

  app.get('/search/search.css', (c) => c.body(css.body, 200, {
    'Content-Type': 'text/css; charset=utf-8',
    'Cache-Control': c.req.query('v') === css.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
  }));

  app.get('/search/search.js', async (c) => {
    const js = await searchClient();
    return c.body(js.body, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': c.req.query('v') === js.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    });
  });

  app.get('/search/live', async (c) => {
    const q = withoutControls(c.req.query('q') ?? '').slice(0, 200);
    const parsed = parseQuery(q);
    // The word being typed may be unfinished ("att"): unless it is a common word in itself, it is
    // searched as its likeliest completions (attention, attack). The count stays that of the query
    // as typed, which is what Enter searches.
    const last = parsed.words[parsed.words.length - 1];
    // Only a plain word at the very end is being typed (not "-word", a phrase or a filter after it).
    const tail = q.split(/\s+/).pop() ?? '';
    const typing = last !== undefined && !/^[-"]|[:"]/.test(tail) && surfaceWords(tail).join(' ') === last;
    const completions = typing ? index.completeTerm(last, 2) : [];
    const request = { mode: 'keyword', sort: 'relevance', offset: 0 } as const;
    // Each completion is searched in place of the unfinished word, and a paper keeps its best score:
    // "sparse att" is "sparse attention" or "sparse attack", never both words at once (a paper that
    // mentions attention and attack would otherwise outrank those that have the word typed first).
    const variants = completions.length > 0 ? completions.map((w) => ({ ...parsed, words: [...parsed.words.slice(0, -1), w] })) : [parsed];
    const outcomes = await Promise.all(variants.map((query) => index.search({ ...request, query, limit: LIVE_RESULTS })));
    const best = new Map<string, number>();
    for (const h of outcomes.flatMap((o) => o.hits)) best.set(h.id, Math.max(best.get(h.id) ?? -Infinity, h.score));
    const hits = [...best].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, LIVE_RESULTS).map(([id]) => id);
    const typed = completions.length > 0 ? await index.search({ ...request, query: parsed, limit: 1 }) : outcomes[0]!;
    const titles = await store.db.selectFrom('papers').select(['id', 'title']).where('id', 'in', hits.length ? hits : ['']).execute();
    const byId = new Map(titles.map((t) => [t.id, t.title]));
    const terms = new Set(variants.flatMap((v) => v.words.flatMap((w) => analyze(w))));
    c.header('Cache-Control', 'no-store');
    return c.json({
      q,
      /** Papers for the query as typed (what Enter finds); the items may be for its completions. */
      total: typed.total,
      totalExact: typed.totalExact,
      completions,
      items: hits.filter((id) => byId.has(id)).map((id) => ({
        id,
        url: `/papers/${id}`,
        title: byId.get(id)!,
        // Highlight as [text, hit] pairs; the client builds DOM nodes from them, never HTML.
        marks: highlight(byId.get(id)!, terms, parsed.phrases).map((s) => [s.text, s.hit] as const),
      })),
    });
  });

  app.get('/search', async (c) => {
    const parsed = params.safeParse(c.req.query());
    if (!parsed.success) return error(c, 400, parsed.error.issues.map((i) => i.message).join('; '));
    const p = parsed.data;
    const form: SearchForm = {
      q: p.q ?? '', mode: p.mode ?? DEFAULT_MODE, sort: p.sort ?? 'relevance',
      category: p.category ?? '', from: p.from ?? '', to: p.to ?? '', hasCode: p.code === '1' || p.code === 'on',
    };
    const anything = form.q.trim() !== '' || form.category !== '' || form.from !== '' || form.to !== '' || form.hasCode;
    const result = anything
      ? await searchPapers({ store, index }, {
          q: form.q, mode: form.mode, sort: form.sort, page: p.page ?? 1, pageSize: deps.pageSize,
          category: form.category, from: form.from, to: form.to, hasCode: form.hasCode,
        })
      : null;
    if (result?.paperId) return c.redirect(`/papers/${result.paperId}`, 302);
    // A page past the last one is a 404, as on every other list (the search clamps the page it
    // runs to the last it can show; the address would then name a page it does not show).
    const asked = p.page ?? 1;
    if (result && result.total > 0 && asked > 1 && (asked > result.pages || result.items.length === 0)) {
      return error(c, 404, `There is no page ${asked} of these results: there ${result.pages === 1 ? 'is 1 page' : `are ${result.pages} pages`}.`);
    }
    const js = await searchClient();
    return c.html(renderDocument(
      <SearchPage site={await deps.site(c)} form={form} result={result} nowMs={deps.clock.now()} categories={deps.categories}
        defaultMode={DEFAULT_MODE} assets={{ css: `/search/search.css?v=${css.hash}`, js: `/search/search.js?v=${js.hash}` }}
        voted={deps.votedAmong && result ? await deps.votedAmong(c, result.items.map((i) => i.card.id)) : new Set()}
        self={new URL(c.req.url).pathname + new URL(c.req.url).search} />,
    ));
  });
}
