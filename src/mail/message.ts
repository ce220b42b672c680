/**
 * A complete RFC 5322 message built ahead of sending (nodemailer's MailComposer): both parts,
 * the list headers, a Message-ID chosen by us (the same on a retry), a Date. Every value that
 * becomes a header is checked for line breaks first.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { assertHeaderSafe } from './mailer.ts';

export interface MessageInput {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Without angle brackets: `digest-12-2025-06-03@papers.example.org`. */
  messageId: string;
  date: Date;
  headers?: Record<string, string>;
}

export interface ComposedMessage {
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string };
}

/** The bare address of a `Name <address>` or `address` string; throws when there is none. */
export function addressOf(value: string): string {
  const parsed = addressparser(value, { flatten: true }) as { address?: string }[];
  const address = parsed[0]?.address;
  if (!address || parsed.length !== 1) throw new Error(`mail: "${value.slice(0, 80)}" is not one address`);
  return address;
}

export async function composeMessage(m: MessageInput): Promise<ComposedMessage> {
  assertHeaderSafe(m.from, 'from');
  assertHeaderSafe(m.to, 'to');
  assertHeaderSafe(m.subject, 'subject');
  assertHeaderSafe(m.messageId, 'message-id');
  for (const [k, v] of Object.entries(m.headers ?? {})) assertHeaderSafe(`${k}${v}`, `header ${k}`);
  const envelope = { from: addressOf(m.from), to: addressOf(m.to) };
  const node = new MailComposer({
    from: m.from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: `<${m.messageId}>`, date: m.date,
    headers: m.headers ?? {}, textEncoding: 'base64',
  }).compile();
  node.keepBcc = false;
  const raw = await new Promise<Buffer>((resolve, reject) => node.build((err, buf) => (err ? reject(err) : resolve(buf))));
  return { raw, messageId: m.messageId, envelope };
}
