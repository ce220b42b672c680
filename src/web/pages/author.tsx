/**
 * An author page (everyone published under one name: their papers, co-authors, upvotes, a
 * Follow button and an e-mail alert), and the member's list of followed authors.
 */
import { formatCardDate } from '../../domain/dates.ts';
import type { AuthorView } from '../../services/authors.ts';
import type { FollowedAuthor } from '../../store/follows.ts';
import { Csrf } from './controls.tsx';
import { authorPath } from './discovery-bits.tsx';
import { Layout, type SiteInfo, type Viewer } from './layout.tsx';
import { PaperCardView } from './paper-card.tsx';

/** The e-mail alert for an author's new papers: a saved search on their name. */
export function authorAlertPath(name: string): string {
  return `/subscribe?kind=search&q=${encodeURIComponent(`author:"${name.replace(/"/g, '')}"`)}`;
}

export function FollowButton({ name, following, viewer, next }: { name: string; following: boolean; viewer: Viewer | null; next: string }) {
  if (!viewer) return <a href={`/signin?next=${encodeURIComponent(next)}`}>Sign in to follow {name}</a>;
  return (
    <form method="post" action="/actions/follow" class="inline follow-form">
      <Csrf viewer={viewer} />
      <input type="hidden" name="author" value={name} />
      <input type="hidden" name="want" value={following ? '0' : '1'} />
      <input type="hidden" name="next" value={next} />
      <button type="submit" class={following ? '' : 'primary'} aria-pressed={following ? 'true' : 'false'}>
        {following ? `Unfollow ${name}` : `Follow ${name}`}
      </button>
    </form>
  );
}

export function AuthorPage({ site, view, nowMs, following, voted, self, notice }: {
  site: SiteInfo; view: AuthorView; nowMs: number; following: boolean; voted: Set<string>; self: string; notice?: string | null;
}) {
  const a = view.author;
  const here = authorPath(a.name);
  const first = (view.page - 1) * view.pageSize;
  const pageLink = (p: number) => (p === 1 ? here : `${here}?page=${p}`);
  return (
    <Layout site={site} title={view.page > 1 ? `${a.name}, page ${view.page}` : a.name} description={`Papers by ${a.name} on ${site.siteName}`}>
      <div class="feed-head">
        <h1>{a.name}</h1>
      </div>
      {notice ? <p class="success" role="status">{notice}</p> : null}
      <p class="muted" id="author-note">
        Papers on this site by everyone named {a.name}: arXiv gives names, not people, and affiliations are not known.
        {view.groups > 1
          ? ` These papers fall into ${view.groups} groups that share no co-author, so the name may belong to several people.`
          : ''}
      </p>
      <p>
        <strong>{a.papers}</strong> {a.papers === 1 ? 'paper' : 'papers'}
        {' · '}<strong>{a.upvotes}</strong> {a.upvotes === 1 ? 'upvote' : 'upvotes'} in total
        {a.firstPublishedAt && a.lastPublishedAt ? (
          <> · published <time datetime={a.firstPublishedAt.slice(0, 10)}>{formatCardDate(a.firstPublishedAt, nowMs)}</time>
            {a.papers > 1 ? <> to <time datetime={a.lastPublishedAt.slice(0, 10)}>{formatCardDate(a.lastPublishedAt, nowMs)}</time></> : null}</>
        ) : null}
      </p>
      <div class="paper-actions">
        <FollowButton name={a.name} following={following} viewer={site.viewer} next={self} />
        <a href={authorAlertPath(a.name)}>Get an e-mail alert for new papers by {a.name}</a>
      </div>
      <section aria-labelledby="papers-h">
        <h2 id="papers-h">Papers, newest first</h2>
        <ol class="cards" start={first + 1}>
          {view.papers.map((card, i) => (
            <li><PaperCardView card={card} nowMs={nowMs} rank={first + i + 1} viewer={site.viewer} voted={voted.has(card.id)} next={self} /></li>
          ))}
        </ol>
        {view.pages > 1 ? (
          <nav aria-label="Pages" class="pager">
            {view.page > 1 ? <a href={pageLink(view.page - 1)} rel="prev">← Newer papers</a> : <span class="muted">← Newer papers</span>}
            <span>Page {view.page} of {view.pages}</span>
            {view.page < view.pages ? <a href={pageLink(view.page + 1)} rel="next">Older papers →</a> : <span class="muted">Older papers →</span>}
          </nav>
        ) : null}
      </section>
      <section aria-labelledby="coauthors-h">
        <h2 id="coauthors-h">Co-authors</h2>
        {view.coauthors.length === 0 ? <p class="muted">No co-authors on this site.</p> : (
          <>
            <ul class="coauthors">
              {view.coauthors.map((c) => (
                <li><a href={authorPath(c.name)}>{c.name}</a> <span class="muted">({c.papers} {c.papers === 1 ? 'paper' : 'papers'})</span></li>
              ))}
            </ul>
            {view.coauthorCount > view.coauthors.length ? <p class="muted">and {view.coauthorCount - view.coauthors.length} more.</p> : null}
          </>
        )}
      </section>
    </Layout>
  );
}

/** Settings: the authors a member follows. */
export function FollowingPage({ site, authors, nowMs }: { site: SiteInfo; authors: FollowedAuthor[]; nowMs: number }) {
  return (
    <Layout site={site} title="Authors you follow" section="me">
      <h1>Authors you follow</h1>
      <p><a href="/settings">Back to settings</a></p>
      {authors.length === 0 ? (
        <p>You follow no one yet. Open an author's page (their names on papers are links) and choose Follow.</p>
      ) : (
        <ul class="following">
          {authors.map((a) => (
            <li>
              <a href={authorPath(a.name)}>{a.name}</a>
              <span class="muted"> since <time datetime={a.followedAt.slice(0, 10)}>{formatCardDate(a.followedAt, nowMs)}</time></span>
              {' '}<a href={authorAlertPath(a.name)}>E-mail alert</a>
              {' '}<FollowButton name={a.name} following viewer={site.viewer} next="/settings/following" />
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

/** The settings page's pointer to the list above. */
export function FollowingSection() {
  return (
    <section aria-labelledby="s-following">
      <h2 id="s-following">Authors you follow</h2>
      <p>Follow authors from their pages; their new papers can come as an e-mail alert. <a href="/settings/following">See the authors you follow</a>.</p>
    </section>
  );
}
