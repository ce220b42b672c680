/**
 * `paperboy serve`: migrate, import the demo on first start, and listen.
 */
import { serve as listen } from '@hono/node-server';
import type { Config } from '../config.ts';
import type { EventEmitter } from 'node:events';
import type { Logger } from '../logger.ts';
import { importDemoIfEmpty } from '../services/demo.ts';
import { formatImportSummary } from '../services/import.ts';
import type { Store } from '../store/index.ts';
import { loadAssets } from '../web/assets.ts';
import { createApp } from '../web/app.tsx';
import { createProgress } from './progress.ts';
import { randomBytes } from 'node:crypto';
import { outboxMailer, smtpMailer, type Mailer } from '../mail/mailer.ts';
import { AfterAnswer } from '../services/after-answer.ts';
import { getOrCreateSecret } from '../store/users.ts';
import { startDigestScheduler } from '../jobs/digest-scheduler.ts';
import { SearchIndex } from '../search/search-index.ts';
import { PgSearchEngine } from '../search/pg-engine.ts';
import { searchIndexOptions } from '../search/setup.ts';
import { followedAuthorNames } from '../store/follows.ts';
import { searchPaperIds } from '../search/service.ts';
import { similarSearch } from '../discovery/similar.ts';
import { forYouForDigests } from '../discovery/for-you.ts';
import { startForYouPreparation } from '../discovery/prepare.ts';
import { alertSearch } from '../services/alert-search.ts';
import { folderTransport, smtpTransport } from '../mail/transport.ts';
import { createArxivClient } from '../arxiv/client.ts';
import { startScheduler } from '../jobs/scheduler.ts';
import { meteredMailer, meteredTransport } from '../mail/metered.ts';
import type { Server as NodeHttpServer } from 'node:http';
import type { Socket } from 'node:net';

/** While stopping, idle keep-alive connections are closed this often (ms), so a finished request frees its socket. */
const SHUTDOWN_SWEEP_MS = 100;



export interface Server {
  url: string;
  /** Stops as `shutdown` does, with the configured deadline. */
  close(): Promise<void>;
  /**
   * Graceful stop: /readyz answers 503 at once, no new connections are taken, requests in
   * progress finish, scheduled jobs finish their run; whatever is still going after `timeoutMs`
   * is cut off (connections closed, job leases released so another process takes over at once).
   */
  shutdown(timeoutMs: number): Promise<ShutdownReport>;
}

export interface ShutdownReport {
  /** Connections still open at the deadline, closed by force. */
  forcedConnections: number;
  /** Jobs whose run was still going at the deadline; their leases were released. */
  abandonedJobs: string[];
  ms: number;
}

/**
 * How long a client may take to send its request (slowloris-style clients hold a connection
 * open by trickling bytes): the headers within 10 s, the whole request within 30 s, checked every
 * second. Node's defaults are 60 s and 300 s, checked every 30 s.
 */
export const SLOW_CLIENT_LIMITS = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 } as const;

/** Starts the web server; resolves once it listens. */
export async function startServer(config: Config, store: Store, logger: Logger): Promise<Server> {
  const started = Date.now();
  const applied = await store.migrate(new Date().toISOString());
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  const status = await store.schemaStatus();
  if (status.tooNew) throw new Error(`store: the database schema (${status.current}) is newer than this build (${status.latest}); upgrade Paperboy`);

  if (config.demo) {
    // Once per database: another process starting on the same PostgreSQL database may be at it, and
    // this one then waits for it.
    const shown: { progress?: ReturnType<typeof createProgress> } = {};
    const report = await importDemoIfEmpty(store, {
      now: () => new Date().toISOString(),
      onProgress: (p) => shown.progress?.update(p.bytesRead, p.totalBytes, `${p.lines} papers`),
    }, undefined, () => {
      logger.info('empty store: importing the bundled demo corpus');
      shown.progress = createProgress('demo');
    });
    shown.progress?.stop();
    if (report) logger.info({ ...report, reportedUpvotes: undefined, errorSamples: report.errorSamples.slice(0, 5) }, `${formatImportSummary(report)} demo_votes=${report.demoVotes}`);
  }

  // One client per process: it owns the rate limit for everything that talks to arXiv.
  const arxiv = createArxivClient({
    apiUrl: config.arxiv.apiUrl, oaiUrl: config.arxiv.oaiUrl, rssUrl: config.arxiv.rssUrl,
    userAgent: config.arxiv.userAgent, minIntervalMs: config.arxiv.minIntervalMs, maxRetries: config.arxiv.maxRetries,
  });
  // PAPERBOY_SCHEDULER=false makes a web-only process; leases keep each job to one process anyway.
  const scheduler = config.ingestAt && config.scheduler
    ? startScheduler({
        ingest: { store, categories: config.categories, client: arxiv },
        at: config.ingestAt, oaiSet: config.arxiv.oaiSet, clock: { now: () => Date.now() }, logger,
      }, { tickMs: config.schedulerTickMs })
    : null;

  const assets = await loadAssets();
  const mailer = meteredMailer(createMailer(config));
  const secret = await getOrCreateSecret(store.db, 'csrf', () => randomBytes(32).toString('base64url'), new Date().toISOString());
  logger.info({ mail: mailer.describe() }, 'mail');
  const followedAuthors = followedAuthorNames(store.db);
  // Opens the saved index, or starts building one in the background (the search page says so meanwhile).
  const searchIndex = await SearchIndex.open(store, searchIndexOptions(config, { log: (msg) => logger.info(msg) }));
  searchIndex.startFollowing(); // picks up papers changed by this or any other process
  // PAPERBOY_SEARCH_ENGINE=postgres: searches run inside PostgreSQL (docs/search.md); discovery keeps the index above.
  const pgSearch = config.searchEngine === 'postgres' ? await PgSearchEngine.open(store, { log: (msg) => logger.info(msg), warn: (msg) => logger.warn(msg) }) : null;
  pgSearch?.startFollowing();
  const searchEngine = pgSearch ?? searchIndex;
  const stopPreparing = startForYouPreparation({ store, index: searchIndex }, { onError: (err) => logger.warn({ err }, 'for you: preparing the latest periods failed') });
  const digests = config.digest.at && config.scheduler
    ? startDigestScheduler({
        digest: {
          store, siteName: config.siteName, baseUrl: config.baseUrl, mailFrom: config.mailFrom, unsubscribeMailto: config.digest.unsubscribeMailto,
          transport: meteredTransport(config.smtp ? smtpTransport(config.smtp, { connections: config.digest.connections }) : folderTransport(config.outboxDir)),
          search: alertSearch({ store, index: searchEngine }),
          forYou: forYouForDigests({ store, index: searchIndex, listFollowedAuthors: followedAuthors }),
        },
        settings: config.digest, clock: { now: () => Date.now() }, logger,
      }, { tickMs: config.schedulerTickMs })
    : null;
  const search = {
    search: (q: string, { limit }: { limit: number }) => searchPaperIds({ store, index: searchEngine }, { q, pageSize: limit }),
    ...similarSearch({ store, index: searchIndex }),
  };
  // Account and subscription mail sent after the answer; a shutdown waits for it once the last request has ended.
  const afterAnswer = new AfterAnswer((err) => logger.error({ err }, 'work after the answer failed (an e-mail may not have been sent)'));
  const app = createApp({ store, config, assets, clock: { now: () => Date.now() }, logger, mailer, secret, arxiv, searchIndex, searchEngine: pgSearch, search,
    discovery: { listFollowedAuthors: followedAuthors }, afterAnswer });
  let draining = false;
  // While stopping, /readyz says so, and a load balancer sends new requests to the other processes.
  const fetch = (req: Request, env: unknown) =>
    draining && new URL(req.url).pathname === '/readyz'
      ? new Response('not ready: shutting down', { status: 503, headers: { 'Cache-Control': 'no-store' } })
      : app.fetch(req, env as never);
  const sockets = new Set<Socket>();
  return new Promise((resolve, reject) => {
    const server = listen({ fetch, port: config.port, hostname: config.host, serverOptions: SLOW_CLIENT_LIMITS }, (info) => {
      const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
      logger.info({ url, store: store.location, ms: Date.now() - started }, `listening on ${config.baseUrl}`);
      const http = server as unknown as NodeHttpServer;
      let stopping: Promise<ShutdownReport> | null = null;
      const shutdown = (timeoutMs: number): Promise<ShutdownReport> => stopping ??= (async () => {
        const began = Date.now();
        draining = true;
        const jobs = Promise.all([
          scheduler ? scheduler.stop({ timeoutMs }).then((r) => (r === 'abandoned' ? ['ingest'] : [])) : [],
          digests ? digests.stop({ timeoutMs }).then((r) => (r === 'abandoned' ? ['digest'] : [])) : [],
        ]);
        let forcedConnections = 0;
        await new Promise<void>((done) => {
          http.close(() => done()); // no new connections; resolves when the last one closed
          http.closeIdleConnections(); // idle keep-alive connections would hold the close open
          const sweep = setInterval(() => http.closeIdleConnections(), SHUTDOWN_SWEEP_MS); // ones whose request just finished
          const deadline = setTimeout(() => {
            forcedConnections = sockets.size;
            http.closeAllConnections();
          }, timeoutMs);
          http.once('close', () => { clearInterval(sweep); clearTimeout(deadline); });
        });
        // E-mails a request started after its answer (accounts, subscriptions): sent, within what is left of the deadline.
        let mailWait: NodeJS.Timeout | undefined;
        const mailLeft = await Promise.race([
          afterAnswer.idle().then(() => 0),
          new Promise<number>((done) => { mailWait = setTimeout(() => done(afterAnswer.pending), Math.max(0, timeoutMs - (Date.now() - began))); }),
        ]);
        clearTimeout(mailWait);
        if (mailLeft > 0) logger.error({ pending: mailLeft }, 'shutdown: e-mails still being sent after their answers at the deadline were abandoned');
        const abandonedJobs = (await jobs).flat();
        await stopPreparing();
        await searchIndex.close();
        await pgSearch?.close();
        return { forcedConnections, abandonedJobs, ms: Date.now() - began };
      })();
      resolve({ url, shutdown, close: async () => { await shutdown(config.shutdownTimeoutMs); } });
    });
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    // Before it listens (a port in use, an address not on this machine): stop what started, so the
    // process ends with the error instead of running on without serving anything.
    const cannotListen = (err: Error) => {
      const why = new Error(`serve: cannot listen on ${config.host}:${config.port}: ${err.message}`);
      void (async () => {
        await Promise.allSettled([scheduler?.stop({ timeoutMs: 0 }), digests?.stop({ timeoutMs: 0 })]);
        await stopPreparing();
        await Promise.allSettled([searchIndex.close(), pgSearch?.close()]);
      })().finally(() => reject(why));
    };
    watchServerErrors(server, cannotListen, logger);
  });
}

/**
 * Routes a server's 'error' events: before it listens, to `cannotListen` (once); after, to the log,
 * for good. An error of a listening server (a failed accept: too many open files) must neither stop
 * the jobs nor, with no listener left, end the process.
 */
export function watchServerErrors(server: EventEmitter, cannotListen: (err: Error) => void, logger: Pick<Logger, 'error'>): void {
  server.once('error', cannotListen);
  server.once('listening', () => {
    server.off('error', cannotListen);
    server.on('error', (err: Error) => logger.error({ err }, 'http server error'));
  });
}

/** SMTP when configured, otherwise the outbox folder. */
export function createMailer(config: Config): Mailer {
  return config.smtp ? smtpMailer(config.smtp, config.mailFrom) : outboxMailer(config.outboxDir, config.mailFrom);
}

/**
 * Why the server could not listen on host:port ("listen EADDRINUSE: address already in use
 * 127.0.0.1:3000"), or null when it can: found by listening there for a moment, before anything
 * is created, migrated or imported. Port 0 (any free port) always can.
 */
export async function listenProblem(host: string, port: number): Promise<string | null> {
  if (port === 0) return null;
  const { createServer } = await import('node:net');
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', (err: Error) => resolve(err.message));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
