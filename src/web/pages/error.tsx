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
