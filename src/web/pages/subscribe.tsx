/**
 * Subscription pages: subscribe (with its result), confirm, unsubscribe, manage by link, and a
 * member's digests in account settings.
 */
import { MAX_QUERY_CHARS } from '../../domain/digest.ts';
import { describeSubscription } from '../../mail/digest-template.tsx';
import type { Subscription } from '../../store/subscriptions.ts';
import { Csrf, describedBy, FormError } from './controls.tsx';
import { Layout, type SiteInfo } from './layout.tsx';

function Alert({ error }: { error?: string | null | undefined }) {
  return error ? <p class="alert" role="alert">{error}</p> : null;
}

export interface SubscribeValues {
  email?: string | undefined;
  period?: string | undefined;
  kind?: string | undefined;
  query?: string | undefined;
}

function PeriodSelect({ value }: { value?: string | undefined }) {
  const v = value ?? 'weekdays';
  return (
    <select name="period">
      <option value="weekdays" selected={v === 'weekdays'}>Daily, Monday to Friday</option>
      <option value="daily" selected={v === 'daily'}>Daily, every day</option>
      <option value="weekly" selected={v === 'weekly'}>Weekly (Mondays)</option>
    </select>
  );
}

/** The fields of a subscribe form; after a refusal, `error` is tied to them and its first field takes the focus. */
function SubscribeFields({ values, withEmail, error, errorId }: { values: SubscribeValues; withEmail: boolean; error?: string | null | undefined; errorId: string }) {
  const kind = values.kind === 'search' ? 'search' : values.kind === 'for-you' && !withEmail ? 'for-you' : 'trending';
  const tied = describedBy(errorId, error);
  return (
    <>
      <FormError id={errorId} message={error} />
      {withEmail ? <label>E-mail <input type="email" name="email" required maxlength={254} autocomplete="email" value={values.email ?? ''} autofocus={!!error} {...tied} /></label> : null}
      <fieldset>
        <legend>What</legend>
        <label><span><input type="radio" name="kind" value="trending" checked={kind === 'trending'} /> Trending papers</span></label>
        <label><span><input type="radio" name="kind" value="search" checked={kind === 'search'} /> New papers matching a search</span></label>
        {withEmail ? null : <label><span><input type="radio" name="kind" value="for-you" checked={kind === 'for-you'} /> Papers for you: new papers like the ones you upvoted and saved</span></label>}
      </fieldset>
      <label>Search <span class="hint">for alerts, as in the search box: words (all must appear), "a phrase", -exclude, cat:cs.CL, author:"Ada Lovelace", year:2025, has:code</span>
        <input type="text" name="query" maxlength={MAX_QUERY_CHARS} value={values.query ?? ''} autofocus={!!error && !withEmail} {...tied} />
      </label>
      <label>How often <PeriodSelect value={values.period} /></label>
    </>
  );
}

export function SubscribePage({ site, csrf, values = {}, error, ask }: { site: SiteInfo; csrf: string; values?: SubscribeValues; error?: string | null; ask?: boolean }) {
  return (
    <Layout site={site} title="Subscribe">
      <h1>Get papers in your inbox</h1>
      <p>Trending papers of the day or the week, or alerts for new papers matching a search. We send one e-mail first to confirm the address; nothing else until you confirm. Every e-mail has a one-click unsubscribe.</p>
      {ask ? <p class="notice" role="status">Please check the details and press Subscribe once more.</p> : null}
      <form method="post" action="/subscribe" class="form">
        <Csrf token={csrf} />
        <SubscribeFields values={values} withEmail error={error} errorId="subscribe-error" />
        <div><button type="submit" class="primary">Subscribe</button></div>
      </form>
      {site.viewer ? <p>Signed in: you can also <a href="/settings/digests">manage your digests in settings</a>.</p> : null}
    </Layout>
  );
}

/**
 * `check-inbox` is all that anyone typing an address learns: whether it already gets this, has a
 * link waiting, or just got one is told to the address itself. Only a member's own confirmed address
 * is told at once.
 */
const RESULT_TEXT = {
  'check-inbox': (email: string) => `Check your inbox at ${email}: we have sent a message about this subscription there (now, or a few minutes ago if you asked already; look in the spam folder too). Nothing is sent until you follow the link in it.`,
  'already-subscribed': (email: string) => `${email} gets this already.`,
  subscribed: (email: string) => `Done: ${email} is subscribed.`,
} as const;

export function SubscribeResultPage({ site, outcome, email }: { site: SiteInfo; outcome: keyof typeof RESULT_TEXT; email: string }) {
  const title = outcome === 'subscribed' ? 'Subscribed' : outcome === 'already-subscribed' ? 'Already subscribed' : 'Check your inbox';
  return (
    <Layout site={site} title={title}>
      <h1>{title}</h1>
      <p class="success" role="status">{RESULT_TEXT[outcome](email)}</p>
      <p><a href="/">Back to today's papers</a></p>
    </Layout>
  );
}

export function ConfirmPage({ site, csrf, token, subscription }: { site: SiteInfo; csrf: string; token: string; subscription: Subscription }) {
  return (
    <Layout site={site} title="Confirm your subscription">
      <h1>Confirm your subscription</h1>
      <p>Send {describeSubscription(subscription)} to <strong>{subscription.email}</strong>?</p>
      <form method="post" action="/subscribe/confirm" class="form">
        <Csrf token={csrf} />
        <input type="hidden" name="token" value={token} />
        <div><button type="submit" class="primary">Yes, subscribe me</button></div>
      </form>
      <p class="muted">If you did not ask for this, close this page: nothing will be sent.</p>
    </Layout>
  );
}

export function SubscribedPage({ site, subscription, manage }: { site: SiteInfo; subscription: Subscription; manage: string }) {
  return (
    <Layout site={site} title="Subscribed">
      <h1>You are subscribed</h1>
      <p class="success" role="status">{subscription.email} will get {describeSubscription(subscription)}.</p>
      <p>Every e-mail has links to change or stop it. You can also <a href={manage}>manage this subscription</a> now.</p>
      <p><a href="/">Back to today's papers</a></p>
    </Layout>
  );
}

export function UnsubscribePage({ site, token, subscription }: { site: SiteInfo; token: string; subscription: Subscription }) {
  return (
    <Layout site={site} title="Unsubscribe">
      <h1>Unsubscribe</h1>
      <p>Stop sending {describeSubscription(subscription)} to <strong>{subscription.email}</strong>?</p>
      <form method="post" action={`/unsubscribe?token=${encodeURIComponent(token)}`} class="form">
        <input type="hidden" name="token" value={token} />
        <div><button type="submit" class="danger">Unsubscribe</button></div>
      </form>
    </Layout>
  );
}

export function UnsubscribedPage({ site, subscription, manage }: { site: SiteInfo; subscription: Subscription; manage: string }) {
  return (
    <Layout site={site} title="Unsubscribed">
      <h1>You are unsubscribed</h1>
      <p class="success" role="status">We will not send {describeSubscription(subscription)} to {subscription.email} any more.</p>
      <p>Unsubscribed by mistake? <a href={manage}>Subscribe again</a>.</p>
    </Layout>
  );
}

/** The one-click unsubscribe of a subscription that is gone: what the reader wanted already holds. */
export function SubscriptionGonePage({ site, message }: { site: SiteInfo; message: string }) {
  return (
    <Layout site={site} title="Nothing to unsubscribe from">
      <h1>Nothing to unsubscribe from</h1>
      <p class="success" role="status">{message}</p>
    </Layout>
  );
}

export function ManagePage({ site, csrf, token, unsubscribe, subscription, notice, error }: {
  site: SiteInfo; csrf: string; token: string; unsubscribe: string; subscription: Subscription; notice?: string | null; error?: string | null;
}) {
  const s = subscription;
  return (
    <Layout site={site} title="Your subscription">
      <h1>Your subscription</h1>
      {notice ? <p class="success" role="status">{notice}</p> : null}
      <Alert error={error} />
      <p><strong>{s.email}</strong> {s.unsubscribedAt ? 'no longer gets' : s.bouncedAt ? 'stopped getting (its mail server refused our e-mail)' : 'gets'} {describeSubscription(s)}.</p>
      {s.unsubscribedAt ? (
        <form method="post" action="/subscriptions/manage" class="form">
          <Csrf token={csrf} />
          <input type="hidden" name="token" value={token} />
          <input type="hidden" name="action" value="resubscribe" />
          <div><button type="submit" class="primary">Subscribe again</button></div>
        </form>
      ) : (
        <>
          <form method="post" action="/subscriptions/manage" class="form">
            <Csrf token={csrf} />
            <input type="hidden" name="token" value={token} />
            <input type="hidden" name="action" value="update" />
            {s.kind === 'search' ? (
              <label>Search <input type="text" name="query" required maxlength={MAX_QUERY_CHARS} value={s.query ?? ''} /></label>
            ) : null}
            <label>How often <PeriodSelect value={s.period} /></label>
            <div><button type="submit">Save</button></div>
          </form>
          <form method="post" action={unsubscribe} class="form">
            <div><button type="submit" class="danger">Unsubscribe</button></div>
          </form>
        </>
      )}
      <p><a href="/subscribe">Subscribe to something else</a></p>
    </Layout>
  );
}

export function MemberDigestsPage({ site, subscriptions, manageLinks, email, notice, error, values }: {
  site: SiteInfo; subscriptions: Subscription[]; manageLinks: Map<number, string>; email: string | null; notice?: string | null; error?: string | null; values?: SubscribeValues;
}) {
  const v = site.viewer!;
  // A refused "Add" comes back with what was typed (`values`) and its error in its form; a refused
  // change to a subscription in the list has its error at the top.
  const addError = values ? error : null;
  return (
    <Layout site={site} title="Digests and alerts" section="me">
      <h1>Digests and alerts</h1>
      {notice ? <p class="success" role="status">{notice}</p> : null}
      {values ? null : <Alert error={error} />}
      {subscriptions.length === 0 ? <p class="empty">You have no digests or alerts yet.</p> : (
        <ul class="subscriptions">
          {subscriptions.map((s) => (
            <li>
              <p>
                {describeSubscription(s)} to {s.email}
                {!s.confirmedAt ? <strong> (waiting for confirmation: follow the link we sent)</strong> : null}
                {s.bouncedAt ? <strong> (stopped: the mail server refused our e-mail)</strong> : null}
              </p>
              {s.confirmedAt ? (
                <form method="post" action={`/settings/digests/${s.id}`} class="inline">
                  <Csrf viewer={v} />
                  <input type="hidden" name="action" value="update" />
                  <label><span class="sr-only">How often</span> <PeriodSelect value={s.period} /></label>{' '}
                  <button type="submit">Save</button>
                </form>
              ) : null}{' '}
              <form method="post" action={`/settings/digests/${s.id}`} class="inline">
                <Csrf viewer={v} />
                <input type="hidden" name="action" value="unsubscribe" />
                <button type="submit" class="danger">Unsubscribe</button>
              </form>
              {manageLinks.get(s.id) ? <> · <a href={manageLinks.get(s.id)}>More</a></> : null}
            </li>
          ))}
        </ul>
      )}
      <h2>Add a digest or alert</h2>
      {email ? <p>Sent to {email}{' '}<span class="muted">(your account's address)</span>.</p> : <p>Confirm your account's e-mail address first, or <a href="/subscribe">subscribe any address</a> with a confirmation link.</p>}
      <form method="post" action="/settings/digests" class="form">
        <Csrf viewer={v} />
        <SubscribeFields values={values ?? {}} withEmail={false} error={addError} errorId="add-digest-error" />
        <div><button type="submit" class="primary">Add</button></div>
      </form>
    </Layout>
  );
}
