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

export function PaperPage({ site, paper, nowMs }: { site: SiteInfo; paper: PaperDetail; nowMs: number }) {
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
          {paper.entry ? (
            <>
              {' · '}on the <a href={dailyPath(dayWindow(paper.entry.day))}>Daily papers of {formatLongDay(paper.entry.day)}</a>
            </>
          ) : null}
        </p>
        <h1 id="paper-title">{paper.title}</h1>
        {paper.withdrawn ? <p class="notice warn">This paper has been withdrawn by its authors.</p> : null}
        <p class="authors-full">
          <span class="sr-only">Authors: </span>
          {paper.authors.join(', ')}
          <span class="muted"> ({paper.authorCount} {paper.authorCount === 1 ? 'author' : 'authors'})</span>
        </p>
        <div class="paper-actions">
          <div class="votes big" title={`${paper.upvotes} upvotes`}>
            <span class="arrow" aria-hidden="true">▲</span> <span class="count">{paper.upvotes}</span> <span>upvotes</span>
          </div>
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
          <p class="abstract-full">{paper.abstract}</p>
        </section>
        <section aria-labelledby="details-h">
          <h2 id="details-h">Details</h2>
          <dl class="details">
            <dt>Categories</dt>
            <dd>
              {paper.categories.map((c, i) => (
                <>
                  <a class="chip" href={`/new/${c}`}>{c}</a>
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
          <pre class="bibtex" id="bibtex" tabindex={0} aria-label="BibTeX"><code>{bibtex}</code></pre>
          <button type="button" class="copy" data-copy="#bibtex" hidden>Copy BibTeX</button>
        </section>
        <section id="comments" aria-labelledby="comments-h">
          <h2 id="comments-h">Discussion</h2>
          <p class="muted">{paper.commentsCount} {paper.commentsCount === 1 ? 'comment' : 'comments'}.</p>
        </section>
      </article>
    </Layout>
  );
}
