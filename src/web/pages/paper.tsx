/**
 * A paper's page: everything known about it, links out, and BibTeX to copy.
 */
import { arxivLinks } from '../../domain/arxiv-id.ts';
import { toBibtex } from '../../domain/bibtex.ts';
import { formatCardDate, formatLongDay } from '../../domain/dates.ts';
import type { PaperDetail } from '../../store/types.ts';
import { Layout, type SiteInfo } from './layout.tsx';
import { dailyPath, newPath } from './feed.tsx';
import { dayWindow } from '../../domain/dates.ts';
import type { CommentRow, CommentOrder } from '../../store/comments.ts';
import { renderCommentMarkdown } from '../../services/markdown.ts';
import { Csrf, describedBy, FormError, scrollable, UNVOTED_ARROW, VOTED_ARROW, VoteControl } from './controls.tsx';
import type { Viewer } from './layout.tsx';
import { raw } from 'hono/html';
import { Sparkline } from '../stats.tsx';
import { AuthorLinks, categoryPath, KeywordChips, MarkedText } from './discovery-bits.tsx';
import { SimilarPapers, type SimilarView } from './similar.tsx';

/** Only http(s) links from the store are rendered as links. */
function safeHref(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

export interface PaperPageProps {
  site: SiteInfo;
  paper: PaperDetail;
  nowMs: number;
  voted?: boolean;
  /** The comments of the page's threads (see listPaperThreadPage). */
  comments?: CommentRow[];
  order?: CommentOrder;
  /** Which page of threads `comments` is, and how many pages the discussion has. */
  commentPage?: { page: number; pages: number };
  /** A comment form error to show, with the text the member wrote. */
  commentError?: CommentError | null;
  /** Similar papers with their reasons; null when the instance has no search engine. */
  similar?: SimilarView | null;
  /** What the member just did here, said in a status line: a paper submitted, a comment deleted. */
  notice?: PaperNotice | null;
  /** The comments the viewer has upvoted: their Upvote buttons show pressed, and take the upvote back. */
  upvotedComments?: Set<number>;
  /** A refused "Code and project links" form: shown open again, with what was typed and the error. */
  linksError?: LinksError | null;
}

/** A refused curator's links form: the message and the two values as typed. */
export interface LinksError { message: string; code: string; project: string }

/** The page's answer to an action that came back to it (`?submitted=1`, `?deleted=comment`). */
export type PaperNotice = 'submitted' | 'comment-deleted';

export function PaperPage({ site, paper, nowMs, voted = false, comments = [], order = 'oldest', commentPage = { page: 1, pages: 1 }, commentError = null, similar = null, notice = null, upvotedComments = new Set(), linksError = null }: PaperPageProps) {
  const self = `/papers/${paper.id}`;
  const links = arxivLinks(paper.id);
  const code = safeHref(paper.codeUrl);
  const project = safeHref(paper.projectUrl);
  const doi = paper.doi ? `https://doi.org/${encodeURI(paper.doi)}` : null;
  const bibtex = toBibtex({ id: paper.id, title: paper.title, authors: paper.authors, publishedAt: paper.publishedAt, primaryCategory: paper.primaryCategory, doi: paper.doi });
  return (
    <Layout site={site} title={paper.title} description={paper.abstract.slice(0, 200)}>
      <article class="paper" aria-labelledby="paper-title">
        <p class="eyebrow">
          arXiv:{paper.id}
          {paper.latestVersion > 1 ? ` (v${paper.latestVersion})` : ''}
          {paper.entry && !paper.entry.hidden ? (
            <>
              {' · '}on the <a href={dailyPath(dayWindow(paper.entry.day))}>Daily papers of {formatLongDay(paper.entry.day)}</a>
            </>
          ) : null}
          {paper.entry?.hidden && site.viewer && site.viewer.role !== 'member' ? (
            <>{' · '}hidden from the Daily papers of {formatLongDay(paper.entry.day)}</>
          ) : null}
        </p>
        <h1 id="paper-title">{paper.title}</h1>
        {notice === 'submitted' && site.viewer && paper.entry && !paper.entry.hidden ? (
          <p class="success" role="status">
            Submitted: the paper is on the <a href={dailyPath(dayWindow(paper.entry.day))}>Daily papers of {formatLongDay(paper.entry.day)}</a>.
          </p>
        ) : null}
        {paper.withdrawn ? <p class="notice warn">This paper has been withdrawn by its authors.</p> : null}
        <p class="authors-full">
          <span class="sr-only">Authors: </span>
          <AuthorLinks names={paper.authors} />
          <span class="muted"> ({paper.authorCount} {paper.authorCount === 1 ? 'author' : 'authors'})</span>
        </p>
        <div class="paper-actions">
          <VoteControl paperId={paper.id} upvotes={paper.upvotes} voted={voted} viewer={site.viewer} next={self} big />
          <Sparkline paperId={paper.id} upvotes={paper.upvotes} />
          {site.viewer ? <a href={`/collections/save?paper=${encodeURIComponent(paper.id)}`}>Save to a collection</a> : null}
          <ul class="links" aria-label="Links">
            <li><a href={links.abs}>arXiv page</a></li>
            <li><a href={links.pdf}>PDF</a></li>
            <li><a href={links.html}>HTML</a></li>
            {code ? <li><a href={code} rel="nofollow ugc noopener">Code</a></li> : null}
            {project ? <li><a href={project} rel="nofollow ugc noopener">Project page</a></li> : null}
            {doi ? <li><a href={doi}>DOI</a></li> : null}
          </ul>
        </div>
        <section aria-labelledby="abstract-h">
          <h2 id="abstract-h">Abstract</h2>
          <p class="abstract-full"><MarkedText text={paper.abstract} keywords={paper.keywords} /></p>
          <KeywordChips keywords={paper.keywords} label="Keywords (each searches the site)" />
        </section>
        <section aria-labelledby="details-h">
          <h2 id="details-h">Details</h2>
          <dl class="details">
            <dt>Categories</dt>
            <dd>
              {paper.categories.map((c, i) => (
                <>
                  <a class="chip" href={categoryPath(c)}>{c}</a>
                  {i === 0 && paper.categories.length > 1 ? <span class="muted"> (primary) </span> : ' '}
                </>
              ))}
            </dd>
            {paper.publishedAt ? (<><dt>Published</dt><dd><time datetime={paper.publishedAt}>{formatCardDate(paper.publishedAt, nowMs)}</time></dd></>) : null}
            {paper.updatedAt && paper.updatedAt !== paper.publishedAt ? (<><dt>Updated</dt><dd><time datetime={paper.updatedAt}>{formatCardDate(paper.updatedAt, nowMs)}</time></dd></>) : null}
            {paper.versions.length > 0 ? (
              <>
                <dt>Versions</dt>
                <dd>
                  <ul class="versions">
                    {paper.versions.map((v) => (
                      <li>
                        <a href={`${links.abs}v${v.version}`}>v{v.version}</a>
                        {v.submittedAt ? <> <time datetime={v.submittedAt}>{formatCardDate(v.submittedAt, nowMs)}</time></> : null}
                        {v.size ? <span class="muted"> ({v.size})</span> : null}
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            ) : null}
            {paper.announcedOn.length > 0 ? (
              <>
                <dt>Announced</dt>
                <dd>{paper.announcedOn.map((d, i) => (<>{i > 0 ? ', ' : ''}<a href={newPath(d)}>{d}</a></>))}</dd>
              </>
            ) : null}
            {paper.comment ? (<><dt>Comment</dt><dd>{paper.comment}</dd></>) : null}
            {paper.journalRef ? (<><dt>Journal ref</dt><dd>{paper.journalRef}</dd></>) : null}
            {paper.doi ? (<><dt>DOI</dt><dd>{paper.doi}</dd></>) : null}
            {paper.license ? (<><dt>License</dt><dd>{paper.license}</dd></>) : null}
          </dl>
        </section>
        <section aria-labelledby="cite-h">
          <h2 id="cite-h">Cite</h2>
          <pre class="bibtex" id="bibtex" {...scrollable('BibTeX')}><code>{bibtex}</code></pre>
          <button type="button" class="copy" data-copy="#bibtex" hidden>Copy BibTeX</button>
        </section>
        {similar ? <SimilarPapers view={similar} /> : null}
        {site.viewer && site.viewer.role !== 'member' ? <CuratorControls paper={paper} viewer={site.viewer} linksError={linksError} /> : null}
        <Discussion paper={paper} viewer={site.viewer} comments={comments} order={order} commentPage={commentPage} nowMs={nowMs} error={commentError} notice={notice} upvoted={upvotedComments} />
      </article>
    </Layout>
  );
}

function CuratorControls({ paper, viewer, linksError }: { paper: PaperDetail; viewer: Viewer; linksError: LinksError | null }) {
  const entry = paper.entry;
  const action = (name: string, label: string) => (
    <form method="post" action="/actions/curate" class="inline">
      <Csrf viewer={viewer} />
      <input type="hidden" name="paper" value={paper.id} />
      <input type="hidden" name="action" value={name} />
      <input type="hidden" name="next" value={`/papers/${paper.id}`} />
      <button type="submit">{label}</button>
    </form>
  );
  return (
    <section class="curator" aria-labelledby="curator-h">
      <h2 id="curator-h" class="sr-only">Curator</h2>
      <strong>Curator:</strong>
      {!entry || !entry.featured ? action('feature', entry ? 'Feature' : 'Feature on today\'s list') : action('unfeature', 'Unfeature')}
      {entry ? (entry.pinned ? action('unpin', 'Unpin') : action('pin', 'Pin to top of its day')) : null}
      {entry ? (entry.hidden ? action('unhide', 'Show on the list again') : action('hide', 'Hide from the list')) : null}
      <details open={!!linksError}>
        <summary>Code and project links</summary>
        <form method="post" action="/actions/links" class="form">
          <Csrf viewer={viewer} />
          <input type="hidden" name="paper" value={paper.id} />
          <FormError id="links-error" message={linksError?.message} />
          <label>Code repository <input type="url" name="code" value={linksError ? linksError.code : paper.codeUrl ?? ''} placeholder="https://github.com/..." autofocus={!!linksError} {...describedBy('links-error', linksError?.message)} /></label>
          <label>Project page <input type="url" name="project" value={linksError ? linksError.project : paper.projectUrl ?? ''} placeholder="https://..." {...describedBy('links-error', linksError?.message)} /></label>
          <button type="submit">Save links</button>
        </form>
      </details>
    </section>
  );
}

/**
 * How many threads (a comment on the paper with all its replies) a page of the discussion shows:
 * a busy paper's 3,000 comments made a 1.9 MB page that took a quarter of a second or more to build.
 */
export const COMMENT_THREADS_PER_PAGE = 50;

/**
 * A link to a comment: the paper page holding its thread (however many pages the discussion has),
 * in `order` (oldest first unless told), scrolled to it.
 */
export function commentPath(paperId: string, commentId: number, order: CommentOrder = 'oldest'): string {
  return `/papers/${paperId}?${order !== 'oldest' ? `comments=${order}&` : ''}comment=${commentId}#c${commentId}`;
}

/** A refused comment or reply: its message, the text the member wrote, and the comment it replied to. */
export interface CommentError { message: string; draft: string; parentId: number | null }

/** `inReplyTo`: the comment it answers, when that is not the one it is shown under (a reply deeper than MAX_THREAD_DEPTH). */
interface Thread { comment: CommentRow; replies: Thread[]; inReplyTo: CommentRow | null }

/**
 * How many levels of replies are indented. Deeper replies are shown in order under their ancestor
 * at the last level, each saying which comment it answers: a chain of thousands of replies (a few
 * members in a day or two) would otherwise be as many nested lists, past what a phone can show and
 * what the renderer's stack can hold.
 */
export const MAX_THREAD_DEPTH = 6;

function buildThreads(comments: CommentRow[], order: CommentOrder): Thread[] {
  const byId = new Map(comments.map((c) => [c.id, { comment: c, replies: [] as Thread[], inReplyTo: null as CommentRow | null }]));
  // Each comment's depth (0 for a comment on the paper) and the comment it is shown under, found
  // walking up parent links, each link once (not recursing: a chain may be thousands long).
  const depth = new Map<number, number>();
  const depthOf = (id: number): number => {
    const chain: number[] = [];
    const seen = new Set<number>();
    let at: number | null = id;
    while (at !== null && !depth.has(at) && byId.has(at) && !seen.has(at)) {
      chain.push(at);
      seen.add(at);
      at = byId.get(at)!.comment.parentId;
    }
    let d = at !== null && depth.has(at) ? depth.get(at)! + 1 : 0;
    for (const c of chain.reverse()) depth.set(c, d++);
    return depth.get(id)!;
  };
  /** `t` itself when it is indented, else its ancestor at the last indented level. */
  const anchor = new Map<number, Thread>();
  const anchorOf = (t: Thread): Thread => {
    const path: Thread[] = [];
    let at = t;
    while (depthOf(at.comment.id) >= MAX_THREAD_DEPTH && !anchor.has(at.comment.id)) {
      path.push(at);
      at = byId.get(at.comment.parentId!)!;
    }
    const found = anchor.get(at.comment.id) ?? at;
    for (const p of path) anchor.set(p.comment.id, found);
    return found;
  };
  const roots: Thread[] = [];
  for (const t of byId.values()) {
    const parent = t.comment.parentId !== null ? byId.get(t.comment.parentId) : undefined;
    if (!parent) { roots.push(t); continue; }
    const under = anchorOf(parent);
    if (under !== parent) t.inReplyTo = parent.comment;
    under.replies.push(t);
  }
  // The store's order of threads (listPaperThreadPage), replies alike: the id breaks ties.
  const sort = (list: Thread[]) => {
    list.sort((a, b) => order === 'newest' ? b.comment.createdAt.localeCompare(a.comment.createdAt) || b.comment.id - a.comment.id
      : order === 'top' ? b.comment.score - a.comment.score || a.comment.createdAt.localeCompare(b.comment.createdAt) || a.comment.id - b.comment.id
      : a.comment.createdAt.localeCompare(b.comment.createdAt) || a.comment.id - b.comment.id);
    for (const t of list) sort(t.replies);
  };
  sort(roots);
  return roots;
}

/**
 * The form for a comment or a reply. After a refused post it comes back with the member's text and
 * the error by it, and takes the focus, so the browser brings it into view however far down the
 * thread it is.
 */
function CommentForm({ paperId, viewer, parentId, draft, error, label }: {
  paperId: string; viewer: Viewer; parentId: number | null; draft?: string; error?: string | null; label: string;
}) {
  const fieldId = `body-${parentId ?? 'new'}`;
  const errorId = `${fieldId}-error`;
  return (
    <form method="post" action="/actions/comment" class="form comment-form">
      <Csrf viewer={viewer} />
      <input type="hidden" name="paper" value={paperId} />
      {parentId !== null ? <input type="hidden" name="parent" value={String(parentId)} /> : null}
      <FormError id={errorId} message={error} />
      <label for={fieldId}>{label} <span class="hint">Markdown: *emphasis*, `code`, [links](https://...), lists, &gt; quotes.</span></label>
      <textarea id={fieldId} name="body" required maxlength={10000} autofocus={!!error} {...describedBy(errorId, error)}>{draft ?? ''}</textarea>
      <div><button type="submit" class="primary">{parentId === null ? 'Comment' : 'Reply'}</button></div>
    </form>
  );
}

/** `error`: a refused reply, shown (open, with its text) under the comment it replied to. */
/** `order`: the discussion's order, which an upvote (a form) brings the reader back to. */
function CommentView({ thread, viewer, paperId, nowMs, error, upvoted, order }: {
  thread: Thread; viewer: Viewer | null; paperId: string; nowMs: number; error: CommentError | null; upvoted: Set<number>; order: CommentOrder;
}) {
  const c = thread.comment;
  const refused = error?.parentId === c.id ? error : null;
  const removed = !!c.deletedAt || !!c.hiddenAt;
  const mine = !!viewer && c.username === viewer.username;
  const mineUp = upvoted.has(c.id);
  // Each action's name says which comment it acts on ("Reply to comment 12 by ada"): a thread repeats them for every comment.
  const which = <span class="sr-only"> comment {c.id} by {c.username ?? 'a deleted account'}</span>;
  const post = (action: string, label: string, extra?: Record<string, string>) => (
    <form method="post" action={action} class="inline">
      <Csrf viewer={viewer} />
      {Object.entries(extra ?? {}).map(([k, v]) => <input type="hidden" name={k} value={v} />)}
      <button type="submit" class="link">{label}{which}</button>
    </form>
  );
  return (
    <li class="comment" id={`c${c.id}`}>
      <p class="meta">
        <strong>{c.username ? <a href={`/users/${c.username}`}>{c.username}</a> : 'a deleted account'}</strong>
        <a href={`#c${c.id}`}><time datetime={c.createdAt}>{formatCardDate(c.createdAt, nowMs)}</time></a>
        {thread.inReplyTo ? <a href={`#c${thread.inReplyTo.id}`} class="muted">in reply to {thread.inReplyTo.username ?? 'a deleted account'}</a> : null}
        {c.editedAt && !removed ? <span class="muted">(edited)</span> : null}
        {!removed ? <span>{c.score} {c.score === 1 ? 'point' : 'points'}</span> : null}
        {c.hiddenAt && viewer?.role === 'admin' ? <span class="badge warn">hidden by a moderator</span> : null}
      </p>
      {c.deletedAt ? <p class="removed">[comment deleted by its author]</p>
        : c.hiddenAt && viewer?.role !== 'admin' ? <p class="removed">[comment hidden by a moderator]</p>
        : <div class="comment-body">{raw(renderCommentMarkdown(c.body))}</div>}
      {viewer && !removed ? (
        <div class="comment-actions">
          {/* A toggle, as the paper's upvote: pressed (and a filled arrow) once upvoted, and then it takes the upvote back.
              None on one's own comment, unless it carries the author's upvote from before that rule (to take it back). */}
          {!mine || mineUp ? <form method="post" action={`/comments/${c.id}/vote`} class="inline">
            <Csrf viewer={viewer} />
            <input type="hidden" name="want" value={mineUp ? '0' : '1'} />
            {order !== 'oldest' ? <input type="hidden" name="comments" value={order} /> : null}
            <button type="submit" class="link" aria-pressed={mineUp ? 'true' : 'false'} title={mineUp ? 'Remove your upvote' : 'Upvote'}>
              <span aria-hidden="true">{mineUp ? VOTED_ARROW : UNVOTED_ARROW} </span>Upvote{which}
            </button>
          </form> : null}
          {/* Replying and reporting need a confirmed address (the form would only be refused); upvoting does not. */}
          {viewer.verified ? (
            <details open={!!refused}>
              <summary>Reply<span class="sr-only"> to</span>{which}</summary>
              <CommentForm paperId={paperId} viewer={viewer} parentId={c.id} draft={refused?.draft} error={refused?.message} label={`Reply to ${c.username ?? 'this comment'}`} />
            </details>
          ) : null}
          {mine ? <a href={`/comments/${c.id}/edit`}>Edit{which}</a> : null}
          {mine ? <a href={`/comments/${c.id}/delete`}>Delete{which}</a> : null}
          {!mine && viewer.verified ? (
            <details>
              <summary>Report{which}</summary>
              <form method="post" action={`/comments/${c.id}/report`} class="form">
                <Csrf viewer={viewer} />
                <label>Why should a moderator look at it? <input type="text" name="reason" maxlength={500} /></label>
                <button type="submit">Report</button>
              </form>
            </details>
          ) : null}
          {viewer.role === 'admin' ? post(`/comments/${c.id}/moderate`, 'Hide', { action: 'hide' }) : null}
        </div>
      ) : null}
      {viewer?.role === 'admin' && c.hiddenAt ? <div class="comment-actions">{post(`/comments/${c.id}/moderate`, 'Unhide', { action: 'unhide' })}</div> : null}
      {thread.replies.length > 0 ? (
        <ul class="comments">
          {thread.replies.map((t) => <CommentView thread={t} viewer={viewer} paperId={paperId} nowMs={nowMs} error={error} upvoted={upvoted} order={order} />)}
        </ul>
      ) : null}
    </li>
  );
}

function Discussion({ paper, viewer, comments, order, commentPage, nowMs, error, notice, upvoted }: {
  paper: PaperDetail; viewer: Viewer | null; comments: CommentRow[]; order: CommentOrder; commentPage: { page: number; pages: number }; nowMs: number;
  error: CommentError | null; notice: PaperNotice | null; upvoted: Set<number>;
}) {
  const threads = buildThreads(comments, order);
  // A refused reply goes back under its comment; one to a comment removed meanwhile (a 409) has no
  // form to go back to, so its text comes back in the form for a new comment, which says so.
  const replyShown = !!error && error.parentId !== null && !!viewer && comments.some((c) => c.id === error.parentId && !c.deletedAt && !c.hiddenAt);
  const newError = error && !replyShown ? (error.parentId === null ? error.message : `${error.message} What you wrote is in the box for a new comment below.`) : null;
  const orders: [CommentOrder, string][] = [['oldest', 'Oldest'], ['newest', 'Newest'], ['top', 'Top']];
  const { page, pages } = commentPage;
  // Another page of threads, in the same order, scrolled to the discussion.
  const pageHref = (p: number) => {
    const q = new URLSearchParams();
    if (order !== 'oldest') q.set('comments', order);
    if (p > 1) q.set('page', String(p));
    return `/papers/${paper.id}${q.size > 0 ? `?${q}` : ''}#comments`;
  };
  return (
    <section id="comments" aria-labelledby="comments-h">
      <h2 id="comments-h">Discussion</h2>
      {notice === 'comment-deleted' && viewer ? <p class="success" role="status">Your comment is deleted.</p> : null}
      <div class="toolbar">
        <p class="count">{paper.commentsCount} {paper.commentsCount === 1 ? 'comment' : 'comments'}</p>
        {comments.length > 1 || pages > 1 ? (
          <nav aria-label="Comment order" class="sort">
            <span class="label">Order:</span>
            {orders.map(([o, label]) => <a href={`/papers/${paper.id}?comments=${o}#comments`} aria-current={o === order ? 'true' : undefined}>{label}</a>)}
          </nav>
        ) : null}
      </div>
      {/* With no form to show it by (a member who has not confirmed their address), the error shows here. */}
      {error && !replyShown && !viewer?.verified ? <p class="alert" role="alert">{error.message}</p> : null}
      {pages > 1 ? <p class="muted">Threads, page {page} of {pages}</p> : null}
      {threads.length > 0 ? <ul class="comments">{threads.map((t) => <CommentView thread={t} viewer={viewer} paperId={paper.id} nowMs={nowMs} error={replyShown ? error : null} upvoted={upvoted} order={order} />)}</ul> : null}
      {pages > 1 ? (
        <nav aria-label="Pages of comments" class="pager">
          {page > 1 ? <a href={pageHref(page - 1)} rel="prev">Previous comments</a> : null}
          {page < pages ? <a href={pageHref(page + 1)} rel="next">More comments</a> : null}
        </nav>
      ) : null}
      {viewer ? (
        viewer.verified
          ? <CommentForm paperId={paper.id} viewer={viewer} parentId={null} draft={newError ? error?.draft : ''} error={newError} label="Add a comment" />
          : <p class="muted">Confirm your e-mail address to comment.</p>
      ) : (
        <p><a href={`/signin?next=${encodeURIComponent(`/papers/${paper.id}#comments`)}`}>Sign in</a> to comment.</p>
      )}
    </section>
  );
}
