/**
 * API tokens in Settings: /settings/tokens lists a member's tokens, creates one (shown once, in
 * full) and revokes them; `TokensSection` links there from the settings page.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { UserError } from '../../services/errors.ts';
import { createApiToken, listApiTokens, MAX_LIVE_TOKENS, revokeToken, UNCONFIRMED, type TokenDeps } from '../../services/open-data-tokens.ts';
import type { ApiToken } from '../../store/api-tokens.ts';
import type { User } from '../../store/users.ts';
import type { Web } from '../app.tsx';
import { verifyCsrf, type AppEnv } from '../auth.ts';
import { readForm } from '../forms.ts';
import { Csrf, describedBy, FormError } from '../pages/controls.tsx';
import { Layout, type SiteInfo } from '../pages/layout.tsx';

/** Forms here are a name and two choices: a few hundred bytes. */
const MAX_TOKEN_FORM_BYTES = 8 * 1024;

/** For the settings page: where API tokens live. */
export function TokensSection() {
  return (
    <section aria-labelledby="s-tokens">
      <h2 id="s-tokens">API tokens</h2>
      <p>Tokens let scripts and agents use the <a href="/docs/api">API</a> as you: to read your private collections, or also to vote, comment and submit. <a href="/settings/tokens">Manage API tokens</a>.</p>
    </section>
  );
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : null);

function status(t: ApiToken, nowIso: string): string {
  if (t.revokedAt) return `revoked ${day(t.revokedAt)}`;
  if (t.expiresAt && t.expiresAt <= nowIso) return `expired ${day(t.expiresAt)}`;
  return t.expiresAt ? `live until ${day(t.expiresAt)}` : 'live';
}

/** What was typed in the new-token form, given back with its error when it is refused. */
export interface TokenForm { name: string; scope: string; expires: string }

export function TokensPage({ site, tokens, nowIso, created, error, values }: {
  site: SiteInfo; tokens: ApiToken[]; nowIso: string; created?: { token: string; record: ApiToken } | null; error?: string | null;
  values?: TokenForm;
}) {
  const v = site.viewer!;
  // The error goes by the form it refused; with no form to show (an address not confirmed), at the top.
  const formError = v.verified ? error : null;
  return (
    <Layout site={site} title="API tokens" section="me">
      <h1>API tokens</h1>
      <p><a href="/settings">Back to settings</a> · <a href="/docs/api">How to use the API</a></p>
      {created ? (
        <div class="success" role="status">
          <p>Your new token <strong>{created.record.name}</strong> ({created.record.scope}). Copy it now: it is not shown again.</p>
          <p><label>Token <input type="text" readonly value={created.token} size={60} aria-describedby="token-use" /></label></p>
          <p id="token-use">Send it as <code>Authorization: Bearer {created.token.slice(0, 10)}…</code></p>
        </div>
      ) : null}
      {error && !v.verified ? <p class="alert" role="alert">{error}</p> : null}
      {!v.verified ? (
        <section aria-labelledby="t-new">
          <h2 id="t-new">New token</h2>
          {error ? null : <p class="alert">{UNCONFIRMED}</p>}
        </section>
      ) : <section aria-labelledby="t-new">
        <h2 id="t-new">New token</h2>
        <form method="post" action="/settings/tokens" class="form">
          <Csrf viewer={v} />
          <FormError id="token-error" message={formError} />
          <label>Name <span class="hint">what will use it, e.g. "reading list script"</span>
            <input type="text" name="name" required maxlength={60} autocomplete="off" value={values?.name ?? ''}
              autofocus={!!formError} {...describedBy('token-error', formError)} />
          </label>
          <fieldset>
            <legend>Access</legend>
            <label><span><input type="radio" name="scope" value="read" checked={values?.scope !== 'write'} /> Read: your private collections and subscriptions</span></label>
            <label><span><input type="radio" name="scope" value="write" checked={values?.scope === 'write'} /> Read and write: also vote, comment, submit, save and subscribe as you</span></label>
          </fieldset>
          <label>Expires after (days) <span class="hint">empty: until you revoke it</span>
            <input type="text" name="expires" inputmode="numeric" pattern="[0-9]*" maxlength={4} autocomplete="off" value={values?.expires ?? ''}
              {...describedBy('token-error', formError)} />
          </label>
          <div><button type="submit">Create token</button></div>
        </form>
        <p class="muted">You may hold {MAX_LIVE_TOKENS} live tokens. Changing or resetting your password revokes them all.</p>
      </section>}
      <section aria-labelledby="t-list">
        <h2 id="t-list">Your tokens</h2>
        {tokens.length === 0 ? <p class="empty">No tokens yet.</p> : (
          <div class="table-wrap">
            <table class="runs">
              <thead><tr><th scope="col">Name</th><th scope="col">Starts with</th><th scope="col">Access</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col" class="actions"><span class="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {tokens.map((t) => (
                  <tr>
                    <td>{t.name}</td>
                    <td><code>{t.prefix}…</code></td>
                    <td>{t.scope === 'write' ? 'read and write' : 'read'}</td>
                    <td>{day(t.createdAt)}</td>
                    <td>{day(t.lastUsedAt) ?? 'never'}</td>
                    <td>{status(t, nowIso)}</td>
                    <td class="actions">
                      {!t.revokedAt ? (
                        <form method="post" action={`/settings/tokens/${t.id}/revoke`} class="inline">
                          <Csrf viewer={v} />
                          <button type="submit" class="danger" aria-label={`Revoke ${t.name}`}>Revoke</button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}

export function mountTokenPages(app: Hono<AppEnv>, web: Web, deps: TokenDeps): void {
  const limit = bodyLimit({ maxSize: MAX_TOKEN_FORM_BYTES, onError: (c) => web.errorPage(c as Context<AppEnv>, 413, 'This form is too large.') });
  app.use('/settings/tokens', async (c, next) => (c.req.method === 'POST' ? limit(c, next) : next()));
  app.use('/settings/tokens/*', async (c, next) => (c.req.method === 'POST' ? limit(c, next) : next()));

  const signedIn = (c: Context<AppEnv>): User | null => c.get('user');
  const render = async (c: Context<AppEnv>, user: User, extra: { created?: { token: string; record: ApiToken }; error?: string; values?: TokenForm }, statusCode = 200) => {
    c.header('Cache-Control', 'no-store');
    const tokens = await listApiTokens(deps, user);
    return web.html(c, <TokensPage site={await web.site(c)} tokens={tokens} nowIso={new Date(deps.now()).toISOString()} {...extra} />, statusCode);
  };
  const form = async (c: Context<AppEnv>): Promise<Record<string, string>> => {
    const fields = await readForm(c);
    verifyCsrf(c, web.auth, fields._csrf);
    return fields;
  };

  app.get('/settings/tokens', async (c) => {
    const user = signedIn(c);
    if (!user) return c.redirect('/signin?next=/settings/tokens', 303);
    return render(c, user, {});
  });
  app.post('/settings/tokens', async (c) => {
    const f = await form(c);
    const user = signedIn(c);
    if (!user) throw new UserError(401, 'Sign in first.');
    try {
      const created = await createApiToken(deps, user, { name: f.name, scope: f.scope, expiresInDays: f.expires ?? '' });
      return render(c, user, { created });
    } catch (err) {
      if (!(err instanceof UserError) || err.status === 401) throw err;
      // The form comes back as it was typed (a name cut to the field's length), with the error by it.
      const values = { name: (f.name ?? '').slice(0, 60), scope: f.scope === 'write' ? 'write' : 'read', expires: (f.expires ?? '').slice(0, 4) };
      return render(c, user, { error: err.message, values }, err.status);
    }
  });
  app.post('/settings/tokens/:id/revoke', async (c) => {
    await form(c);
    const user = signedIn(c);
    if (!user) throw new UserError(401, 'Sign in first.');
    const id = c.req.param('id');
    await revokeToken(deps, user, /^\d{1,12}$/.test(id) ? Number(id) : NaN);
    return c.redirect('/settings/tokens', 303);
  });
}
