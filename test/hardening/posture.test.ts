/**
 * Security posture of the assembled app: CSRF on every state-changing route (enumerated from the
 * app, so a route added later is covered or must be named as token-authorised here), security
 * headers and a CSP without inline script on every page, cookie flags, no inline script in
 * what the pages send.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { concretePath, hardeningApp, routesOf } from './support.ts';

const h = await hardeningApp();
const routes = routesOf(h.app);
const csrfOf = (value: string) => createHmac('sha256', 'test-secret-for-csrf-signing').update(`csrf:${value}`).digest('base64url');
const db = new BetterSqlite3(h.store.location!, { readonly: true });

/** Routes whose authorisation is not a cookie, so a cross-site form cannot use them: an API token, or a signed link. */
const TOKEN_AUTHORISED = [/^\/api\//, /^\/mcp$/, /^\/unsubscribe$/];
/** Tables a refused request may still touch (rate-limit counters, session bookkeeping, search's change log, lazily made secrets). */
const BOOKKEEPING = new Set(['rate_limits', 'sessions', 'search_changes', 'search_index_meta', 'search_index_parts', 'instance_secrets']);

/** A hash of every row of every table that holds what members and admins do. */
function fingerprint(): string {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' ORDER BY name").all() as { name: string }[])
    .map((t) => t.name).filter((t) => !BOOKKEEPING.has(t));
  const hash = createHash('sha256');
  for (const t of tables) for (const row of db.prepare(`SELECT * FROM "${t}"`).all().map((r) => JSON.stringify(r)).sort()) hash.update(`${t}:${row}\n`);
  return hash.digest('hex');
}

/** A body plausible for any of our forms: every field a handler might read, with valid-looking values. */
const FIELDS = {
  paper: '2505.00203', id: '2505.00203', want: '1', body: 'A comment that would be posted.', name: 'Reading list', title: 'T', public: '1', next: '/',
  login: 'olive', password: 'a long enough password', current: 'a long enough password', confirm: 'olive', email: 'new@example.org', username: 'newbie',
  period: 'weekly', kind: 'trending', action: 'unsubscribe', scope: 'read', role: 'suspended', reason: 'spam', state: 'hidden', featured: '1', pinned: '1', hidden: '1',
  day: '2025-05-05', code: 'https://github.com/x/y', project: 'https://example.org', token: 'x', upvotes: 'public', value: '1', query: 'attention', collection: '1',
};

const stateChanging = routes.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'OPTIONS');

async function post(method: string, path: string, session: string, token: string | null, extra: Record<string, string> = {}) {
  const fields = new URLSearchParams(FIELDS);
  if (token) fields.set('_csrf', token);
  const res = await h.app.request(path, {
    method: method === 'ALL' ? 'POST' : method,
    headers: { cookie: `pb_session=${session}`, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '192.0.2.77', ...extra },
    body: fields.toString(),
  });
  return { status: res.status, body: await res.text() };
}

describe('CSRF on every state change', () => {
  test('every cookie-authorised POST/PUT/PATCH/DELETE route refuses a missing, a foreign and a cross-site token, and changes nothing', async () => {
    const cookieRoutes = stateChanging.filter((r) => !TOKEN_AUTHORISED.some((re) => re.test(r.path)));
    assert.ok(cookieRoutes.length >= 30, `cookie-authorised state-changing routes: ${cookieRoutes.length}`);
    const checked: string[] = [];
    for (const r of cookieRoutes) {
      const path = concretePath(r.path, (name) => (name === 'name' || name === 'user' ? 'mallory' : name === 'key' ? 'k' : '1'));
      const before = fingerprint();
      // Signed in as the admin (who may do anything), with: no token; the member's token; the admin's own token sent from another site.
      const missing = await post(r.method, path, h.admin.session, null);
      const foreign = await post(r.method, path, h.admin.session, csrfOf(h.member.session));
      const crossSite = await post(r.method, path, h.admin.session, csrfOf(h.admin.session), { origin: 'https://evil.example' });
      for (const [what, res] of Object.entries({ missing, foreign, crossSite })) {
        // ALL entries are mostly middleware (CORS, limits): with no handler behind them for POST, a 404 is the answer,
        // or a 405 where the path is a GET-only endpoint of the API (/search.rss, /openapi.json).
        assert.ok(res.status === 403 || (r.path === '/subscribe' && res.status < 500) || (r.method === 'ALL' && (res.status === 404 || res.status === 405)), `${r.method} ${path} with a ${what} token: ${res.status} ${res.body.slice(0, 200)}`);
      }
      assert.equal(fingerprint(), before, `${r.method} ${path}: nothing changed`);
      checked.push(`${r.method} ${r.path}`);
    }
    for (const must of ['POST /actions/vote', 'POST /actions/comment', 'POST /settings/delete', 'POST /users/:name/admin', 'POST /settings/tokens', 'POST /subscribe']) {
      assert.ok(checked.includes(must), `${must} was checked`);
    }
  });

  test('the same requests with the right token do change things (the check above can fail)', async () => {
    const before = fingerprint();
    const vote = await post('POST', '/actions/vote', h.member.session, csrfOf(h.member.session));
    assert.equal(vote.status, 303);
    assert.notEqual(fingerprint(), before);
    const mid = fingerprint();
    const collection = await post('POST', '/collections', h.member.session, csrfOf(h.member.session));
    assert.ok(collection.status < 400, `collections: ${collection.status}`);
    assert.notEqual(fingerprint(), mid);
  });

  test('the token-authorised routes ignore cookies: a session alone gets a 401 or 4xx, never an action', async () => {
    const before = fingerprint();
    for (const r of stateChanging.filter((x) => TOKEN_AUTHORISED.some((re) => re.test(x.path)))) {
      const path = concretePath(r.path, () => '2505.00203');
      const res = await h.app.request(path, {
        method: r.method === 'ALL' ? 'POST' : r.method,
        headers: { cookie: `pb_session=${h.admin.session}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-forwarded-for': '192.0.2.78' },
        body: JSON.stringify({ body: 'x', name: 'x', paper: '2505.00203', jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      assert.ok(res.status >= 400 && res.status < 500 || r.path === '/mcp', `${r.method} ${path} with only a cookie: ${res.status}`);
    }
    assert.equal(fingerprint(), before, 'nothing changed');
  });
});

describe('headers and cookies', () => {
  const pages = routes.filter((r) => r.method === 'GET' && !/^\/(api|feeds|assets|mcp|openapi|healthz|readyz|favicon|search\/search|stats\/|admin\/digests\/preview)/.test(r.path) && !r.path.includes('.'));

  test('every page: strict CSP without inline script, nosniff, no framing, a referrer policy; no inline script or handlers in the HTML', async () => {
    let html = 0;
    for (const r of pages) {
      for (const who of [null, h.member, h.admin]) {
        const path = concretePath(r.path, (name) => ({ id: '2505.00201', day: '2025-05-05', week: '2025-W19', month: '2025-05', category: 'cs.CL', name: 'mallory', archive: 'hep-th', number: '9901001' } as Record<string, string>)[name] ?? '1');
        const res = await h.app.request(path, { headers: who ? { cookie: `pb_session=${who.session}` } : {} });
        const csp = res.headers.get('content-security-policy') ?? '';
        assert.match(csp, /script-src 'self'(;|$)/, `${path}: ${csp}`);
        assert.match(csp, /object-src 'none'/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, /base-uri 'none'/);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${path}: CSP allows inline or any source`);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
        assert.ok(res.headers.get('x-frame-options'), path);
        assert.ok(res.headers.get('referrer-policy'), path);
        if ((res.headers.get('content-type') ?? '').includes('text/html')) {
          const body = await res.text();
          html++;
          assert.doesNotMatch(body, /<script(?![^>]*\bsrc=)[^>]*>/i, `${path}: inline script`);
          assert.doesNotMatch(body, /\son[a-z]+\s*=/i, `${path}: inline event handler`);
          assert.doesNotMatch(body, /href="javascript:/i, `${path}: javascript: link`);
        } else {
          await res.body?.cancel();
        }
      }
    }
    assert.ok(html >= 40, `HTML pages checked: ${html}`);
  });

  test('cookies are HttpOnly and SameSite=Lax, and Secure when the site is served over https', async () => {
    const res = await h.app.request('/signin');
    const anon = res.headers.getSetCookie().find((c) => c.startsWith('pb_anon='));
    assert.ok(anon, 'the sign-in page sets the anonymous CSRF cookie');
    assert.match(anon, /HttpOnly/i);
    assert.match(anon, /SameSite=Lax/i);
    assert.doesNotMatch(anon, /Secure/i, 'plain http in this test');
    const { createApp } = await import('../../src/web/app.tsx');
    const { loadAssets } = await import('../../src/web/assets.ts');
    const pino = (await import('pino')).default;
    const secure = createApp({
      store: h.store, assets: await loadAssets(), clock: { now: () => Date.now() }, logger: pino({ level: 'silent' }), secret: 's', arxiv: null,
      mailer: { send: async () => {}, describe: () => 'none' } as never,
      config: { siteName: 'S', pageSize: 5, categories: [], production: true, adminPassword: null, ingestAt: null, baseUrl: 'https://papers.example.org', submitQuota: 3, trustProxy: 0, outboxDir: '/nonexistent' },
    });
    const https = await secure.request('https://papers.example.org/signin');
    const cookie = https.headers.getSetCookie().find((c) => c.startsWith('pb_anon='));
    assert.match(cookie ?? '', /Secure/);
    assert.match(https.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
  });
});

describe('rate limits where bots hammer', () => {
  test('search from one address past its limit gets a 429 with Retry-After; another address is served', async () => {
    const { RULES } = await import('../../src/services/rate-limits.ts');
    const get = (ip: string) => h.app.request('/search?q=attention', { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < RULES.searchIp.limit; i++) {
      const res = await get('198.51.100.200');
      assert.equal(res.status, 200, `search ${i + 1}`);
      await res.body?.cancel();
    }
    const limited = await get('198.51.100.200');
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.match(await limited.text(), /Too many searches from your network address/);
    assert.equal((await get('198.51.100.201')).status, 200);
  });
});
