/**
 * Structured logs (pino), one JSON object a line on stderr, so stdout stays for command output.
 */
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}

export type { Logger };
