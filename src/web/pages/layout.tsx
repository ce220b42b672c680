/**
 * The page frame: head, header with navigation, the demo banner, footer.
 */
import type { Child } from 'hono/jsx';
import { FeedLinks, SITE_FEEDS, type FeedLink } from '../feeds.tsx';
import { SubscribeBox } from './subscribe-box.tsx';

/** The signed-in member as pages need them. */
export interface Viewer {
  username: string;
  role: 'member' | 'curator' | 'admin';
  verified: boolean;
  /** The CSRF token every form of theirs carries. */
  csrf: string;
}

export interface SiteInfo {
  siteName: string;
  viewer: Viewer | null;
  /** Set on instances running the bundled demo data with its generated votes. */
  demo: boolean;
  /** Cache-busting versions of the static assets. */
  assets: { css: string; js: string };
}

export interface LayoutProps {
  site: SiteInfo;
  title: string;
  description?: string;
  /** Which top navigation entry is current. */
  section?: 'daily' | 'new' | 'about' | 'submit' | 'me' | 'signin' | 'signup' | 'for-you';
  /** Feeds of this page, announced for autodiscovery beside the site's own. */
  feeds?: FeedLink[];
  children: Child;
}

export function Layout({ site, title, description, section, feeds = [], children }: LayoutProps) {
  const fullTitle = title === site.siteName ? title : `${title} · ${site.siteName}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        {description ? <meta name="description" content={description} /> : null}
        <meta name="color-scheme" content="light dark" />
        {site.viewer ? <meta name="csrf-token" content={site.viewer.csrf} /> : null}
        <link rel="stylesheet" href={`/assets/style.css?v=${site.assets.css}`} />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <FeedLinks siteName={site.siteName} feeds={[...SITE_FEEDS, ...feeds]} />
        <script type="module" src={`/assets/app.js?v=${site.assets.js}`} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="wrap header-row">
            <a class="brand" href="/">
              <img src="/assets/favicon.svg" alt="" width="22" height="22" /> {site.siteName}
            </a>
            <form class="site-search" role="search" aria-label="Site search" method="get" action="/search">
              <label for="site-q" class="sr-only">Search papers</label>
              <input id="site-q" type="search" name="q" placeholder="Search papers" maxlength={1000} />
            </form>
            <nav aria-label="Site">
              <ul class="nav">
                <li><a href="/" aria-current={section === 'daily' ? 'page' : undefined}>Daily papers</a></li>
                <li><a href="/new" aria-current={section === 'new' ? 'page' : undefined}>New on arXiv</a></li>
                <li><a href="/about" aria-current={section === 'about' ? 'page' : undefined}>About</a></li>
                {site.viewer ? (
                  <>
                    <li><a href="/for-you" aria-current={section === 'for-you' ? 'page' : undefined}>For you</a></li>
                    <li><a href="/submit" aria-current={section === 'submit' ? 'page' : undefined}>Submit</a></li>
                    {site.viewer.role === 'admin' ? <li><a href="/admin/moderation">Moderation</a></li> : null}
                    <li><a href={`/users/${site.viewer.username}`} aria-current={section === 'me' ? 'page' : undefined}>{site.viewer.username}</a></li>
                    <li>
                      <form method="post" action="/signout" class="inline">
                        <input type="hidden" name="_csrf" value={site.viewer.csrf} />
                        <button type="submit" class="link">Sign out</button>
                      </form>
                    </li>
                  </>
                ) : (
                  <>
                    <li><a href="/signin" aria-current={section === 'signin' ? 'page' : undefined}>Sign in</a></li>
                    <li><a href="/signup" class="button-link" aria-current={section === 'signup' ? 'page' : undefined}>Sign up</a></li>
                  </>
                )}
              </ul>
            </nav>
          </div>
          {/* The notices sit in the header so that all content is in a landmark. */}
          {site.viewer && !site.viewer.verified ? (
            <p class="demo-banner" role="note">
              Confirm your e-mail address to submit and comment: follow the link we sent you, or <a href="/settings">ask for a new one</a>.
            </p>
          ) : null}
          {site.demo ? (
            <p class="demo-banner" role="note">
              Demo instance: papers are real arXiv metadata; <strong>vote counts are generated demo data</strong>.
            </p>
          ) : null}
        </header>
        <main id="main" class="wrap">{children}</main>
        <SubscribeBox viewer={site.viewer} />
        <footer class="site-footer">
          <div class="wrap">
            <p>
              {site.siteName === 'Paperboy' ? 'Paperboy' : `${site.siteName}, on Paperboy`}: a daily list of papers, run by its community. Paper metadata from <a href="https://arxiv.org">arXiv</a>; thank you to arXiv
              for use of its open access interoperability. <a href="/about">How trending works</a> · <a href="/stats">Stats</a> · <a href="/docs/api">API</a>.
            </p>
            <p class="keys">Keyboard: <kbd>j</kbd>/<kbd>k</kbd> next/previous paper, <kbd>Enter</kbd> open, <kbd>[</kbd>/<kbd>]</kbd> previous/next day, week or month.</p>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** A complete HTML document. */
export function renderDocument(node: Child): string {
  return `<!doctype html>${String(node)}`;
}
