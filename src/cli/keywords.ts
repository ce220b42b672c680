/**
 * `paperboy keywords`: computes the keywords of papers that have none yet or changed since
 * (`--all`: of every paper, with corpus statistics counted afresh), with a progress bar on a
 * terminal. Ends with one line of counts. Imports and ingest runs do this by themselves; the
 * command is for existing stores and after large changes.
 */
import { parseArgs } from 'node:util';
import { refreshKeywords } from '../services/keywords.ts';
import type { Store } from '../store/index.ts';
import { createProgress } from './progress.ts';

export const KEYWORDS_USAGE = `usage: paperboy keywords [--all]

Computes keywords for papers that have none yet or changed since; --all recomputes every paper.
`;

/** `paperboy keywords`'s arguments, or the exit code after the usage (0) or the problem and the usage (2). Needs no store. */
export function parseKeywordsArgs(args: string[], out: { write(s: string): unknown }, err: { write(s: string): unknown }): { all: boolean } | number {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    err.write(`keywords: ${(e as Error).message}\n\n${KEYWORDS_USAGE}`);
    return 2;
  }
  if (parsed.values.help) { out.write(KEYWORDS_USAGE); return 0; }
  return { all: parsed.values.all ?? false };
}

/** `paperboy keywords ARGS...` on `store`: the arguments checked, then {@link keywordsWith}. */
export async function runKeywords(
  store: Store, args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const parsed = parseKeywordsArgs(args, out, err);
  return typeof parsed === 'number' ? parsed : keywordsWith(store, parsed, out);
}

/** Computes the keywords of papers that need them (every paper with `all`), with a progress bar. */
export async function keywordsWith(store: Store, parsed: { all: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const progress = createProgress('keywords');
  const r = await refreshKeywords(store, {
    now: () => new Date().toISOString(),
    all: parsed.all,
    onProgress: (done, total) => progress.update(done, total, `${done}/${total} papers`),
  });
  progress.stop();
  out.write(`keywords done papers=${r.papers} keywords=${r.keywords} corpus=${r.corpus} ms=${r.ms}\n`);
  return 0;
}
