/**
 * `paperboy ingest` as the command line runs it, in this process: the settings pointing at a replay
 * server of arXiv's answers, the store opened (migrated) only when the command needs it and closed
 * at the end, stdout and stderr kept apart and together.
 */
import { runIngest } from '../../src/cli/ingest.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { ReplayServer } from './replay-server.ts';
import { tempDir } from './store.ts';

/** Every arXiv archive: the instance follows them all, so no record is skipped for its category. */
export const ALL_ARCHIVES = ['nucl-ex', 'nucl-th', 'math-ph', 'math', 'gr-qc', 'astro-ph', 'quant-ph', 'hep-th', 'hep-ph', 'hep-ex', 'q-bio', 'physics', 'cond-mat', 'cs', 'stat', 'eess', 'q-fin', 'econ', 'nlin', 'hep-lat'];

/** The exit status, stdout, stderr, and both as they were written (`all`). */
export async function runIngestCommand(server: ReplayServer, databaseUrl: string, args: string[]): Promise<{ code: number; out: string; err: string; all: string }> {
  const config = loadConfig({
    LOG_LEVEL: 'silent', PAPERBOY_DATA_DIR: tempDir(), DATABASE_URL: databaseUrl, PAPERBOY_CATEGORIES: ALL_ARCHIVES.join(','),
    PAPERBOY_ARXIV_OAI_URL: `${server.url}/oai`, PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`, PAPERBOY_ARXIV_RSS_URL: `${server.url}/rss`,
    PAPERBOY_ARXIV_MIN_INTERVAL_MS: '0', PAPERBOY_ARXIV_MAX_RETRIES: '0',
  });
  const text = { out: '', err: '', all: '' };
  const sink = (stream: 'out' | 'err') => ({ write: (s: string) => { text[stream] += s; text.all += s; return true; } }) as unknown as NodeJS.WritableStream;
  let opened: Store | null = null;
  const open = async () => {
    opened = await openStore(databaseUrl);
    await opened.migrate(new Date().toISOString());
    return opened;
  };
  try {
    const code = await runIngest(config, open, args, sink('out'), sink('err'));
    return { code, ...text };
  } finally {
    await (opened as Store | null)?.close();
  }
}
