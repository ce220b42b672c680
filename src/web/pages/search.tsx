/**
 * The search page: the form (query, filters, sort, mode), what was searched and how many papers
 * matched, "did you mean", results as cards with the matched words marked, and pages. Reads and
 * works without JavaScript; /search/search.js adds search-as-you-type.
 */
import type { Segment } from '../../search/highlight.ts';
import type { SearchMode, SearchSort } from '../../search/search-index.ts';
import type { SearchPapersResult, SearchResultItem } from '../../search/service.ts';
import { formatCardDate } from '../../domain/dates.ts';
import { Layout, type SiteInfo } from './layout.tsx';
import { paperPath } from './paper-card.tsx';
import { VoteControl } from './controls.tsx';
import { searchFeedLink } from '../feeds.tsx';
import type { Viewer } from './layout.tsx';

const SORT_LABEL: Record<SearchSort, string> = { relevance: 'Relevance', date: 'Newest', upvotes: 'Most upvoted' };
const MODE_LABEL: Record<SearchMode, string> = { hybrid: 'Hybrid (keyword + meaning)', keyword: 'Keyword', semantic: 'Meaning (semantic)' };
const CARD_AUTHORS_SHOWN = 4;

export interface SearchForm {
  q: string;
  mode: SearchMode;
  sort: SearchSort;
  category: string;
  from: string;
  to: string;
  hasCode: boolean;
}

export interface SearchPageProps {
  site: SiteInfo;
  form: SearchForm;
  result: SearchPapersResult | null;
  nowMs: number;
  categories: readonly string[];
  defaultMode: SearchMode;
  /** Versioned URLs of the page's own stylesheet and script. */
  assets: { css: string; js: string };
  /** Results the viewer upvoted, and this page's URL to come back to after a vote. */
  voted?: Set<string>;
  self?: string;
}

/** The URL of a search with these fields; defaults are left out. */
export function searchUrl(form: SearchForm, defaultMode: SearchMode, page?: number): string {
  const p = new URLSearchParams();
  if (form.q) p.set('q', form.q);
  if (form.mode !== defaultMode) p.set('mode', form.mode);
  if (form.sort !== 'relevance') p.set('sort', form.sort);
  if (form.category) p.set('category', form.category);
  if (form.from) p.set('from', form.from);
  if (form.to) p.set('to', form.to);
  if (form.hasCode) p.set('code', '1');
  if (page !== undefined && page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `/search?${s}` : '/search';
}

function Marked({ segments }: { segments: Segment[] }) {
  return <>{segments.map((s) => (s.hit ? <mark>{s.text}</mark> : s.text))}</>;
}

function ResultCard({ item, nowMs, rank, viewer, voted, next }: {
  item: SearchResultItem; nowMs: number; rank: number; viewer: Viewer | null; voted: boolean; next: string;
}) {
  const card = item.card;
  const titleId = `t-${card.id.replace(/[^\w]/g, '-')}`;
  const shown = card.authors.slice(0, CARD_AUTHORS_SHOWN).join(', ');
  const authors = card.authorCount > CARD_AUTHORS_SHOWN ? `${shown} et al.` : shown;
  return (
    <article class="card" aria-labelledby={titleId} data-card>
      <VoteControl paperId={card.id} upvotes={card.upvotes} voted={voted} viewer={viewer} next={next} title={card.title} />
      <div class="card-body">
        <h3 class="card-title" id={titleId}>
          <span class="sr-only">{rank}. </span>
          <a href={paperPath(card.id)}><Marked segments={item.title} /></a>
          {card.withdrawn ? <span class="badge warn">Withdrawn</span> : null}
          {card.codeUrl ? <span class="badge">Code</span> : null}
        </h3>
        <p class="meta">
          <span class="authors">{authors}</span>
          {card.authorCount > 0 ? <><span class="dot" aria-hidden="true"> · </span><span>{card.authorCount} {card.authorCount === 1 ? 'author' : 'authors'}</span></> : null}
          {card.publishedAt ? (
            <>
              <span class="dot" aria-hidden="true"> · </span>
              <span>Published on <time datetime={card.publishedAt.slice(0, 10)}>{formatCardDate(card.publishedAt, nowMs)}</time></span>
            </>
          ) : null}
          <span class="dot" aria-hidden="true"> · </span>
          <span class="arxiv-id">arXiv:{card.id}</span>
        </p>
        <p class="abstract search-snippet"><Marked segments={item.snippet} /></p>
        <p class="meta foot">
          <span class="chips">
            {card.categories.slice(0, 4).map((c) => <a class="chip" href={`/new/${c}`}>{c}</a>)}
          </span>
        </p>
      </div>
    </article>
  );
}

function Help() {
  return (
    <section class="search-help" aria-labelledby="search-help-title">
      <h2 id="search-help-title">How to search</h2>
      <ul>
        <li>Words: <code>sparse attention</code>; papers with more of them, in the title above all, come first.</li>
        <li>An exact phrase: <code>"state space model"</code>; leave a word out: <code>-survey</code>.</li>
        <li>Filters: <code>author:Hinton</code>, <code>author:"Yann LeCun"</code>, <code>cat:cs.CL</code> (or a whole archive, <code>cat:cs</code>), <code>year:2024</code>, <code>after:2024-01-01</code>, <code>before:2024-06</code>, <code>has:code</code>.</li>
        <li>An arXiv id or link (<code>2407.13168</code>, <code>arxiv.org/abs/…</code>) goes straight to the paper.</li>
        <li>Hybrid search (the default) also finds papers that say the same thing in other words; <em>Keyword</em> only matches your words.</li>
      </ul>
    </section>
  );
}

/** "about 40 s" / "about 3 min" until a retry, "a moment" when it is due. */
function waitText(seconds: number | undefined): string {
  const s = seconds ?? 0;
  if (s <= 1) return 'a moment';
  return s < 90 ? `about ${s} s` : `about ${Math.round(s / 60)} min`;
}

export function SearchPage({ site, form, result, nowMs, categories, defaultMode, assets, voted, self }: SearchPageProps) {
  const r = result;
  const title = `${form.q ? `Search: ${form.q.slice(0, 80)}` : 'Search'}${r && r.page > 1 ? `, page ${r.page}` : ''}`;
  const first = r ? (r.page - 1) * r.pageSize + 1 : 1;
  const count = r ? `${r.totalExact ? '' : 'about '}${r.total.toLocaleString('en-US')} ${r.total === 1 ? 'paper' : 'papers'}` : '';
  return (
    <Layout site={site} title={title} description={`Search the papers on ${site.siteName}`} feeds={form.q ? [searchFeedLink(form.q)] : []}>
      <link rel="stylesheet" href={assets.css} />
      <h1>Search papers</h1>
      <form class="search-form" role="search" aria-label="Search with filters" method="get" action="/search" data-search-form>
        <div class="search-row">
          <label for="search-q" class="sr-only">Search papers</label>
          <input id="search-q" type="search" name="q" value={form.q} maxlength={1000} autocomplete="off"
            placeholder='Words, "a phrase", author:Name, cat:cs.CL, year:2024' aria-describedby="search-status" />
          <button type="submit">Search</button>
        </div>
        {/* The list is not a live region (it would be read whole at every key); the status says how many. */}
        <div class="search-live" id="search-live" hidden></div>
        <p class="sr-only" id="search-live-status" role="status"></p>
        <fieldset class="search-filters">
          <legend>Filters and order</legend>
          <label>Category
            <input type="text" name="category" value={form.category} list="search-categories" size={10} placeholder="cs.CL" />
          </label>
          <datalist id="search-categories">{categories.map((c) => <option value={c}></option>)}</datalist>
          <label>From <input type="date" name="from" value={form.from} /></label>
          <label>To <input type="date" name="to" value={form.to} /></label>
          <label class="check"><input type="checkbox" name="code" value="1" checked={form.hasCode} /> Has code</label>
          <label>Sort
            <select name="sort">
              {(['relevance', 'date', 'upvotes'] as const).map((s) => <option value={s} selected={s === form.sort}>{SORT_LABEL[s]}</option>)}
            </select>
          </label>
          <label>Mode
            <select name="mode">
              {(['hybrid', 'keyword', 'semantic'] as const).map((m) => <option value={m} selected={m === form.mode}>{MODE_LABEL[m]}{m === defaultMode ? ' (default)' : ''}</option>)}
            </select>
          </label>
        </fieldset>
      </form>

      {r && r.status.state !== 'ready' ? (
        <p class="notice" role="status">{r.status.state === 'retrying'
          ? `The search index could not be built; it is built again in ${waitText(r.status.retryInSeconds)}. Results appear as soon as it is ready.`
          : `The search index is being built (${Math.round(r.status.progress * 100)}% done): results appear as soon as it is ready. Try again in a minute.`}</p>
      ) : null}
      {r && r.status.state === 'ready' && r.mode !== form.mode && form.mode !== 'keyword' && !r.semanticUnavailable ? (
        <p class="notice">{r.status.semantic === 'building'
          ? 'Search by meaning is still being prepared; these are keyword results.'
          : 'Search by meaning is off on this site for now; these are keyword results.'}</p>
      ) : null}

      {r === null ? <Help /> : (
        <>
          <p class="count" role="status" id="search-status">
            {count} for <strong class="searched">{r.searched || form.q}</strong>
            {r.pages > 1 ? `, page ${r.page} of ${r.pages}` : ''}
            {form.q ? <> · <a href={`/subscribe?kind=search&q=${encodeURIComponent(r.searched || form.q)}`}>E-mail me new papers for this search</a> · <a href={`/search.rss?q=${encodeURIComponent(form.q)}`}>RSS</a></> : null}
          </p>
          {r.notes.length > 0 ? <ul class="search-notes">{r.notes.map((n) => <li>{n}</li>)}</ul> : null}
          {r.suggestion ? (
            <p class="did-you-mean">Did you mean <a href={searchUrl({ ...form, q: r.suggestion }, defaultMode)}>{r.suggestion}</a>?</p>
          ) : null}
          {r.items.length === 0 ? (
            <p class="empty">No papers match. Try fewer words, other words, or fewer filters.</p>
          ) : (
            <>
            <h2 class="sr-only">Results</h2>
            <ol class="cards" start={first}>
              {r.items.map((item, i) => <li><ResultCard item={item} nowMs={nowMs} rank={first + i} viewer={site.viewer} voted={voted?.has(item.card.id) ?? false} next={self ?? searchUrl(form, defaultMode)} /></li>)}
            </ol>
            </>
          )}
          {r.pages > 1 ? (
            <nav aria-label="Pages" class="pager">
              {r.page > 1 ? <a href={searchUrl(form, defaultMode, r.page - 1)} rel="prev">← Previous page</a> : <span class="muted">← Previous page</span>}
              <span>Page {r.page} of {r.pages}</span>
              {r.page < r.pages ? <a href={searchUrl(form, defaultMode, r.page + 1)} rel="next">Next page →</a> : <span class="muted">Next page →</span>}
            </nav>
          ) : null}
        </>
      )}
      <script type="module" src={assets.js}></script>
    </Layout>
  );
}

/** The page's own styles (served at /search/search.css; the site stylesheet has none for search). */
export const SEARCH_CSS = `
.search-form { margin: 0 0 1rem; }
.search-row { display: flex; gap: .5rem; }
.search-row input[type=search] { flex: 1; font: inherit; padding: .5rem .6rem; border: 1px solid color-mix(in srgb, currentColor 35%, transparent); border-radius: 6px; background: transparent; color: inherit; }
.search-row button { font: inherit; padding: .5rem 1rem; border-radius: 6px; border: 1px solid color-mix(in srgb, currentColor 35%, transparent); background: color-mix(in srgb, currentColor 8%, transparent); color: inherit; cursor: pointer; }
.search-filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; border: 0; padding: 0; margin: .75rem 0 0; }
.search-filters legend { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.search-filters label { display: flex; flex-direction: column; font-size: .85rem; gap: .2rem; }
.search-filters label.check { flex-direction: row; align-items: center; gap: .35rem; }
.search-filters input, .search-filters select { font: inherit; padding: .25rem .35rem; color: inherit; background: transparent; border: 1px solid color-mix(in srgb, currentColor 35%, transparent); border-radius: 4px; }
.search-filters select option { color: #111; background: #fff; }
mark { background: #fde68a; color: #111; border-radius: 2px; padding: 0 .05em; }
.search-notes { font-size: .9rem; margin: .25rem 0 .75rem; }
.did-you-mean { font-size: 1rem; }
.notice { padding: .5rem .75rem; border-radius: 6px; background: color-mix(in srgb, #f59e0b 15%, transparent); }
.search-live { border: 1px solid color-mix(in srgb, currentColor 25%, transparent); border-radius: 6px; margin-top: .25rem; }
.search-live ul { list-style: none; margin: 0; padding: 0; }
.search-live li a { display: block; padding: .4rem .6rem; text-decoration: none; }
.search-live li a:hover, .search-live li a:focus { background: color-mix(in srgb, currentColor 8%, transparent); }
.search-help code { font-size: .9em; }
.arxiv-id { font-variant-numeric: tabular-nums; }
`;
