/**
 * Account pages: sign up, sign in, password reset, settings, and plain notices.
 */
import type { User } from '../../store/users.ts';
import { Csrf, describedBy, FormError } from './controls.tsx';
import { Layout, type SiteInfo } from './layout.tsx';
import { TokensSection } from '../api/tokens-page.tsx';
import { DigestSettingsSection } from './subscribe-box.tsx';
import { FollowingSection } from './author.tsx';

function Alert({ error }: { error?: string | null | undefined }) {
  return error ? <p class="alert" role="alert">{error}</p> : null;
}

/**
 * The field a refused sign-up's message names first ("Username: ...", "E-mail: ...", "Password: ..."),
 * which takes the focus when the page comes back; the username when it names none.
 */
function firstNamedField(error: string): 'username' | 'email' | 'password' {
  const at = (word: string) => { const i = error.indexOf(word); return i < 0 ? Infinity : i; };
  const order = [['username', at('Username')], ['email', at('E-mail')], ['password', at('Password')]] as const;
  const first = [...order].sort((a, b) => a[1] - b[1])[0]!;
  return first[1] === Infinity ? 'username' : first[0];
}

export function SignUpPage({ site, csrf, error, values }: { site: SiteInfo; csrf: string; error?: string | null; values?: { username?: string; email?: string } }) {
  const focus = error ? firstNamedField(error) : null;
  const fields = describedBy('signup-error', error);
  return (
    <Layout site={site} title="Sign up" section="signup">
      <h1>Create an account</h1>
      <p>Members upvote, submit and discuss papers. We send one e-mail to confirm your address.</p>
      <form method="post" action="/signup" class="form">
        <Csrf token={csrf} />
        <FormError id="signup-error" message={error} />
        <label>Username <span class="hint">3 to 30 letters, digits, - or _</span>
          <input type="text" name="username" required minlength={3} maxlength={30} autocomplete="username" value={values?.username ?? ''} autofocus={focus === 'username'} {...fields} />
        </label>
        <label>E-mail <input type="email" name="email" required maxlength={254} autocomplete="email" value={values?.email ?? ''} autofocus={focus === 'email'} {...fields} /></label>
        <label>Password <span class="hint">at least 10 characters</span>
          <input type="password" name="password" required minlength={10} maxlength={200} autocomplete="new-password" autofocus={focus === 'password'} {...fields} />
        </label>
        <div><button type="submit" class="primary">Sign up</button></div>
      </form>
      <p>Have an account? <a href="/signin">Sign in</a>.</p>
    </Layout>
  );
}

export function SignInPage({ site, csrf, error, next, login }: { site: SiteInfo; csrf: string; error?: string | null; next: string; login?: string }) {
  return (
    <Layout site={site} title="Sign in" section="signin">
      <h1>Sign in</h1>
      <form method="post" action="/signin" class="form">
        <Csrf token={csrf} />
        <input type="hidden" name="next" value={next} />
        <FormError id="signin-error" message={error} />
        {/* After a refusal the focus goes to the password (to type again), or to the login when it is empty. */}
        <label>Username or e-mail <span class="hint">an address works once it is confirmed</span><input type="text" name="login" required maxlength={254} autocomplete="username" value={login ?? ''} autofocus={!!error && !login} {...describedBy('signin-error', error)} /></label>
        <label>Password <input type="password" name="password" required maxlength={200} autocomplete="current-password" autofocus={!!error && !!login} {...describedBy('signin-error', error)} /></label>
        <div><button type="submit" class="primary">Sign in</button></div>
      </form>
      <p><a href="/account/forgot">Forgot your password?</a> · New here? <a href="/signup">Create an account</a>.</p>
    </Layout>
  );
}

/** `email`: the address typed, given back with an error. */
export function ForgotPage({ site, csrf, error, sent, email }: { site: SiteInfo; csrf: string; error?: string | null; sent?: boolean; email?: string }) {
  return (
    <Layout site={site} title="Reset your password">
      <h1>Reset your password</h1>
      {sent ? <p class="success" role="status">If an account uses that address, we have sent it a link to choose a new password. It works for two hours.</p> : null}
      <form method="post" action="/account/forgot" class="form">
        <Csrf token={csrf} />
        <FormError id="forgot-error" message={error} />
        <label>E-mail <input type="email" name="email" required maxlength={254} autocomplete="email" value={email ?? ''} autofocus={!!error} {...describedBy('forgot-error', error)} /></label>
        <div><button type="submit" class="primary">Send me a link</button></div>
      </form>
    </Layout>
  );
}

export function ResetPage({ site, csrf, token, error, dead }: { site: SiteInfo; csrf: string; token: string; error?: string | null; dead?: string }) {
  if (dead) {
    // No form: a link that was used or expired cannot set a password, however well typed.
    return (
      <Layout site={site} title="This reset link does not work any more">
        <h1>This reset link does not work any more</h1>
        <Alert error={dead} />
        <p><a href="/account/forgot">Ask for a new reset link</a> (it works for two hours), or <a href="/signin">sign in</a> if you know your password.</p>
      </Layout>
    );
  }
  return (
    <Layout site={site} title="Choose a new password">
      <h1>Choose a new password</h1>
      <form method="post" action="/account/reset" class="form">
        <Csrf token={csrf} />
        <input type="hidden" name="token" value={token} />
        <FormError id="reset-error" message={error} />
        <label>New password <span class="hint">at least 10 characters</span>
          <input type="password" name="password" required minlength={10} maxlength={200} autocomplete="new-password" autofocus={!!error} {...describedBy('reset-error', error)} />
        </label>
        <div><button type="submit" class="primary">Save and sign in</button></div>
      </form>
    </Layout>
  );
}

/** The page an e-mailed confirmation link opens: it asks, and the POST confirms (link scanners in mail systems only GET). */
export function VerifyPage({ site, csrf, token, pending }: { site: SiteInfo; csrf: string; token: string; pending: { username: string; email: string; change: boolean } }) {
  const title = pending.change ? 'Confirm your new address' : 'Confirm your address';
  return (
    <Layout site={site} title={title}>
      <h1>{title}</h1>
      <p>{pending.change ? 'Use' : 'Confirm'} <strong>{pending.email}</strong> {pending.change ? 'as the address of' : 'for the account'} <strong>{pending.username}</strong>?</p>
      <form method="post" action="/account/verify" class="form">
        <Csrf token={csrf} />
        <input type="hidden" name="token" value={token} />
        <div><button type="submit" class="primary">Confirm my address</button></div>
      </form>
      <p class="muted">If you did not ask for this, close this page: nothing changes.</p>
    </Layout>
  );
}

export function NoticePage({ site, title, message, link }: { site: SiteInfo; title: string; message: string; link?: { href: string; label: string } }) {
  return (
    <Layout site={site} title={title}>
      <h1>{title}</h1>
      <p class="success" role="status">{message}</p>
      {link ? <p><a href={link.href}>{link.label}</a></p> : null}
    </Layout>
  );
}

/** Which settings form a refused post came from, and what was typed in it (never a password). */
export interface SettingsFailure { form: 'email' | 'password' | 'privacy' | 'delete'; message: string; email?: string; confirm?: string }

export function SettingsPage({ site, user, notice, failed = null }: { site: SiteInfo; user: User; notice?: string | null; failed?: SettingsFailure | null }) {
  const v = site.viewer!;
  /** The form's refusal, if the page answers one of its posts. */
  const of = (form: SettingsFailure['form']) => (failed?.form === form ? failed : null);
  /** Its error, shown in the form, and what its fields need to name it; its first field takes the focus, bringing it into view. */
  const error = (form: SettingsFailure['form']) => <FormError id={`s-${form}-error`} message={of(form)?.message} />;
  const fields = (form: SettingsFailure['form']) => describedBy(`s-${form}-error`, of(form)?.message);
  return (
    <Layout site={site} title="Settings" section="me">
      <h1>Settings</h1>
      {notice ? <p class="success" role="status">{notice}</p> : null}
      <section aria-labelledby="s-email">
        <h2 id="s-email">E-mail</h2>
        <p>{user.email} {user.emailVerifiedAt ? <span class="muted">(confirmed)</span> : <strong>(not confirmed yet)</strong>}</p>
        {!user.emailVerifiedAt ? (
          <form method="post" action="/account/verify/resend" class="inline"><Csrf viewer={v} /><button type="submit">Send the confirmation link again</button></form>
        ) : null}
        <form method="post" action="/settings/email" class="form">
          <Csrf viewer={v} />
          {error('email')}
          <label>New e-mail <input type="email" name="email" required maxlength={254} autocomplete="email" value={of('email')?.email ?? ''} autofocus={!!of('email')} {...fields('email')} /></label>
          <label>Current password <input type="password" name="current" required maxlength={200} autocomplete="current-password" {...fields('email')} /></label>
          <div><button type="submit">Change e-mail</button></div>
        </form>
      </section>
      <section aria-labelledby="s-password">
        <h2 id="s-password">Password</h2>
        <form method="post" action="/settings/password" class="form">
          <Csrf viewer={v} />
          {error('password')}
          <label>Current password <input type="password" name="current" required maxlength={200} autocomplete="current-password" autofocus={!!of('password')} {...fields('password')} /></label>
          <label>New password <span class="hint">at least 10 characters; you stay signed in here, other sessions end, your API tokens are revoked and a pending change of address is cancelled</span>
            <input type="password" name="password" required minlength={10} maxlength={200} autocomplete="new-password" {...fields('password')} />
          </label>
          <div><button type="submit">Change password</button></div>
        </form>
      </section>
      <section aria-labelledby="s-privacy">
        <h2 id="s-privacy">Privacy</h2>
        <form method="post" action="/settings/privacy" class="form">
          <Csrf viewer={v} />
          {error('privacy')}
          <label><span><input type="checkbox" name="votes_public" value="1" checked={user.votesPublic} autofocus={!!of('privacy')} {...fields('privacy')} /> Show the papers I upvoted on my profile</span></label>
          <div><button type="submit">Save</button></div>
        </form>
      </section>
      <TokensSection />
      <DigestSettingsSection />
      <FollowingSection />
      <section aria-labelledby="s-not-interested">
        <h2 id="s-not-interested">Not interested</h2>
        <p>Papers you marked "Not interested" on For you stay off it. <a href="/settings/not-interested">See them, and take a mark back</a>.</p>
      </section>
      <section aria-labelledby="s-delete">
        <h2 id="s-delete">Delete account</h2>
        <p>Your votes and collections are deleted and vote counts drop accordingly. Your comments stay in their threads, shown as from "a deleted account".</p>
        <form method="post" action="/settings/delete" class="form">
          <Csrf viewer={v} />
          {error('delete')}
          <label>Type your username ({user.username}) <input type="text" name="confirm" required maxlength={30} autocomplete="off" value={of('delete')?.confirm ?? ''} autofocus={!!of('delete')} {...fields('delete')} /></label>
          <label>Current password <input type="password" name="current" required maxlength={200} autocomplete="current-password" {...fields('delete')} /></label>
          <div><button type="submit" class="danger">Delete my account</button></div>
        </form>
      </section>
    </Layout>
  );
}
