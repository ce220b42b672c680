/**
 * A real Paperboy server on a free port, with its own data folder.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { tempDatabaseUrl, tempDir } from './store.ts';
import { testStoreKind } from './postgres.ts';
import { demoCopy } from './demo-store.ts';

/**
 * With the demo on (the default), the server starts on a copy of the demo this test run imported
 * once (test/helpers/demo-store.ts); `emptyStore` makes it start on an empty store and import the
 * demo itself, as a first `paperboy serve` does.
 */
export async function startTestServer(env: Record<string, string> = {}, opts: { emptyStore?: boolean } = {}): Promise<{ server: Server; store: Store; dataDir: string }> {
  const dataDir = tempDir();
  const demo = opts.emptyStore ? null : await demoCopy(env, dataDir);
  const database = demo ?? (testStoreKind() === 'postgres' ? { DATABASE_URL: await tempDatabaseUrl() } : {});
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', PAPERBOY_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...database, ...env });
  const store = await openStore(config.databaseUrl);
  const server = await startServer(config, store, pino({ level: 'silent' }));
  return { server, store, dataDir };
}
