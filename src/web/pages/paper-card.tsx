/**
 * A paper in a list: what the Daily papers page shows for each entry.
 */
import { formatCardDate } from '../../domain/dates.ts';
import type { Child } from 'hono/jsx';
import { listedEntry, type PaperCard } from '../../store/types.ts';
import { VoteControl } from './controls.tsx';
import type { Viewer } from './layout.tsx';
import { AuthorLinks, categoryPath } from './discovery-bits.tsx';

/** How many characters of the abstract a card shows before cutting at a word. */
export const CARD_ABSTRACT_CHARS = 320;
/** Author names shown on a card before "et al.". */
const CARD_AUTHORS_SHOWN = 4;

export function cutAbstract(text: string, max = CARD_ABSTRACT_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${cut.slice(0, space > max * 0.6 ? space : max).replace(/[\s,;:.]+$/, '')}…`;
}

export function paperPath(id: string): string {
  return `/papers/${id}`;
}

function AuthorLine({ card }: { card: PaperCard }) {
  return (
    <>
      <AuthorLinks names={card.authors.slice(0, CARD_AUTHORS_SHOWN)} />
      {card.authorCount > CARD_AUTHORS_SHOWN ? ' et al.' : ''}
    </>
  );
}

/**
 * The id of a card's title (its heading): the fragment a form on the card comes back to. `idPrefix`
 * tells apart the lists of one page that may show the same paper (a profile's Submitted and Upvoted).
 */
export function cardTitleId(paperId: string, idPrefix = ''): string {
  return `${idPrefix}t-${paperId.replace(/[^\w]/g, '-')}`;
}

/** `path` with the card's title as its fragment, so a form on the card (without JavaScript) comes back to it in a long list. */
export function backToCard(path: string, paperId: string, idPrefix = ''): string {
  return `${path.split('#')[0]}#${cardTitleId(paperId, idPrefix)}`;
}

/** `children`: more about the paper in this list, inside the card, under its links (For you's "Why"). */
export function PaperCardView({ card, nowMs, rank, viewer = null, voted = false, next = '/', readOnly, idPrefix = '', children }: {
  card: PaperCard; nowMs: number; rank: number; viewer?: Viewer | null; voted?: boolean; next?: string; readOnly?: boolean; idPrefix?: string;
  children?: Child;
}) {
  const titleId = cardTitleId(card.id, idPrefix);
  const entry = listedEntry(card.entry);
  return (
    <article class="card" aria-labelledby={titleId} data-card>
      <VoteControl paperId={card.id} upvotes={card.upvotes} voted={voted} viewer={viewer} next={backToCard(next, card.id, idPrefix)} readOnly={readOnly} title={card.title} />
      <div class="card-body">
        <h3 class="card-title" id={titleId}>
          <span class="sr-only">{rank}. </span>
          <a href={paperPath(card.id)}>{card.title}</a>
          {entry?.pinned ? <span class="badge">Pinned</span> : null}
          {entry?.featured ? <span class="badge">Featured</span> : null}
          {card.withdrawn ? <span class="badge warn">Withdrawn</span> : null}
        </h3>
        <p class="meta">
          <span class="authors"><AuthorLine card={card} /></span>
          <span class="dot" aria-hidden="true"> · </span>
          <span>{card.authorCount} {card.authorCount === 1 ? 'author' : 'authors'}</span>
          {card.publishedAt ? (
            <>
              <span class="dot" aria-hidden="true"> · </span>
              <span>Published on <time datetime={card.publishedAt.slice(0, 10)}>{formatCardDate(card.publishedAt, nowMs)}</time></span>
            </>
          ) : null}
        </p>
        <p class="abstract">{cutAbstract(card.abstract)}</p>
        <p class="meta foot">
          <span class="chips">
            {card.categories.slice(0, 4).map((c) => (
              <a class="chip" href={categoryPath(c)}>{c}</a>
            ))}
          </span>
          <span class="comments">
            <a href={`${paperPath(card.id)}#comments`}>
              {card.commentsCount} {card.commentsCount === 1 ? 'comment' : 'comments'}<span class="sr-only"> on "{card.title}"</span>
            </a>
          </span>
          {entry?.submittedBy ? <span class="by">submitted by <a href={`/users/${entry.submittedBy}`}>{entry.submittedBy}</a></span> : null}
          {/* The Save page offers the way back to this card (`from`), and says what was saved. */}
          {viewer ? <a href={`/collections/save?paper=${encodeURIComponent(card.id)}&from=${encodeURIComponent(backToCard(next, card.id, idPrefix))}`}>Save<span class="sr-only"> "{card.title}"</span></a> : null}
        </p>
        {children}
      </div>
    </article>
  );
}
