/**
 * The `paperboy` command: argv -> cli/*.
 *
 * Each command's module is loaded when that command runs (`await import`), so `paperboy stats` or
 * `paperboy ingest --help` does not load the web server, the search engine and the mailer first.
 */
import { ConfigError, loadConfig, settingWarnings, type Config } from './config.ts';
import type { Store } from './store/index.ts';
import { BACKUP_USAGE, exitQuietlyOnBrokenPipe, MIGRATE_USAGE, noDatabase, parseCommand, SERVE_USAGE, STATS_USAGE, wantsHelp } from './cli/args.ts';

const USAGE = `Paperboy: a self-hostable Daily Papers site.

usage: paperboy <command> [options]

commands:
  serve             start the web server (migrates, imports the demo corpus into an empty store)
  migrate           apply pending database migrations
  ingest ...        fetch papers from arXiv: --oai, --api or --rss (paperboy ingest --help)
  search "QUERY"    search papers (--json, --mode, --sort, --page, --limit)
  reindex           rebuild the search index (progress bar; --keyword-only)
  keywords          compute keywords of new and changed papers (progress bar; --all for every paper)
  eval-search DIR   search quality on a BEIR folder (nDCG@10 and R@100 per mode)
  digest ...        e-mail digests: send, status, unsubscribe-mail (paperboy digest --help)
  import FILE...    import JSONL or JSONL.gz files (arXiv listings, bulk snapshot, Hugging Face daily)
  export FILE       write the whole instance (papers, lists, users, votes, comments, ...) to one file
  import --all FILE read such a file into an empty store (--replace: into one that holds data)
  admin create-user create an account (the first admin): --username --email --role
  backup FILE       write a consistent copy of the database to FILE while the site runs
  stats             print counts of what the store holds
  help              this text

Settings come from environment variables: see docs/configuration.md.
`;

/** The store module (database drivers, migrations), loaded by the first command that needs it. */
async function openStore(url: string): Promise<Store> {
  return (await import('./store/index.ts')).openStore(url);
}

/**
 * For commands that check their own arguments: the store is opened (and migrated) the first time
 * `fn` asks for it, so a usage error neither creates nor migrates a database.
 */
async function withLazyStore<T>(config: Config, fn: (openStore: () => Promise<Store>) => Promise<T>): Promise<T> {
  let store: Store | null = null;
  const open = async (): Promise<Store> => {
    if (!store) {
      store = await openStore(config.databaseUrl);
      await store.migrate(new Date().toISOString());
    }
    return store;
  };
  try {
    return await fn(open);
  } finally {
    await (store as Store | null)?.close();
  }
}

/** The store, migrated, for the length of `fn`. */
function withMigratedStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  return withLazyStore(config, async (open) => fn(await open()));
}

async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config.databaseUrl);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  exitQuietlyOnBrokenPipe(process.stdout);
  if (!command) { process.stderr.write(`paperboy: name a command\n\n${USAGE}`); return 2; } // a usage error, like the others: stdout stays for data
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  let config: Config;
  // Warnings first: a misspelt name can be what makes the settings invalid, and its hint helps then too.
  for (const warning of settingWarnings()) process.stderr.write(`paperboy: warning: ${warning}\n`);
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) { process.stderr.write(`${err.message}\n`); return 2; }
    throw err;
  }
  switch (command) {
    case 'serve': {
      const args = parseCommand('serve', rest, {}, SERVE_USAGE, {}, process.stdout, process.stderr);
      if (typeof args === 'number') return args;
      const { listenProblem, startServer } = await import('./cli/serve.ts');
      // The logger (pino) is the server's: the other commands print their own lines, and start without it.
      const logger = (await import('./logger.ts')).createLogger(config.logLevel);
      // A port another process holds is found before the database is created, migrated or given the demo.
      const cannotListen = await listenProblem(config.host, config.port);
      if (cannotListen) { process.stderr.write(`paperboy: serve: cannot listen on ${config.host}:${config.port}: ${cannotListen}\n`); return 1; }
      const store = await openStore(config.databaseUrl);
      let server;
      try {
        server = await startServer(config, store, logger);
      } catch (err) {
        await store.close();
        throw err;
      }
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) {
          logger.warn({ signal }, 'second signal: stopping at once');
          process.exit(1);
        }
        stopping = true;
        logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: no new connections; requests and jobs in progress may finish');
        const report = await server.shutdown(config.shutdownTimeoutMs);
        await store.close();
        logger.info(report, `shutdown done forced_connections=${report.forcedConnections} abandoned_jobs=${report.abandonedJobs.length} ms=${report.ms}`);
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      return new Promise<number>(() => {}); // runs until a signal
    }
    case 'migrate': {
      const args = parseCommand('migrate', rest, {}, MIGRATE_USAGE, {}, process.stdout, process.stderr);
      if (typeof args === 'number') return args;
      return withStore(config, async (store) => {
        const applied = await store.migrate(new Date().toISOString());
        const status = await store.schemaStatus();
        process.stdout.write(`migrate done applied=${applied.length} version=${status.current}${applied.length ? ` (${applied.join(', ')})` : ''}\n`);
        return 0;
      });
    }
    case 'export': {
      const { EXPORT_USAGE, runExport } = await import('./cli/transfer.ts');
      if (wantsHelp(rest)) { process.stdout.write(EXPORT_USAGE); return 0; }
      // runExport checks its arguments before it asks for the store: a usage error is exit 2 here too.
      return withLazyStore(config, (open) => runExport(
        async () => (noDatabase('export', config.databaseUrl, process.stderr) ? null : open()),
        rest, process.stdout, process.stderr,
      ));
    }
    case 'import': {
      if (rest.includes('--all')) {
        const { runImportAll } = await import('./cli/transfer.ts');
        return withLazyStore(config, (open) => runImportAll(open, rest, process.stdout, process.stderr));
      }
      const { parseImportArgs, runImport } = await import('./cli/import.ts');
      const args = parseImportArgs(rest, process.stdout, process.stderr);
      if (typeof args === 'number') return args;
      return withMigratedStore(config, async (store) => {
        return runImport(store, args.files, process.stdout, process.stderr, { maxUnpackedBytes: args.maxUnpackedBytes });
      });
    }
    case 'ingest': {
      const { INGEST_USAGE, runIngest } = await import('./cli/ingest.ts');
      if (wantsHelp(rest)) { process.stdout.write(INGEST_USAGE); return 0; }
      return withLazyStore(config, (open) => runIngest(config, open, rest, process.stdout, process.stderr));
    }
    case 'admin': {
      const { ADMIN_USAGE, runAdmin } = await import('./cli/admin.ts');
      if (wantsHelp(rest)) { process.stdout.write(ADMIN_USAGE); return 0; }
      return withLazyStore(config, (open) => runAdmin(open, rest, process.stdout, process.stderr, process.env));
    }
    case 'backup': {
      const args = parseCommand('backup', rest, {}, BACKUP_USAGE, { positionals: [1, 1] }, process.stdout, process.stderr);
      if (typeof args === 'number') return args;
      const file = args.positionals[0]!;
      if (noDatabase('backup', config.databaseUrl, process.stderr)) return 1;
      return withStore(config, async (store) => {
        const started = Date.now();
        const { bytes } = await store.backup(file);
        process.stdout.write(`backup done file=${file} bytes=${bytes} ms=${Date.now() - started}\n`);
        return 0;
      });
    }
    case 'search': {
      const { parseSearchArgs, searchWith } = await import('./cli/search.ts');
      const args = parseSearchArgs(rest, process.stdout, process.stderr);
      if (typeof args === 'number') return args;
      if (noDatabase('search', config.databaseUrl, process.stderr)) return 1;
      return withMigratedStore(config, (store) => searchWith(store, args, process.stdout, process.stderr, config));
    }
    case 'reindex': {
      const { parseReindexArgs, reindexWith } = await import('./cli/reindex.ts');
      const args = parseReindexArgs(rest, process.stdout, process.stderr);
      if (typeof args === 'number') return args;
      if (noDatabase('reindex', config.databaseUrl, process.stderr)) return 1;
      return withMigratedStore(config, (store) => reindexWith(store, args, process.stdout, process.stderr, config));
    }
    case 'keywords': {
      const { keywordsWith, parseKeywordsArgs } = await import('./cli/keywords.ts');
      const args = parseKeywordsArgs(rest, process.stdout, process.stderr);
      if (typeof args === 'number') return args;
      if (noDatabase('keywords', config.databaseUrl, process.stderr)) return 1;
      return withMigratedStore(config, (store) => keywordsWith(store, args, process.stdout));
    }
    case 'eval-search': {
      const { runEvalSearch } = await import('./cli/eval-search.ts');
      return runEvalSearch(rest, process.stdout, process.stderr, config.databaseUrl, config.embedder);
    }
    case 'digest': {
      const { DIGEST_USAGE, digestUsageError, runDigestCli } = await import('./cli/digest.ts');
      if (wantsHelp(rest)) { process.stdout.write(DIGEST_USAGE); return 0; }
      const usageError = digestUsageError(rest, config.digest, () => Date.now(), process.stderr);
      if (usageError !== null) return usageError;
      // Nothing to send, count or unsubscribe without a database: a mistyped path must not create one.
      if (noDatabase('digest', config.databaseUrl, process.stderr)) return 1;
      return withMigratedStore(config, async (store) => {
        return runDigestCli(config, config.digest, store, rest, process.stdout);
      });
    }
    case 'stats': {
      const args = parseCommand('stats', rest, {}, STATS_USAGE, {}, process.stdout, process.stderr);
      if (typeof args === 'number') return args;
      if (noDatabase('stats', config.databaseUrl, process.stderr)) return 1;
      return withMigratedStore(config, async (store) => {
        const s = await store.stats();
        process.stdout.write(Object.entries(s).map(([k, v]) => `${k}=${v ?? '-'}`).join(' ') + '\n');
        return 0;
      });
    }
    default:
      process.stderr.write(`paperboy: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: Error) => {
    process.stderr.write(`paperboy: ${err.message}\n`);
    process.exitCode = 1;
  },
);
