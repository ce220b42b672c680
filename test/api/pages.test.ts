/**
 * The open-data pages in-process: /stats with its server-drawn charts, the vote sparkline image,
 * and API tokens in Settings (create, show once, use, revoke; CSRF).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { TokensSection } from '../../src/web/api/tokens-page.tsx';
import { Sparkline } from '../../src/web/stats.tsx';
import { memberSession, WebClient } from '../helpers/web-client.ts';
import { openDataApp } from './support.ts';

test('/stats draws its charts on the server: four SVG images with the numbers in words, and the month\'s most upvoted', async () => {
  const t = await openDataApp();
  const res = await t.app.request('/stats');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=60');
  const html = await res.text();
  const svgs = html.match(/<svg [\s\S]*?<\/svg>/g) ?? [];
  assert.equal(svgs.length, 4);
  for (const svg of svgs) {
    assert.equal(XMLValidator.validate(svg), true);
    assert.match(svg, /role="img" aria-labelledby="\w+ \w+"/);
  }
  assert.match(html, /<desc id="\w+">5 papers over 60 entries from 2025-03-09 to 2025-05-07; the most, 3, on 2025-05-05\.<\/desc>/);
  assert.match(html, /<desc id="\w+">46 votes over 60 entries from 2026-09-30 to 2026-11-28; the most, 46, on 2026-11-28\.<\/desc>/);
  assert.match(html, /cs\.CL: 4; cs\.CV: 1; cs\.LG: 1 \(papers\)\./);
  assert.match(html, /Most upvoted, May 2025/);
  assert.match(html, /<td class="num">1<\/td><td><a href="\/papers\/2505.00202">Diffusion models &lt;b&gt;for&lt;\/b&gt; video &amp; more<\/a><\/td><td class="num">40<\/td>/);
  assert.match(html, /generated demo data, all cast when the demo was loaded/);
  assert.doesNotMatch(html, /<script(?! type="module" src="\/assets)/, 'no chart library, no inline script');
  const etag = res.headers.get('etag')!;
  assert.equal((await t.app.request('/stats', { headers: { 'if-none-match': etag } })).status, 304);
  const april = await (await t.app.request('/stats?month=2025-04')).text();
  assert.match(april, /No Daily papers that month/);
  const bad = await t.app.request('/stats?month=April');
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /month &quot;April&quot; is not a month/);
});

test('the vote sparkline: an SVG of the paper\'s running total; bad and unknown papers are 400 and 404', async () => {
  const t = await openDataApp();
  const res = await t.app.request('/stats/votes.svg?paper=2505.00202');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
  const svg = await res.text();
  assert.equal(XMLValidator.validate(svg), true);
  assert.match(svg, /<title id="\w+">Upvotes, last 30 days: 40 upvotes in all, 40 of them from 2026-10-30 to 2026-11-28\.<\/title>/);
  const d = /<path d="([^"]+)"/.exec(svg)![1]!;
  const ys = d.split(/[ML]/).filter(Boolean).map((p) => Number(p.split(' ')[1]));
  assert.equal(ys.length, 30);
  assert.ok(ys.slice(0, 29).every((y) => y === ys[0]) && ys[29]! < ys[0]!, 'flat, then up on the day the votes came');
  assert.equal((await t.app.request('/stats/votes.svg')).status, 400);
  assert.equal((await t.app.request('/stats/votes.svg?paper=nonsense')).status, 400);
  assert.equal((await t.app.request('/stats/votes.svg?paper=2401.00001')).status, 404);

  const img = String(Sparkline({ paperId: 'hep-th/9901001', upvotes: 3 }));
  assert.match(img, /<img class="sparkline" src="\/stats\/votes.svg\?paper=hep-th%2F9901001" width="120" height="28" loading="lazy" alt="Upvotes over the last 30 days \(3 in all\)"\/?>/);
  const old = await t.app.request('/stats/votes.svg?paper=hep-th%2F9901001');
  assert.equal(old.status, 200);
});

test('API tokens in Settings: create (shown once), use, revoke; signed-out visitors go to sign in; CSRF is checked', async () => {
  const t = await openDataApp();
  const anon = await t.app.request('/settings/tokens');
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.get('location'), '/signin?next=/settings/tokens');

  const carol = await memberSession(t.app, t.outboxDir, 'carol');
  const page = await carol.get('/settings/tokens');
  assert.equal(page.res.status, 200);
  assert.equal(page.res.headers.get('cache-control'), 'no-store');
  assert.match(page.html, /No tokens yet/);

  const created = await carol.post('/settings/tokens', { name: 'my script', scope: 'write', expires: '' }, { tokenPage: '/settings/tokens' });
  assert.equal(created.status, 200);
  const html = await created.text();
  const token = /value="(pbt_[\w-]{43})"/.exec(html)?.[1];
  assert.ok(token, 'the new token is shown');
  assert.match(html, /Copy it now: it is not shown again/);
  assert.equal((await carol.get('/settings/tokens')).html.includes(token!), false, 'never shown again');
  assert.match((await carol.get('/settings/tokens')).html, /<code>pbt_[\w-]{6}…<\/code>/);

  const me = await t.json('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.res.status, 200);
  assert.equal((me.body as { username: string }).username, 'carol');
  const vote = await t.json('/api/v1/papers/2505.00201/vote', { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(vote.body, { voted: true, upvotes: 6 });

  const invalid = await carol.post('/settings/tokens', { name: '  ', scope: 'write' }, { tokenPage: '/settings/tokens' });
  assert.equal(invalid.status, 422);
  assert.match(await invalid.text(), /Name the token/);
  const badScope = await carol.post('/settings/tokens', { name: 'x', scope: 'admin' }, { tokenPage: '/settings/tokens' });
  assert.equal(badScope.status, 422);
  const badExpiry = await carol.post('/settings/tokens', { name: 'x', scope: 'read', expires: '-3' }, { tokenPage: '/settings/tokens' });
  assert.equal(badExpiry.status, 422);
  assert.match(await badExpiry.text(), /Expiry/);

  const noCsrf = await carol.post('/settings/tokens', { name: 'sneaky', scope: 'write' }, { csrf: null });
  assert.equal(noCsrf.status, 403);
  const mallory = new WebClient(t.app, '203.0.113.66');
  const foreign = await carol.post('/settings/tokens', { name: 'sneaky', scope: 'write' }, { csrf: await mallory.csrf('/signin') });
  assert.equal(foreign.status, 403);

  const listed = (await carol.get('/settings/tokens')).html;
  const id = /action="\/settings\/tokens\/(\d+)\/revoke"/.exec(listed)![1];
  const dave = await memberSession(t.app, t.outboxDir, 'dave');
  assert.equal((await dave.post(`/settings/tokens/${id}/revoke`, {}, { tokenPage: '/settings/tokens' })).status, 404, 'not your token');
  const revoked = await carol.post(`/settings/tokens/${id}/revoke`, {}, { tokenPage: '/settings/tokens' });
  assert.equal(revoked.status, 303);
  assert.match((await carol.get('/settings/tokens')).html, /revoked 2026-11-28/);
  assert.equal((await t.json('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).res.status, 401);
});

test('TokensSection links the settings page to the tokens page', () => {
  const html = String(TokensSection());
  assert.match(html, /<h2 id="s-tokens">API tokens<\/h2>/);
  assert.match(html, /href="\/settings\/tokens"/);
});
