/**
 * A real Paperboy server in this process whose mail goes to a real SMTP sink, a cookie-keeping
 * client for it over HTTP, and helpers to pull links out of received mail (the digest tests, and
 * others that need mail or a server on a port).
 */
import { after } from 'node:test';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { logLines } from './log-lines.ts';
import { freePort } from './server-process.ts';
import { tempDatabaseUrl, tempDir } from './store.ts';
import { atEndOfFile, testStoreKind } from './postgres.ts';
import { WebClient } from './web-client.ts';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.ts';

export interface Running {
  server: Server;
  store: Store;
  config: Config;
  sink: SmtpSink;
  /** A browser-like client of the running server (over HTTP). */
  client(ip?: string): WebClient;
  /** Stops the server and closes its store and sink; a second call waits for the first. */
  close(): Promise<void>;
}

/** A real server on 127.0.0.1 with SMTP pointed at a fresh sink; no demo corpus; silent logs unless `logger` is given. */
export async function startRunning(env: Record<string, string> = {}, options: { logger?: Logger } = {}): Promise<Running> {
  const sink = await startSmtpSink();
  const port = await freePort();
  const dataDir = tempDir();
  const database = testStoreKind() === 'postgres' ? { DATABASE_URL: await tempDatabaseUrl() } : {};
  const config = loadConfig({ ...database,
    PORT: String(port), HOST: '127.0.0.1', PAPERBOY_DATA_DIR: dataDir, LOG_LEVEL: 'silent', PAPERBOY_DEMO: 'false', PAPERBOY_TRUST_PROXY: 'true',
    PAPERBOY_SMTP_HOST: '127.0.0.1', PAPERBOY_SMTP_PORT: String(sink.port), PAPERBOY_MAIL_FROM: 'Paperboy Test <digests@paperboy.test>', ...env,
  });
  const store = await openStore(config.databaseUrl);
  const server = await startServer(config, store, options.logger ?? pino({ level: 'silent' }));
  const http = { request: (p: string, init: RequestInit = {}) => fetch(`${server.url}${p}`, { ...init, redirect: 'manual' }) };
  let closing: Promise<void> | null = null;
  const running: Running = {
    server, store, config, sink,
    client: (ip) => new WebClient(http, ip),
    close: () => closing ??= (async () => {
      await server.close();
      await store.close();
      await sink.close();
    })(),
  };
  // Closed at the end of the file before its database is dropped (the clean-ups of atEndOfFile run
  // last first), whatever `after` hook the test file adds: test/helpers/postgres.ts registers its
  // `after` on import, so it runs before the file's own, and dropping a database the server still
  // holds open waits 3 s for its connections before ending them.
  atEndOfFile(() => running.close());
  return running;
}

/**
 * The one server of a test file that reads what the server logs (info and up, in `logs`): started
 * at once, closed after the file's last test.
 *
 * @example
 * const { r, logs } = await startRunningForFile();
 */
export async function startRunningForFile(): Promise<{ r: Running; logs: ReturnType<typeof logLines> }> {
  const logs = logLines();
  const r = await startRunning({}, { logger: logs.logger });
  after(async () => r.close());
  return { r, logs };
}

/** Every http(s) link in a text part. */
export function linksIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]);
}

/** The path and query of a link, to follow it against the running server. */
export function pathOf(link: string): string {
  const u = new URL(link);
  return u.pathname + u.search;
}
