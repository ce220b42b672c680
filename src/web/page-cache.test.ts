/**
 * The kept answers behind the page and feed caches: served under the change token they were made
 * under and for a minute at most; bounded by entries and by bytes, least recently used out first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeptResponses, PAGE_CACHE_MAX_AGE_MS, type KeptResponse } from './page-cache.ts';

const answer = (body: string, token = 't1', at = 0): KeptResponse => ({ token, at, status: 200, body: new TextEncoder().encode(body), headers: [['content-type', 'text/html']] });
const text = (r: KeptResponse | undefined) => (r ? Buffer.from(r.body).toString() : null);

test('an answer is served under its change token and for less than the maximum age', () => {
  const kept = new KeptResponses({ entries: 10, bytes: 1_000 });
  kept.set('/a', answer('page a', 't1', 1_000));
  assert.equal(text(kept.get('/a', 't1', 1_000 + PAGE_CACHE_MAX_AGE_MS - 1)), 'page a');
  assert.equal(kept.get('/a', 't2', 1_001), undefined, 'the store changed');
  assert.equal(kept.size, 0, 'a stale answer is let go, not kept beside the new one');
  kept.set('/a', answer('page a', 't1', 1_000));
  assert.equal(kept.get('/a', 't1', 1_000 + PAGE_CACHE_MAX_AGE_MS), undefined, 'a minute old');
  assert.equal(kept.keptBytes, 0);
});

test('bounded by entries: the least recently used goes first', () => {
  const kept = new KeptResponses({ entries: 2, bytes: 1_000 });
  kept.set('/a', answer('a'));
  kept.set('/b', answer('b'));
  assert.ok(kept.get('/a', 't1', 0), 'asked for again: now the most recent');
  kept.set('/c', answer('c'));
  assert.deepEqual(['/a', '/b', '/c'].map((k) => text(kept.get(k, 't1', 0))), ['a', null, 'c']);
});

test('bounded by bytes: large answers push out old ones, one larger than the bound is not kept, bytes count rather than characters, and a replaced answer counts once', () => {
  const kept = new KeptResponses({ entries: 100, bytes: 10 });
  kept.set('/a', answer('aaaa'));
  kept.set('/b', answer('bbbb'));
  assert.equal(kept.keptBytes, 8);
  kept.set('/c', answer('cccc'));
  assert.deepEqual(['/a', '/b', '/c'].map((k) => kept.get(k, 't1', 0) !== undefined), [false, true, true]);
  assert.equal(kept.keptBytes, 8);
  kept.set('/b', answer('BB'));
  assert.equal(kept.keptBytes, 6, 'the old answer of /b no longer counts');
  kept.set('/huge', answer('x'.repeat(11)));
  assert.equal(kept.get('/huge', 't1', 0), undefined);
  assert.equal(kept.keptBytes, 6, 'and it pushed nothing out');
  kept.set('/é', answer('ééé'));
  assert.equal(kept.get('/c', 't1', 0), undefined, 'three characters, but six bytes: the oldest answer went');
  assert.equal(kept.keptBytes, 8);
  kept.set('/b', answer('y'.repeat(11)));
  assert.equal(kept.get('/b', 't1', 0), undefined, 'a new answer too large for the cache replaces the old one by nothing');
  assert.equal(kept.keptBytes, 6);
});
