/**
 * The Daily papers pages (day, week, month) and New on arXiv.
 */
import { formatWindow, windowContaining, type DayWindow, type Period } from '../../domain/dates.ts';
import type { FeedView } from '../../services/feed.ts';
import type { ListSort } from '../../store/types.ts';
import { Layout, type SiteInfo } from './layout.tsx';
import { PaperCardView } from './paper-card.tsx';
import { newFeedLink } from '../feeds.tsx';
import { categoryFeedLink } from '../category-feeds.tsx';

const PERIOD_PATH: Record<Period, string> = { day: 'date', week: 'week', month: 'month' };
const SORT_LABEL: Record<ListSort, string> = { trending: 'Trending', upvotes: 'Most upvoted', newest: 'Newest' };

/** The Daily papers URL of a window (a category's own list, when given). */
export function dailyPath(w: DayWindow, category?: string): string {
  return category ? `/categories/${category}/${PERIOD_PATH[w.period]}/${w.label}` : `/papers/${PERIOD_PATH[w.period]}/${w.label}`;
}

/** The New on arXiv URL of a day, in a category or all. */
export function newPath(day: string | null, category?: string): string {
  const base = category ? `/new/${category}` : '/new';
  return day ? `${base}?date=${day}` : base;
}

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const [base, existing] = path.split('?');
  const q = new URLSearchParams(existing);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `${base}?${s}` : base!;
}

export interface FeedPageProps {
  site: SiteInfo;
  view: FeedView;
  nowMs: number;
  kind: 'daily' | 'new';
  category?: string | undefined;
  /** The sort the page defaults to, left out of links. */
  defaultSort: ListSort;
  /** Papers on this page the viewer upvoted. */
  voted?: Set<string>;
  /** This page's path and query, for returning after a vote. */
  self?: string;
}

export function FeedPage({ site, view, nowMs, kind, category, defaultSort, voted, self }: FeedPageProps) {
  const w = view.window;
  const pathOf = (x: DayWindow) => (kind === 'daily' ? dailyPath(x, category) : newPath(x.from, category));
  const here = w ? pathOf(w) : kind === 'daily' ? (category ? `/categories/${category}` : '/') : newPath(null, category);
  const sortParam = (s: ListSort) => (s === defaultSort ? undefined : s);
  const heading = kind === 'daily' ? (category ? `Daily papers in ${category}` : 'Daily papers') : category ? `New on arXiv in ${category}` : 'New on arXiv';
  const pageFeeds = kind === 'new' ? [newFeedLink(category)] : category ? [categoryFeedLink(category)] : [];
  const title = `${w ? `${heading}: ${formatWindow(w)}` : heading}${view.page > 1 ? `, page ${view.page}` : ''}`;
  const period = w?.period ?? 'day';
  const prevLabel = period === 'day' ? 'Previous day' : period === 'week' ? 'Previous week' : 'Previous month';
  const nextLabel = period === 'day' ? 'Next day' : period === 'week' ? 'Next week' : 'Next month';
  return (
    <Layout site={site} title={title} section={kind} description={`${heading} on ${site.siteName}`} feeds={pageFeeds}>
      <div class="feed-head">
        <h1>
          {heading}
          {w ? <span class="when">{formatWindow(w)}</span> : null}
        </h1>
        {kind === 'daily' && w ? (
          <nav aria-label="Period" class="tabs">
            {(['day', 'week', 'month'] as const).map((p) => {
              // A week can straddle two months (and the first or last year a label may name): the
              // tab takes whichever end has a window.
              const tab = windowContaining(p, w.from) ?? windowContaining(p, w.to);
              const name = p === 'day' ? 'Daily' : p === 'week' ? 'Weekly' : 'Monthly';
              return tab
                ? <a href={dailyPath(tab, category)} aria-current={p === period ? 'page' : undefined}>{name}</a>
                : <span class="muted">{name}</span>;
            })}
          </nav>
        ) : null}
      </div>
      {kind === 'daily' && category ? (
        <p class="muted">
          Papers in {category} (primary or cross-listed) on the Daily papers lists, ranked as on the home page.
          {' '}See also <a href={newPath(null, category)}>everything new on arXiv in {category}</a>
          {' '}· feeds: <a href={categoryFeedLink(category).rss}>RSS</a>, <a href={categoryFeedLink(category).rss.replace(/\.rss$/, '.atom')}>Atom</a>.
        </p>
      ) : null}
      {w ? (
        <nav aria-label="Dates" class="pager dates">
          {view.prev ? <a href={withQuery(pathOf(view.prev), { sort: sortParam(view.sort) })} rel="prev" data-key-prev>← {prevLabel}</a> : <span class="muted">← {prevLabel}</span>}
          {view.next ? <a href={withQuery(pathOf(view.next), { sort: sortParam(view.sort) })} rel="next" data-key-next>{nextLabel} →</a> : <span class="muted">{nextLabel} →</span>}
        </nav>
      ) : null}
      <div class="toolbar">
        <p class="count" role="status">
          {view.total} {view.total === 1 ? 'paper' : 'papers'}
          {view.pages > 1 ? `, page ${view.page} of ${view.pages}` : ''}
        </p>
        <nav aria-label="Sort" class="sort">
          <span class="label">Sort:</span>
          {(['trending', 'upvotes', 'newest'] as const).map((s) => (
            <a href={withQuery(here, { sort: sortParam(s) })} aria-current={s === view.sort ? 'true' : undefined}>{SORT_LABEL[s]}</a>
          ))}
        </nav>
      </div>
      {view.items.length === 0 ? (
        <p class="empty">
          {w ? 'No papers here yet.' : kind === 'daily'
            ? category ? `No paper in ${category} has been on a daily list yet.` : 'No daily list yet: papers appear here when members submit them or curators feature them.'
            : 'Nothing announced yet.'}
          {kind === 'daily' && w ? <> See <a href={newPath(w.period === 'day' ? w.from : null, category)}>what arXiv announced</a>.</> : null}
        </p>
      ) : (
        <>
        {/* The cards' titles are h3: this keeps the outline h1, h2, h3 for readers who go by headings. */}
        <h2 class="sr-only">Papers</h2>
        <ol class="cards" start={(view.page - 1) * view.pageSize + 1}>
          {view.items.map((card, i) => (
            <li>
              <PaperCardView card={card} nowMs={nowMs} rank={(view.page - 1) * view.pageSize + i + 1} viewer={site.viewer} voted={voted?.has(card.id) ?? false} next={self ?? here} />
            </li>
          ))}
        </ol>
        </>
      )}
      {view.pages > 1 ? (
        <nav aria-label="Pages" class="pager">
          {view.page > 1 ? <a href={withQuery(here, { sort: sortParam(view.sort), page: view.page - 1 === 1 ? undefined : view.page - 1 })} rel="prev">← Previous page</a> : <span class="muted">← Previous page</span>}
          <span>Page {view.page} of {view.pages}</span>
          {view.page < view.pages ? <a href={withQuery(here, { sort: sortParam(view.sort), page: view.page + 1 })} rel="next">Next page →</a> : <span class="muted">Next page →</span>}
        </nav>
      ) : null}
    </Layout>
  );
}
