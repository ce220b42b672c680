/**
 * A real SMTP server (npm smtp-server) on 127.0.0.1 for tests: it keeps every message it accepts
 * and can answer like a real relay that says no: a permanent or temporary refusal of a recipient,
 * a temporary refusal after the data, or a connection dropped after the end of data with no
 * answer at all. It can also hold messages unanswered after their data, as a slow relay does, and
 * close connections as a server with an idle timeout does.
 *
 * @example
 * const sink = await startSmtpSink();
 * sink.rejectRecipient('gone@example.org', 550, 'No such user');
 * // ... send to 127.0.0.1:sink.port ...
 * const [mail] = await sink.parsed();
 * await sink.close();
 */
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** How long `hold` keeps a message when nobody lets it through: only so that a client waiting on it is not stuck for good. */
const GIVE_UP_MS = 15_000;

export interface SinkMessage {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface SmtpSink {
  port: number;
  messages: SinkMessage[];
  /** Refuse RCPT TO for this address with `code` (5xx permanent, 4xx temporary) every time. */
  rejectRecipient(address: string, code: number, text: string): void;
  /** Answer the next `times` messages to this address with `code` after their data. */
  failData(address: string, code: number, times: number): void;
  /** Take the next message to this address, then drop the connection without answering. */
  dropAfterData(address: string): void;
  /**
   * Hold every message to this address after its data, unanswered and not yet in `messages`, until
   * `release()`; or, so that a client waiting for the answer is not stuck, until `giveUpMs` (by
   * default GIVE_UP_MS) passed.
   */
  hold(address: string, giveUpMs?: number): { release(): void };
  /**
   * Answer the next MAIL FROM on a connection that already carried a message (or, with
   * `reusedOnly` false, on any) with 421 and close the connection: a server whose idle timeout
   * crossed the client's next command.
   */
  hangUpOnNextMail(reusedOnly?: boolean): void;
  /** Connections opened so far. */
  connections(): number;
  /** Resolves once more than `after` messages to this address have been accepted (at once if they were). */
  arrival(address: string, after?: number): Promise<void>;
  /** Messages parsed by mailparser, in arrival order. */
  parsed(): Promise<(ParsedMail & { envelopeTo: string[] })[]>;
  /** Messages to an address. */
  to(address: string): SinkMessage[];
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Close a connection idle this long, ms, with `421 Timeout` (smtp-server's socketTimeout; default an hour). */
  idleTimeoutMs?: number;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const rejected = new Map<string, { code: number; text: string }>();
  const dataFaults = new Map<string, { code: number; times: number }>();
  const drops = new Set<string>();
  const holds = new Map<string, Promise<void>>();
  let hangUp: { reusedOnly: boolean } | null = null;
  let opened = 0;
  const waiting: Array<{ address: string; after: number; resolve: () => void }> = [];
  const countTo = (address: string) => messages.filter((m) => m.to.includes(address)).length;
  const accept = (m: SinkMessage) => {
    messages.push(m);
    for (const w of waiting.filter((x) => countTo(x.address) > x.after)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  const server: SMTPServer = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: 10 * 1024 * 1024,
    closeTimeout: 200,
    ...(options.idleTimeoutMs ? { socketTimeout: options.idleTimeoutMs } : {}),
    onConnect(_session, callback) {
      opened++;
      callback();
    },
    onMailFrom(_address, session, callback) {
      if (!hangUp || (hangUp.reusedOnly && session.transaction < 2)) return callback();
      hangUp = null;
      callback(Object.assign(new Error('Timeout - closing connection'), { responseCode: 421 }));
      setImmediate(() => socketOf(session.id)?.end());
    },
    onRcptTo(address, _session, callback) {
      const r = rejected.get(address.address.toLowerCase());
      if (r) {
        const err = Object.assign(new Error(r.text), { responseCode: r.code });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((a) => a.address.toLowerCase());
        const raw = Buffer.concat(chunks);
        const drop = to.find((a) => drops.has(a));
        if (drop) {
          drops.delete(drop);
          messages.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to, raw });
          socketOf(session.id)?.destroy();
          return;
        }
        const fault = to.map((a) => [a, dataFaults.get(a)] as const).find(([, f]) => f && f.times > 0);
        if (fault) {
          fault[1]!.times--;
          return callback(Object.assign(new Error('Try again later'), { responseCode: fault[1]!.code }));
        }
        const held = to.map((a) => holds.get(a)).find((h) => h !== undefined) ?? Promise.resolve();
        void held.then(() => {
          accept({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to, raw });
          callback();
        });
      });
    },
  });
  const socketOf = (id: string) => [...((server as unknown as { connections: Set<{ id: string; _socket: Socket }> }).connections)].find((c) => c.id === id)?._socket;
  server.on('error', () => { /* a client that vanished mid-session */ });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
  return {
    port,
    messages,
    rejectRecipient: (address, code, text) => { rejected.set(address.toLowerCase(), { code, text }); },
    failData: (address, code, times) => { dataFaults.set(address.toLowerCase(), { code, times }); },
    dropAfterData: (address) => { drops.add(address.toLowerCase()); },
    hold(address, giveUpMs = GIVE_UP_MS) {
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, giveUpMs);
        release = () => { clearTimeout(timer); resolve(); };
      });
      holds.set(address.toLowerCase(), released);
      return { release };
    },
    hangUpOnNextMail: (reusedOnly = true) => { hangUp = { reusedOnly }; },
    connections: () => opened,
    arrival: (address, after = 0) => new Promise<void>((resolve) => {
      if (countTo(address.toLowerCase()) > after) resolve();
      else waiting.push({ address: address.toLowerCase(), after, resolve });
    }),
    async parsed() {
      return Promise.all(messages.map(async (m) => Object.assign(await simpleParser(m.raw), { envelopeTo: m.to })));
    },
    to: (address) => messages.filter((m) => m.to.includes(address.toLowerCase())),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
