/**
 * `paperboy ingest`: fill the store from arXiv's OAI-PMH, API or RSS interfaces.
 *
 *   paperboy ingest --oai --from 2025-05-01 [--until 2025-05-31] [--set cs] [--prefix arXivRaw]
 *   paperboy ingest --oai --catch-up
 *   paperboy ingest --api --query 'cat:cs.CL AND ti:retrieval' [--max 500]
 *   paperboy ingest --api --ids 2407.13168,hep-th/9901001
 *   paperboy ingest --rss [cs.CL cs.LG ...]
 *   ... [--dry-run]
 */
import { parseArgs } from 'node:util';
import { createArxivClient, OAI_SET } from '../arxiv/client.ts';
import type { OaiMetadataPrefix } from '../arxiv/oai.ts';
import type { Config } from '../config.ts';
import { parseArxivId } from '../domain/arxiv-id.ts';
import { CATEGORY_SHAPE, categoryNameProblem } from '../domain/categories.ts';
import { addDays, parseDay } from '../domain/dates.ts';
import {
  catchUpQuery, formatIngestSummary, ingestApi, ingestOai, ingestRss, type IngestDeps, type IngestReport,
} from '../services/ingest.ts';
import type { Store } from '../store/index.ts';
import { noDatabase } from './args.ts';
import { createProgress } from './progress.ts';

export const INGEST_USAGE = `usage:
  paperboy ingest --oai (--from YYYY-MM-DD [--until YYYY-MM-DD] | --catch-up) [--set cs] [--prefix arXivRaw|arXiv]
  paperboy ingest --api (--query 'cat:cs.CL AND ti:retrieval' [--max N] | --ids ID,ID,...)
  paperboy ingest --rss [CATEGORY ...]            (default: the instance's categories)
  options: --dry-run  fetch, parse and count what a run would store (new, updated, unchanged), write nothing
  exit status: 0 done; 1 a record or page failed, or an id was not found on arXiv; 2 usage; 130 interrupted
`;

/** Skipped papers named with their reason; the rest are counted. */
const SKIPS_SHOWN = 5;

/** How far back the first catch-up reaches when no harvest has finished yet, in days. */
const FIRST_CATCH_UP_DAYS = 3;

class UsageError extends Error {}

function day(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const d = parseDay(value);
  if (!d) throw new UsageError(`${flag}: "${value}" is not a date (YYYY-MM-DD)`);
  return d;
}

/** What to fetch, checked in full before the store is opened (a usage error creates nothing). */
type IngestPlan =
  | { kind: 'oai'; base: { set: string; metadataPrefix: OaiMetadataPrefix }; from?: string; until?: string }
  | { kind: 'api-ids'; ids: string[] }
  | { kind: 'api-query'; searchQuery: string; max: number }
  | { kind: 'rss'; categories: string[] };

/** The options each mode takes (`--dry-run` goes with all), as INGEST_USAGE lists them. */
const MODE_OPTIONS = {
  oai: ['from', 'until', 'set', 'prefix', 'catch-up'],
  api: ['query', 'max', 'ids'],
  rss: [],
} as const;

/** Options of one mode that exclude each other: the first of a pair refuses the others. */
const EXCLUSIVE: [string, string[]][] = [['catch-up', ['from', 'until']], ['ids', ['query', 'max']]];

/**
 * Refuses what the chosen mode would ignore: an option of another mode, an option that excludes
 * another one given (`--catch-up` with `--from`), arguments where the mode takes none. An ignored
 * option is a harvest of something else than was asked for.
 */
function refuseConflicts(mode: keyof typeof MODE_OPTIONS, v: Record<string, string | boolean | undefined>, positionals: string[]): void {
  const given = (name: string) => v[name] !== undefined;
  const foreign = Object.values(MODE_OPTIONS).flat().filter((o) => given(o) && !(MODE_OPTIONS[mode] as readonly string[]).includes(o));
  if (foreign.length > 0) throw new UsageError(`--${mode} does not take ${foreign.map((o) => `--${o}`).join(', ')}`);
  for (const [one, others] of EXCLUSIVE) {
    const clash = others.filter(given);
    if (given(one) && clash.length > 0) throw new UsageError(`--${one} cannot be used with ${clash.map((o) => `--${o}`).join(', ')}`);
  }
  if (mode !== 'rss' && positionals.length > 0) throw new UsageError(`--${mode} takes no arguments (got "${positionals.join(' ')}")`);
}

function planIngest(config: Config, v: Record<string, string | boolean | undefined>, positionals: string[]): IngestPlan {
  const modes = [v.oai, v.api, v.rss].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('choose one of --oai, --api, --rss');
  refuseConflicts(v.oai ? 'oai' : v.api ? 'api' : 'rss', v, positionals);
  if (v.oai) {
    const prefix = (v.prefix ?? 'arXivRaw') as OaiMetadataPrefix;
    if (prefix !== 'arXivRaw' && prefix !== 'arXiv') throw new UsageError('--prefix: arXivRaw or arXiv');
    // Checked here, not at the first request: a bad set would otherwise be a failed run on /admin/runs.
    if (typeof v.set === 'string' && !OAI_SET.test(v.set)) throw new UsageError(`--set: "${v.set}" is not an OAI set (cs, physics, physics:hep-th, ...)`);
    const base = { set: (v.set as string | undefined) ?? config.arxiv.oaiSet, metadataPrefix: prefix };
    if (v['catch-up']) return { kind: 'oai', base };
    const from = day(v.from as string | undefined, '--from');
    if (!from) throw new UsageError('--oai needs --from DATE or --catch-up');
    const until = day(v.until as string | undefined, '--until');
    if (until && until < from) throw new UsageError('--until is before --from');
    return { kind: 'oai', base, from, until };
  }
  if (v.api) {
    if (typeof v.ids === 'string') {
      const ids = v.ids.split(/[\s,]+/).filter(Boolean);
      if (ids.length === 0) throw new UsageError('--ids: give at least one arXiv id');
      const bad = ids.filter((id) => !parseArxivId(id));
      if (bad.length > 0) throw new UsageError(`--ids: not arXiv ids: ${bad.slice(0, 5).join(', ')}`);
      return { kind: 'api-ids', ids };
    }
    if (typeof v.query === 'string') {
      if (v.query.trim() === '') throw new UsageError('--query: give a query');
      const max = v.max === undefined ? 1000 : Number(v.max);
      if (!Number.isInteger(max) || max < 1 || max > 30_000) throw new UsageError('--max: a whole number from 1 to 30000');
      return { kind: 'api-query', searchQuery: v.query, max };
    }
    throw new UsageError('--api needs --query or --ids');
  }
  const categories = positionals.length > 0 ? positionals : config.categories;
  const bad = categories.filter((c) => !CATEGORY_SHAPE.test(c));
  if (bad.length > 0) throw new UsageError(`not arXiv categories: ${bad.join(', ')}`);
  // As PAPERBOY_CATEGORIES is checked: `cs.cl` has the shape of a category but names none.
  const unknown = categories.map(categoryNameProblem).filter((p) => p !== null);
  if (unknown.length > 0) throw new UsageError(unknown.join('; '));
  return { kind: 'rss', categories };
}

/** Exit status of a run stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report Ctrl-C). */
export const EXIT_INTERRUPTED = 130;

/**
 * `openStore` is called only once the arguments are known to be usable. SIGINT and SIGTERM stop the
 * run: it is recorded as interrupted, and the next run resumes after the last stored page.
 */
export async function runIngest(config: Config, openStore: () => Promise<Store>, args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = out): Promise<number> {
  let plan: IngestPlan;
  let dryRun: boolean;
  try {
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        oai: { type: 'boolean' }, api: { type: 'boolean' }, rss: { type: 'boolean' },
        from: { type: 'string' }, until: { type: 'string' }, set: { type: 'string' }, prefix: { type: 'string' },
        'catch-up': { type: 'boolean' }, query: { type: 'string' }, max: { type: 'string' }, ids: { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    });
    plan = planIngest(config, parsed.values, parsed.positionals);
    dryRun = parsed.values['dry-run'] ?? false;
  } catch (e) {
    err.write(`ingest: ${(e as Error).message}\n${INGEST_USAGE}`);
    return 2;
  }

  // A dry run writes nothing, so it does not create a database either.
  if (dryRun && noDatabase('ingest', config.databaseUrl, err)) return 1;
  const store = await openStore();
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // A stop also ends the request in flight and any wait between requests, so the command ends at once.
  const client = createArxivClient({
    apiUrl: config.arxiv.apiUrl, oaiUrl: config.arxiv.oaiUrl, rssUrl: config.arxiv.rssUrl,
    userAgent: config.arxiv.userAgent, minIntervalMs: config.arxiv.minIntervalMs, maxRetries: config.arxiv.maxRetries,
    fetch: (url, init) => fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, stop.signal]) : stop.signal }),
    clock: {
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => {
        if (stop.signal.aborted) { resolve(); return; } // a wait that starts after the stop does not wait
        const timer = setTimeout(resolve, ms);
        stop.signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      }),
    },
  });
  const progress = createProgress('ingest');
  const deps: IngestDeps = {
    store, client, categories: config.categories, now: () => new Date().toISOString(), dryRun, signal: stop.signal,
    onPage: ({ done, total, counts }) => progress.update(done, total ?? done, `new=${counts.new} updated=${counts.updated} skipped=${counts.skipped}`),
  };

  let report: IngestReport;
  try {
    switch (plan.kind) {
      case 'oai': {
        const today = new Date().toISOString().slice(0, 10);
        const query = plan.from
          ? { ...plan.base, from: plan.from, until: plan.until }
          : await catchUpQuery(store, plan.base, today, addDays(today, -FIRST_CATCH_UP_DAYS));
        report = await ingestOai(deps, query, { catchUp: !plan.from });
        break;
      }
      case 'api-ids': report = await ingestApi(deps, { ids: plan.ids }); break;
      case 'api-query': report = await ingestApi(deps, { searchQuery: plan.searchQuery, max: plan.max }); break;
      case 'rss': report = await ingestRss(deps, plan.categories); break;
    }
  } catch (err) {
    progress.stop();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  progress.stop();
  // What went wrong or differently goes to stderr, as import's bad lines do; stdout carries only the
  // summary, what the command produced, so `paperboy ingest ... >summary.txt` keeps it alone.
  for (const n of report.notes) err.write(`restarted: ${n}\n`);
  for (const p of report.problems.slice(0, 20)) err.write(`skipped: ${p}\n`);
  const shown = Math.min(report.skips.length, SKIPS_SHOWN);
  for (const s of report.skips.slice(0, shown)) err.write(`skipped: ${s}\n`);
  const more = report.skipped - shown;
  if (shown > 0 && more > 0) err.write(`skipped: ... and ${more} more\n`);
  if (report.failure) err.write(`stopped: ${report.failure}\n`);
  out.write(`${formatIngestSummary(report)}${deps.dryRun ? ' (dry run: nothing written)' : ''}\n`);
  if (stop.signal.aborted) return EXIT_INTERRUPTED;
  return report.errors > 0 ? 1 : 0;
}
