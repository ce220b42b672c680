/**
 * The bundled demo: real arXiv metadata imported on first start, with generated demo votes on the
 * papers of its daily lists so that trending and "most upvoted" have something to sort.
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Store } from '../store/index.ts';
import { importFile, type ImportOptions, type ImportReport } from './import.ts';

export const DEMO_CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../demo/arxiv-cs-2025-05-06.jsonl.gz');

/** Demo vote counts are heavy-tailed like real ones: e^(5u) for u uniform in [0,1) gives 1..148, median about 12. */
const DEMO_VOTE_SPREAD = 5;

/** A deterministic demo vote count for a paper (same id, same count, on every machine). */
export function demoVotesFor(paperId: string): number {
  const h = createHash('sha256').update(`paperboy-demo:${paperId}`).digest();
  const u = h.readUInt32BE(0) / 2 ** 32;
  return Math.floor(Math.exp(u * DEMO_VOTE_SPREAD));
}

export interface DemoReport extends ImportReport {
  demoVotes: number;
}

/** PostgreSQL advisory lock taken by a first start's demo import (ids 8150001… are ours). */
const DEMO_IMPORT_LOCK = 8_150_013;

/**
 * Imports the demo into a store that is empty, once per database: on PostgreSQL, processes starting
 * on one database take turns (a session advisory lock, taken before the store is looked at), so a
 * process that starts while another imports waits for the whole demo rather than serving part of
 * it, and finds the papers there. `onStart` runs just before an import begins. Null when the store
 * was not empty.
 */
export async function importDemoIfEmpty(store: Store, opts: ImportOptions, file = DEMO_CORPUS, onStart?: () => void): Promise<DemoReport | null> {
  const once = async () => {
    if (!(await store.isEmpty())) return null;
    onStart?.();
    return importDemo(store, opts, file);
  };
  if (store.dialect !== 'postgres') return once();
  return store.withSessionLock(DEMO_IMPORT_LOCK, once);
}

/** Imports the demo corpus and casts its demo votes. Safe to run again: nothing is duplicated. */
export async function importDemo(store: Store, opts: ImportOptions, file = DEMO_CORPUS): Promise<DemoReport> {
  const report = await importFile(store, file, opts);
  const listed = await store.db.selectFrom('daily_entries').select('paper_id').execute();
  const votes = new Map(listed.map((r) => [r.paper_id, demoVotesFor(r.paper_id)]));
  const demoVotes = await store.seedDemoVotes(votes, opts.now());
  return { ...report, demoVotes };
}
