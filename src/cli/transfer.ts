/**
 * `paperboy export FILE` and `paperboy import --all FILE [--replace]`: a whole instance to one
 * file and back, with a progress bar on a terminal and one summary line.
 */
import { parseArgs } from 'node:util';
import type { Store } from '../store/index.ts';
import { exportInstance, formatTransferSummary, importInstance, TransferError } from '../services/instance-file.ts';
import { createProgress } from './progress.ts';

export const EXPORT_USAGE = 'usage: paperboy export FILE            (a whole instance to one .jsonl.gz file)\n';
export const IMPORT_ALL_USAGE = 'usage: paperboy import --all FILE [--replace]   (--replace deletes what the store holds first)\n';

interface Out { write(s: string): unknown }

/**
 * `openStore` is called only once the arguments are known to be usable: a mistyped command touches
 * no database. It answers null when there is no store to export (having said why): exit 1.
 */
export async function runExport(openStore: () => Promise<Store | null>, args: string[], out: Out, err: Out = out): Promise<number> {
  let positionals: string[];
  try {
    let help: boolean | undefined;
    ({ positionals, values: { help } } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } }));
    if (help) { out.write(EXPORT_USAGE); return 0; }
  } catch (e) {
    err.write(`export: ${(e as Error).message}\n${EXPORT_USAGE}`);
    return 2;
  }
  if (positionals.length !== 1) { err.write(`export: ${positionals.length === 0 ? 'name the FILE to write' : `takes one FILE (got ${positionals.length} arguments)`}\n${EXPORT_USAGE}`); return 2; }
  const store = await openStore();
  if (!store) return 1;
  const progress = createProgress('export');
  try {
    const report = await exportInstance(store, positionals[0]!, {
      now: new Date().toISOString(),
      onProgress: (p) => progress.update(p.done, p.total, p.table),
    });
    progress.stop();
    out.write(`${formatTransferSummary('export', report)}\n`);
    return 0;
  } catch (e) {
    progress.stop();
    if (e instanceof TransferError) { err.write(`${e.message}\n`); return 1; }
    throw e;
  }
}

/** `openStore` is called only once the arguments are known to be usable. */
export async function runImportAll(openStore: () => Promise<Store>, args: string[], out: Out, err: Out = out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { all: { type: 'boolean' }, replace: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    err.write(`import: ${(e as Error).message}\n${IMPORT_ALL_USAGE}`);
    return 2;
  }
  if (parsed.values.help) { out.write(IMPORT_ALL_USAGE); return 0; }
  if (parsed.positionals.length !== 1) { err.write(`import: ${parsed.positionals.length === 0 ? '--all needs the FILE to read' : `--all reads one FILE (got ${parsed.positionals.length} arguments)`}\n${IMPORT_ALL_USAGE}`); return 2; }
  const store = await openStore();
  const progress = createProgress('import');
  try {
    const report = await importInstance(store, parsed.positionals[0]!, {
      replace: parsed.values.replace === true,
      onProgress: (p) => progress.update(p.done, p.total, p.table),
    });
    progress.stop();
    out.write(`${formatTransferSummary('import', report)}\n`);
    return 0;
  } catch (e) {
    progress.stop();
    if (e instanceof TransferError) { err.write(`${e.message}; nothing was imported\n`); return 1; }
    throw e;
  }
}
