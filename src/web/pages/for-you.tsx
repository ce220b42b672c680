/**
 * "For you": a member's new papers of a day, week or month, ranked by what they upvoted, saved and
 * dismissed, each card saying why; with "Not interested" to teach it.
 */
import { formatCardDate, formatWindow, type DayWindow, type Period } from '../../domain/dates.ts';
import { describeForYouReason, type ForYouReason } from '../../discovery/model.ts';
import type { PaperCard } from '../../store/types.ts';
import { Csrf } from './controls.tsx';
import { Layout, type SiteInfo } from './layout.tsx';
import { backToCard, PaperCardView, paperPath } from './paper-card.tsx';

export interface ForYouPageProps {
  site: SiteInfo;
  nowMs: number;
  period: Period;
  window: DayWindow | null;
  mode: 'personal' | 'trending';
  vectors: boolean;
  items: { card: PaperCard; reason: ForYouReason }[];
  candidates: number;
  history: { positives: number; negatives: number; followed: number };
  voted: Set<string>;
  /** Which page (30 papers each), and whether another follows. */
  page: number;
  hasNext: boolean;
  /** The paper just dismissed, for "Undo". */
  dismissed?: { id: string; title: string } | null;
  /** Where on the page its card was (0-based), so the "Undo" shows there, where the reader is. */
  dismissedAt?: number | null;
}

/**
 * The fragment a "Not interested" comes back to: the notice with its "Undo", in the place of the
 * card it took away (the page is scrolled there, and the script gives it the focus, so screen readers
 * say it: a status message already on a page that loads is not announced).
 */
export const UNDO_ANCHOR = 'undo';

const PERIODS: [Period, string][] = [['day', 'Day'], ['week', 'Week'], ['month', 'Month']];

export function ForYouPage(p: ForYouPageProps) {
  const viewer = p.site.viewer!;
  const pageOf = (n: number) => `/for-you?period=${p.period}${n > 1 ? `&page=${n}` : ''}`;
  const self = pageOf(p.page);
  const offset = (p.page - 1) * 30;
  const undo = p.dismissed ? (
    <div class="notice undo" role="status" id={UNDO_ANCHOR} tabindex={-1} data-announce>
      <span>"{p.dismissed.title}" will not be recommended again. </span>
      <form method="post" action="/actions/not-interested" class="inline">
        <Csrf viewer={viewer} />
        <input type="hidden" name="paper" value={p.dismissed.id} />
        <input type="hidden" name="want" value="0" />
        {/* Back to the card, in its place again. */}
        <input type="hidden" name="next" value={backToCard(self, p.dismissed.id)} />
        <button type="submit" class="link" aria-label={`Undo: recommend "${p.dismissed.title}" again`}>Undo</button>
      </form>
    </div>
  ) : null;
  // In the list where the card was; at the top when that is not known (or the list is empty now).
  const undoAt = undo && p.items.length > 0 && p.dismissedAt != null ? Math.min(p.dismissedAt, p.items.length) : null;
  return (
    <Layout site={p.site} title={p.page > 1 ? `For you, page ${p.page}` : 'For you'} section="for-you" description="New papers ranked for you">
      <div class="feed-head">
        <h1>For you{p.window ? <span class="when">New papers of {formatWindow(p.window)}</span> : null}</h1>
        <nav aria-label="Period" class="tabs">
          {PERIODS.map(([period, label]) => <a href={`/for-you?period=${period}`} aria-current={period === p.period ? 'page' : undefined}>{label}</a>)}
        </nav>
      </div>
      {undoAt === null ? undo : null}
      {p.mode === 'trending' ? (
        <p class="notice">
          Upvote or save papers you like (and mark the others "Not interested"): this page learns from them and ranks new
          papers for you, saying why. Until then, here is what is trending.
        </p>
      ) : (
        <p class="muted">
          Ranked by a model of {modelOf(p.history)}, among {p.candidates} new {p.candidates === 1 ? 'paper' : 'papers'}.
          {p.vectors ? '' : ' The search index is being built: for now by shared terms only.'}
          {p.history.negatives > 0 ? <> <a href={NOT_INTERESTED_PATH}>See the papers you marked not interested</a>.</> : null}
        </p>
      )}
      {p.items.length === 0 ? (
        <p class="empty">No new papers in this period yet.</p>
      ) : (
        <>
        {/* The cards' titles are h3: this keeps the outline h1, h2, h3 for readers who go by headings. */}
        <h2 class="sr-only">Papers</h2>
        <div class="cards">
          {p.items.map(({ card, reason }, i) => (
            <>
              {undoAt === i ? undo : null}
              <PaperCardView card={card} nowMs={p.nowMs} rank={offset + i + 1} viewer={viewer} voted={p.voted.has(card.id)} next={self}>
                <div class="reason">
                  <strong>Why:</strong> {describeForYouReason(reason)}{' '}
                  <form method="post" action="/actions/not-interested" class="inline for-you-actions">
                    <Csrf viewer={viewer} />
                    <input type="hidden" name="paper" value={card.id} />
                    <input type="hidden" name="want" value="1" />
                    {/* The card leaves the list: back to the notice that takes its place. */}
                    <input type="hidden" name="next" value={`${self}&at=${i}#${UNDO_ANCHOR}`} />
                    <button type="submit" class="link" aria-label={`Not interested in "${card.title}"`}>Not interested</button>
                  </form>
                </div>
              </PaperCardView>
            </>
          ))}
          {undoAt === p.items.length ? undo : null}
        </div>
        </>
      )}
      {p.page > 1 || p.hasNext ? (
        <nav aria-label="Pages" class="pager">
          {p.page > 1 ? <a href={pageOf(p.page - 1)} rel="prev">← Previous page</a> : <span class="muted">← Previous page</span>}
          <span>Page {p.page}</span>
          {p.hasNext ? <a href={pageOf(p.page + 1)} rel="next">Next page →</a> : <span class="muted">Next page →</span>}
        </nav>
      ) : null}
    </Layout>
  );
}

/** "the 3 papers you upvoted or saved, the 2 authors you follow and the 1 you marked not interested": what the model knows. */
function modelOf(h: ForYouPageProps['history']): string {
  const parts = [
    h.positives > 0 ? `the ${h.positives} ${h.positives === 1 ? 'paper' : 'papers'} you upvoted or saved` : null,
    h.followed > 0 ? `the ${h.followed} ${h.followed === 1 ? 'author' : 'authors'} you follow` : null,
    h.negatives > 0 ? `the ${h.negatives} you marked not interested` : null,
  ].filter((x): x is string => x !== null);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0] ?? 'what you told us';
}

/** Where a member sees (and takes back) the papers they marked "not interested". */
export const NOT_INTERESTED_PATH = '/settings/not-interested';
/** Marks listed there at most, newest first. */
export const NOT_INTERESTED_LISTED = 500;

export function NotInterestedPage({ site, marks, nowMs }: { site: SiteInfo; marks: { paperId: string; title: string; at: string }[]; nowMs: number }) {
  return (
    <Layout site={site} title="Not interested" section="me">
      <h1>Papers you marked not interested</h1>
      <p><a href="/for-you">Back to For you</a> · <a href="/settings">Settings</a></p>
      {marks.length === 0 ? (
        <p>None. "Not interested" on a For you card takes a paper off your list and lowers papers like it; it is listed here, to take back.</p>
      ) : (
        <>
          <p>These papers are left out of For you and lower papers like them. Take a mark back and the paper counts as before.
            {marks.length >= NOT_INTERESTED_LISTED ? ` The ${NOT_INTERESTED_LISTED} most recent are shown.` : ''}</p>
          <ul class="following">
            {marks.map((m) => (
              <li>
                <a href={paperPath(m.paperId)}>{m.title}</a>
                <span class="muted"> marked <time datetime={m.at.slice(0, 10)}>{formatCardDate(m.at, nowMs)}</time></span>{' '}
                <form method="post" action="/actions/not-interested" class="inline">
                  <Csrf viewer={site.viewer!} />
                  <input type="hidden" name="paper" value={m.paperId} />
                  <input type="hidden" name="want" value="0" />
                  <input type="hidden" name="next" value={NOT_INTERESTED_PATH} />
                  <button type="submit" class="link" aria-label={`Take back "not interested" for "${m.title}"`}>Take back</button>
                </form>
              </li>
            ))}
          </ul>
        </>
      )}
    </Layout>
  );
}
