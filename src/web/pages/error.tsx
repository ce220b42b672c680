/**
 * Error pages: a clear message, a way back, never a stack trace.
 */
import { Layout, type SiteInfo } from './layout.tsx';

const TITLES: Record<number, string> = {
  400: 'That request does not look right',
  401: 'Sign in required',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'That cannot be done now',
  410: 'No longer here',
  413: 'Request too large',
  422: 'That was not accepted',
  429: 'Too many requests',
  500: 'Something went wrong',
  503: 'Unavailable',
};

export function ErrorPage({ site, status, message }: { site: SiteInfo; status: number; message: string }) {
  const title = TITLES[status] ?? 'Error';
  return (
    <Layout site={site} title={title}>
      <div class="error-page">
        <p class="status">Error {status}</p>
        <h1>{title}</h1>
        <p>{message}</p>
        <p><a href="/">Back to today's papers</a> · <a href="/new">New on arXiv</a></p>
      </div>
    </Layout>
  );
}

/**
 * A member's form that came with the token of a session that has since ended (StaleFormError):
 * nothing was done, and it can be sent again as it was, under this session's token.
 */
export function ExpiredFormPage({ site, action, fields }: { site: SiteInfo; action: string; fields: [string, string][] }) {
  return (
    <Layout site={site} title="Send this form again?">
      <div class="error-page">
        <p class="status">Error 403</p>
        <h1>Send this form again?</h1>
        <p>It was on a page opened before you last signed in (in this window or another), so it was not accepted, and nothing has changed.</p>
        <form method="post" action={action}>
          <input type="hidden" name="_csrf" value={site.viewer?.csrf ?? ''} />
          {fields.map(([name, value]) => <input type="hidden" name={name} value={value} />)}
          <button type="submit" class="primary">Send it again</button>
        </form>
        <p><a href="/">Back to today's papers</a></p>
      </div>
    </Layout>
  );
}
