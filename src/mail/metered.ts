/**
 * Mailers and transports that count what they hand over and what fails (/metrics).
 */
import { mailFailed, mailSent } from '../metrics.ts';
import type { Mailer } from './mailer.ts';
import { DeliveryError, type Transport } from './transport.ts';

/** One-off mail (confirmations, resets, notices) through `mailer`, counted. */
export function meteredMailer(mailer: Mailer): Mailer {
  return {
    async send(mail) {
      try {
        const id = await mailer.send(mail);
        mailSent.inc({ kind: 'notice' });
        return id;
      } catch (err) {
        mailFailed.inc({ kind: 'notice', reason: 'error' });
        throw err;
      }
    },
    describe: () => mailer.describe(),
  };
}

/** Digest mail through `transport`, counted by outcome (a refused commit is `aborted`, not sent). */
export function meteredTransport(transport: Transport): Transport {
  return {
    concurrency: transport.concurrency,
    async deliver(message, commit) {
      try {
        const answer = await transport.deliver(message, commit);
        mailSent.inc({ kind: 'digest' });
        return answer;
      } catch (err) {
        mailFailed.inc({ kind: 'digest', reason: err instanceof DeliveryError ? err.kind : 'error' });
        throw err;
      }
    },
    close: () => transport.close(),
    describe: () => transport.describe(),
  };
}
