/**
 * A scheduled job's lease is renewed while its run goes on (src/jobs/lease.ts), so a run longer than
 * the lease keeps the job to one process; a process that stops renewing loses it to the next one.
 * Real store; the renewal timer and the clock moved by hand.
 */
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { holdLease } from '../../src/jobs/lease.ts';
import type { Store } from '../../src/store/index.ts';
import { tempStore } from '../helpers/store.ts';

const HOUR = 3_600_000;
const LEASE = 2 * HOUR;

/** Waits (real time) until `check` holds: a renewal that a timer tick started has reached the database. */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`not seen within 2 s: ${what}`);
}

const leaseUntil = async (store: Store, name: string) =>
  (await store.db.selectFrom('jobs').select('lease_until').where('name', '=', name).executeTakeFirst())?.lease_until ?? null;

test('a run longer than its lease keeps it; at its end the lease is free at once', async () => {
  const store = await tempStore();
  let now = Date.parse('2026-11-28T02:00:00Z');
  mock.timers.enable({ apis: ['setInterval'] });
  try {
    const first = await holdLease(store, 'scheduler:daily-ingest', 'process-a', LEASE, () => now);
    assert.ok(first, 'the first process takes the lease');
    assert.equal(await holdLease(store, 'scheduler:daily-ingest', 'process-b', LEASE, () => now + HOUR), null, 'another process is turned away while it is held');

    // Five hours of a long harvest: renewed every half hour.
    for (let i = 0; i < 10; i++) {
      now += LEASE / 4;
      mock.timers.tick(LEASE / 4);
      const until = new Date(now + LEASE).toISOString();
      await eventually(async () => (await leaseUntil(store, 'scheduler:daily-ingest')) === until, `the lease renewed until ${until}`);
    }
    assert.equal(await holdLease(store, 'scheduler:daily-ingest', 'process-b', LEASE, () => now), null, 'long past the first lease, the run still holds it');

    await first.release();
    const second = await holdLease(store, 'scheduler:daily-ingest', 'process-b', LEASE, () => now);
    assert.ok(second, 'released: the next process takes it without waiting for it to run out');
    await second.release();
  } finally {
    mock.timers.reset();
    await store.close();
  }
});

test('a process that stops renewing loses the lease once it runs out, and does not take it back', async () => {
  const store = await tempStore();
  let now = Date.parse('2026-11-28T02:00:00Z');
  mock.timers.enable({ apis: ['setInterval'] });
  try {
    let lost = 0;
    const stalled = await holdLease(store, 'scheduler:digest', 'process-a', LEASE, () => now, () => { lost++; });
    assert.ok(stalled);
    // Its timers do not fire (the process is stalled) while the clock passes the lease.
    now += LEASE + 1;
    const next = await holdLease(store, 'scheduler:digest', 'process-b', LEASE, () => now);
    assert.ok(next, 'a lapsed lease goes to the next process');

    // The stalled process wakes up: its renewal finds the lease taken and says so, once.
    mock.timers.tick(LEASE / 4);
    await eventually(() => lost === 1, 'the loss reported');
    mock.timers.tick(LEASE / 4);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(lost, 1, 'reported once');
    assert.equal(await leaseUntil(store, 'scheduler:digest'), new Date(now + LEASE).toISOString(), "the new holder's lease is as it took it");
    await stalled.release();
    assert.equal(await holdLease(store, 'scheduler:digest', 'process-c', LEASE, () => now), null, "the stalled process's release leaves the new holder's lease alone");
    await next.release();
  } finally {
    mock.timers.reset();
    await store.close();
  }
});
