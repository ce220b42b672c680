/**
 * Which job runs are still alive. A run marked `running` whose process died (killed, crashed, the
 * machine restarted) would stay `running` on /admin/runs for ever; these helpers close it.
 *
 * While a run goes on, its process holds a lease in the jobs table (`run:<id>`) and renews it every
 * minute. A run is taken to be interrupted when
 * - its lease has run out (the process stopped renewing it: it is gone, wherever it ran), or
 * - its process ran on this machine, in this process namespace, and no longer exists (known at
 *   once, without waiting for the lease), or
 * - it is an ingest run with no lease at all (recorded before leases were kept) and started more
 *   than {@link UNLEASED_RUN_MAX_MS} ago. Digest runs keep leases too (since this version); one
 *   recorded without a lease, by an older version, is left alone.
 * A run of another live process, on this machine or another, is never closed.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Store } from '../store/index.ts';
import { runLeaseName } from '../store/jobs.ts';

/** How often a running process renews its run's lease, in ms. */
export const RUN_HEARTBEAT_MS = 60_000;
/** How long a lease lasts without renewal, in ms: a few missed renewals before a run counts as gone. */
export const RUN_LEASE_MS = 5 * 60_000;
/** An ingest run with no lease (recorded before runs kept leases) counts as interrupted after this long, in ms. */
export const UNLEASED_RUN_MAX_MS = 6 * 3_600_000;
/** The job whose runs without a lease (from older versions) are closed by age; other jobs' are left alone. */
const LEASED_JOB = 'ingest';

function readProc(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function pidNamespace(): string {
  try {
    return fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

/**
 * Where this process runs: the kernel's boot id and the process namespace (Linux), so that a pid is
 * only checked on the machine and in the container it belongs to. Empty when unknown.
 */
const machine = (() => {
  const boot = readProc('/proc/sys/kernel/random/boot_id');
  const ns = pidNamespace();
  return boot && ns ? `${boot}/${ns}` : '';
})();

/** This process's name in a run lease: `<machine>|<pid>|<random>`. */
export const processOwner = `${machine}|${process.pid}|${randomUUID().slice(0, 8)}`;

/** True when `owner` names a process of this machine and namespace that no longer exists. */
export function ownerIsGone(owner: string): boolean {
  const [where, pid] = owner.split('|');
  if (!machine || where !== machine) return false;
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return false;
  if (n === process.pid) return false;
  try {
    process.kill(n, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: it exists, under another user
  }
}

/** Closes the runs whose process is gone (see the module comment); returns their ids. */
export async function closeAbandonedRuns(store: Store, now: string): Promise<number[]> {
  const closed: number[] = [];
  const nowMs = Date.parse(now);
  for (const r of await store.listRunningRuns()) {
    let why: string | null = null;
    if (r.hasLease) {
      if (r.leaseOwner && ownerIsGone(r.leaseOwner)) why = 'its process ended';
      else if (!r.leaseUntil || r.leaseUntil < now) why = `its process stopped reporting at ${r.leaseUntil ? new Date(Date.parse(r.leaseUntil) - RUN_LEASE_MS).toISOString().slice(0, 19).replace('T', ' ') : 'an unknown time'} UTC`;
    } else if (r.job === LEASED_JOB && nowMs - Date.parse(r.startedAt) > UNLEASED_RUN_MAX_MS) {
      why = 'still running after 6 hours with no sign of its process';
    }
    if (why && (await store.interruptJobRun(r.id, `interrupted: ${why}`, now))) closed.push(r.id);
  }
  return closed;
}

/**
 * Takes the run's lease and renews it every {@link RUN_HEARTBEAT_MS} until `stop()`. A renewal that
 * finds the run closed as interrupted (the process stalled longer than the lease) opens it again:
 * the process is alive after all, and the run's real end is recorded when it comes. `stop(true)`
 * (the run is recorded as finished) gives the lease back; `stop(false)` (it could not be recorded)
 * only stops renewing, so the lease lapses and the run is then closed as interrupted, by any
 * process, this one included. `now` gives the lease times (tests run on a fake clock); the timer
 * does not keep the process alive.
 */
export async function keepRunAlive(store: Store, runId: number, now: () => string): Promise<{ stop(finished: boolean): Promise<void> }> {
  const renew = async () => {
    const at = now();
    const held = await store.acquireLease(runLeaseName(runId), processOwner, new Date(Date.parse(at) + RUN_LEASE_MS).toISOString(), at);
    // Closed as interrupted while this process was stalled (its lease lapsed): it is alive, so the
    // run shows as running again, from the moment its lease is fresh.
    if (held) await store.reopenJobRun(runId);
    return held;
  };
  await renew();
  const timer = setInterval(() => { renew().catch(() => { /* the next renewal tries again; a lapse only lets the run be closed */ }); }, RUN_HEARTBEAT_MS);
  timer.unref();
  return {
    async stop(finished: boolean) {
      clearInterval(timer);
      if (finished) await store.forgetRunLease(runId);
    },
  };
}
