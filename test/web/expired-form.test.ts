/**
 * A member's form on a page opened before they last signed in (in this window or another) carries
 * the token of the session that ended: it is refused (403, nothing done), and when the browser
 * says the form came from this site, the page that says so sends it again under the new session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { memberSession, type WebClient } from '../helpers/web-client.ts';

const PASSWORD = 'a long enough password';
const FROM_HERE = { origin: 'http://localhost' };
const COMMENT = 'Worth a read & "more" <b>than once</b>\nsecond line';

async function setup() {
  const t = await testApp();
  await seedSmallCorpus(t.store);
  const ada = await memberSession(t.app, t.outboxDir, 'ada');
  const comments = async () => (await t.store.db.selectFrom('comments').select('body').execute()).map((r) => r.body);
  return { ...t, ada, comments };
}

/** The token of a page opened now, which signing in again (as in another tab) makes stale. */
async function staleToken(ada: WebClient): Promise<string> {
  const token = await ada.csrf('/papers/2505.00202');
  assert.equal((await ada.post('/signin', { login: 'ada', password: PASSWORD })).status, 303, 'signed in again');
  return token;
}

function post(client: WebClient, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return client.request(path, {
    method: 'POST', body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The page's "send again" form: where it posts, and its fields in order. */
function resendForm(html: string): { action: string; fields: [string, string][] } | null {
  const form = /<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/.exec(html.slice(html.indexOf('<main')));
  if (!form || !/Send it again/.test(form[2]!)) return null;
  const fields = [...form[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/?>/g)].map((m) => [unescape(m[1]!), unescape(m[2]!)] as [string, string]);
  return { action: unescape(form[1]!), fields };
}

test('a comment from a page opened before signing in again is refused, and sent once from the page that offers it again', async () => {
  const { ada, comments } = await setup();
  const token = await staleToken(ada);
  const refused = await post(ada, '/actions/comment', { _csrf: token, paper: '2505.00202', body: COMMENT, next: '/papers/2505.00202?sort=new' }, FROM_HERE);
  assert.equal(refused.status, 403);
  const html = await refused.text();
  assert.match(html, /<h1>Send this form again\?<\/h1>/);
  assert.match(html, /nothing has changed/);
  assert.deepEqual(await comments(), [], 'nothing was posted');

  const offered = resendForm(html);
  assert.ok(offered, 'the page offers to send the form again');
  assert.equal(offered.action, '/actions/comment');
  const fresh = await ada.csrf('/settings');
  assert.deepEqual(offered.fields, [['_csrf', fresh], ['paper', '2505.00202'], ['body', COMMENT], ['next', '/papers/2505.00202?sort=new']], 'the same fields, under the new session\'s token');

  const sent = await post(ada, offered.action, Object.fromEntries(offered.fields), FROM_HERE);
  assert.equal(sent.status, 303);
  assert.match(sent.headers.get('location')!, /^\/papers\/2505\.00202\?.*#c\d+$/, 'to the comment');
  assert.deepEqual(await comments(), [COMMENT], 'posted once, as written');
});

test('the offer needs the browser to say the form came from this site (Origin or Sec-Fetch-Site), and a member still signed in', async () => {
  const { ada, comments } = await setup();
  const token = await staleToken(ada);
  const fields = { _csrf: token, paper: '2505.00202', body: COMMENT };

  const fetchSite = await post(ada, '/actions/comment', fields, { 'sec-fetch-site': 'same-origin' });
  assert.equal(fetchSite.status, 403);
  assert.ok(resendForm(await fetchSite.text()), 'Sec-Fetch-Site: same-origin is enough');

  const unsaid = await post(ada, '/actions/comment', fields);
  assert.equal(unsaid.status, 403);
  const unsaidPage = await unsaid.text();
  assert.equal(resendForm(unsaidPage), null, 'a browser that does not say where the form came from gets no offer');
  assert.match(unsaidPage, /This form has expired or was not sent from this site/);

  for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
    const elsewhere = await post(ada, '/actions/comment', fields, headers);
    assert.equal(elsewhere.status, 403, JSON.stringify(headers));
    assert.equal(resendForm(await elsewhere.text()), null, `no fresh token for a form from elsewhere: ${JSON.stringify(headers)}`);
  }

  const json = await post(ada, '/actions/comment', fields, { ...FROM_HERE, accept: 'application/json' });
  assert.equal(json.status, 403);
  assert.match((await json.json() as { error: string }).error, /This form has expired/);

  // Signed out in another window: the old form is refused, with nothing to send it again as.
  const stale = await ada.csrf('/settings');
  assert.equal((await ada.post('/signout', {}, { csrf: stale })).status, 303);
  const signedOut = await post(ada, '/actions/comment', { ...fields, _csrf: stale }, FROM_HERE);
  assert.equal(signedOut.status, 403);
  assert.equal(resendForm(await signedOut.text()), null);
  assert.deepEqual(await comments(), [], 'nothing was posted');
});

test('a form holding a password is never written back into a page: refused without the offer', async () => {
  const { ada } = await setup();
  const token = await staleToken(ada);
  const secret = 'my old password, typed again';
  const res = await post(ada, '/signin', { _csrf: token, login: 'ada', password: secret }, FROM_HERE);
  assert.equal(res.status, 403);
  const html = await res.text();
  assert.equal(resendForm(html), null);
  assert.ok(!html.includes(secret), 'the password is nowhere in the page');
});
