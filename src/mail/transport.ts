/**
 * Handing built messages over, with a hook at the point of no return.
 *
 * `deliver(message, commit)` runs `commit` once, right before the message can no longer be taken
 * back: for SMTP, after the whole message has been streamed and before the end-of-data dot; for
 * the outbox folder, before the file is renamed into place. The digest sender records the
 * handover in that hook, so the only window in which a crash leaves the outcome open is the
 * server's answer to the dot (see docs/email.md).
 *
 * Errors are classified for the sender:
 * - `temporary`: not delivered, try again later (4xx, a broken connection before the dot);
 * - `permanent`: the server refused this message or recipient (5xx): stop mail to the address;
 * - `unknown`: the dot went out and no answer came back: the server may have the message;
 * - `transport`: no working mail session (cannot connect, greeting, TLS, authentication, sender
 *   refused): nothing is wrong with this message, stop the run and try later;
 * - `aborted`: the commit hook refused (another worker owns the row): nothing was handed over.
 *
 * Connections are reused. One the server closed while it sat idle (its idle timeout) is dropped and
 * a new one opened; one that turns out closed as the next message starts (the server's 421 crossed
 * our command) sends that message again over a new one. Both happen before the commit hook, so no
 * message is lost or sent twice by it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { SmtpSettings } from './mailer.ts';
import type { ComposedMessage } from './message.ts';

export type DeliveryErrorKind = 'temporary' | 'permanent' | 'unknown' | 'transport' | 'aborted';

export class DeliveryError extends Error {
  constructor(readonly kind: DeliveryErrorKind, message: string, readonly responseCode: number | null = null) {
    super(message);
  }
}

export interface Transport {
  /** How many messages it can hand over at once (SMTP connections). */
  readonly concurrency: number;
  /** Hands a message over; resolves with the server's answer. Rejects with a DeliveryError. */
  deliver(message: ComposedMessage, commit: () => Promise<void>): Promise<string>;
  close(): Promise<void>;
  describe(): string;
}

export interface SmtpTransportOptions {
  /** Parallel SMTP connections (default 4). */
  connections?: number;
  /** Messages per connection before it is closed and a new one opened (default 100). */
  messagesPerConnection?: number;
  /** Socket inactivity timeout, ms (default 30 s). */
  socketTimeoutMs?: number;
  /** A connection idle longer than this, ms, is closed with QUIT rather than reused (default MAX_IDLE_MS). */
  maxIdleMs?: number;
}

/**
 * How long a connection may sit idle and still be reused, ms. Servers hang up on idle clients
 * (Postfix under load after 10 s, smtp-server after 60 s); were ours to cross their 421 with its next
 * command, that message would need a second try. A new connection costs one handshake.
 */
const MAX_IDLE_MS = 10_000;

interface Conn {
  smtp: SMTPConnection;
  sent: number;
  broken: boolean;
  /** When it was last put back idle (Date.now()). */
  idleSince: number;
}

/**
 * The connection, not the message, failed before the commit hook ran, so the server has nothing:
 * on a reused connection, a reason to try a new one; otherwise `error` is the outcome.
 */
class ConnectionLost extends Error {
  constructor(readonly error: DeliveryError) {
    super(error.message);
  }
}

const SESSION_COMMANDS = new Set(['CONN', 'GREETING', 'EHLO', 'HELO', 'LHLO', 'STARTTLS', 'AUTH', 'AUTH PLAIN', 'AUTH LOGIN', 'AUTH CRAM-MD5', 'AUTH XOAUTH2', 'MAIL FROM', 'API']);

function classify(err: SMTPConnection.SMTPError, committed: boolean): DeliveryError {
  const code = typeof err.responseCode === 'number' ? err.responseCode : null;
  const what = `${err.command ? `${err.command}: ` : ''}${(err.response ?? err.message).toString().slice(0, 300)}`;
  if (committed) {
    if (code !== null && code >= 500) return new DeliveryError('permanent', what, code);
    if (code !== null && code >= 400) return new DeliveryError('temporary', what, code);
    return new DeliveryError('unknown', `no answer after the end of data: ${err.message}`);
  }
  // nodemailer refuses to send on a connection that has closed: it broke before the end of data.
  if (err.command === 'API' && err.code === 'ECONNECTION') return new DeliveryError('temporary', what, code);
  if (err.command && SESSION_COMMANDS.has(err.command)) return new DeliveryError('transport', what, code);
  if (code !== null && code >= 500) return new DeliveryError('permanent', what, code);
  return new DeliveryError('temporary', what, code);
}

/** SMTP through a small pool of nodemailer connections. */
export function smtpTransport(settings: SmtpSettings, options: SmtpTransportOptions = {}): Transport {
  const max = Math.max(1, options.connections ?? 4);
  const perConnection = options.messagesPerConnection ?? 100;
  const maxIdleMs = options.maxIdleMs ?? MAX_IDLE_MS;
  const idle: Conn[] = [];
  const waiting: ((c: Conn | null) => void)[] = [];
  let open = 0;
  let closed = false;

  async function connect(): Promise<Conn> {
    const smtp = new SMTPConnection({
      host: settings.host, port: settings.port, secure: settings.secure,
      connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: options.socketTimeoutMs ?? 30_000,
    });
    const conn: Conn = { smtp, sent: 0, broken: false, idleSince: 0 };
    smtp.on('error', () => { conn.broken = true; }); // reported to the pending callback as well
    smtp.on('end', () => { conn.broken = true; });
    try {
      // nodemailer reports a failed connection as an 'error' event, not always to the callback.
      const step = (run: (done: (err?: Error | null) => void) => void) => new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        smtp.once('error', onError);
        run((err) => { smtp.off('error', onError); if (err) reject(err); else resolve(); });
      });
      await step((done) => smtp.connect((err) => done(err)));
      // Without this, Nagle's algorithm holds back the end-of-data dot until the server's delayed
      // ACK (about 40 ms on Linux), which caps a connection at some 20 messages a second.
      (smtp as unknown as { _socket?: { setNoDelay?(v: boolean): void } })._socket?.setNoDelay?.(true);
      if (settings.user) await step((done) => smtp.login({ user: settings.user!, pass: settings.password ?? '' }, (err) => done(err)));
    } catch (err) {
      smtp.close();
      const e = err as SMTPConnection.SMTPError;
      throw new DeliveryError('transport', `SMTP ${settings.host}:${settings.port}: ${e.message}`, typeof e.responseCode === 'number' ? e.responseCode : null);
    }
    return conn;
  }

  async function acquire(): Promise<Conn> {
    if (closed) throw new DeliveryError('transport', 'mail: the transport is closed');
    for (let c = idle.pop(); c; c = idle.pop()) {
      if (!c.broken && Date.now() - c.idleSince <= maxIdleMs) return c;
      discard(c); // the server closed it while it waited, or may be about to
    }
    if (open < max) {
      open++;
      try {
        return await connect();
      } catch (err) {
        open--;
        throw err;
      }
    }
    const next = await new Promise<Conn | null>((resolve) => waiting.push(resolve));
    return next ?? acquire();
  }

  /** Gives up a connection and its place in the pool: QUIT when it still works, else close the socket. */
  function discard(conn: Conn, polite = true): void {
    open--;
    if (polite && !conn.broken) conn.smtp.quit();
    else conn.smtp.close();
  }

  function release(conn: Conn, reusable: boolean): void {
    if (!reusable || conn.broken || closed || conn.sent >= perConnection) {
      discard(conn, reusable && !closed);
      waiting.shift()?.(null); // a waiter may open a new connection now
      return;
    }
    const w = waiting.shift();
    if (w) w(conn);
    else {
      conn.idleSince = Date.now();
      idle.push(conn);
    }
  }

  function sendOn(conn: Conn, message: ComposedMessage, commit: () => Promise<void>): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let bodySent = false;
      let committed = false;
      let settled = false;
      // nodemailer pipes this stream only once DATA was accepted; after a refused envelope it drains
      // it to discard it, which must not commit: `settled` is set first, synchronously, in the callback.
      const body = new Readable({
        read() {
          if (settled) { this.push(null); return; }
          if (!bodySent) { bodySent = true; this.push(message.raw); return; }
          if (committed) return;
          committed = true;
          commit().then(
            () => this.push(null), // end of stream: nodemailer writes the end-of-data dot now
            (err: Error) => this.destroy(err),
          );
        },
      });
      const onLost = (err?: Error) => finish(err ?? new Error('the connection closed'), null, true);
      const onEnd = () => onLost();
      const finish = (err: Error | null, response: string | null, lost = false) => {
        if (settled) return;
        settled = true;
        conn.smtp.off('error', onLost);
        conn.smtp.off('end', onEnd);
        if (!err) { resolve(response ?? ''); return; }
        conn.broken = true; // a connection that failed mid-message is not reused
        const e = err as SMTPConnection.SMTPError;
        if (e.code === 'ESTREAM') { reject(new DeliveryError('aborted', `not handed over: ${err.message}`)); return; }
        // The connection broke mid-transaction (nodemailer reports it as an event, not to the callback).
        const outcome = !lost ? classify(e, committed)
          : committed ? new DeliveryError('unknown', `no answer after the end of data: ${err.message}`)
          : new DeliveryError('temporary', `the connection broke before the end of data: ${err.message}`);
        // Closed under us before the point of no return: a broken socket, nodemailer's "already destroyed",
        // or the server's 421 (closing the channel). The server discards what it got without the dot.
        reject(!committed && (lost || e.code === 'ECONNECTION' || e.responseCode === 421) ? new ConnectionLost(outcome) : outcome);
      };
      conn.smtp.on('error', onLost);
      conn.smtp.on('end', onEnd);
      conn.smtp.send({ from: message.envelope.from, to: [message.envelope.to] }, body, (err, info) => finish(err, info?.response ?? null));
    });
  }

  return {
    concurrency: max,
    async deliver(message, commit) {
      // A reused connection that turns out closed is dropped and the message goes over another (each
      // such try drops one, so `max` of them at most); a new connection's failure is final.
      for (let tries = 1; ; tries++) {
        const conn = await acquire();
        const reused = conn.sent > 0;
        try {
          const response = await sendOn(conn, message, commit);
          conn.sent++;
          release(conn, true);
          return response;
        } catch (err) {
          release(conn, false);
          if (!(err instanceof ConnectionLost)) throw err;
          if (reused && tries <= max) continue;
          throw err.error;
        }
      }
    },
    async close() {
      closed = true;
      for (const c of idle.splice(0)) discard(c);
      for (const w of waiting.splice(0)) w(null);
    },
    describe: () => `SMTP ${settings.host}:${settings.port} (${max} connections)`,
  };
}

/** Writes each message as an .eml file in `dir` (the development outbox); the rename is the handover. */
export function folderTransport(dir: string): Transport {
  let seq = 0;
  return {
    concurrency: 1,
    async deliver(message, commit) {
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${String(seq++).padStart(5, '0')}.eml`;
      const tmp = path.join(dir, `.${name}.tmp`);
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 }); // mail holds sign-in and unsubscribe links: owner-only
        fs.writeFileSync(tmp, message.raw, { mode: 0o600 });
      } catch (err) {
        throw new DeliveryError('transport', `mail: cannot write to ${dir}: ${(err as Error).message}`);
      }
      try {
        await commit();
      } catch (err) {
        fs.rmSync(tmp, { force: true });
        throw new DeliveryError('aborted', `not handed over: ${(err as Error).message}`);
      }
      try {
        fs.renameSync(tmp, path.join(dir, name));
      } catch (err) {
        throw new DeliveryError('unknown', `mail: rename into ${dir} failed: ${(err as Error).message}`);
      }
      return `250 written ${name}`;
    },
    async close() {},
    describe: () => `outbox folder ${dir}`,
  };
}
