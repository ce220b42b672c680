/**
 * `paperboy digest ...`: send the digests due on a day (or show what would go out), show the
 * subscribers and the outbox, and unsubscribe from a piped-in e-mail (the List-Unsubscribe mailto).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileInPlaceOfFolder, type Config } from '../config.ts';
import { parseDay } from '../domain/dates.ts';
import { latestCompleteDate } from '../domain/digest.ts';
import { folderTransport, smtpTransport, type Transport } from '../mail/transport.ts';
import { forYouForDigests } from '../discovery/for-you.ts';
import { openSearchEngine, searchIndexOptions, type OpenedSearchEngine } from '../search/setup.ts';
import { SearchIndex } from '../search/search-index.ts';
import { alertSearch } from '../services/alert-search.ts';
import { followedAuthorNames } from '../store/follows.ts';
import { folderWriteProblem } from '../store/database-url.ts';
import { formatDigestSummary, openListDayError, runDigest, type DigestDeps, type ForYouFn, type SearchFn } from '../services/digest.ts';
import type { DigestSettings } from '../services/digest-config.ts';
import { UserError } from '../services/errors.ts';
import { parseEmail, SubscriptionGone, unsubscribeByToken } from '../services/subscriptions.ts';
import type { Store } from '../store/index.ts';
import { countOutboxByStatus } from '../store/outbox.ts';
import { countSubscribers, digestDb } from '../store/subscriptions.ts';

export const DIGEST_USAGE = `usage:
  paperboy digest send [--period daily|weekly] [--date YYYY-MM-DD] [--dry-run] [--to ADDRESS] [--out DIR]
  paperboy digest status
  paperboy digest unsubscribe-mail < message.eml

send       sends the digests due on a day (default: today in PAPERBOY_DIGEST_TIMEZONE, or yesterday while
           the UTC list day today's digests cover is still open): the daily
           digest (covering the day before), the weekday digest (Monday to Friday; on Mondays it
           covers the weekend too), and on PAPERBOY_DIGEST_WEEKLY_DAY the weekly one (the 7 days
           before). Each subscriber gets each digest once, however often this runs.
  --period daily|weekly  only the daily (and weekday) digests, or only the weekly one (whatever the weekday)
  --date D               the delivery day (YYYY-MM-DD)
  --to ADDRESS           only the subscriptions of this address
  --dry-run              select and render, print what would be sent; record and send nothing
  --out DIR              write each message to DIR as an .eml file instead of sending it (implies --dry-run)
status     subscriber and outbox counts
unsubscribe-mail  reads one e-mail on standard input (sent to PAPERBOY_UNSUBSCRIBE_MAILTO) and unsubscribes
           the subscription named by the token in its subject
`;

export interface DigestCliOptions {
  /** The search engine for alerts; default: the store's search index, opened when the first alert needs it. */
  search?: SearchFn | null;
  /** "For you" digests' ranking; default: the For-you model over the saved search index (terms only without one). */
  forYou?: ForYouFn | null;
  /** Replaces the transport made from the config (tests, benchmarks). */
  transport?: Transport;
  /** Replaces the clock (tests). */
  now?: () => number;
  stdin?: NodeJS.ReadableStream;
  /** Where problems go (usage errors, a refused unsubscribe); default: standard error. */
  err?: { write(s: string): unknown };
  /** Tuning for tests and benchmarks. */
  tuning?: Pick<DigestDeps, 'leaseMs' | 'retryBaseMs' | 'inRunWaitMs'>;
}

type Out = { write(s: string): unknown };

/** `digest send`'s options, checked: the day, the address; or the exit code (2) after the problems and the usage. Needs no store. */
export function parseDigestSendArgs(rest: string[], settings: Pick<DigestSettings, 'timeZone'>, now: () => number, err: Out) {
  let values;
  try {
    ({ values } = parseArgs({
      args: rest, allowPositionals: false,
      options: { period: { type: 'string' }, date: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, to: { type: 'string' }, out: { type: 'string' } },
    }));
  } catch (e) {
    err.write(`digest: ${(e as Error).message}\n\n${DIGEST_USAGE}`);
    return 2;
  }
  const problems: string[] = [];
  if (values.period !== undefined && values.period !== 'daily' && values.period !== 'weekly') problems.push('--period must be daily or weekly');
  const date = values.date ?? latestCompleteDate(now(), settings.timeZone);
  if (!parseDay(date)) problems.push(`--date must be a day (YYYY-MM-DD), got "${date.slice(0, 40)}"`);
  else if (values.date !== undefined && !values['dry-run'] && values.out === undefined) {
    const open = openListDayError(date, now());
    if (open) problems.push(`--date ${date}: ${open} (--dry-run shows them as they stand)`);
  }
  let to: string | undefined;
  if (values.to !== undefined) {
    try { to = parseEmail(values.to); } catch { problems.push(`--to must be one e-mail address, got "${values.to.slice(0, 80)}"`); }
  }
  if (values.out === '') problems.push('--out needs a folder');
  else if (values.out !== undefined) {
    const inTheWay = fileInPlaceOfFolder(path.resolve(values.out));
    const unwritable = inTheWay ? null : folderWriteProblem(values.out);
    if (inTheWay) problems.push(inTheWay === path.resolve(values.out) ? `--out ${values.out} is a file, not a folder` : `--out ${values.out}: ${inTheWay} on its path is a file, not a folder`);
    else if (unwritable) {
      // The machine's state, not the command's wording: one line, as export and backup say it, without the usage.
      if (!problems.length) { err.write(`digest: --out ${values.out}: ${unwritable}\n`); return 2; }
      problems.push(`--out ${values.out}: ${unwritable}`);
    }
  }
  if (problems.length) { err.write(`digest: ${problems.join('; ')}\n\n${DIGEST_USAGE}`); return 2; }
  return { date, to, values };

}

/**
 * The usage errors of `paperboy digest ARGS` (subcommand, its arguments), written with the usage to
 * `err`: 2, or null when the arguments are usable. main checks them before it looks for the database.
 */
export function digestUsageError(args: string[], settings: Pick<DigestSettings, 'timeZone'>, now: () => number, err: Out): number | null {
  const [sub, ...rest] = args;
  if (!sub) { err.write(`digest: name a subcommand (send, status or unsubscribe-mail)\n\n${DIGEST_USAGE}`); return 2; }
  if ((sub === 'status' || sub === 'unsubscribe-mail') && rest.length > 0) {
    err.write(`digest: ${sub} takes no arguments${sub === 'unsubscribe-mail' ? ' (the e-mail comes on standard input)' : ''}, got "${rest.join(' ').slice(0, 80)}"\n\n${DIGEST_USAGE}`);
    return 2;
  }
  if (sub === 'send') {
    const parsed = parseDigestSendArgs(rest, settings, now, err);
    return typeof parsed === 'number' ? parsed : null;
  }
  if (sub !== 'status' && sub !== 'unsubscribe-mail') { err.write(`digest: unknown subcommand "${sub}"\n\n${DIGEST_USAGE}`); return 2; }
  return null;
}

/**
 * Runs `paperboy digest ARGS`; returns the exit code (0 ok, 1 the run stopped or failed, 2 bad usage).
 * What it did goes to `out`; problems go to `options.err`, so a script reading `out` gets only data.
 */
export async function runDigestCli(
  config: Pick<Config, 'baseUrl' | 'siteName' | 'mailFrom' | 'smtp' | 'outboxDir'> & Partial<Pick<Config, 'searchEngine' | 'embedder'>>, settings: DigestSettings, store: Store, args: string[], out: Out,
  options: DigestCliOptions = {},
): Promise<number> {
  const [sub, ...rest] = args;
  const now = options.now ?? (() => Date.now());
  const err = options.err ?? process.stderr;
  if (sub === '--help' || sub === 'help') { out.write(DIGEST_USAGE); return 0; }
  if (!sub) { err.write(`digest: name a subcommand (send, status or unsubscribe-mail)\n\n${DIGEST_USAGE}`); return 2; }
  if ((sub === 'status' || sub === 'unsubscribe-mail') && rest.length > 0) {
    err.write(`digest: ${sub} takes no arguments${sub === 'unsubscribe-mail' ? ' (the e-mail comes on standard input)' : ''}, got "${rest.join(' ').slice(0, 80)}"\n\n${DIGEST_USAGE}`);
    return 2;
  }
  if (sub === 'status') {
    const [subs, outbox] = await Promise.all([countSubscribers(digestDb(store.db)), countOutboxByStatus(digestDb(store.db))]);
    out.write(`subscribers active=${subs.active} pending=${subs.pending} unsubscribed=${subs.unsubscribed} bounced=${subs.bounced} `
      + `daily=${subs.byPeriod.daily} weekdays=${subs.byPeriod.weekdays} weekly=${subs.byPeriod.weekly} trending=${subs.byKind.trending} search=${subs.byKind.search} for_you=${subs.byKind['for-you']}\n`);
    out.write(`outbox ${Object.entries(outbox).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    return 0;
  }
  if (sub === 'unsubscribe-mail') {
    const chunks: Buffer[] = [];
    for await (const chunk of options.stdin ?? process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    const { simpleParser } = await import('mailparser');
    const mail = await simpleParser(Buffer.concat(chunks));
    const token = /unsubscribe\s+(\d+\.\d+\.[A-Za-z0-9_-]{32})/i.exec(`${mail.subject ?? ''} ${mail.text ?? ''}`)?.[1];
    if (!token) { err.write('digest: no unsubscribe token in this e-mail\n'); return 1; }
    try {
      const s = await unsubscribeByToken({ store, now }, token);
      out.write(`unsubscribed subscription=${s.id} email=${s.email}\n`);
      return 0;
    } catch (e) {
      // Gone with its account: nothing more is sent, which is what the message asked for.
      if (e instanceof SubscriptionGone) { out.write(`nothing to unsubscribe: ${e.message}\n`); return 0; }
      if (e instanceof UserError) { err.write(`digest: ${e.message}\n`); return 1; }
      throw e;
    }
  }
  if (sub !== 'send') { err.write(`digest: unknown subcommand "${sub}"\n\n${DIGEST_USAGE}`); return 2; }

  const parsed = parseDigestSendArgs(rest, settings, now, err);
  if (typeof parsed === 'number') return parsed;
  const { date, to, values } = parsed;

  const transport = options.transport ?? (config.smtp
    ? smtpTransport(config.smtp, { connections: settings.connections })
    : folderTransport(config.outboxDir));
  // Alerts search the saved index (loaded in seconds; built once, and saved, if the store has none),
  // or PostgreSQL's engine with PAPERBOY_SEARCH_ENGINE=postgres, as the server's alerts do.
  const engineSettings = { embedder: config.embedder ?? { kind: 'corpus' as const }, searchEngine: config.searchEngine ?? 'memory' };
  const opened: { index: Promise<SearchIndex> | null; engine: Promise<OpenedSearchEngine> | null } = { index: null, engine: null };
  // Not a serving process: a missing index is built here, in this thread.
  const openIndex = () => (opened.index ??= SearchIndex.open(store, searchIndexOptions(engineSettings, { buildInWorker: false }), true));
  const search: SearchFn = options.search ?? (async (query, scope, limit) => {
    opened.engine ??= engineSettings.searchEngine === 'postgres' ? openSearchEngine(store, engineSettings, { wait: true }) : openIndex();
    return alertSearch({ store, index: await opened.engine })(query, scope, limit);
  });
  // "For you" digests rank with the in-memory index, opened by whichever needs it first.
  const forYou: ForYouFn | null = options.forYou !== undefined ? options.forYou : async (...args) => {
    return forYouForDigests({ store, index: await openIndex(), listFollowedAuthors: followedAuthorNames(store.db) })(...args);
  };
  try {
    const report = await runDigest({
      store, transport, siteName: config.siteName, baseUrl: config.baseUrl, mailFrom: config.mailFrom, unsubscribeMailto: settings.unsubscribeMailto,
      now, search, forYou, leaseMs: settings.leaseSeconds * 1000, ...options.tuning,
    }, {
      date, only: values.period as 'daily' | 'weekly' | undefined, weeklyDay: settings.weeklyDay, to,
      dryRun: values['dry-run'] === true, out: values.out,
    });
    if (report.dryRun) {
      for (const p of report.previews) out.write(`would send to=${p.to} papers=${p.papers}${p.file ? ` file=${p.file}` : ''} subject="${p.subject.replace(/"/g, "'")}"\n`);
    }
    out.write(`${formatDigestSummary(report)}\n`);
    return report.error ? 1 : 0;
  } finally {
    if (!options.transport) await transport.close();
    if (opened.index) await (await opened.index).close();
    if (opened.engine && opened.engine !== opened.index) await (await opened.engine).close();
  }
}
