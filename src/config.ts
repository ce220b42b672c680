/**
 * Settings: the only module that reads process.env. Validated at start-up with every error
 * reported at once. Each setting is documented in docs/configuration.md with its default.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { CATEGORY_SHAPE, categoryNameProblem } from './domain/categories.ts';
import { plainIssue } from './issue-wording.ts';
import { digestEnvShape, digestSettingsFrom, type DigestSettings } from './services/digest-config.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false (or 1 and 0, yes and no, on and off)' })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

/** Most proxies an operator may declare in front of the app: more than this is a mistyped setting. */
const MAX_TRUSTED_HOPS = 10;

/** false (0), true (1: one proxy), or how many proxies of the operator's stand in front. */
const trustProxy = z
  .string()
  .transform((v, ctx) => {
    const s = v.trim().toLowerCase();
    if (['false', 'no', 'off', '0'].includes(s)) return 0;
    if (['true', 'yes', 'on'].includes(s)) return 1;
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    if (n >= 1 && n <= MAX_TRUSTED_HOPS) return n;
    ctx.addIssue({ code: 'custom', message: `must be false, true (one proxy in front) or the number of proxies in front, 1 to ${MAX_TRUSTED_HOPS}` });
    return z.NEVER;
  });

const categoryList = z
  .string()
  .transform((s) => s.split(',').map((c) => c.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(CATEGORY_SHAPE, 'each category looks like cs.CL or math')).min(1, 'name at least one category, such as cs.CL'))
  .superRefine((names, ctx) => {
    // A misspelt category harvests nothing and says nothing: refuse it here instead.
    // (A name of the wrong shape has had its problem said already.)
    for (const name of names.filter((n) => CATEGORY_SHAPE.test(n))) {
      const problem = categoryNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }
  });

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).refine(isListenHost, 'must be an IP address (127.0.0.1, ::1, 0.0.0.0, ::) or a host name').default('127.0.0.1'),
  PAPERBOY_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().min(1).optional(),
  PAPERBOY_BASE_URL: z.string().url().refine(isSiteRoot, 'must be the site\'s root address, http:// or https:// with no path, such as https://papers.example.org (Paperboy is served from the root of its address)').optional(),
  PAPERBOY_SITE_NAME: z.string().min(1).max(80).default('Paperboy'),
  PAPERBOY_DEMO: bool.default(true),
  PAPERBOY_CATEGORIES: categoryList.default(['cs.AI', 'cs.CL', 'cs.CV', 'cs.LG', 'stat.ML']),
  PAPERBOY_PAGE_SIZE: z.coerce.number().int().min(5).max(100).default(30),
  PAPERBOY_CONTACT_EMAIL: z.string().email('must be an e-mail address').optional(),
  PAPERBOY_ARXIV_API_URL: z.string().url().default('https://export.arxiv.org/api/query'),
  PAPERBOY_ARXIV_OAI_URL: z.string().url().default('https://oaipmh.arxiv.org/oai'),
  PAPERBOY_ARXIV_RSS_URL: z.string().url().default('https://rss.arxiv.org/rss'),
  PAPERBOY_ARXIV_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(3_000),
  PAPERBOY_ARXIV_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
  PAPERBOY_INGEST_SCHEDULE: z.string().regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, 'must be off or HH:MM (UTC)').optional(),
  PAPERBOY_OAI_SET: z.string().regex(/^[a-z-]+(:[a-z-]+(:[A-Za-z-]+)?)?$/, 'must be an OAI set like cs or physics:hep-th').default('cs'),
  PAPERBOY_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  PAPERBOY_SUBMIT_QUOTA: z.coerce.number().int().min(1).max(1000).default(10),
  PAPERBOY_TRUST_PROXY: trustProxy.default(0),
  PAPERBOY_MAIL_FROM: z.string().refine((v) => readMailbox(v) !== null, 'must be an address (papers@example.org) or a name and an address (Lab papers <papers@example.org>)')
    .transform((v) => { const m = readMailbox(v)!; return formatMailbox(m.name, m.address); }).optional(),
  PAPERBOY_SMTP_HOST: z.string().min(1).optional(),
  PAPERBOY_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  PAPERBOY_SMTP_SECURE: bool.default(false),
  PAPERBOY_SMTP_USER: z.string().optional(),
  PAPERBOY_SMTP_PASSWORD: z.string().optional(),
  ...digestEnvShape,
  PAPERBOY_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  PAPERBOY_SCHEDULER: bool.default(true),
  PAPERBOY_SCHEDULER_TICK_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  PAPERBOY_SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(3600).default(25),
  PAPERBOY_SEARCH_ENGINE: z.enum(['memory', 'postgres'], { error: 'must be memory or postgres' }).default('memory'),
  PAPERBOY_EMBEDDER: z.enum(['corpus', 'openai', 'transformers'], { error: 'must be corpus, openai or transformers' }).default('corpus'),
  PAPERBOY_EMBEDDER_URL: z.string().regex(/^https?:\/\/[^\s/]+/i, 'must be a URL such as http://127.0.0.1:8080/v1').pipe(z.string().url('must be a URL such as http://127.0.0.1:8080/v1')).optional(),
  PAPERBOY_EMBEDDER_MODEL: z.string().min(1).max(200).optional(),
  PAPERBOY_EMBEDDER_DIMENSIONS: z.coerce.number().int('must be a whole number').min(2).max(4096).optional(),
  PAPERBOY_EMBEDDER_API_KEY: z.string().min(1).optional(),
  PAPERBOY_EMBEDDER_MODEL_DIR: z.string().min(1).optional(),
  PAPERBOY_EMBEDDER_QUERY_PREFIX: z.string().max(100).optional(),
  PAPERBOY_EMBEDDER_DOCUMENT_PREFIX: z.string().max(100).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().default('development'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Where the store lives: `sqlite:PATH` (or a bare path) or `postgres://...`. */
  databaseUrl: string;
  baseUrl: string;
  siteName: string;
  /** Import the bundled demo corpus on first start when the store is empty. */
  demo: boolean;
  categories: string[];
  pageSize: number;
  arxiv: {
    apiUrl: string;
    oaiUrl: string;
    rssUrl: string;
    /** Least time between two requests to arXiv, in ms (arXiv asks for 3 s; lower only for local test servers). */
    minIntervalMs: number;
    /** Retries of a failed request (5xx, connection errors), with exponential backoff from 10 s. */
    maxRetries: number;
    userAgent: string;
    oaiSet: string;
  };
  /** Daily ingestion time (UTC, HH:MM), or null when the scheduler does not ingest. */
  ingestAt: string | null;
  /** Submissions a member may make per UTC day (curators and admins are not limited). */
  submitQuota: number;
  /**
   * How many reverse proxies of the operator's own stand in front, each appending to X-Forwarded-For:
   * the client address is that many entries from its right end. 0: the socket's address.
   */
  trustProxy: number;
  /** Where mail goes when no SMTP server is configured. */
  outboxDir: string;
  mailFrom: string;
  smtp: { host: string; port: number; secure: boolean; user?: string | undefined; password?: string | undefined } | null;
  /** E-mail digests: when they go out, in which time zone, weekly day, one-click mailbox. */
  digest: DigestSettings;
  /** Password of the admin pages until accounts exist; null disables them. */
  adminPassword: string | null;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  production: boolean;
  /** Bearer token that lets a scraper read /metrics from anywhere; null: only from this machine. */
  metricsToken: string | null;
  /** Run the scheduled jobs (ingest, digests) in `serve`; false makes a web-only process. */
  scheduler: boolean;
  /** How often the schedulers look at the clock, in ms. */
  schedulerTickMs: number;
  /** How long a stopping `serve` waits for requests and jobs in progress, in ms. */
  shutdownTimeoutMs: number;
  /** Which engine answers searches: the in-memory index (default) or PostgreSQL's own (docs/search.md). */
  searchEngine: 'memory' | 'postgres';
  /** Which embedder makes the vectors of semantic search (docs/search.md, "Optional embedders"). */
  embedder: EmbedderSettings;
}

/** The embedder: the corpus-trained default, an OpenAI-compatible endpoint, or a local transformers.js model. */
export type EmbedderSettings =
  | { kind: 'corpus' }
  | { kind: 'openai'; url: string; model: string; dims: number; apiKey: string | null; queryPrefix: string; documentPrefix: string }
  | { kind: 'transformers'; modelDir: string; model: string; dims: number; queryPrefix: string; documentPrefix: string };

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`config: ${problems.length} invalid setting(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads settings from an environment (process.env by default); throws ConfigError listing every problem. */
/** Settings that may instead be read from a file named by `NAME_FILE` (secrets mounted by the platform). */
const FILE_SETTINGS = ['PAPERBOY_ADMIN_PASSWORD', 'PAPERBOY_SMTP_PASSWORD', 'DATABASE_URL', 'PAPERBOY_METRICS_TOKEN', 'PAPERBOY_EMBEDDER_API_KEY'];

/** The sender when PAPERBOY_MAIL_FROM is unset: `SITE <no-reply@HOST of the base URL>`. */
export function defaultMailFrom(siteName: string, baseUrl: string): string {
  return formatMailbox(siteName, `no-reply@${new URL(baseUrl).hostname || 'localhost'}`);
}

/**
 * `Name <address>` as RFC 5322 wants it: a name with a comma, colon, parenthesis or other special
 * in quotes. Unquoted, `Daily Papers, Inc.` read as two addresses, `ML: papers` as a group and
 * `Lab (beta)` lost its comment, in every mail's From.
 */
export function formatMailbox(name: string | null, address: string): string {
  if (!name) return address;
  const plain = /^[\p{L}\p{N}!#$%&'*+\-/=?^_`{|}~ ]+$/u.test(name) && name.trim() === name;
  return `${plain ? name : `"${name.replace(/[\\"]/g, '\\$&')}"`} <${address}>`;
}

/**
 * Variables of the project's own tools (the test runner, tests, benchmarks, `paperboy admin`'s
 * password), read outside this module and never settings: no warning names them.
 */
const TOOL_VARIABLES = /^PAPERBOY_(TEST_[A-Z0-9_]+|REQUIRE_ALL|REQUIRE_AUDIT|SHARED_DATA|CHROMIUM|FUZZ_RUNS|NEW_PASSWORD)$/;

/**
 * What `env` holds that Paperboy will ignore, one sentence each: PAPERBOY_ variables that are no
 * setting (a misspelt name would otherwise leave its setting at the default without a word), with
 * the nearest setting's name when one is close, and SMTP credentials without an SMTP server.
 */
export function settingWarnings(env: Record<string, string | undefined> = process.env): string[] {
  const known = [...Object.keys(schema.shape), ...FILE_SETTINGS.map((n) => `${n}_FILE`)];
  const knownSet = new Set(known);
  const out: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('PAPERBOY_') || knownSet.has(name) || TOOL_VARIABLES.test(name) || env[name] === undefined) continue;
    let best: string | null = null;
    let bestDistance = Infinity;
    for (const k of known) {
      const d = editDistance(name, k);
      if (d < bestDistance) { best = k; bestDistance = d; }
    }
    const close = best !== null && bestDistance <= Math.max(3, Math.floor(name.length / 6));
    out.push(`${name} is not a setting and is ignored${close ? ` (did you mean ${best}?)` : ''}; docs/configuration.md lists them`);
  }
  const has = (n: string) => (env[n] ?? '') !== '' || (env[`${n}_FILE`] ?? '') !== '';
  if (!has('PAPERBOY_SMTP_HOST')) {
    const orphans = ['PAPERBOY_SMTP_PORT', 'PAPERBOY_SMTP_SECURE', 'PAPERBOY_SMTP_USER', 'PAPERBOY_SMTP_PASSWORD'].filter(has);
    if (orphans.length > 0) out.push(`${orphans.join(', ')} ${orphans.length === 1 ? 'is' : 'are'} ignored without PAPERBOY_SMTP_HOST: mail goes to the outbox folder`);
  }
  return out;
}

/** Levenshtein distance (insertions, deletions, substitutions), for names a few dozen letters long. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The first existing path from `dir` upwards, when it is not a folder (so `dir` cannot be one); else null. */
export function fileInPlaceOfFolder(dir: string): string | null {
  for (let p = dir; ; p = path.dirname(p)) {
    try {
      return fs.statSync(p).isDirectory() ? null : p;
    } catch {
      if (path.dirname(p) === p) return null;
    }
  }
}

/**
 * True when the test suite asks for password hashes at its low cost (PAPERBOY_TEST_FAST_PASSWORDS=1,
 * set by `npm test` alone; src/services/passwords.ts). Not a setting: operators have no use for it.
 */
export function fastTestPasswords(env: Record<string, string | undefined> = process.env): boolean {
  return env.PAPERBOY_TEST_FAST_PASSWORDS === '1';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned: Record<string, string> = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
  const fileProblems: string[] = [];
  for (const name of FILE_SETTINGS) {
    const file = cleaned[`${name}_FILE`];
    if (!file || cleaned[name]) continue;
    try {
      cleaned[name] = fs.readFileSync(file, 'utf8').trim();
    } catch (err) {
      fileProblems.push(`${name}_FILE: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  // Every stage's problems are listed together: unreadable _FILE settings, the schema, then the
  // checks across settings (run on the valid settings, the invalid ones left at their defaults).
  const problems: string[] = [...fileProblems];
  let parsed = schema.safeParse(cleaned);
  /** Settings already reported as invalid: checks across settings that read them are skipped. */
  let bad = new Set<string>();
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((i) => `${i.path.join('.')}: ${plainIssue(i).text}`));
    bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
    parsed = schema.safeParse(Object.fromEntries(Object.entries(cleaned).filter(([k]) => !bad.has(k))));
    if (!parsed.success) throw new ConfigError(problems);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.PAPERBOY_DATA_DIR);
  const inTheWay = fileInPlaceOfFolder(dataDir);
  if (inTheWay) problems.push(`PAPERBOY_DATA_DIR: ${inTheWay === dataDir ? `"${dataDir}" is a file` : `"${inTheWay}" on its path is a file`}, not a folder`);
  const databaseUrl = e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'paperboy.db')}`;
  const urlScheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(databaseUrl)?.[1];
  if (urlScheme !== undefined && !/^(sqlite|postgres|postgresql)$/.test(urlScheme)) {
    // Named by its scheme only: the rest of such a value often holds a password.
    problems.push(`DATABASE_URL: "${urlScheme}://..." is not a store Paperboy knows; use sqlite:PATH, a file path or postgres://...`);
  } else if (!/^(sqlite:|postgres(ql)?:\/\/|\.{0,2}\/|[A-Za-z]:\\|[\w.-])/.test(databaseUrl)) {
    problems.push(`DATABASE_URL: expected a file path, sqlite:PATH or postgres://..., got "${databaseUrl}"`);
  }
  const arxivUrls = [e.PAPERBOY_ARXIV_API_URL, e.PAPERBOY_ARXIV_OAI_URL, e.PAPERBOY_ARXIV_RSS_URL];
  const allLocal = arxivUrls.every((u) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(u).hostname));
  if (e.PAPERBOY_ARXIV_MIN_INTERVAL_MS < 3_000 && !allLocal) {
    problems.push('PAPERBOY_ARXIV_MIN_INTERVAL_MS: arXiv allows one request every 3 s; a shorter interval is only for local test servers');
  }
  if (e.PAPERBOY_SEARCH_ENGINE === 'postgres' && !bad.has('DATABASE_URL') && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('PAPERBOY_SEARCH_ENGINE: postgres needs a PostgreSQL store (DATABASE_URL=postgres://...)');
  }
  const embedder = bad.has('PAPERBOY_EMBEDDER') ? null : embedderSettingsFrom(e, problems);
  if (!e.PAPERBOY_BASE_URL && !URL.canParse(defaultBaseUrl(e.HOST, e.PORT))) {
    problems.push(`HOST: "${e.HOST}" does not make a valid address for links; set PAPERBOY_BASE_URL`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const baseUrl = (e.PAPERBOY_BASE_URL ?? defaultBaseUrl(e.HOST, e.PORT)).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl,
    searchEngine: e.PAPERBOY_SEARCH_ENGINE,
    embedder: embedder!,
    baseUrl,
    siteName: e.PAPERBOY_SITE_NAME,
    demo: e.PAPERBOY_DEMO,
    categories: e.PAPERBOY_CATEGORIES,
    pageSize: e.PAPERBOY_PAGE_SIZE,
    arxiv: {
      apiUrl: e.PAPERBOY_ARXIV_API_URL,
      oaiUrl: e.PAPERBOY_ARXIV_OAI_URL,
      rssUrl: e.PAPERBOY_ARXIV_RSS_URL,
      minIntervalMs: e.PAPERBOY_ARXIV_MIN_INTERVAL_MS,
      maxRetries: e.PAPERBOY_ARXIV_MAX_RETRIES,
      userAgent: `Paperboy/0.1 (${e.PAPERBOY_BASE_URL ?? 'self-hosted'}${e.PAPERBOY_CONTACT_EMAIL ? `; mailto:${e.PAPERBOY_CONTACT_EMAIL}` : ''})`,
      oaiSet: e.PAPERBOY_OAI_SET,
    },
    // The demo instance does not reach out to arXiv unless asked to.
    ingestAt: (e.PAPERBOY_INGEST_SCHEDULE ?? (e.PAPERBOY_DEMO ? 'off' : '01:30')) === 'off' ? null : (e.PAPERBOY_INGEST_SCHEDULE ?? '01:30'),
    adminPassword: e.PAPERBOY_ADMIN_PASSWORD ?? null,
    digest: digestSettingsFrom(e),
    submitQuota: e.PAPERBOY_SUBMIT_QUOTA,
    trustProxy: e.PAPERBOY_TRUST_PROXY,
    outboxDir: path.join(dataDir, 'outbox'),
    mailFrom: e.PAPERBOY_MAIL_FROM ?? defaultMailFrom(e.PAPERBOY_SITE_NAME, baseUrl),
    smtp: e.PAPERBOY_SMTP_HOST
      ? { host: e.PAPERBOY_SMTP_HOST, port: e.PAPERBOY_SMTP_PORT, secure: e.PAPERBOY_SMTP_SECURE, user: e.PAPERBOY_SMTP_USER, password: e.PAPERBOY_SMTP_PASSWORD }
      : null,
    logLevel: e.LOG_LEVEL,
    production: e.NODE_ENV === 'production',
    metricsToken: e.PAPERBOY_METRICS_TOKEN ?? null,
    scheduler: e.PAPERBOY_SCHEDULER,
    schedulerTickMs: e.PAPERBOY_SCHEDULER_TICK_SECONDS * 1000,
    shutdownTimeoutMs: Math.round(e.PAPERBOY_SHUTDOWN_TIMEOUT_SECONDS * 1000),
  };
}

/** The embedder settings, each missing or conflicting one added to `problems`. */
function embedderSettingsFrom(e: z.infer<typeof schema>, problems: string[]): EmbedderSettings | null {
  const kind = e.PAPERBOY_EMBEDDER;
  if (kind === 'corpus') {
    const stray = (['PAPERBOY_EMBEDDER_URL', 'PAPERBOY_EMBEDDER_MODEL', 'PAPERBOY_EMBEDDER_DIMENSIONS', 'PAPERBOY_EMBEDDER_MODEL_DIR'] as const).filter((k) => e[k] !== undefined);
    if (stray.length > 0) problems.push(`PAPERBOY_EMBEDDER: ${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set, but the embedder is the corpus-trained one; set PAPERBOY_EMBEDDER=openai or transformers`);
    return { kind };
  }
  const needed = kind === 'openai'
    ? (['PAPERBOY_EMBEDDER_URL', 'PAPERBOY_EMBEDDER_MODEL', 'PAPERBOY_EMBEDDER_DIMENSIONS'] as const)
    : (['PAPERBOY_EMBEDDER_MODEL_DIR', 'PAPERBOY_EMBEDDER_MODEL', 'PAPERBOY_EMBEDDER_DIMENSIONS'] as const);
  const missing = needed.filter((k) => e[k] === undefined);
  if (missing.length > 0) problems.push(`PAPERBOY_EMBEDDER: ${kind} needs ${missing.join(', ')}`);
  if (e.PAPERBOY_SEARCH_ENGINE === 'postgres') {
    problems.push(`PAPERBOY_EMBEDDER: ${kind} works with the in-memory search engine; PostgreSQL's engine (PAPERBOY_SEARCH_ENGINE=postgres) trains its own`);
  }
  if (missing.length > 0) return null;
  const common = { model: e.PAPERBOY_EMBEDDER_MODEL!, dims: e.PAPERBOY_EMBEDDER_DIMENSIONS!, queryPrefix: e.PAPERBOY_EMBEDDER_QUERY_PREFIX ?? '', documentPrefix: e.PAPERBOY_EMBEDDER_DOCUMENT_PREFIX ?? '' };
  return kind === 'openai'
    ? { kind, url: e.PAPERBOY_EMBEDDER_URL!, apiKey: e.PAPERBOY_EMBEDDER_API_KEY ?? null, ...common }
    : { kind, modelDir: path.resolve(e.PAPERBOY_EMBEDDER_MODEL_DIR!), ...common };
}

/** The base URL is an http(s) origin: links are the base URL followed by the site's own absolute paths. */
function isSiteRoot(value: string): boolean {
  if (!URL.canParse(value)) return true; // reported by .url()
  const u = new URL(value);
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.pathname === '/' && u.search === '' && u.hash === '' && !value.includes('?') && !value.includes('#');
}

/**
 * A sender: `local@domain`, or `Name <local@domain>`, the name as typed (`Daily Papers, Inc.`) or
 * quoted (`"Daily Papers, Inc."`); null when it is neither.
 */
function readMailbox(value: string): { name: string | null; address: string } | null {
  const address = /^[^\s<>@",;()]+@[^\s<>@",;()]+$/;
  const named = /^(.*\S)?\s*<([^<>]+)>$/.exec(value.trim());
  if (!named) return address.test(value.trim()) ? { name: null, address: value.trim() } : null;
  if (!address.test(named[2]!)) return null;
  let name = named[1]?.trim() ?? '';
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(name);
  if (quoted) name = quoted[1]!.replace(/\\(.)/g, '$1');
  return { name: name || null, address: named[2]! };
}

/** HOST is an IP address (v4 or v6) or a host name; a dotted all-digit name is a bad IPv4 address. */
function isListenHost(host: string): boolean {
  if (net.isIP(host) !== 0) return true;
  if (/^[\d.]+$/.test(host)) return false;
  return /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host);
}

/** The base URL when PAPERBOY_BASE_URL is unset: the listening address, wildcards shown as localhost, IPv6 in brackets. */
function defaultBaseUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${net.isIPv6(shown) ? `[${shown}]` : shown}:${port}`;
}
