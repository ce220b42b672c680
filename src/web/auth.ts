/**
 * Sessions and CSRF for the web layer.
 *
 * - `pb_session`: an opaque random value (HttpOnly, SameSite=Lax, Secure behind https); the store
 *   keeps only its hash.
 * - CSRF: every form and state-changing request carries a token that is an HMAC of the session
 *   value (or, before sign-in, of a random `pb_anon` cookie) under an instance secret. A token
 *   from another browser or session does not verify; no state changes over GET.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { sessionUser, SESSION_DAYS } from '../services/accounts.ts';
import { UserError } from '../services/errors.ts';
import { clientAddress } from './client-address.ts';
import type { Store } from '../store/index.ts';
import type { User } from '../store/users.ts';

export const SESSION_COOKIE = 'pb_session';
export const ANON_COOKIE = 'pb_anon';

export type AppEnv = { Variables: { user: User | null; sessionToken: string | null } };

export interface AuthSettings {
  store: Store;
  secret: string;
  secureCookies: boolean;
  now: () => number;
  /** The site's own origin, for the Origin check on state changes. */
  origin: string;
}

/** Loads the signed-in member (if any) into the context. */
export function sessionMiddleware(s: AuthSettings): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE) ?? null;
    const user = token ? await sessionUser(s.store, token, s.now()) : null;
    c.set('user', user);
    c.set('sessionToken', user ? token : null);
    if (token && !user) deleteCookie(c, SESSION_COOKIE, { path: '/' }); // expired or revoked
    await next();
  };
}

function sign(secret: string, value: string): string {
  return createHmac('sha256', secret).update(`csrf:${value}`).digest('base64url');
}

/** The CSRF token for this browser's forms; sets the anonymous cookie when there is no session yet. */
export function csrfToken(c: Context<AppEnv>, s: AuthSettings): string {
  const session = c.get('sessionToken');
  if (session) return sign(s.secret, session);
  let anon = getCookie(c, ANON_COOKIE);
  if (!anon || anon.length > 100) {
    anon = randomBytes(24).toString('base64url');
    setCookie(c, ANON_COOKIE, anon, { path: '/', httpOnly: true, sameSite: 'Lax', secure: s.secureCookies, maxAge: 86_400 });
  }
  return sign(s.secret, anon);
}

const EXPIRED_FORM = 'This form has expired or was not sent from this site. Reload the page and try again.';

/**
 * A form from one of this site's own pages (the browser says so: Origin, or Sec-Fetch-Site
 * same-origin) whose token no longer verifies: the page was opened before the member last signed
 * in, here or in another tab, and its token was made for the session that ended. The error page
 * may offer to send it again with a fresh token (app.tsx); a form from anywhere else never gets
 * that offer, since it would hand a valid token to a page another site made the browser post.
 */
export class StaleFormError extends UserError {
  constructor() {
    super(403, EXPIRED_FORM);
  }
}

/**
 * Where the browser says a form comes from: another site (`Origin`), one of this site's pages
 * (`Origin`, or `Sec-Fetch-Site: same-origin`), or it does not say (older browsers, other clients).
 */
export function formOrigin(c: Context<AppEnv>, s: AuthSettings): 'elsewhere' | 'here' | 'unsaid' {
  const origin = c.req.header('origin');
  const own = [s.origin, new URL(c.req.url).origin];
  if (origin && origin !== 'null' && !own.includes(origin)) return 'elsewhere';
  return (!!origin && own.includes(origin)) || c.req.header('sec-fetch-site') === 'same-origin' ? 'here' : 'unsaid';
}

/** Throws a 403 UserError unless the request carries this browser's CSRF token and no foreign Origin. */
export function verifyCsrf(c: Context<AppEnv>, s: AuthSettings, token: unknown): void {
  const from = formOrigin(c, s);
  if (from === 'elsewhere') throw new UserError(403, 'This form was sent from another site.');
  const base = c.get('sessionToken') ?? getCookie(c, ANON_COOKIE);
  const given = typeof token === 'string' ? token : (c.req.header('x-csrf-token') ?? '');
  const expected = base ? Buffer.from(sign(s.secret, base)) : null;
  const actual = Buffer.from(given);
  if (!expected || given === '' || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw from === 'here' ? new StaleFormError() : new UserError(403, EXPIRED_FORM);
  }
}

export function setSessionCookie(c: Context<AppEnv>, s: AuthSettings, token: string): void {
  setCookie(c, SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'Lax', secure: s.secureCookies, maxAge: SESSION_DAYS * 86_400 });
  deleteCookie(c, ANON_COOKIE, { path: '/' });
}

/**
 * Browsers that signed in before with a login carry a mark of it (an HMAC of the login and of the
 * account's password stamp under the instance secret) in a long-lived cookie. The loose per-login
 * ceiling on failed sign-ins, which strangers guessing from many addresses can fill, spares them:
 * the owner's own browser still gets in.
 */
const DEVICE_COOKIE = 'pb_known';
const DEVICE_DAYS = 365;
const DEVICE_MARKS = 5;

/**
 * The mark of a sign-in with `login` under the account's current password (`passwordStamp`, see
 * signIn): a new password makes every mark made under the old one worthless, so a browser someone
 * signed in with before the owner changed the password is not spared the per-login ceiling.
 */
function deviceMark(secret: string, login: string, passwordStamp: string): string {
  return createHmac('sha256', secret).update(`device:${login.trim().toLowerCase()}:${passwordStamp}`).digest('base64url').slice(0, 22);
}

/** Whether this browser has signed in with `login` before, under the password `passwordStamp` stands for. */
export function knownDevice(c: Context<AppEnv>, s: AuthSettings, login: string): (passwordStamp: string) => boolean {
  const marks = (getCookie(c, DEVICE_COOKIE) ?? '').split('.');
  return (passwordStamp) => marks.includes(deviceMark(s.secret, login, passwordStamp));
}

/** Marks this browser as one that signed in with `login` (the last DEVICE_MARKS logins are kept). */
export function rememberDevice(c: Context<AppEnv>, s: AuthSettings, login: string, passwordStamp: string): void {
  const mark = deviceMark(s.secret, login, passwordStamp);
  const marks = [mark, ...(getCookie(c, DEVICE_COOKIE) ?? '').split('.').filter((m) => /^[\w-]{22}$/.test(m) && m !== mark)].slice(0, DEVICE_MARKS);
  setCookie(c, DEVICE_COOKIE, marks.join('.'), { path: '/', httpOnly: true, sameSite: 'Lax', secure: s.secureCookies, maxAge: DEVICE_DAYS * 86_400 });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/** Marks the browser whose account was just deleted, so that only it sees the notice saying so. */
const FAREWELL_COOKIE = 'pb_deleted';
const FAREWELL_PATH = '/account/deleted';

export function setFarewellCookie(c: Context<AppEnv>, s: AuthSettings): void {
  setCookie(c, FAREWELL_COOKIE, '1', { path: FAREWELL_PATH, httpOnly: true, sameSite: 'Lax', secure: s.secureCookies, maxAge: 300 });
}

/** Whether this browser's account was deleted in the last five minutes (the mark is used up). */
export function takeFarewellCookie(c: Context<AppEnv>): boolean {
  const marked = getCookie(c, FAREWELL_COOKIE) === '1';
  if (marked) deleteCookie(c, FAREWELL_COOKIE, { path: FAREWELL_PATH });
  return marked;
}

/**
 * A local path to return to after a form; anything else (other hosts, `//`, `\`, control
 * characters) becomes `fallback`. Other characters outside printable ASCII come back
 * percent-encoded, as a Location header must carry them.
 */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length > 500) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\') || /[\u0000-\u001F\u007F-\u009F]/.test(next)) return fallback;
  try {
    return next.replace(/[^\u0021-\u007E]+/g, (s) => encodeURIComponent(s));
  } catch {
    return fallback; // a lone surrogate cannot be encoded
  }
}

/**
 * The signed-in member. Without one, a page visit (GET) is sent to sign in and come back here;
 * a form post or a JSON request gets a 401.
 */
export function requireUser(c: Context<AppEnv>): User {
  const user = c.get('user');
  if (user) return user;
  const page = (c.req.method === 'GET' || c.req.method === 'HEAD') && !(c.req.header('accept') ?? '').includes('application/json');
  if (!page) throw new UserError(401, 'Sign in first.');
  const url = new URL(c.req.url);
  const location = `/signin?next=${encodeURIComponent(safeNext(url.pathname + url.search))}`;
  throw new HTTPException(303, { res: new Response(null, { status: 303, headers: { Location: location, 'Cache-Control': 'no-store' } }) });
}

/**
 * The client address for rate limits: the socket's, or with `trustProxy` proxies in front the one the
 * outermost of them put in X-Forwarded-For (see clientAddress).
 */
export function clientIp(c: Context, trustProxy: number): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return clientAddress(c.req.header('x-forwarded-for'), env?.incoming?.socket?.remoteAddress, trustProxy);
}
