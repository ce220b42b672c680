/**
 * Ingestion: arXiv's three interfaces into the store, idempotently.
 *
 * - OAI-PMH (bulk back-fill and daily catch-up): each page is stored with the resumptionToken of
 *   the next in one transaction, so a run killed at any point resumes after the last stored page
 *   and ends in exactly the store an uninterrupted run would have made.
 * - The API (searches and id lookups): pages of results, upserted.
 * - RSS (the day's announcements): fills "New on arXiv" for the day.
 *
 * Records outside the instance's categories are skipped and counted, with the first reasons kept
 * (papers asked for by id are stored whatever their categories). Every run is recorded in
 * job_runs with its counts, and ends with one summary line.
 */
import type { ArxivClient, HarvestQuery } from '../arxiv/client.ts';
import { harvestOai } from '../arxiv/client.ts';
import { ArxivError, OaiError } from '../arxiv/errors.ts';
import type { OaiMetadataPrefix } from '../arxiv/oai.ts';
import { parseArxivId } from '../domain/arxiv-id.ts';
import { inCategories } from '../domain/categories.ts';
import type { PaperRecord } from '../domain/paper.ts';
import type { Store } from '../store/index.ts';
import type { JobStateWrite } from '../store/jobs.ts';
import { refreshKeywords } from './keywords.ts';
import { closeAbandonedRuns, keepRunAlive } from './run-liveness.ts';

export interface IngestCounts {
  new: number;
  updated: number;
  unchanged: number;
  /** Announcements (New on arXiv: a paper on a day) added, to new and known papers alike. */
  announced: number;
  skipped: number;
  errors: number;
  pages: number;
}

export interface IngestReport extends IngestCounts {
  mode: 'oai' | 'api' | 'rss';
  seconds: number;
  /** Set when the run stopped on an error (what and where); counts cover what was stored before. */
  failure: string | null;
  /** Why records were rejected (the first ones). */
  problems: string[];
  /** Why records were skipped: outside the instance's categories (with theirs), or deleted (the first ones). */
  skips: string[];
  /** What the run did that its counts do not say, e.g. a harvest started again after arXiv refused its saved token. */
  notes: string[];
}

export interface IngestDeps {
  store: Store;
  client: ArxivClient;
  /** ISO timestamp of now. */
  now: () => string;
  /** The instance's categories; records in none of them are skipped. */
  categories: string[];
  /** Parse and count what a real run would store (new, updated, unchanged), but write nothing. */
  dryRun?: boolean;
  /** Aborting it stops the run: it is recorded as interrupted, and what was stored stays (the next run resumes). */
  signal?: AbortSignal;
  onPage?: (p: { page: number; done: number; total: number | null; counts: IngestCounts }) => void;
}

const MAX_PROBLEMS = 50;
/** Skip reasons kept per run: enough to see which categories are missing, not a list of a harvest. */
const MAX_SKIPS = 20;
/** API pages: arXiv asks for modest page sizes; 200 keeps each response small. */
export const API_PAGE_SIZE = 200;
/** Id lookups per API call. */
const API_IDS_PER_CALL = 100;

class Run {
  readonly counts: IngestCounts = { new: 0, updated: 0, unchanged: 0, announced: 0, skipped: 0, errors: 0, pages: 0 };
  readonly problems: string[] = [];
  readonly skips: string[] = [];
  readonly notes: string[] = [];
  private readonly started = Date.now();
  constructor(readonly deps: IngestDeps, readonly mode: IngestReport['mode']) {}

  problem(message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(message);
  }

  skip(message: string): void {
    if (this.skips.length < MAX_SKIPS) this.skips.push(message);
  }

  /** The page being written, if one is: a stop lets it finish before the run is recorded. */
  private writing: Promise<void> | null = null;

  /**
   * Filters to the instance's categories (unless `anyCategory`: papers asked for by id), stores
   * (with the checkpoint) and counts one page. The page's counts are added once it is committed, so
   * they always describe what is in the store. After a stop no page is started.
   */
  async store(records: PaperRecord[], rejected: { reason: string; entry?: string }[], checkpoint: JobStateWrite[] | null, anyCategory = false): Promise<void> {
    const { store, categories, dryRun, now, signal } = this.deps;
    if (signal?.aborted) throw new Error(INTERRUPTED);
    const wanted = anyCategory ? records : records.filter((r) => inCategories(r.categories, categories));
    const write = (async () => {
      const c = dryRun ? await store.previewPage(wanted) : await store.ingestPage(wanted, checkpoint, now());
      this.counts.skipped += records.length - wanted.length;
      for (const r of records) if (!wanted.includes(r)) this.skip(`${r.id}: not in PAPERBOY_CATEGORIES (${r.categories.join(' ')})`);
      this.counts.errors += rejected.length;
      for (const r of rejected) this.problem(`${r.entry ? `${r.entry}: ` : ''}${r.reason}`);
      this.counts.new += c.new;
      this.counts.updated += c.updated;
      this.counts.unchanged += c.unchanged;
      this.counts.announced += c.announced;
      this.counts.pages++;
    })();
    this.writing = write;
    try {
      await write;
    } finally {
      if (this.writing === write) this.writing = null;
    }
  }

  /**
   * Waits for the page being written, if any, to commit or fail. A page's transaction is short
   * (no network inside), and what it commits is in the store whatever the run says: waiting keeps
   * the run's counts equal to what it stored.
   */
  async settled(): Promise<void> {
    while (this.writing) await this.writing.catch(() => {});
  }

  report(failure: string | null): IngestReport {
    return { mode: this.mode, ...this.counts, seconds: Math.round((Date.now() - this.started) / 100) / 10, failure, problems: this.problems, skips: this.skips, notes: this.notes };
  }
}

/** The failure of a run stopped through {@link IngestDeps.signal}. */
export const INTERRUPTED = 'interrupted: stopped before it finished (the next run resumes where it stopped)';

/** Resolves never; rejects when `signal` aborts. */
function aborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (!signal) return;
    const stop = () => reject(new Error(INTERRUPTED));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Runs `body`, recording the run in job_runs; a thrown error becomes the report's failure. Runs
 * left `running` by processes that are gone are closed first (see run-liveness.ts), and this run
 * keeps a lease while it goes on, so that it is closed in turn if its process dies.
 */
async function recorded(run: Run, modeDetail: string, body: () => Promise<void>): Promise<IngestReport> {
  const { store, now, dryRun, signal } = run.deps;
  let id: number | null = null;
  let alive: { stop(finished: boolean): Promise<void> } | null = null;
  let finished = false;
  if (!dryRun) {
    await closeAbandonedRuns(store, now());
    id = await store.startJobRun('ingest', modeDetail, now());
    alive = await keepRunAlive(store, id, now);
  }
  try {
    let failure: string | null = null;
    try {
      // On abort the body is left where it is (a request in flight is not waited for); a page's
      // transaction is all or nothing, and no page is started after the stop.
      await Promise.race([body(), aborted(signal)]);
    } catch (err) {
      failure = (err as Error).message;
      // A stop that was asked for is no error of the run: its summary says interrupted instead.
      if (!(signal?.aborted && failure === INTERRUPTED)) run.counts.errors++;
    }
    // A stop that came while a page was being written: that page commits (or fails) on its own, so
    // the run is recorded after it, with its counts, never one page short of what is stored.
    await run.settled();
    if (!dryRun && !signal?.aborted && run.counts.new + run.counts.updated > 0) {
      // Keywords of what this run stored; a failure here is reported but does not fail the run. A
      // stop meanwhile ends it between batches: those done are kept, the rest stay due for the next.
      try {
        const keywords = await refreshKeywords(store, { now, signal });
        if (keywords.interrupted) run.problem(`keywords: stopped after ${keywords.papers} of ${keywords.due} papers; the others are computed by the next run`);
      } catch (err) {
        run.problem(`keywords: ${(err as Error).message}`);
      }
    }
    const report = run.report(failure);
    if (id !== null) {
      const { problems: _p, skips: _s, notes: _n, failure: _f, mode: _m, ...counts } = report;
      // /admin/runs shows a run's problems and notes (a restarted range) in its last column.
      const said = [...report.notes, ...report.problems].slice(0, 5).join('\n') || null;
      await store.finishJobRun(id, { status: failure ? 'failed' : 'ok', counts, error: failure ?? said }, now());
      finished = true;
    }
    return report;
  } finally {
    // A run that could not be recorded as finished (the database away at that moment) stops renewing
    // its lease, which then lapses: the next run or a look at /admin/runs closes it as interrupted,
    // instead of it showing as running for the life of the process.
    await alive?.stop(finished).catch(() => {});
  }
}

export interface OaiIngestQuery {
  from?: string;
  until?: string;
  set?: string;
  metadataPrefix: OaiMetadataPrefix;
}

/** Checkpoint of an OAI harvest, kept in the jobs table under {@link oaiJobName} or {@link oaiRangeJobName}. */
export interface OaiCheckpoint {
  query: OaiIngestQuery;
  /** Token of the next page to fetch; null when the last harvest finished. */
  resumptionToken: string | null;
  /**
   * Under {@link oaiJobName} only: the day up to which arXiv's changes are all stored. The next
   * catch-up starts there. It only moves forward.
   */
  watermark: string | null;
}

/** The daily catch-up's checkpoint: its resumption token and the watermark. */
export function oaiJobName(q: Pick<OaiIngestQuery, 'set' | 'metadataPrefix'>): string {
  return `ingest:oai:${q.set ?? 'all'}:${q.metadataPrefix}`;
}

/**
 * A harvest of a range given by hand (`--from`/`--until`): its own checkpoint, so that it resumes
 * when run again with the same range and leaves an interrupted catch-up's token alone.
 */
export function oaiRangeJobName(q: OaiIngestQuery): string {
  return `${oaiJobName(q)}:${q.from ?? ''}..${q.until ?? ''}`;
}

const sameQuery = (a: OaiIngestQuery, b: OaiIngestQuery) =>
  a.from === b.from && a.until === b.until && a.set === b.set && a.metadataPrefix === b.metadataPrefix;

/**
 * The watermark after a finished harvest of `query`, given the saved one. It only moves forward,
 * and only over days that are all stored: a catch-up (which starts at the watermark) moves it to
 * its end; a range given by hand moves it only when it starts at or before the watermark (or,
 * with none yet, when it reaches today), so a back-fill of an old month leaves it where it is.
 */
export function nextWatermark(saved: string | null, query: OaiIngestQuery, today: string, catchUp: boolean): string | null {
  const end = query.until && query.until < today ? query.until : today;
  // A watermark after today was written while the clock was ahead: a catch-up replaces it.
  if (catchUp && saved !== null && saved > today) return end;
  if (saved !== null && end <= saved) return saved;
  if (catchUp) return end;
  if (saved === null) return end === today ? end : null;
  return query.from !== undefined && query.from <= saved ? end : saved;
}

/** True when arXiv refused a resumptionToken: it has expired (arXiv keeps them for some hours) or was never its. */
const isBadToken = (err: unknown) => err instanceof OaiError && err.code === 'badResumptionToken';

/**
 * Harvests OAI-PMH ListRecords, resuming an interrupted harvest of the same query from its
 * checkpoint. `catchUp`: this is the daily catch-up (its query from {@link catchUpQuery}), which
 * keeps its checkpoint under {@link oaiJobName}; a range given by hand keeps its own.
 *
 * A saved token arXiv refuses (`badResumptionToken`: it expired while the harvest stood still) is
 * dropped and the range harvested again from its start, once: papers already stored count as
 * unchanged. A token arXiv sent in this run and then refused fails the run.
 */
export async function ingestOai(deps: IngestDeps, query: OaiIngestQuery, opts: { catchUp?: boolean } = {}): Promise<IngestReport> {
  const run = new Run(deps, 'oai');
  const catchUp = opts.catchUp ?? false;
  const markJob = oaiJobName(query);
  const job = catchUp ? markJob : oaiRangeJobName(query);
  return recorded(run, `oai ${query.set ?? 'all'} ${query.from ?? ''}..${query.until ?? ''}${catchUp ? ' (catch-up)' : ''}`, async () => {
    const saved = await deps.store.readJobState<OaiCheckpoint>(job);
    let resume = saved?.resumptionToken && sameQuery(saved.query, query) ? saved.resumptionToken : null;
    for (;;) {
      // Pages arXiv answered in this pass: none when it refused the saved token.
      let pages = 0;
      try {
        await harvestPages({ ...query, resumptionToken: resume }, () => { pages++; });
        return;
      } catch (err) {
        if (!isBadToken(err)) throw err;
        if (resume === null || pages > 0) {
          throw new ArxivError(`${(err as Error).message} (arXiv refused a resumptionToken it sent in this run; the next run resumes there, or starts the range again if arXiv still refuses it)`, { cause: err });
        }
        // The checkpoint keeps the refused token until the first page of the new pass replaces it, in
        // that page's transaction: a run stopped before then finds the token refused again and starts
        // over in turn, and the catch-up's saved range (and watermark) stay as they were.
        run.notes.push(`arxiv/oai: arXiv refused the saved resumptionToken ${resume} (badResumptionToken: tokens expire); harvesting ${query.from ?? 'the start'}..${query.until ?? 'today'} again from its start (pages stored before count as unchanged)`);
        resume = null;
      }
    }
  });

  /** One pass of the harvest, from `harvest.resumptionToken` or the start of the range; `received` for each page arXiv answers. */
  async function harvestPages(harvest: HarvestQuery, received: () => void): Promise<void> {
    let done = 0;
    for await (const page of harvestOai(deps.client, harvest)) {
      received();
      done += page.records.length + page.deleted.length + page.errors.length;
      run.counts.skipped += page.deleted.length; // arXiv marks very few records deleted; nothing to store
      for (const d of page.deleted) run.skip(`${d.id ?? d.identifier}: deleted on arXiv`);
      const finished = page.resumptionToken === null;
      const today = deps.now().slice(0, 10);
      // The watermark is read and written in the page's transaction, under the job's lock: another run
      // (a back-fill next to the catch-up, in this process or another) may move it at any moment, and a
      // value read before that would move it back.
      const checkpoints: JobStateWrite[] = [];
      if (catchUp) {
        checkpoints.push({ job, update: (current) => {
          const watermark = (current as OaiCheckpoint | null)?.watermark ?? null;
          return { query, resumptionToken: page.resumptionToken, watermark: finished ? nextWatermark(watermark, query, today, true) : watermark } satisfies OaiCheckpoint;
        } });
      } else {
        checkpoints.push({ job, state: { query, resumptionToken: page.resumptionToken, watermark: null } satisfies OaiCheckpoint });
        if (finished) {
          checkpoints.push({ job: markJob, update: (current) => {
            const mark = current as OaiCheckpoint | null;
            const watermark = mark?.watermark ?? null;
            const moved = nextWatermark(watermark, query, today, false);
            if (moved === watermark) return undefined;
            // The catch-up's own checkpoint (an interrupted catch-up's token) is kept as it is.
            return { query: mark?.query ?? query, resumptionToken: mark?.resumptionToken ?? null, watermark: moved } satisfies OaiCheckpoint;
          } });
        }
      }
      await run.store(page.records, page.errors, checkpoints);
      deps.onPage?.({ page: page.page, done: (page.cursor ?? done - page.records.length) + page.records.length, total: page.completeListSize, counts: run.counts });
    }
  }
}

/**
 * The OAI query of the daily catch-up: from the last finished harvest's watermark (or
 * `fallbackFrom`) to today. A watermark after today was written while the clock was ahead (arXiv
 * refuses a harvest that starts after it ends): it starts at `fallbackFrom` instead.
 */
export async function catchUpQuery(store: Store, base: Omit<OaiIngestQuery, 'from' | 'until'>, today: string, fallbackFrom: string): Promise<OaiIngestQuery> {
  const saved = await store.readJobState<OaiCheckpoint>(oaiJobName(base));
  if (saved?.resumptionToken) return saved.query; // finish the interrupted one first
  const watermark = saved?.watermark && saved.watermark <= today ? saved.watermark : null;
  return { ...base, from: watermark ?? fallbackFrom, until: today };
}

export type ApiIngestQuery = { searchQuery: string; max: number } | { ids: string[] };

/** Fetches papers through the API: a search (up to `max` results) or a list of ids. */
export async function ingestApi(deps: IngestDeps, query: ApiIngestQuery): Promise<IngestReport> {
  const run = new Run(deps, 'api');
  const label = 'ids' in query ? `api ids=${query.ids.length}` : `api ${query.searchQuery.slice(0, 80)}`;
  return recorded(run, label, async () => {
    if ('ids' in query) {
      for (let i = 0; i < query.ids.length; i += API_IDS_PER_CALL) {
        const ids = query.ids.slice(i, i + API_IDS_PER_CALL);
        const res = await deps.client.apiQuery({ idList: ids, start: 0, maxResults: ids.length }, { context: `ids ${i + 1}-${i + ids.length}` });
        await run.store(res.records, res.errors, null, true); // asked for by name: kept whatever their categories
        // arXiv answers an id it does not have with no entry at all: name those, so a typo shows.
        const returned = new Set(res.records.map((r) => r.id));
        const rejected = res.errors.map((e) => `${e.entry ?? ''} ${e.reason}`).join('\n');
        const missing = ids.filter((asked) => !returned.has(parseArxivId(asked)?.id ?? asked) && !rejected.includes(asked));
        run.counts.errors += missing.length;
        for (const m of missing) run.problem(`${m}: not found on arXiv`);
        deps.onPage?.({ page: run.counts.pages, done: i + ids.length, total: query.ids.length, counts: run.counts });
      }
      return;
    }
    let start = 0;
    while (start < query.max) {
      const size = Math.min(API_PAGE_SIZE, query.max - start);
      const res = await deps.client.apiQuery({ searchQuery: query.searchQuery, start, maxResults: size, sortBy: 'submittedDate', sortOrder: 'descending' }, { context: `start ${start}` });
      await run.store(res.records, res.errors, null);
      const total = Math.min(query.max, res.totalResults ?? 0);
      deps.onPage?.({ page: run.counts.pages, done: Math.min(total, start + res.records.length), total, counts: run.counts });
      if (res.records.length + res.errors.length === 0) break;
      start += size;
      if (start >= total) break;
    }
  });
}

/** Fetches today's announcement feeds for the categories (New on arXiv). */
export async function ingestRss(deps: IngestDeps, categories: string[]): Promise<IngestReport> {
  const run = new Run(deps, 'rss');
  return recorded(run, `rss ${categories.join('+')}`, async () => {
    const res = await deps.client.rss(categories);
    if (res.notModified) return;
    await run.store(res.records, res.errors, null);
    deps.onPage?.({ page: 1, done: res.records.length, total: res.records.length, counts: run.counts });
  });
}

/** The summary line of a run. */
export function formatIngestSummary(r: IngestReport): string {
  return `ingest done mode=${r.mode} new=${r.new} updated=${r.updated} unchanged=${r.unchanged} announced=${r.announced} skipped=${r.skipped} errors=${r.errors} pages=${r.pages} seconds=${r.seconds}${r.failure === INTERRUPTED ? ' interrupted' : r.failure ? ' failed' : ''}`;
}
