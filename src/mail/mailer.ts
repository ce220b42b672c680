/**
 * Sending mail: through SMTP (nodemailer) when configured, otherwise into an outbox folder as
 * .eml files (shown on the admin outbox page), so nothing needs a mail relay to try the product.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Hands the message over; resolves with its Message-ID. Rejects with the transport's error. */
  send(mail: OutgoingMail): Promise<string>;
  describe(): string;
}

/** CR or LF in anything that becomes a header would let input add headers of its own. */
export function assertHeaderSafe(value: string, field: string): void {
  if (/[\r\n]/.test(value)) throw new Error(`mail: ${field} contains a line break`);
}

function checked(mail: OutgoingMail): OutgoingMail {
  assertHeaderSafe(mail.to, 'to');
  assertHeaderSafe(mail.subject, 'subject');
  for (const [k, v] of Object.entries(mail.headers ?? {})) assertHeaderSafe(`${k}${v}`, `header ${k}`);
  return mail;
}

/** Writes each message as a complete RFC 5322 file in `dir` (newest sorts last). */
export function outboxMailer(dir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let seq = 0;
  return {
    async send(mail) {
      const m = checked(mail);
      const info = await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers });
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 }); // mail holds sign-in and reset links: owner-only
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${String(seq++).padStart(4, '0')}.eml`;
      const tmp = path.join(dir, `.${name}.tmp`);
      fs.writeFileSync(tmp, info.message as Buffer, { mode: 0o600 });
      fs.renameSync(tmp, path.join(dir, name)); // readers never see half a message
      return info.messageId;
    },
    describe: () => `outbox folder ${dir}`,
  };
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
}

/** How long the mailer waits for the server, ms: to connect, for its greeting, and for any answer. */
export interface SmtpTimeouts {
  connectionMs: number;
  greetingMs: number;
  socketMs: number;
}
export const SMTP_TIMEOUTS: SmtpTimeouts = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 30_000 };

/** Mail through an SMTP server; `timeouts` replace some of SMTP_TIMEOUTS (tests that wait them out). */
export function smtpMailer(settings: SmtpSettings, from: string, timeouts: Partial<SmtpTimeouts> = {}): Mailer {
  const t = { ...SMTP_TIMEOUTS, ...timeouts };
  const transport = nodemailer.createTransport({
    host: settings.host, port: settings.port, secure: settings.secure,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
    connectionTimeout: t.connectionMs, greetingTimeout: t.greetingMs, socketTimeout: t.socketMs,
  });
  return {
    async send(mail) {
      const m = checked(mail);
      const info = await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers });
      return info.messageId;
    },
    describe: () => `SMTP ${settings.host}:${settings.port}`,
  };
}

export interface OutboxMessage {
  file: string;
  to: string;
  subject: string;
  date: string;
  text: string;
}

/** What stands in for a link's secret on the admin outbox page. */
export const MASKED_SECRET = '[hidden]';

/**
 * A message's text as any admin may read it on the outbox page: the secret of every link that acts
 * for its recipient is replaced with MASKED_SECRET. Every such link the product sends (password
 * reset, address confirmation, subscription confirm, manage, unsubscribe and web-view links) carries
 * its secret in a `token` query parameter; the value runs to the next character that cannot be part
 * of it in a URL. The file on disk keeps the link, for whoever runs the server.
 *
 * @example maskLinkSecrets('https://x.org/account/reset?token=abc') // 'https://x.org/account/reset?token=[hidden]'
 */
export function maskLinkSecrets(text: string): string {
  return text.replace(/([?&](?:amp;)?token=)[^\s&#<>"'()[\]]+/gi, `$1${MASKED_SECRET}`);
}

/** The newest messages of an outbox folder, parsed (mailparser), for the admin page and tests. */
export async function readOutbox(dir: string, limit: number): Promise<OutboxMessage[]> {
  if (!fs.existsSync(dir)) return [];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().reverse().slice(0, limit);
  // Imported here, not with the mailer: mailparser and its decoders are about 100 modules that only this reader needs.
  const { simpleParser } = await import('mailparser');
  return Promise.all(files.map(async (file) => {
    const parsed = await simpleParser(fs.readFileSync(path.join(dir, file)));
    const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : parsed.to?.text ?? '';
    return { file, to, subject: parsed.subject ?? '', date: parsed.date?.toISOString() ?? '', text: parsed.text ?? '' };
  }));
}
