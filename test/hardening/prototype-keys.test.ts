/**
 * Names of Object.prototype's members given where the app looks a word up in a table (a curator
 * action, a notice name in a query string, a size unit): each is an unknown word like any other,
 * never an inherited property. A 400 for a form's action, no notice shown for a query, and no
 * error logged.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { parseSize } from '../../src/cli/import.ts';
import { linkKey, newNonce, subscriptionLinks } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription } from '../../src/store/subscriptions.ts';
import { hardeningApp, type HardeningApp, type Principal } from './support.ts';

const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const SECRET = 'test-secret-for-csrf-signing';
const csrfOf = (session: string) => createHmac('sha256', SECRET).update(`csrf:${session}`).digest('base64url');

const h: HardeningApp = await hardeningApp();
const subscription = await insertSubscription(digestDb(h.store.db), {
  email: 'reader@example.org', userId: null, period: 'daily', kind: 'trending', query: null, nonce: newNonce(), confirmed: true, confirmSent: false,
}, '2025-05-01T00:00:00.000Z');
const manage = new URL(subscriptionLinks(await linkKey(h.store), 'http://localhost', subscription).manage);

function signedIn(p: Principal, extra: Record<string, string> = {}): Headers {
  return new Headers({ cookie: `pb_session=${p.session}`, 'x-csrf-token': csrfOf(p.session), ...extra });
}

async function get(path: string, p: Principal): Promise<{ status: number; body: string }> {
  const before = h.errors.length;
  const res = await h.app.request(path, { headers: signedIn(p) });
  const body = await res.text();
  assert.equal(h.errors.length, before, `GET ${path} logged an error: ${JSON.stringify(h.errors.at(-1))}`);
  return { status: res.status, body };
}

describe('table look-ups ignore names inherited from Object.prototype', () => {
  for (const key of KEYS) {
    test(`POST /actions/curate action=${key} is an unknown action (400), for a paper on a list`, async () => {
      const before = h.errors.length;
      const res = await h.app.request('/actions/curate', {
        method: 'POST',
        headers: signedIn(h.curator, { 'content-type': 'application/x-www-form-urlencoded' }),
        body: new URLSearchParams({ paper: '2505.00201', action: key }).toString(),
      });
      const body = await res.text();
      assert.equal(res.status, 400, body.slice(0, 300));
      assert.match(body, /Unknown curator action/);
      assert.equal(h.errors.length, before, JSON.stringify(h.errors.at(-1)));
    });

    for (const [path, p] of [
      [`/settings?notice=${encodeURIComponent(key)}`, h.member],
      [`/settings/digests?notice=${encodeURIComponent(key)}`, h.member],
      [`/authors/${encodeURIComponent('Ada Lovelace')}?follow=${encodeURIComponent(key)}`, h.member],
      [`${manage.pathname}${manage.search}&done=${encodeURIComponent(key)}`, h.member],
    ] as const) {
      test(`GET ${path} shows no notice`, async () => {
        const r = await get(path, p);
        assert.equal(r.status, 200, r.body.slice(0, 300));
        assert.doesNotMatch(r.body, /class="success" role="status"|<p class="[^"]*" role="status"><\/p>/);
        assert.doesNotMatch(r.body, /native code|function /);
      });
    }

    test(`parseSize("5 ${key}") is not a size`, () => {
      assert.equal(parseSize(`5 ${key}`), null);
      assert.equal(parseSize(`5${key}`), null);
    });
  }

  test('the known words still work', async () => {
    const r = await get('/settings?notice=password', h.member);
    assert.match(r.body, /Your password is changed/);
    assert.equal(parseSize('2 KiB'), 2048);
  });
});
