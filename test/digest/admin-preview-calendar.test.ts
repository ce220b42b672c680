/**
 * The admin digest page follows the configured digest calendar: its preview is of the day
 * `paperboy digest send` would send (today in PAPERBOY_DIGEST_TIMEZONE, once the list day it
 * covers is complete), a weekly preview is of the latest PAPERBOY_DIGEST_WEEKLY_DAY, and the
 * schedule shown is the configured one, not what the scheduler recorded before a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIGEST_JOB } from '../../src/jobs/digest-scheduler.ts';
import { createAccount } from '../../src/services/accounts.ts';
import { DIGEST_DEFAULTS } from '../../src/services/digest-config.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { WebClient } from '../helpers/web-client.ts';

test('in Los Angeles with weekly digests on Tuesdays: the preview is of the local day, the weekly one of Tuesday, the schedule the configured one', async () => {
  // Wednesday 2025-05-07, 20:00 in Los Angeles (03:00 UTC on Thursday).
  const now = Date.parse('2025-05-08T03:00:00Z');
  const { app, store } = await testApp(undefined, {
    now: () => now, digest: { ...DIGEST_DEFAULTS, at: '06:30', timeZone: 'America/Los_Angeles', weeklyDay: 2 },
  });
  await seedSmallCorpus(store); // lists: 2505.00201-203 on Monday 05-05, 2505.00204 ("A Weekly paper") on Wednesday 05-07
  await store.db.updateTable('daily_entries').set({ day: '2025-05-06' }).where('paper_id', '=', '2505.00201').execute();
  // What the scheduler recorded before a restart with the settings above (07:00 UTC, Mondays).
  await store.writeJobState(DIGEST_JOB, { lastDate: '2025-05-07', at: '07:00', timeZone: 'UTC', weeklyDay: 1 }, new Date(now).toISOString());
  await createAccount({ store, now: () => now }, { username: 'boss', email: 'boss@example.org', password: 'admin password 123', role: 'admin' });
  const admin = new WebClient(app, '192.0.2.90');
  assert.equal((await admin.post('/signin', { login: 'boss', password: 'admin password 123' })).status, 303);

  const page = (await admin.get('/admin/digests')).html.replace(/\s+/g, ' ');
  assert.match(page, /Sent every day at 06:30 \(America\/Los_Angeles\).*weekly ones on Tuesday\. Last scheduled day: 2025-05-07\./);
  // Wednesday's digest (Tuesday's list), as sent this morning in Los Angeles; not Thursday's, which is tomorrow there.
  assert.match(page, /Preview: the daily digest of 2025-05-07/);
  assert.match(page, /Sparse attention for long documents/);
  assert.doesNotMatch(page, /A Weekly paper/);

  const weekly = (await admin.get('/admin/digests?period=weekly')).html.replace(/\s+/g, ' ');
  // Tuesday 05-06's weekly digest (04-29 to 05-05), the one weekly subscribers got.
  assert.match(weekly, /Preview: the weekly digest of 2025-05-06/);
  assert.match(weekly, /Diffusion models/);
  assert.doesNotMatch(weekly, /Sparse attention for long documents/);
  const eml = await admin.request('/admin/digests/preview.eml?period=weekly');
  assert.equal(eml.status, 200);
  assert.match(eml.headers.get('content-disposition') ?? '', /digest-2025-05-06-weekly\.eml/);
});
