/**
 * A process that runs back-fills one after another, as an operator's `paperboy ingest --oai --from
 * --until` would, each ending a day later than the one before:
 *
 *   node --import tsx test/helpers/backfill-process.ts DATABASE_URL FIRST_DAY STEP COUNT SEED
 *
 * Every back-fill starts in 2000, before any watermark, so each one moves the catch-up's watermark
 * to its end when that is later. Prints `ready` once the store is open and starts at the first
 * line on its standard input, so that two such processes start together; prints `done` at the end.
 */
import { addDays } from '../../src/domain/dates.ts';
import { ingestOai } from '../../src/services/ingest.ts';
import { openStore } from '../../src/store/index.ts';
import { emptyOaiArxiv, seeded } from './fake-oai.ts';

const [url, firstDay, step, count, seed] = process.argv.slice(2);
const store = await openStore(url!);
try {
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.pause();
  const random = seeded(Number(seed));
  const deps = { store, client: emptyOaiArxiv(random, 2), now: () => '2026-11-28T12:00:00.000Z', categories: ['cs'] };
  for (let i = 0; i < Number(count); i++) {
    const until = addDays(firstDay!, i * Number(step));
    const report = await ingestOai(deps, { set: 'cs', metadataPrefix: 'arXivRaw', from: '2000-01-01', until });
    if (report.failure) throw new Error(`back-fill until ${until}: ${report.failure}`);
  }
  process.stdout.write('done\n');
} finally {
  await store.close();
}
