/**
 * Community pages: submit, profiles, collections, editing a comment, moderation.
 */
import { commentPath } from './paper.tsx';
import type { Collection } from '../../store/collections.ts';
import type { CommentRow } from '../../store/comments.ts';
import type { PaperCard } from '../../store/types.ts';
import type { User } from '../../store/users.ts';
import { formatCardDate } from '../../domain/dates.ts';
import { renderCommentExcerpt, renderCommentMarkdown } from '../../services/markdown.ts';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { Csrf, describedBy, FormError } from './controls.tsx';
import { AdminNav } from './admin-nav.tsx';
import type { HiddenPaper, SuspendedAccount } from '../../store/admin-lists.ts';
import { Layout, type SiteInfo } from './layout.tsx';
import { backToCard, PaperCardView } from './paper-card.tsx';
import { collectionFeedLink } from '../feeds.tsx';
import { counted } from '../../domain/words.ts';
import { MASKED_SECRET } from '../../mail/mailer.ts';
import type { PagerLinks } from '../moderation-paging.ts';

/** A list of cards; `idPrefix` keeps its cards' ids apart from another list's on the same page. */
function Cards({ site, cards, nowMs, voted, next, idPrefix }: { site: SiteInfo; cards: PaperCard[]; nowMs: number; voted: Set<string>; next: string; idPrefix: string }) {
  if (cards.length === 0) return <p class="empty">Nothing here yet.</p>;
  return (
    <ol class="cards">
      {cards.map((card, i) => <li><PaperCardView card={card} nowMs={nowMs} rank={i + 1} viewer={site.viewer} voted={voted.has(card.id)} next={next} idPrefix={idPrefix} /></li>)}
    </ol>
  );
}

export function SubmitPage({ site, error, values, quota }: { site: SiteInfo; error?: string | null; values?: { id?: string; code?: string; project?: string }; quota: number }) {
  const v = site.viewer!;
  return (
    <Layout site={site} title="Submit a paper" section="submit">
      <h1>Submit a paper</h1>
      <p>Put an arXiv paper on today's Daily papers list. Paste its id or any arXiv link; if this site does not know the paper yet, it is fetched from arXiv. Up to {quota} a day.</p>
      {!v.verified ? <p class="notice">Confirm your e-mail address first: follow the link we sent you, or ask for a new one in <a href="/settings">Settings</a>.</p> : (
      <form method="post" action="/submit" class="form">
        <Csrf viewer={v} />
        <FormError id="submit-error" message={error} />
        <label>arXiv id or link <span class="hint">e.g. 2407.13168, arXiv:2407.13168v2 or https://arxiv.org/abs/2407.13168</span>
          <input type="text" name="id" required maxlength={200} value={values?.id ?? ''} autofocus={!!error} {...describedBy('submit-error', error)} />
        </label>
        <label>Code repository <span class="hint">optional</span> <input type="url" name="code" maxlength={500} value={values?.code ?? ''} placeholder="https://github.com/..." {...describedBy('submit-error', error)} /></label>
        <label>Project page <span class="hint">optional</span> <input type="url" name="project" maxlength={500} value={values?.project ?? ''} placeholder="https://..." {...describedBy('submit-error', error)} /></label>
        <div><button type="submit" class="primary">Submit</button></div>
      </form>
      )}
    </Layout>
  );
}

/** How much of each comment a profile shows (characters of its text; see renderCommentExcerpt). */
const PROFILE_EXCERPT_CHARS = 160;

export interface ProfileProps {
  site: SiteInfo;
  profile: User;
  submitted: PaperCard[];
  upvoted: PaperCard[] | null;
  comments: (CommentRow & { paperTitle: string })[];
  collections: Collection[];
  nowMs: number;
  voted: Set<string>;
}

export function ProfilePage({ site, profile, submitted, upvoted, comments, collections, nowMs, voted }: ProfileProps) {
  const self = `/users/${profile.username}`;
  const isMe = site.viewer?.username === profile.username;
  const isAdmin = site.viewer?.role === 'admin';
  return (
    <Layout site={site} title={profile.username} section={isMe ? 'me' : undefined}>
      <h1>{profile.username} {profile.role !== 'member' ? <span class="badge">{profile.role}</span> : null} {profile.suspendedAt ? <span class="badge warn">suspended</span> : null}</h1>
      <p class="muted">Member since {formatCardDate(profile.createdAt, nowMs)}{profile.isDemo ? ' · a generated demo account' : ''}</p>
      {isMe ? <p><a href="/settings">Settings</a> · <a href="/collections">Your collections</a></p> : null}
      {isAdmin && !isMe && !profile.isDemo ? (
        <section class="curator" aria-labelledby="admin-h">
          <h2 id="admin-h" class="sr-only">Administer this account</h2>
          <strong>Admin:</strong>
          <form method="post" action={`/users/${profile.username}/admin`} class="inline">
            <Csrf viewer={site.viewer} />
            <input type="hidden" name="action" value={profile.suspendedAt ? 'restore' : 'suspend'} />
            <button type="submit" class={profile.suspendedAt ? '' : 'danger'}>{profile.suspendedAt ? 'Restore account' : 'Suspend account'}</button>
          </form>
          <form method="post" action={`/users/${profile.username}/admin`} class="inline">
            <Csrf viewer={site.viewer} />
            <input type="hidden" name="action" value="role" />
            <label for="role-select" class="sr-only">Role</label>
            <select name="role" id="role-select">
              {(['member', 'curator', 'admin'] as const).map((r) => <option value={r} selected={profile.role === r}>{r}</option>)}
            </select>
            <button type="submit">Set role</button>
          </form>
        </section>
      ) : null}
      <h2>Submitted</h2>
      <Cards site={site} cards={submitted} nowMs={nowMs} voted={voted} next={self} idPrefix="submitted-" />
      <h2>Upvoted</h2>
      {upvoted ? <Cards site={site} cards={upvoted} nowMs={nowMs} voted={voted} next={self} idPrefix="upvoted-" /> : <p class="muted">{profile.username} keeps their upvotes private.</p>}
      <h2>Collections</h2>
      {collections.length === 0 ? <p class="empty">No public collections.</p> : (
        <ul class="collections-list">
          {collections.map((c) => <li><a href={`/users/${profile.username}/collections/${c.slug}`}>{c.name}</a> <span class="muted">({counted(c.size, 'paper')}{c.isPublic ? '' : ', private'})</span></li>)}
        </ul>
      )}
      <h2>Comments</h2>
      {comments.length === 0 ? <p class="empty">No comments yet.</p> : (
        <ul class="collections-list">
          {comments.map((c) => {
            const excerpt = renderCommentExcerpt(c.body, PROFILE_EXCERPT_CHARS);
            return (
              <li>
                <a href={commentPath(c.paperId, c.id)}>{c.paperTitle}</a> <span class="muted">{formatCardDate(c.createdAt, nowMs)}</span>
                <div class="comment-body comment-excerpt">{raw(excerpt.html)}</div>
                {excerpt.cut ? <a href={commentPath(c.paperId, c.id)} class="more">Read the whole comment<span class="sr-only"> on {c.paperTitle}</span></a> : null}
              </li>
            );
          })}
        </ul>
      )}
    </Layout>
  );
}

/**
 * A refused collection form: `id` the collection whose Edit form it was, or null for "New
 * collection"; what was typed comes back in it, with the error by it.
 */
export interface CollectionFailure { id: number | null; message: string; name: string; isPublic: boolean }

/**
 * "Delete X?" before anything is deleted: a page of its own (so it works without JavaScript and
 * nothing goes on one keypress), with the button that posts the deletion and a way back.
 */
export function ConfirmDeletePage({ site, title, action, button, cancel, children }: {
  site: SiteInfo; title: string; action: string; button: string; cancel: { href: string; label: string }; children?: Child;
}) {
  return (
    <Layout site={site} title={title}>
      <h1>{title}</h1>
      {children}
      <form method="post" action={action} class="confirm-actions">
        <Csrf viewer={site.viewer} />
        <button type="submit" class="danger">{button}</button>
        <a href={cancel.href}>{cancel.label}</a>
      </form>
    </Layout>
  );
}

export function ConfirmDeleteCollectionPage({ site, collection }: { site: SiteInfo; collection: Collection }) {
  return (
    <ConfirmDeletePage site={site} title={`Delete the collection “${collection.name}”?`} action={`/collections/${collection.id}/delete`}
      button="Delete collection" cancel={{ href: `/collections#collection-${collection.id}`, label: 'Cancel, keep it' }}>
      <p>
        It holds {counted(collection.size, 'paper')}; the papers stay on the site, only the collection goes
        {collection.isPublic ? ', with its page and its feed' : ''}. This cannot be undone.
      </p>
    </ConfirmDeletePage>
  );
}

export function ConfirmDeleteCommentPage({ site, comment, paperTitle }: { site: SiteInfo; comment: { id: number; paperId: string; body: string }; paperTitle: string }) {
  return (
    <ConfirmDeletePage site={site} title="Delete your comment?" action={`/comments/${comment.id}/delete`}
      button="Delete comment" cancel={{ href: commentPath(comment.paperId, comment.id), label: 'Cancel, keep it' }}>
      <p>Your comment on <a href={`/papers/${comment.paperId}`}>{paperTitle}</a>:</p>
      <blockquote class="comment-body comment-excerpt">{raw(renderCommentMarkdown(comment.body))}</blockquote>
      <p>Its place in the thread stays, marked as deleted, so replies keep their context. This cannot be undone.</p>
    </ConfirmDeletePage>
  );
}

export function CollectionsPage({ site, collections, failed = null, deleted = false }: { site: SiteInfo; collections: Collection[]; failed?: CollectionFailure | null; deleted?: boolean }) {
  const v = site.viewer!;
  const created = failed?.id === null ? failed : null;
  // An Edit form's error whose collection is gone meanwhile has no form to be shown by.
  const orphan = failed && failed.id !== null && !collections.some((c) => c.id === failed.id) ? failed.message : null;
  return (
    <Layout site={site} title="Your collections" section="me">
      <h1>Your collections</h1>
      {deleted ? <p class="success" role="status">The collection is deleted.</p> : null}
      {orphan ? <p class="alert" role="alert">{orphan}</p> : null}
      {collections.length === 0 ? <p class="empty">No collections yet. Create one, then use "Save" on any paper.</p> : (
        <ul class="collections-list">
          {collections.map((c) => {
            const edit = failed?.id === c.id ? failed : null;
            const errorId = `collection-${c.id}-error`;
            return (
              <li id={`collection-${c.id}`}>
                <a href={`/users/${v.username}/collections/${c.slug}`}>{c.name}</a> <span class="muted">({counted(c.size, 'paper')}, {c.isPublic ? 'public' : 'private'})</span>
                {' '}
                <a href={`/collections/${c.id}/delete`}>Delete<span class="sr-only"> collection {c.name}</span></a>
                <details class="collection-edit" open={!!edit}>
                  <summary>Edit<span class="sr-only"> collection {c.name}</span></summary>
                  <form method="post" action={`/collections/${c.id}`} class="form">
                    <Csrf viewer={v} />
                    <FormError id={errorId} message={edit?.message} />
                    <label>Name <input type="text" name="name" required maxlength={80} value={edit ? edit.name : c.name} autofocus={!!edit} {...describedBy(errorId, edit?.message)} /></label>
                    <label><span><input type="checkbox" name="public" value="1" checked={edit ? edit.isPublic : c.isPublic} /> Public (shown on your profile, with a feed)</span></label>
                    <p class="hint">The address stays {`/users/${v.username}/collections/${c.slug}`} when you rename it.</p>
                    <div><button type="submit" class="primary">Save changes</button></div>
                  </form>
                </details>
              </li>
            );
          })}
        </ul>
      )}
      <h2>New collection</h2>
      <form method="post" action="/collections" class="form">
        <Csrf viewer={v} />
        <FormError id="new-collection-error" message={created?.message} />
        <label>Name <input type="text" name="name" required maxlength={80} value={created?.name ?? ''} autofocus={!!created} {...describedBy('new-collection-error', created?.message)} /></label>
        <label><span><input type="checkbox" name="public" value="1" checked={created?.isPublic ?? false} /> Public (shown on your profile)</span></label>
        <div><button type="submit" class="primary">Create</button></div>
      </form>
    </Layout>
  );
}

export function CollectionPage({ site, collection, cards, nowMs, voted }: { site: SiteInfo; collection: Collection; cards: PaperCard[]; nowMs: number; voted: Set<string> }) {
  const self = `/users/${collection.username}/collections/${collection.slug}`;
  const mine = site.viewer?.username === collection.username;
  return (
    <Layout site={site} title={collection.name} feeds={collection.isPublic ? [collectionFeedLink(collection.username, collection.slug, collection.name)] : []}>
      <h1>{collection.name}</h1>
      <p class="muted">A {collection.isPublic ? 'public' : 'private'} collection by <a href={`/users/${collection.username}`}>{collection.username}</a>, {counted(collection.size, 'paper')}.</p>
      {cards.length === 0 ? <p class="empty">No papers yet.</p> : (
        <>
        {/* The cards' titles are h3: this keeps the outline h1, h2, h3 for readers who go by headings. */}
        <h2 class="sr-only">Papers</h2>
        <ol class="cards">
          {cards.map((card, i) => (
            <li>
              <PaperCardView card={card} nowMs={nowMs} rank={i + 1} viewer={site.viewer} voted={voted.has(card.id)} next={self} />
              {mine ? (
                <form method="post" action="/actions/save" class="inline">
                  <Csrf viewer={site.viewer} />
                  <input type="hidden" name="paper" value={card.id} />
                  <input type="hidden" name="collection" value={String(collection.id)} />
                  <input type="hidden" name="action" value="remove" />
                  {/* The card leaves the list: back to the one that takes its place (or the one before the last). */}
                  <input type="hidden" name="next" value={cards[i + 1] ?? cards[i - 1] ? backToCard(self, (cards[i + 1] ?? cards[i - 1])!.id) : self} />
                  <button type="submit" class="link">Remove from this collection</button>
                </form>
              ) : null}
            </li>
          ))}
        </ol>
        </>
      )}
    </Layout>
  );
}

/** `failed`: a refused "Create and save", shown by its form with the name typed. */
/** The Save page's address: `from`, the list (and card) it was opened from, to go back to. */
export function savePath(paperId: string, from?: string | null): string {
  return `/collections/save?paper=${encodeURIComponent(paperId)}${from ? `&from=${encodeURIComponent(from)}` : ''}`;
}

/** Where the Save page comes back to after Add or Remove: the status line saying what was done. */
export const SAVED_ANCHOR = 'saved';

/**
 * `from`: the list the page was opened from (a local path, checked), for "Back to the list".
 * `done`: what the last Add or Remove did, said in a status line that the page script focuses.
 */
export function SavePage({ site, paper, collections, holding, failed = null, from = null, done = null }: {
  site: SiteInfo; paper: { id: string; title: string }; collections: Collection[]; holding: Set<number>; failed?: CollectionFailure | null;
  from?: string | null; done?: { added: boolean; collection: string } | null;
}) {
  const v = site.viewer!;
  const back = from ? <a href={from}>Back to the list</a> : null;
  return (
    <Layout site={site} title="Save to a collection">
      <h1>Save to a collection</h1>
      <p><a href={`/papers/${paper.id}`}>{paper.title}</a>{back ? <> · {back}</> : null}</p>
      {done ? (
        <p class="notice" role="status" id={SAVED_ANCHOR} tabindex={-1} data-announce>
          {done.added ? `Saved to ${done.collection}.` : `Removed from ${done.collection}.`}{back ? <> {back}</> : null}
        </p>
      ) : null}
      {collections.length === 0 ? <p class="empty">You have no collections yet.</p> : (
        <ul class="collections-list">
          {collections.map((c) => {
            const has = holding.has(c.id);
            return (
              <li>
                <form method="post" action="/actions/save" class="inline">
                  <Csrf viewer={v} />
                  <input type="hidden" name="paper" value={paper.id} />
                  <input type="hidden" name="collection" value={String(c.id)} />
                  <input type="hidden" name="action" value={has ? 'remove' : 'add'} />
                  <input type="hidden" name="next" value={`${savePath(paper.id, from)}&done=${has ? 'removed' : 'added'}&collection=${c.id}#${SAVED_ANCHOR}`} />
                  <button type="submit" aria-pressed={has ? 'true' : 'false'}>{has ? `✓ In ${c.name}: remove` : `Add to ${c.name}`}</button>
                </form>
              </li>
            );
          })}
        </ul>
      )}
      <h2>New collection with this paper</h2>
      <form method="post" action="/collections" class="form">
        <Csrf viewer={v} />
        <input type="hidden" name="paper" value={paper.id} />
        {from ? <input type="hidden" name="from" value={from} /> : null}
        <FormError id="new-collection-error" message={failed?.message} />
        <label>Name <input type="text" name="name" required maxlength={80} value={failed?.name ?? ''} autofocus={!!failed} {...describedBy('new-collection-error', failed?.message)} /></label>
        <label><span><input type="checkbox" name="public" value="1" checked={failed?.isPublic ?? false} /> Public</span></label>
        <div><button type="submit" class="primary">Create and save</button></div>
      </form>
    </Layout>
  );
}

/** `comment.body` is the stored text, or after a refused edit the text the member wrote. */
export function EditCommentPage({ site, comment, error }: { site: SiteInfo; comment: { id: number; paperId: string; body: string }; error?: string | null }) {
  return (
    <Layout site={site} title="Edit your comment">
      <h1>Edit your comment</h1>
      <form method="post" action={`/comments/${comment.id}/edit`} class="form">
        <Csrf viewer={site.viewer} />
        <FormError id="edit-body-error" message={error} />
        <label for="edit-body">Comment</label>
        <textarea id="edit-body" name="body" required maxlength={10000} {...describedBy('edit-body-error', error)}>{comment.body}</textarea>
        <div><button type="submit" class="primary">Save</button> <a href={commentPath(comment.paperId, comment.id)}>Cancel</a></div>
      </form>
    </Layout>
  );
}

/** The ids of the lists' headings, which their page links and undo buttons come back to. */
export const REPORTED_ANCHOR = 'reported-h';
export const HIDDEN_COMMENTS_ANCHOR = 'hidden-comments-h';
export const HIDDEN_PAPERS_ANCHOR = 'hidden-papers-h';
export const SUSPENDED_ANCHOR = 'suspended-h';

/** One page of an undo list, with the whole list's count and the addresses of the pages around it. */
export interface ListPage<T> { items: T[]; total: number; links: PagerLinks }

export interface ModerationLists {
  reported: ListPage<CommentRow & { paperTitle: string; reasons: string[] }>;
  hiddenComments: ListPage<CommentRow & { paperTitle: string }>;
  hiddenPapers: ListPage<HiddenPaper>;
  suspended: ListPage<SuspendedAccount>;
}

/** A one-button form whose action (an existing undo route, which takes `next`) comes back to `next`. */
function UndoForm({ site, action, fields, label, next }: { site: SiteInfo; action: string; fields: Record<string, string>; label: string; next: string }) {
  return (
    <form method="post" action={action} class="inline">
      <Csrf viewer={site.viewer} />
      {Object.entries(fields).map(([name, value]) => <input type="hidden" name={name} value={value} />)}
      <input type="hidden" name="next" value={next} />
      <button type="submit">{label}</button>
    </form>
  );
}

/** How a list's pager names its directions and its order. */
interface PagerWords { prev: string; next: string; order: string }
const BY_TIME: PagerWords = { prev: 'Newer', next: 'Older', order: 'newest first' };
const BY_REPORTS: PagerWords = { prev: 'More reported', next: 'Fewer reported', order: 'most reported first' };

/**
 * One list of the moderation page: its heading with the count of the whole list, a page of it (or
 * a line saying there is none), and links to the pages above and below when there are more.
 */
function AdminListSection<T>({ id, title, empty, listClass, list, render, words = BY_TIME }: {
  id: string; title: string; empty: string; listClass: string; list: ListPage<T>; render: (item: T) => Child; words?: PagerWords;
}) {
  const { newer, older } = list.links;
  const what = title.toLowerCase();
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title} <span class="count">({list.total.toLocaleString('en')})</span></h2>
      {list.items.length === 0 ? <p class="empty">{list.total === 0 ? empty : 'None on this page: the list changed since it was opened.'}</p> : <ul class={listClass}>{list.items.map(render)}</ul>}
      {newer || older ? (
        <nav aria-label={`Pages of ${what}`} class="pager">
          {newer ? <a href={newer} rel="prev">← {words.prev}<span class="sr-only"> {what}</span></a> : <span class="muted">← {words.prev}</span>}
          <span class="muted">{list.items.length} shown, {words.order}</span>
          {older ? <a href={older} rel="next">{words.next}<span class="sr-only"> {what}</span> →</a> : <span class="muted">{words.next} →</span>}
        </nav>
      ) : null}
    </section>
  );
}

export function ModerationPage({ site, reported, hiddenComments, hiddenPapers, suspended, nowMs, self }: ModerationLists & { site: SiteInfo; nowMs: number; self: string }) {
  const act = (id: number, action: string, label: string) => (
    <form method="post" action={`/comments/${id}/moderate`} class="inline">
      <Csrf viewer={site.viewer} />
      <input type="hidden" name="action" value={action} />
      <input type="hidden" name="next" value={`${self}#${REPORTED_ANCHOR}`} />
      <button type="submit">{label}</button>
    </form>
  );
  return (
    <Layout site={site} title="Moderation">
      <AdminNav current="/admin/moderation" />
      <h1>Moderation</h1>
      <AdminListSection id={REPORTED_ANCHOR} title="Reported comments" empty="Nothing to review." listClass="comments" list={reported} words={BY_REPORTS} render={(c) => (
        <li class="comment">
          <p class="meta">
            <strong>{c.username ?? 'a deleted account'}</strong> on <a href={commentPath(c.paperId, c.id)}>{c.paperTitle}</a>
            <span>{formatCardDate(c.createdAt, nowMs)}</span>
            <span class="badge warn">{c.reports} {c.reports === 1 ? 'report' : 'reports'}</span>
            {c.hiddenAt ? <span class="badge">hidden</span> : null}
          </p>
          <blockquote class="comment-body">{c.body ? raw(renderCommentMarkdown(c.body)) : '[deleted]'}</blockquote>
          {c.reasons.length > 0 ? <p class="muted">Reasons: {c.reasons.join(' · ')}</p> : null}
          <div class="comment-actions">
            {c.hiddenAt ? act(c.id, 'unhide', `Unhide comment ${c.id}`) : act(c.id, 'hide', `Hide comment ${c.id}`)}
            {act(c.id, 'dismiss', `Dismiss reports on comment ${c.id}`)}
            {c.username ? <a href={`/users/${c.username}`}>Author's profile (suspend, roles)</a> : null}
          </div>
        </li>
      )} />

      <AdminListSection id={HIDDEN_COMMENTS_ANCHOR} title="Hidden comments" empty="No hidden comments." listClass="comments" list={hiddenComments} render={(c) => (
        <li class="comment">
          <p class="meta">
            <strong>{c.username ?? 'a deleted account'}</strong> on <a href={commentPath(c.paperId, c.id)}>{c.paperTitle}</a>
            <span>hidden {formatCardDate(c.hiddenAt!, nowMs)}</span>
          </p>
          <blockquote class="comment-body">{raw(renderCommentMarkdown(c.body))}</blockquote>
          <div class="comment-actions">
            <UndoForm site={site} action={`/comments/${c.id}/moderate`} fields={{ action: 'unhide' }} label={`Unhide comment ${c.id}`} next={`${self}#${HIDDEN_COMMENTS_ANCHOR}`} />
          </div>
        </li>
      )} />
      <AdminListSection id={HIDDEN_PAPERS_ANCHOR} title="Hidden papers" empty="No hidden papers." listClass="admin-list" list={hiddenPapers} render={(p) => (
        <li>
          <a href={`/papers/${p.id}`}>{p.title}</a> <span class="muted">(arXiv:{p.id}, list of {p.day}{p.pinned ? ', pinned' : ''})</span>{' '}
          <UndoForm site={site} action="/actions/curate" fields={{ paper: p.id, action: 'unhide' }} label={`Unhide arXiv:${p.id}`} next={`${self}#${HIDDEN_PAPERS_ANCHOR}`} />
        </li>
      )} />
      <AdminListSection id={SUSPENDED_ANCHOR} title="Suspended accounts" empty="No suspended accounts." listClass="admin-list" list={suspended} render={(u) => (
        <li>
          <a href={`/users/${u.username}`}>{u.username}</a> <span class="muted">({u.role}, suspended {formatCardDate(u.suspendedAt, nowMs)})</span>{' '}
          <UndoForm site={site} action={`/users/${u.username}/admin`} fields={{ action: 'restore' }} label={`Restore ${u.username}`} next={`${self}#${SUSPENDED_ANCHOR}`} />
        </li>
      )} />
    </Layout>
  );
}

export function OutboxPage({ site, messages }: { site: SiteInfo; messages: { file: string; to: string; subject: string; date: string; text: string }[] }) {
  return (
    <Layout site={site} title="Mail outbox">
      <AdminNav current="/admin/outbox" />
      <h1>Mail outbox</h1>
      <p>Without an SMTP server configured, mail is written to the outbox folder; the newest messages are shown here.</p>
      <p>The secret part of each link that acts for its recipient (password resets, address confirmations, subscription links) is shown as <code>{MASKED_SECRET}</code>:
        any admin can read this page, and such a link would let them act as that member. The files in the outbox folder keep the whole links, for whoever runs the server.</p>
      {messages.length === 0 ? <p class="empty">No mail yet.</p> : messages.map((m) => (
        <article class="card" aria-label={m.subject}>
          <div class="card-body">
            <h2 class="card-title">{m.subject}</h2>
            <p class="meta">To {m.to} · {m.date}</p>
            <pre class="mail-text">{m.text}</pre>
          </div>
        </article>
      ))}
    </Layout>
  );
}
