/**
 * One digest sender process for the fault tests (test/digest and bench/digest.ts): it runs the
 * digest of a day against a store and an SMTP server, prints "ready" when it starts sending and
 * its report as one JSON line at the end. The caller kills it with SIGKILL at random points.
 *
 *   node --import tsx bench/digest-sender.ts --db FILE|DATABASE_URL --smtp-port N --date YYYY-MM-DD [--lease-ms N] [--connections N] [--weekly-day 1-7]
 */
import { parseArgs } from 'node:util';
import { smtpTransport } from '../src/mail/transport.ts';
import { SearchIndex } from '../src/search/search-index.ts';
import { alertSearch } from '../src/services/alert-search.ts';
import { runDigest, type SearchFn } from '../src/services/digest.ts';
import { openStore } from '../src/store/index.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    db: { type: 'string' }, 'smtp-port': { type: 'string' }, date: { type: 'string' }, 'lease-ms': { type: 'string', default: '2000' },
    connections: { type: 'string', default: '4' }, period: { type: 'string' }, 'weekly-day': { type: 'string', default: '1' },
  },
});

const store = await openStore(/^(sqlite:|postgres(ql)?:\/\/)/.test(values.db!) ? values.db! : `sqlite:${values.db}`); // a file or a DATABASE_URL
const transport = smtpTransport({ host: '127.0.0.1', port: Number(values['smtp-port']), secure: false }, { connections: Number(values.connections) });
// Alerts run through the store's saved search index, loaded when the first alert needs it.
const opened: { index: Promise<SearchIndex> | null } = { index: null };
const search: SearchFn = async (query, scope, limit) => {
  opened.index ??= SearchIndex.open(store, { buildInWorker: false }, true); // not a serving process: build here if need be
  return alertSearch({ store, index: await opened.index })(query, scope, limit);
};
process.stdout.write('ready\n');
const report = await runDigest({
  store, transport, siteName: 'Paperboy', baseUrl: 'http://127.0.0.1:3000', mailFrom: 'Paperboy <digests@paperboy.test>', unsubscribeMailto: null,
  now: () => Date.now(), leaseMs: Number(values['lease-ms']), inRunWaitMs: 30_000, retryBaseMs: 200, search,
}, { date: values.date!, weeklyDay: Number(values['weekly-day']), only: values.period as 'daily' | 'weekly' | undefined });
await transport.close();
await (await opened.index)?.close();
await store.close();
process.stdout.write(`${JSON.stringify({ ...report, previews: undefined })}\n`);
