/**
 * A scheduled job's lease (a row of the jobs table), held for as long as its run lasts: taken for
 * `leaseMs`, renewed every quarter of that while the run goes on, and given back at its end. A
 * process that dies stops renewing, so its lease lapses within `leaseMs` and another process takes
 * the job over; a run longer than `leaseMs` keeps its lease, so no other process starts the same
 * job beside it.
 */
import type { Store } from '../store/index.ts';

export interface HeldLease {
  /** Stops renewing and gives the lease back. */
  release(): Promise<void>;
}

/**
 * Takes the lease `name` for `owner` until `leaseMs` after `now()`, or resolves null when another
 * owner holds it. `now` gives the lease times (tests run on a fake clock); the renewal timer does
 * not keep the process alive, and a renewal that fails (the database away a moment) is tried again
 * at the next one, while the lease has time left. `onLost` hears of a renewal that found the lease
 * taken by another owner, which only happens after this process stalled for longer than the lease.
 */
export async function holdLease(
  store: Store, name: string, owner: string, leaseMs: number, now: () => number, onLost: () => void = () => {},
): Promise<HeldLease | null> {
  const take = (at: number) => store.acquireLease(name, owner, new Date(at + leaseMs).toISOString(), new Date(at).toISOString());
  if (!(await take(now()))) return null;
  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = take(now()).then(
      (held) => { if (!held && !lost) { lost = true; onLost(); } },
      () => { /* tried again at the next renewal */ },
    );
  }, Math.max(1, Math.floor(leaseMs / 4)));
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await renewing;
      await store.releaseLease(name, owner, new Date(now()).toISOString());
    },
  };
}
