/**
 * The search index build, in a worker thread: it opens its own connection to the store, builds
 * (keyword index, embedder training, vectors) and saves a new generation, as `paperboy reindex`
 * does, while the serving thread keeps answering requests on the other core. It reports progress,
 * hands the keyword index over as soon as it is built (so keyword search works during training),
 * and says when the generation is saved; the serving thread then loads it from the store.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/index.ts';
import { segmentParts } from './persist.ts';
import { buildFraction, SearchIndex, type BuildJob, type BuildMessage } from './search-index.ts';

/**
 * The build thread's nice value: on a busy machine the serving thread gets the CPU first, and the
 * build takes what is left (on Linux the value is per thread, so the serving thread keeps its own).
 */
const BUILD_THREAD_NICE = 10;

const job = workerData as BuildJob;
try { os.setPriority(BUILD_THREAD_NICE); } catch { /* not permitted here: build at normal priority */ }
const post = (m: BuildMessage) => parentPort!.postMessage(m);

const store = await openStore(job.databaseUrl);
try {
  const index = SearchIndex.detached(store, {
    ...job.options,
    log: (msg) => post({ type: 'log', msg }),
    onKeywordIndex: (base, watermark) => {
      const parts = new Map<string, Uint8Array>();
      const info = segmentParts(base, 'kw', parts);
      post({ type: 'keyword', parts, info, watermark });
    },
  });
  await index.rebuild((p) => post({ type: 'progress', progress: buildFraction(p), phase: p.phase }));
  post({ type: 'done', generation: index.status().generation });
  await index.close();
} catch (err) {
  post({ type: 'error', message: (err as Error).message });
} finally {
  await store.close();
}
