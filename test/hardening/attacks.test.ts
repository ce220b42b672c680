/**
 * A fixed corpus of known attacks against the assembled app (in-process, real SQLite): SQL and
 * FTS injection, path traversal on every route that serves a file, CRLF/header injection, open
 * redirects in `next=`, oversized and deeply nested JSON, invalid UTF-8. Each answer is a clear
 * 4xx or a harmless 2xx/3xx, never a 5xx, and the store is intact afterwards.
 */
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hardeningApp } from './support.ts';

const h = await hardeningApp();
const csrfOf = (session: string) => createHmac('sha256', 'test-secret-for-csrf-signing').update(`csrf:${session}`).digest('base64url');
let ipSeq = 0;

async function send(path: string, init: RequestInit & { as?: 'member' | 'admin' } = {}): Promise<{ res: Response; body: string }> {
  const headers = new Headers(init.headers);
  headers.set('x-forwarded-for', `192.0.2.${++ipSeq % 250}`);
  if (init.as) {
    const p = init.as === 'admin' ? h.admin : h.member;
    headers.set('cookie', `pb_session=${p.session}`);
    headers.set('x-csrf-token', csrfOf(p.session));
  }
  const errorsBefore = h.errors.length;
  const res = await h.app.request(path, { ...init, headers });
  const body = await res.text();
  assert.ok(res.status < 500, `${init.method ?? 'GET'} ${path} answered ${res.status}: ${body.slice(0, 300)}`);
  if (h.errors.length !== errorsBefore) assert.fail(`${path} logged: ${JSON.stringify(h.errors.at(-1)).slice(0, 600)}`);
  return { res, body };
}

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

async function storeIntact(): Promise<void> {
  assert.deepEqual(await h.store.integrityProblems(), []);
  const n = await h.store.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.ok(Number(n.n) >= 5, 'the papers are all still there');
}

const INJECTIONS = [
  "'", '"', "' OR '1'='1", "'; DROP TABLE papers; --", '" OR 1=1 --', '1; SELECT * FROM users', "') UNION SELECT password_hash FROM users --",
  'title:x', '"unbalanced', 'a NEAR/2 b', 'NEAR(a b, 2)', 'a* OR b*', '*', '^start', 'col:"x" AND', '{title abstract}: x', '(((', ')))', 'AND', 'OR NOT',
  '-', '--', '"', '""', 'author:', 'cat:', 'year:abcd', 'after:9999-99-99', 'before:0000-00-00', 'x'.repeat(3000), '\u0000', '%00', '\uFFFF', '😀 ' .repeat(200),
];

describe('known attacks', () => {
  test('SQL and FTS injection in every search box: no 5xx, no data exposed, the store intact', async () => {
    const rows = await h.store.db.selectFrom('users').select(['password_hash', 'email']).where('is_demo', '=', 0).execute();
    const secrets = rows.flatMap((r) => [r.password_hash, r.email]).filter((s): s is string => !!s && s.length > 8);
    assert.ok(secrets.length >= 3);
    for (const q of INJECTIONS) {
      const e = encodeURIComponent(q);
      for (const path of [`/search?q=${e}`, `/search?q=${e}&mode=keyword`, `/search/live?q=${e}`, `/api/papers/search?q=${e}`, `/api/v1/search?q=${e}`, `/search.rss?q=${e}`,
        `/new?date=${e}`, `/papers/date/${e}`, `/users/${e}`, `/api/papers/${e}`, `/?sort=${e}&page=${e}`]) {
        const { body } = await send(path);
        for (const secret of secrets) assert.ok(!body.includes(secret), `${path} shows no password hash or session`);
      }
    }
    await storeIntact();
  });

  test('path traversal on every file-serving route finds no file outside what it serves', async () => {
    const tricks = ['../package.json', '..%2fpackage.json', '..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '....//....//etc/passwd',
      '..%5c..%5cpackage.json', '%c0%ae%c0%ae%2fpackage.json', '..%00.svg', 'style.css%00.js', '/etc/passwd', '%2Fetc%2Fpasswd', '..', '.', '%2e'];
    for (const t of tricks) {
      for (const path of [`/assets/${t}`, `/api/avatars/${t}`, `/search/${t}`, `/api/papers/${t}/thumbnail.svg`, `/feeds/new/${t}`, `/admin/digests/${t}`]) {
        const { body } = await send(path);
        assert.doesNotMatch(body, /root:x:0:0|"better-sqlite3"|"devDependencies"/, `${path} leaks a file`);
      }
    }
  });

  test('CRLF in redirect targets and ids never splits a header', async () => {
    const crlf = ['/%0d%0aSet-Cookie:%20pwned=1', '/%0aLocation:%20https://evil.example', '/x%E5%98%8A%E5%98%8DSet-Cookie:pwned=1'];
    for (const t of crlf) {
      for (const path of [`/signin?next=${t}`, `/papers/2505.00201${t}`, `/papers/arXiv:2505.00201${t}`, `/admin${t}`]) {
        for (const as of [undefined, 'member'] as const) {
          const { res } = await send(path, { as });
          for (const [k, v] of res.headers) assert.doesNotMatch(`${k}: ${v}`, /[\r\n]/, `${path}: header ${k}`);
          assert.ok(!res.headers.getSetCookie().some((c) => c.startsWith('pwned')), `${path} set no cookie`);
        }
      }
    }
    const { res } = await send('/signin', { ...form({ _csrf: 'x', login: 'a\r\nb', password: 'x', next: '/\r\nSet-Cookie: pwned=1' }) });
    assert.equal(res.status, 403);
  });

  test('open redirects: next= never leaves the site, on GET and POST, signed in or not', async () => {
    const targets = ['//evil.example', '///evil.example', '/\\evil.example', '\\\\evil.example', 'https://evil.example', 'http:evil.example', 'javascript:alert(1)',
      '/\t/evil.example', '/%09/evil.example', '/%2F/evil.example', '／／evil.example', '/\u3000/evil.example', ' //evil.example', 'data:text/html,<script>alert(1)</script>',
      '/😀', '/é', '/\u2028//evil.example'];
    const own = (loc: string | null) => loc === null || new URL(loc, 'http://localhost/').origin === 'http://localhost';
    for (const next of targets) {
      const e = encodeURIComponent(next);
      const get = await send(`/signin?next=${e}`, { as: 'member' });
      assert.ok(own(get.res.headers.get('location')), `GET /signin?next=${next} -> ${get.res.headers.get('location')}`);
      for (const path of ['/actions/vote', '/actions/save', '/signin']) {
        const post = await send(path, { ...form({ paper: '2505.00201', next, login: 'mallory', password: 'a long enough password' }), as: 'member' });
        assert.ok(own(post.res.headers.get('location')), `POST ${path} next=${next} -> ${post.res.headers.get('location')}`);
      }
    }
  });

  test('oversized and deeply nested JSON bodies get a 4xx', async () => {
    const big = JSON.stringify({ body: 'x'.repeat(3 * 1024 * 1024) });
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const deepObj = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const bearer = { authorization: `Bearer ${h.member.token}`, 'content-type': 'application/json' };
    for (const body of [big, deep, deepObj]) {
      for (const [path, method] of [['/api/v1/papers/2505.00201/comments', 'POST'], ['/api/v1/me/collections', 'POST'], ['/api/v1/submissions', 'POST'], ['/mcp', 'POST'], ['/api/v1/me/subscriptions/1', 'PATCH']] as const) {
        const { res } = await send(path, { method, body, headers: { ...bearer, accept: 'application/json, text/event-stream' } });
        assert.ok(res.status >= 400 && res.status < 500, `${method} ${path}: ${res.status}`);
      }
      for (const path of ['/actions/comment', '/collections', '/subscribe', '/signin']) {
        const { res } = await send(path, { method: 'POST', body, headers: { 'content-type': 'application/json' }, as: 'member' });
        assert.ok(res.status >= 400 && res.status < 500, `POST ${path}: ${res.status}`);
      }
    }
  });

  test('invalid UTF-8 in paths, queries, forms and JSON', async () => {
    const bad = Buffer.from([0x70, 0x61, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80]);
    for (const path of ['/papers/%FF%FE', '/search?q=%C3%28', '/users/%ED%A0%80', '/new/%F8%88', '/api/v1/search?q=%FF', '/feeds/new/%FF.rss', '/signin?next=/%FF']) {
      await send(path);
    }
    const formBody = Buffer.concat([Buffer.from('paper=2505.00201&body='), bad, Buffer.from('&name='), bad]);
    for (const path of ['/actions/comment', '/collections', '/actions/vote', '/submit', '/subscribe']) {
      await send(path, { method: 'POST', body: formBody, headers: { 'content-type': 'application/x-www-form-urlencoded' }, as: 'member' });
    }
    const jsonBody = Buffer.concat([Buffer.from('{"body":"'), bad, Buffer.from('"}')]);
    await send('/api/v1/papers/2505.00201/comments', { method: 'POST', body: jsonBody, headers: { authorization: `Bearer ${h.member.token}`, 'content-type': 'application/json' } });
    await storeIntact();
  });

  test('hostile headers: giant cookies, broken authorization, odd accept and forwarded-for', async () => {
    const cases: Record<string, string>[] = [
      { cookie: `pb_session=${'a'.repeat(8000)}` }, { cookie: 'pb_session=; pb_session=x; pb_anon=' + 'b'.repeat(500) }, { cookie: '=; ;; =x' },
      { authorization: 'Bearer' }, { authorization: `Bearer ${'x'.repeat(5000)}` }, { authorization: 'Basic Og==' }, { authorization: 'Basic %%%' },
      { 'x-forwarded-for': 'x'.repeat(5000) }, { 'x-forwarded-for': ',,,' }, { accept: 'application/json;q=abc' }, { 'if-none-match': '*' }, { 'if-none-match': '"' + 'x'.repeat(3000) },
    ];
    for (const headers of cases) for (const path of ['/', '/api/v1/me', '/admin/runs', '/settings', '/feeds/daily.rss']) await send(path, { headers });
  });
});
