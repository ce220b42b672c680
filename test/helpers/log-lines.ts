/**
 * A pino logger that keeps its lines, for tests that check what a server logs. `next` waits for a
 * line: it resolves when a matching line is written (or at once if one was), each line once.
 *
 * @example
 * const logs = logLines();
 * const server = await startServer(config, store, logs.logger);
 * const line = await logs.next((l) => l.level === ERROR_LEVEL && /not sent/.test(l.msg));
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export interface LogLine {
  level: number;
  msg: string;
  err?: { message?: string; type?: string };
  [key: string]: unknown;
}

/** pino's number for the error level. */
export const ERROR_LEVEL = 50;

export function logLines(level: pino.Level = 'info') {
  const lines: LogLine[] = [];
  const taken = new Set<LogLine>();
  const waiting: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        const w = waiting.find((x) => x.match(line));
        if (w) {
          waiting.splice(waiting.indexOf(w), 1);
          taken.add(line);
          w.resolve(line);
        }
      }
      done();
    },
  });
  const logger: Logger = pino({ level }, stream);
  return {
    logger,
    lines,
    /** The first line, written or to come, that `match` accepts and no earlier `next` returned. */
    next(match: (l: LogLine) => boolean): Promise<LogLine> {
      const found = lines.find((l) => !taken.has(l) && match(l));
      if (found) {
        taken.add(found);
        return Promise.resolve(found);
      }
      return new Promise<LogLine>((resolve) => waiting.push({ match, resolve }));
    },
  };
}
