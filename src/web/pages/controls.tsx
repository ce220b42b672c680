/**
 * Small controls shared by pages: the CSRF field, form errors, the upvote button, scrolling boxes.
 */
import { counted } from '../../domain/words.ts';
import type { Viewer } from './layout.tsx';

/** The noun after a vote count shown on its own ("1" then " upvote"), as counted() words it. */
export const upvoteNoun = (n: number) => counted(n, 'upvote').slice(String(n).length);

/**
 * Attributes for a box that may scroll sideways (a wide table, a code sample on a phone): a labelled
 * region that takes the keyboard focus, so keyboard users can scroll it too (axe scrollable-region-focusable).
 */
export const scrollable = (label: string) => ({ tabindex: 0, role: 'region', 'aria-label': label });

/**
 * A form's error, shown by the form it belongs to (not at the top of a page of several forms):
 * `role="alert"` so a screen reader says it when the page comes back, and an id that the form's
 * fields name with `describedBy`, so it is read again on reaching them.
 */
export function FormError({ id, message }: { id: string; message: string | null | undefined }) {
  return message ? <p class="alert" role="alert" id={id}>{message}</p> : null;
}

/** The attributes that tie a field to its form's FormError, when there is one. */
export const describedBy = (id: string, message: string | null | undefined) => (message ? { 'aria-describedby': id } : {});

export function Csrf({ viewer, token }: { viewer?: Viewer | null; token?: string }) {
  return <input type="hidden" name="_csrf" value={token ?? viewer?.csrf ?? ''} />;
}

/**
 * The arrow of an upvote button: filled once the viewer has upvoted, outlined before, so the state
 * shows in its shape and not in colour alone (the client script swaps it the same way).
 */
export const VOTED_ARROW = '▲';
export const UNVOTED_ARROW = '△';

/**
 * The upvote control: a form that works without JavaScript (post, then back to `next`), which the
 * client script turns into an instant toggle. Visitors who are not signed in get a link to sign in.
 * `readOnly` shows the count alone (a digest preview: the e-mail has no button either).
 * `title`, on a card: the paper's title, so screen readers hear which paper the button is for
 * ("Upvote "Title": 147 upvotes"); the button comes before the card's heading.
 */
export function VoteControl({ paperId, upvotes, voted, viewer, next, big, readOnly, title }: {
  paperId: string; upvotes: number; voted: boolean; viewer: Viewer | null; next: string; big?: boolean; readOnly?: boolean; title?: string;
}) {
  const cls = `votes${big ? ' big' : ''}${voted ? ' voted' : ''}`;
  if (readOnly) {
    return (
      <div class={cls}>
        <span class="vote-button">
          <span class="arrow" aria-hidden="true">▲</span>
          <span class="count">{upvotes}</span>
          <span class="sr-only">{upvoteNoun(upvotes)}</span>
        </span>
      </div>
    );
  }
  if (!viewer) {
    return (
      <div class={cls}>
        <a class="vote-button" href={`/signin?next=${encodeURIComponent(next)}`} title="Sign in to upvote">
          <span class="arrow" aria-hidden="true">{UNVOTED_ARROW}</span>
          <span class="count">{upvotes}</span>
          <span class="sr-only">{upvoteNoun(upvotes)}; sign in to upvote{title ? ` "${title}"` : ''}</span>
        </a>
      </div>
    );
  }
  return (
    <div class={cls}>
      <form method="post" action="/actions/vote" class="vote-form" data-vote>
        <input type="hidden" name="_csrf" value={viewer.csrf} />
        <input type="hidden" name="paper" value={paperId} />
        <input type="hidden" name="want" value={voted ? '0' : '1'} />
        <input type="hidden" name="next" value={next} />
        <button type="submit" class="vote-button" aria-pressed={voted ? 'true' : 'false'} title={voted ? 'Remove your upvote' : 'Upvote'}>
          {title ? <span class="sr-only">Upvote "{title}": </span> : null}
          <span class="arrow" aria-hidden="true">{voted ? VOTED_ARROW : UNVOTED_ARROW}</span>
          <span class="count">{upvotes}</span>
          <span class="sr-only vote-noun">{upvoteNoun(upvotes)}{voted ? ', upvoted by you' : ''}</span>
        </button>
      </form>
    </div>
  );
}
