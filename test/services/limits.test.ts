/**
 * Limits that hold when requests come side by side (two tabs, a script, two app processes on one
 * PostgreSQL database): the daily submission quota, the live API token cap, and the site never
 * left without an admin by two admins demoting each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { administerUser, submitPaper, type CommunityDeps } from '../../src/services/community.ts';
import { UserError } from '../../src/services/errors.ts';
import { createApiToken, MAX_LIVE_TOKENS } from '../../src/services/open-data-tokens.ts';
import { createMember, paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';

const ROUNDS = 20;

/** The statuses of the UserErrors among settled results (anything else fails the test). */
function refusals(results: PromiseSettledResult<unknown>[]): number[] {
  return results.filter((r) => r.status === 'rejected').map((r) => {
    assert.ok(r.reason instanceof UserError, String(r.reason));
    return r.reason.status;
  });
}

test('submissions sent side by side stop at the daily quota', async () => {
  const store = await tempStore();
  const deps: CommunityDeps = { store, now: () => Date.parse(FIXED_NOW), arxiv: null, submitQuota: 3 };
  for (let round = 0; round < ROUNDS; round++) {
    const ids = [1, 2, 3, 4, 5, 6].map((k) => `2505.${String(round * 10 + k).padStart(5, '0')}`);
    await store.upsertPapers(ids.map((id) => paperRecord({ id })), FIXED_NOW);
    const member = await createMember(store, `submitter${round}`);
    const results = await Promise.allSettled(ids.map((id) => submitPaper(deps, member, { id })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3, `round ${round}: three of six are taken`);
    assert.deepEqual(refusals(results), [429, 429, 429], `round ${round}: the others are told the daily limit is reached`);
  }
});

test('tokens made side by side stop at the live token cap', async () => {
  const store = await tempStore();
  const deps = { store, now: () => Date.parse(FIXED_NOW) };
  for (let round = 0; round < ROUNDS; round++) {
    const member = await createMember(store, `tokens${round}`);
    for (let i = 0; i < MAX_LIVE_TOKENS - 2; i++) await createApiToken(deps, member, { name: `t${i}`, scope: 'read' });
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((k) => createApiToken(deps, member, { name: `late${k}`, scope: 'read' })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2, `round ${round}: the last two places are taken once each`);
    assert.deepEqual(refusals(results), [409, 409, 409], `round ${round}: the rest are told the cap`);
  }
});

test('two admins demoting each other at the same moment leave one admin', async () => {
  const store = await tempStore();
  const deps: CommunityDeps = { store, now: () => Date.parse(FIXED_NOW), arxiv: null, submitQuota: 3 };
  for (let round = 0; round < ROUNDS; round++) {
    const [a, b] = await Promise.all([createMember(store, `admin${round}a`, { role: 'admin' }), createMember(store, `admin${round}b`, { role: 'admin' })]);
    const results = await Promise.allSettled([
      administerUser(deps, a, b.username, { action: 'role', role: 'member' }),
      administerUser(deps, b, a.username, { action: 'role', role: 'member' }),
    ]);
    assert.deepEqual(refusals(results), [403], `round ${round}: the second demotion comes from an admin no longer`);
    const roles = await store.db.selectFrom('users').select('role').where('username', 'in', [a.username, b.username]).execute();
    assert.deepEqual(roles.map((r) => r.role).sort(), ['admin', 'member'], `round ${round}: one of them is still an admin`);
  }
});
