/**
 * A cookie-keeping client for the in-process app, as a browser would be: it follows no redirects
 * by itself, keeps cookies, and reads CSRF tokens out of the forms it was served.
 */
import fs from 'node:fs';
import path from 'node:path';

type App = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

export class WebClient {
  readonly cookies = new Map<string, string>();
  constructor(private readonly app: App, private readonly ip = '203.0.113.7') {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    headers.set('x-forwarded-for', this.ip);
    const res = await this.app.request(path, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(path: string): Promise<{ res: Response; html: string }> {
    const res = await this.request(path);
    return { res, html: await res.text() };
  }

  /** The CSRF token of the first form on a page. */
  async csrf(page: string): Promise<string> {
    const { html } = await this.get(page);
    const m = /name="_csrf" value="([^"]+)"/.exec(html) ?? /name="csrf-token" content="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF token on ${page}`);
    return m[1]!;
  }

  /** Posts a form with this browser's CSRF token (taken from `tokenPage`, default `/signin` or the current session's pages). */
  async post(path: string, fields: Record<string, string>, opts: { csrf?: string | null; tokenPage?: string; accept?: string } = {}): Promise<Response> {
    const token = opts.csrf === null ? undefined : (opts.csrf ?? (await this.csrf(opts.tokenPage ?? (this.cookies.has('pb_session') ? '/settings' : '/signin'))));
    const body = new URLSearchParams({ ...(token ? { _csrf: token } : {}), ...fields });
    return this.request(path, {
      method: 'POST', body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.accept ? { accept: opts.accept } : {}) },
    });
  }
}

/** Every message to `to` in an outbox folder, oldest first. */
export async function mailsTo(outboxDir: string, to: string): Promise<Array<{ subject: string; text: string }>> {
  const files = fs.existsSync(outboxDir) ? fs.readdirSync(outboxDir).filter((f) => f.endsWith('.eml')).sort() : [];
  const { simpleParser } = await import('mailparser'); // loaded by the tests that read mail, not by every test with a client
  const out: Array<{ subject: string; text: string }> = [];
  for (const f of files) {
    const mail = await simpleParser(fs.readFileSync(path.join(outboxDir, f)));
    const addresses = Array.isArray(mail.to) ? mail.to.flatMap((a) => a.value) : (mail.to?.value ?? []);
    if (addresses.some((a) => a.address === to)) out.push({ subject: mail.subject ?? '', text: mail.text ?? '' });
  }
  return out;
}

/** The links in the newest message to `to` in an outbox folder. */
export async function linksInOutbox(outboxDir: string, to: string): Promise<string[]> {
  const newest = (await mailsTo(outboxDir, to)).at(-1);
  return newest ? [...newest.text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]) : [];
}

/** Signs up, confirms the address through the e-mailed link (its page, then its button), and stays signed in. */
export async function memberSession(app: App, outboxDir: string, username: string, ip?: string): Promise<WebClient> {
  const client = new WebClient(app, ip ?? `198.51.100.${Math.floor(Math.random() * 250) + 1}`);
  const res = await client.post('/signup', { username, email: `${username.toLowerCase()}@example.org`, password: 'a long enough password' }, { tokenPage: '/signup' });
  if (res.status !== 303) throw new Error(`signup ${username}: ${res.status} ${await res.text()}`);
  const [link] = await linksInOutbox(outboxDir, `${username.toLowerCase()}@example.org`);
  const url = new URL(link!);
  const verified = await client.post('/account/verify', { token: url.searchParams.get('token')! }, { tokenPage: url.pathname + url.search });
  if (verified.status !== 200) throw new Error(`verify ${username}: ${verified.status}`);
  return client;
}
