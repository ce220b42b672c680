/**
 * The only network code that talks to arXiv. One client serialises every request (API,
 * OAI-PMH and RSS share one queue), spaces request starts at least `minIntervalMs` apart
 * (arXiv's terms: one request every 3 seconds), retries 5xx, 429, timeouts and dropped
 * connections with exponential backoff, honours Retry-After, and parses what it fetched with
 * the parsers in this folder.
 *
 * @example
 * const arxiv = createArxivClient({ userAgent: 'paperboy/0.1 (+https://papers.example.org; admin@example.org)' });
 * const hit = await arxiv.apiQuery({ idList: ['2407.13168'], start: 0, maxResults: 1 });
 * for await (const page of harvestOai(arxiv, { from: '2024-11-01', metadataPrefix: 'arXivRaw' })) {
 *   await store(page.records);
 *   await checkpoint(page.resumptionToken);
 * }
 */
import { parseArxivId } from '../domain/arxiv-id.ts';
import type { PaperRecord } from '../domain/paper.ts';
import { parseAtomFeed, type AtomResult } from './atom.ts';
import {
  ArxivApiError,
  ArxivError,
  ArxivHttpError,
  ArxivParseError,
  OaiError,
  RssFeedError,
  type ParseIssue,
} from './errors.ts';
import { parseOaiResponse, type OaiDeletedRecord, type OaiMetadataPrefix, type OaiResult } from './oai.ts';
import { parseRssFeed, type RssResult } from './rss.ts';

/** Where arXiv serves each interface (2025). */
export const DEFAULT_API_URL = 'https://export.arxiv.org/api/query';
export const DEFAULT_OAI_URL = 'https://oaipmh.arxiv.org/oai';
export const DEFAULT_RSS_URL = 'https://rss.arxiv.org/rss';

/** arXiv's terms allow one request every 3 seconds on one connection. */
export const DEFAULT_MIN_INTERVAL_MS = 3_000;
/** Retries after the first attempt; with the backoff below a failing request gives up after ~5 minutes. */
export const DEFAULT_MAX_RETRIES = 4;
/** First backoff: longer than the 3 s spacing, since a failing server needs more room than a healthy one. */
export const DEFAULT_BACKOFF_BASE_MS = 10_000;
/** Backoff ceiling: doubling stops here. */
export const DEFAULT_MAX_BACKOFF_MS = 160_000;
/**
 * Longest Retry-After the client sleeps through. Longer requests (arXiv asks for hours during
 * maintenance) fail with {@link ArxivHttpError.retryAfterMs} set, so a job can reschedule.
 */
export const DEFAULT_MAX_RETRY_AFTER_MS = 10 * 60_000;
/** Per-attempt timeout, connection to last byte: a 1,000-record OAI page takes ~10-30 s. */
export const DEFAULT_TIMEOUT_MS = 120_000;
/** Largest body accepted: the biggest real responses (a full daily RSS feed, an OAI page) are ~3 MB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** arXiv's documented limit of results per API call. */
export const MAX_API_RESULTS_PER_CALL = 2_000;
/** How many URLs' ETag/Last-Modified the default in-memory store remembers (feeds polled daily). */
const MAX_REMEMBERED_VALIDATORS = 256;

const RETRYABLE_STATUS = (status: number) => status === 429 || (status >= 500 && status <= 599);
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Time, injected so tests run without sleeping. `now()` is epoch milliseconds. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The machine's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** ETag / Last-Modified of a URL's last 200 response, for conditional GET. */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

/** Where validators are remembered; pass a persistent one to keep them across restarts. */
export interface ValidatorStore {
  get(url: string): Validators | undefined;
  set(url: string, validators: Validators): void;
}

export interface ArxivClientOptions {
  /** Default {@link DEFAULT_API_URL}. */
  apiUrl?: string;
  /** Default {@link DEFAULT_OAI_URL}. */
  oaiUrl?: string;
  /** Default {@link DEFAULT_RSS_URL}; feeds are `${rssUrl}/cs+math`. */
  rssUrl?: string;
  /** Names the instance and a contact, as arXiv asks: `paperboy/0.1 (+https://site; admin@site)`. */
  userAgent: string;
  /** Least time between the starts of two requests. Default {@link DEFAULT_MIN_INTERVAL_MS}. */
  minIntervalMs?: number;
  /** Retries after the first attempt. Default {@link DEFAULT_MAX_RETRIES}. */
  maxRetries?: number;
  /** First retry delay, doubled each retry. Default {@link DEFAULT_BACKOFF_BASE_MS}. */
  backoffBaseMs?: number;
  /** Default {@link DEFAULT_MAX_BACKOFF_MS}. */
  maxBackoffMs?: number;
  /** Default {@link DEFAULT_MAX_RETRY_AFTER_MS}. */
  maxRetryAfterMs?: number;
  /** Per-attempt timeout in wall-clock milliseconds. Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Default {@link DEFAULT_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** Default {@link systemClock}. Rate limit and backoff read and sleep on it. */
  clock?: Clock;
  /** Default the global fetch. */
  fetch?: typeof fetch;
  /** Default an in-memory store of the last {@link MAX_REMEMBERED_VALIDATORS} URLs. */
  validators?: ValidatorStore;
}

/** Parameters of an API query; at least one of `searchQuery` and `idList`. */
export interface ApiQuery {
  /** arXiv query syntax: `cat:cs.CL AND ti:transformer`. */
  searchQuery?: string;
  /** Ids in any form {@link parseArxivId} accepts; a version (`v2`) asks for that version. */
  idList?: string[];
  /** 0-based offset. */
  start: number;
  /** 1..{@link MAX_API_RESULTS_PER_CALL}. */
  maxResults: number;
  sortBy?: 'relevance' | 'lastUpdatedDate' | 'submittedDate';
  sortOrder?: 'ascending' | 'descending';
}

/** A selective OAI-PMH harvest (dates are datestamps, YYYY-MM-DD, inclusive). */
export interface OaiListQuery {
  from?: string;
  until?: string;
  /** `cs`, `math`, `physics:hep-th`, ... */
  set?: string;
  metadataPrefix: OaiMetadataPrefix;
}

/** Continue a list: OAI-PMH forbids any other argument with a resumptionToken. */
export interface OaiResumeQuery {
  resumptionToken: string;
}

/** A GetRecord answer: the record, or the fact that it was deleted. */
export interface OaiGetRecordResult {
  record: PaperRecord | null;
  deleted: OaiDeletedRecord | null;
  errors: ParseIssue[];
}

/** A feed fetched with conditional GET: unchanged since the last fetch, or parsed. */
export type RssFetchResult = { notModified: true } | ({ notModified: false } & RssResult);

/** Per-call options. */
export interface CallOptions {
  /** Prefixes error messages, e.g. `page 3`. */
  context?: string;
}

export interface ArxivClient {
  /** The query API (Atom). Throws {@link ArxivApiError} for arXiv's error answer (e.g. a bad id). */
  apiQuery(query: ApiQuery, options?: CallOptions): Promise<AtomResult>;
  /** One OAI-PMH ListRecords page. `noRecordsMatch` is an empty page; other OAI errors throw {@link OaiError}. */
  oaiListRecords(query: OaiListQuery | OaiResumeQuery, options?: CallOptions): Promise<OaiResult>;
  /** One record by arXiv id. Throws {@link OaiError} `idDoesNotExist` for an unknown id. */
  oaiGetRecord(id: string, metadataPrefix?: OaiMetadataPrefix, options?: CallOptions): Promise<OaiGetRecordResult>;
  /**
   * Today's RSS feed for the categories (`['cs.CL', 'cs.LG']` or archives `['cs']`). With
   * `conditional` (the default) it sends the validators of the last fetch of the same URL and
   * answers `{ notModified: true }` on 304.
   */
  rss(categories: string[], options?: CallOptions & { conditional?: boolean }): Promise<RssFetchResult>;
}

/** What one attempt produced, handed to the method's parser. */
interface Fetched {
  status: number;
  body: string;
  headers: Headers;
  /** 1-based attempt that produced this response. */
  attempt: number;
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Creates a client. All its methods share one queue, so concurrent callers never break the
 * rate limit; create one client per process.
 */
export function createArxivClient(options: ArxivClientOptions): ArxivClient {
  const userAgent = options.userAgent?.trim();
  if (!userAgent) throw new TypeError('arxiv/client: userAgent is required (name the instance and a contact)');
  if (/[\x00-\x1f\x7f]/.test(userAgent)) throw new TypeError('arxiv/client: userAgent contains control characters');
  const apiUrl = options.apiUrl ?? DEFAULT_API_URL;
  const oaiUrl = options.oaiUrl ?? DEFAULT_OAI_URL;
  const rssUrl = (options.rssUrl ?? DEFAULT_RSS_URL).replace(/\/+$/, '');
  const minIntervalMs = nonNegative(options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS, 'minIntervalMs');
  const maxRetries = nonNegative(options.maxRetries ?? DEFAULT_MAX_RETRIES, 'maxRetries');
  const backoffBaseMs = nonNegative(options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS, 'backoffBaseMs');
  const maxBackoffMs = nonNegative(options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS, 'maxBackoffMs');
  const maxRetryAfterMs = nonNegative(options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS, 'maxRetryAfterMs');
  const timeoutMs = nonNegative(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const maxBodyBytes = nonNegative(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes');
  const clock = options.clock ?? systemClock;
  const doFetch = options.fetch ?? globalThis.fetch;
  const validators = options.validators ?? memoryValidatorStore(MAX_REMEMBERED_VALIDATORS);

  let queue: Promise<unknown> = Promise.resolve();
  let lastStart: number | null = null;

  /** Runs `task` after every earlier task has settled. */
  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  async function waitForSlot(extraDelayMs: number): Promise<void> {
    if (extraDelayMs > 0) await clock.sleep(extraDelayMs);
    if (lastStart !== null) {
      // At most the interval: a request started while the clock was ahead (it was set back since) must not hold the next one up until then.
      const wait = Math.min(minIntervalMs, lastStart + minIntervalMs - clock.now());
      if (wait > 0) await clock.sleep(wait);
    }
    lastStart = clock.now();
  }

  /**
   * GETs `url` with retries and hands each complete response to `handle`. `handle` may throw
   * an {@link ArxivParseError} of kind `truncated`, which counts as a failed attempt.
   */
  function request<T>(url: string, handle: (res: Fetched) => T, conditional = false): Promise<T> {
    return enqueue(async () => {
      let delay = 0;
      for (let attempt = 1; ; attempt++) {
        await waitForSlot(delay);
        try {
          const res = await attemptOnce(url, conditional, attempt);
          if (RETRYABLE_STATUS(res.status)) {
            throw new RetryableError(
              `HTTP ${res.status}${statusDetail(res.body)}`,
              res.status,
              parseRetryAfter(res.headers.get('retry-after'), clock.now()),
            );
          }
          const out = handle(res);
          if (conditional && res.status === 200) rememberValidators(url, res.headers);
          return out;
        } catch (err) {
          const retryable = toRetryable(err);
          if (!retryable) throw err;
          const retryAfter = retryable.retryAfterMs;
          if (retryAfter !== null && retryAfter > maxRetryAfterMs) {
            const detail =
              `${retryable.message}; Retry-After ${Math.ceil(retryAfter / 1000)} s exceeds ` +
              `the ${maxRetryAfterMs / 1000} s the client waits`;
            throw new ArxivHttpError(url, retryable.status, attempt, detail, retryAfter, { cause: err });
          }
          if (attempt > maxRetries) {
            if (err instanceof ArxivParseError) throw err; // a body truncated on every attempt
            throw new ArxivHttpError(url, retryable.status, attempt, retryable.message, retryAfter, { cause: err });
          }
          delay = retryAfter ?? Math.min(backoffBaseMs * 2 ** (attempt - 1), maxBackoffMs);
        }
      }
    });
  }

  async function attemptOnce(url: string, conditional: boolean, attempt: number): Promise<Fetched> {
    const headers: Record<string, string> = {
      'user-agent': userAgent,
      accept: 'application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1',
    };
    if (conditional) {
      const v = validators.get(url);
      if (v?.etag) headers['if-none-match'] = v.etag;
      if (v?.lastModified) headers['if-modified-since'] = v.lastModified;
    }
    const controller = new AbortController();
    let timedOut = false;
    // Wall-clock timer on purpose: it bounds real network time, which an injected clock does not model.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await doFetch(url, { headers, signal: controller.signal, redirect: 'follow' });
      const body = await readBody(res, maxBodyBytes, url, attempt);
      return { status: res.status, body, headers: res.headers, attempt };
    } catch (err) {
      if (timedOut) throw new RetryableError(`timeout after ${timeoutMs} ms`, null, null, { cause: err });
      throw networkFailure(err) ?? err;
    } finally {
      clearTimeout(timer);
    }
  }

  function rememberValidators(url: string, headers: Headers): void {
    const etag = headers.get('etag');
    const lastModified = headers.get('last-modified');
    if (etag || lastModified) validators.set(url, { etag, lastModified });
  }

  /** Throws the typed error a non-200 body carries (OAI error, API error, feed error), else an HTTP error. */
  function failOnStatus(url: string, res: Fetched, parse: (body: string) => unknown): never {
    try {
      parse(res.body);
    } catch (err) {
      if (err instanceof ArxivApiError) throw new ArxivApiError(err.apiMessage, err.errorId, res.status);
      if (err instanceof OaiError || err instanceof RssFeedError) throw err;
    }
    throw new ArxivHttpError(url, res.status, res.attempt, `HTTP ${res.status}${statusDetail(res.body)}`);
  }

  const client: ArxivClient = {
    async apiQuery(query, callOptions) {
      const url = buildApiUrl(apiUrl, query);
      const context = callOptions?.context;
      return request(url, (res) => {
        if (res.status !== 200) failOnStatus(url, res, (b) => parseAtomFeed(b, context));
        return parseAtomFeed(res.body, context);
      });
    },

    async oaiListRecords(query, callOptions) {
      const url = buildOaiListUrl(oaiUrl, query);
      const context = callOptions?.context;
      return request(url, (res) => {
        if (res.status !== 200) failOnStatus(url, res, (b) => parseOaiResponse(b, context));
        return parseOaiResponse(res.body, context);
      });
    },

    async oaiGetRecord(id, metadataPrefix = 'arXivRaw', callOptions) {
      const parsed = parseArxivId(id);
      if (!parsed) throw new TypeError(`arxiv/client: not an arXiv id: ${JSON.stringify(id)}`);
      const url = withParams(oaiUrl, {
        verb: 'GetRecord',
        identifier: `oai:arXiv.org:${parsed.id}`,
        metadataPrefix,
      });
      const context = callOptions?.context ?? `GetRecord ${parsed.id}`;
      return request(url, (res) => {
        if (res.status !== 200) failOnStatus(url, res, (b) => parseOaiResponse(b, context));
        const page = parseOaiResponse(res.body, context);
        return { record: page.records[0] ?? null, deleted: page.deleted[0] ?? null, errors: page.errors };
      });
    },

    async rss(categories, callOptions) {
      const url = buildRssUrl(rssUrl, categories);
      const conditional = callOptions?.conditional ?? true;
      const context = callOptions?.context;
      return request(
        url,
        (res): RssFetchResult => {
          if (conditional && res.status === 304) return { notModified: true };
          if (res.status !== 200) failOnStatus(url, res, (b) => parseRssFeed(b, context));
          return { notModified: false, ...parseRssFeed(res.body, context) };
        },
        conditional,
      );
    },
  };
  return client;
}

/** Parameters of {@link harvestOai}: a new harvest, or one resumed from a saved token. */
export interface HarvestQuery extends OaiListQuery {
  /** Resume here (a token saved from an earlier page) instead of starting at `from`. */
  resumptionToken?: string | null;
}

/** One page of a harvest. Store its records, then save `resumptionToken` to resume after a crash. */
export interface HarvestPage {
  /** 1-based page number within this run. */
  page: number;
  records: PaperRecord[];
  deleted: OaiDeletedRecord[];
  errors: ParseIssue[];
  /** The token for the next page; null on the last page. */
  resumptionToken: string | null;
  /** Position of this page's first record in the complete list, when arXiv says. */
  cursor: number | null;
  completeListSize: number | null;
}

/**
 * Harvests an OAI-PMH list page by page, following resumptionTokens until the list ends.
 * Yields after each page so the caller can store it and checkpoint the token; errors name the
 * page (`arxiv/oai: page 3: badResumptionToken: ...`). A token the harvest has followed before
 * stops it: a server that cycles through tokens (A, B, A, ...) would otherwise never end.
 */
export async function* harvestOai(
  client: Pick<ArxivClient, 'oaiListRecords'>,
  query: HarvestQuery,
): AsyncGenerator<HarvestPage, void, void> {
  let token = query.resumptionToken ?? null;
  // Every token followed, with the page it asked for. A harvest is at most some thousands of pages
  // (arXiv's whole list is ~2,700 pages of 1,000), so keeping them all costs little.
  const followed = new Map<string, number>();
  for (let page = 1; ; page++) {
    if (token !== null) followed.set(token, page);
    const context = `page ${page}${token ? ` (resumptionToken ${token})` : ''}`;
    const res = token
      ? await client.oaiListRecords({ resumptionToken: token }, { context })
      : await client.oaiListRecords(
          { from: query.from, until: query.until, set: query.set, metadataPrefix: query.metadataPrefix },
          { context },
        );
    const next = res.resumptionToken?.value ?? null;
    yield {
      page,
      records: res.records,
      deleted: res.deleted,
      errors: res.errors,
      resumptionToken: next,
      cursor: res.resumptionToken?.cursor ?? null,
      completeListSize: res.resumptionToken?.completeListSize ?? null,
    };
    if (next === null) return;
    const seen = followed.get(next);
    if (seen !== undefined) {
      throw new ArxivError(
        `arxiv/oai: ${context}: the server returned resumptionToken ${next} again (followed for page ${seen}); ` +
          'stopping to avoid a loop',
      );
    }
    token = next;
  }
}

/** An in-memory {@link ValidatorStore} that forgets the least recently stored URL beyond `max`. */
export function memoryValidatorStore(max: number): ValidatorStore {
  const map = new Map<string, Validators>();
  return {
    get: (url) => map.get(url),
    set(url, v) {
      map.delete(url);
      map.set(url, v);
      while (map.size > max) map.delete(map.keys().next().value!);
    },
  };
}

function buildApiUrl(base: string, q: ApiQuery): string {
  const ids = (q.idList ?? []).map((raw) => {
    const p = parseArxivId(raw);
    if (!p) throw new TypeError(`arxiv/client: apiQuery: not an arXiv id: ${JSON.stringify(raw)}`);
    return p.version === null ? p.id : `${p.id}v${p.version}`;
  });
  const search = q.searchQuery?.trim() ?? '';
  if (search === '' && ids.length === 0) throw new TypeError('arxiv/client: apiQuery needs searchQuery or idList');
  if (!Number.isInteger(q.start) || q.start < 0) {
    throw new RangeError(`arxiv/client: apiQuery: start must be >= 0, got ${q.start}`);
  }
  if (!Number.isInteger(q.maxResults) || q.maxResults < 1 || q.maxResults > MAX_API_RESULTS_PER_CALL) {
    const range = `1..${MAX_API_RESULTS_PER_CALL}`;
    throw new RangeError(`arxiv/client: apiQuery: maxResults must be ${range}, got ${q.maxResults}`);
  }
  return withParams(base, {
    search_query: search || undefined,
    id_list: ids.length > 0 ? ids.join(',') : undefined,
    start: String(q.start),
    max_results: String(q.maxResults),
    sortBy: q.sortBy,
    sortOrder: q.sortOrder,
  });
}

const OAI_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** An OAI set spec: `cs`, `physics:hep-th`. */
export const OAI_SET = /^[A-Za-z0-9._-]+(?::[A-Za-z0-9._-]+)*$/;

function buildOaiListUrl(base: string, q: OaiListQuery | OaiResumeQuery): string {
  if ('resumptionToken' in q) {
    if (!q.resumptionToken?.trim()) throw new TypeError('arxiv/client: oaiListRecords: empty resumptionToken');
    return withParams(base, { verb: 'ListRecords', resumptionToken: q.resumptionToken });
  }
  for (const [name, v] of [['from', q.from], ['until', q.until]] as const) {
    if (v !== undefined && !OAI_DATE.test(v)) {
      throw new RangeError(`arxiv/client: oaiListRecords: ${name} must be YYYY-MM-DD, got ${JSON.stringify(v)}`);
    }
  }
  if (q.set !== undefined && !OAI_SET.test(q.set)) {
    throw new RangeError(`arxiv/client: oaiListRecords: invalid set ${JSON.stringify(q.set)}`);
  }
  const { metadataPrefix, from, until, set } = q;
  return withParams(base, { verb: 'ListRecords', metadataPrefix, from, until, set });
}

const RSS_CATEGORY = /^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$/;

function buildRssUrl(base: string, categories: string[]): string {
  if (categories.length === 0) throw new TypeError('arxiv/client: rss needs at least one category');
  for (const c of categories) {
    if (!RSS_CATEGORY.test(c)) throw new RangeError(`arxiv/client: rss: invalid category ${JSON.stringify(c)}`);
  }
  return `${base}/${categories.join('+')}`;
}

function withParams(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * Retry-After as milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110 10.2.3).
 * Null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

async function readBody(res: Response, max: number, url: string, attempt: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    throw new ArxivHttpError(url, res.status, attempt, `body of ${declared} bytes exceeds the ${max}-byte limit`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new ArxivHttpError(url, res.status, attempt, `body exceeds the ${max}-byte limit`);
    }
    chunks.push(r.value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function toRetryable(err: unknown): RetryableError | null {
  if (err instanceof RetryableError) return err;
  if (err instanceof ArxivParseError && err.kind === 'truncated') {
    return new RetryableError(err.message, 200, null, { cause: err });
  }
  return null;
}

/** A fetch or body-read failure as a retryable error; null for anything else (e.g. an ArxivError). */
function networkFailure(err: unknown): RetryableError | null {
  if (err instanceof ArxivError) return null;
  const code = errorCode(err);
  if (code !== null && RETRYABLE_CODES.has(code)) {
    return new RetryableError(`connection error ${code}`, null, null, { cause: err });
  }
  // fetch reports every network failure as a TypeError ("fetch failed", "terminated") with the reason in `cause`.
  if (err instanceof TypeError) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return new RetryableError(`connection error: ${err.message}${cause}`, null, null, { cause: err });
  }
  return null;
}

function errorCode(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

function statusDetail(body: string): string {
  const flat = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return flat ? `: ${flat.slice(0, 120)}` : '';
}

function nonNegative(n: number, name: string): number {
  if (!Number.isFinite(n) || n < 0) {
    throw new RangeError(`arxiv/client: ${name} must be a non-negative number, got ${n}`);
  }
  return n;
}
