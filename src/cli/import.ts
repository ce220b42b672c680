/**
 * `paperboy import FILE`: JSONL or JSONL.gz in the listing, bulk snapshot or Hugging Face daily format.
 * The summary line goes to stdout; the bad lines (`FILE:LINE: reason`, the first 100 of each file,
 * then a count of the rest) and other problems go to stderr.
 */
import { ownEntry } from '../domain/lookup.ts';
import { DEFAULT_MAX_UNPACKED_BYTES, formatImportSummary, importFile, IMPORT_BATCH_LINES, InstanceExportFileError } from '../services/import.ts';
import type { Store } from '../store/index.ts';
import { parseCommand } from './args.ts';
import { EXIT_INTERRUPTED } from './ingest.ts';
import { createProgress, type Progress } from './progress.ts';

export const IMPORT_USAGE = `usage: paperboy import FILE [FILE...] [--max-unpacked SIZE]  (JSONL or JSONL.gz: arXiv listings, bulk snapshot, Hugging Face daily)
       paperboy import --all FILE [--replace]  (a whole instance written by paperboy export)
  --max-unpacked SIZE  stop reading a file after SIZE bytes of JSON lines, counted after gunzip
                       (default 10GB). SIZE: bytes, or a number with KB, MB, GB, TB (powers of
                       1,000) or KiB, MiB, GiB, TiB (powers of 1,024): 500MB, 1.5GB, 20GB.
`;

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** A size as people write it ("500MB", "1.5 GiB", "2000000") in bytes, or null when it is not one or not above 0. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = ownEntry(SIZE_UNITS, (m[2] || 'b').toLowerCase());
  if (unit === undefined) return null;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : null;
}

/** Readable bytes for messages: "1,000,000 bytes (1 MB)". */
function bytesText(n: number): string {
  const units: [number, string][] = [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'KB']];
  const unit = units.find(([size]) => n >= size);
  const short = unit ? ` (${Number((n / unit[0]).toFixed(2))} ${unit[1]})` : '';
  return `${n.toLocaleString('en-US')} bytes${short}`;
}

/** A --max-unpacked value of at least `n` bytes, rounded up to whole GB, MB or KB: "20GB". */
function sizeFlag(n: number): string {
  return n >= 1e9 ? `${Math.ceil(n / 1e9)}GB` : n >= 1e6 ? `${Math.ceil(n / 1e6)}MB` : n >= 1e3 ? `${Math.ceil(n / 1e3)}KB` : String(n);
}

/** A path as one shell word: quoted unless it is plain ("my data;x.gz" -> 'my data;x.gz'). */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command to import a capped file again: with its size when it is not compressed, else a guess that says so. */
function suggestedCap(file: string, cap: { maxBytes: number; plainBytes: number | null }): string {
  return cap.plainBytes !== null
    ? `which is ${bytesText(cap.plainBytes)}: paperboy import --max-unpacked ${sizeFlag(cap.plainBytes)} ${shellWord(file)}`
    : `which a compressed file does not tell; for example twice the cap: paperboy import --max-unpacked ${sizeFlag(2 * cap.maxBytes)} ${shellWord(file)}`;
}

export interface ImportArgs {
  files: string[];
  maxUnpackedBytes: number;
}

/** `paperboy import`'s arguments (not `--all`): the files and the cap; or the exit code (2) after saying what is wrong. */
export function parseImportArgs(args: string[], out: Out, err: Out): ImportArgs | number {
  const parsed = parseCommand('import', args, { 'max-unpacked': { type: 'string' } }, IMPORT_USAGE, { positionals: [1, Infinity] }, out, err);
  if (typeof parsed === 'number') return parsed;
  const raw = parsed.values['max-unpacked'];
  let maxUnpackedBytes = DEFAULT_MAX_UNPACKED_BYTES;
  if (raw !== undefined) {
    const size = parseSize(String(raw));
    if (size === null) {
      err.write(`import: --max-unpacked: expected a size above 0 such as 500MB, 20GB or 2000000 (bytes), got "${String(raw).slice(0, 40)}"\n${IMPORT_USAGE}`);
      return 2;
    }
    maxUnpackedBytes = size;
  }
  return { files: parsed.positionals, maxUnpackedBytes };
}

interface Out { write(s: string): unknown }

export async function runImport(
  store: Store, files: string[], out: Out, err: Out = process.stderr, opts: { maxUnpackedBytes?: number } = {},
): Promise<number> {
  if (files.length === 0) {
    err.write(IMPORT_USAGE);
    return 2;
  }
  let failed = 0;
  // Ctrl-C or SIGTERM stops after the line being read: what was read is committed, the summary says
  // so. A second one stops at once (the bars put the terminal's cursor back first).
  const stop = new AbortController();
  let bars: Progress[] = [];
  const onSignal = () => {
    if (!stop.signal.aborted) { stop.abort(); return; }
    for (const bar of bars) bar.stop();
    process.exit(EXIT_INTERRUPTED);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const [i, file] of files.entries()) {
      const status = await importOne(store, file, out, err, { maxUnpackedBytes: opts.maxUnpackedBytes, signal: stop.signal, bars: (b) => { bars = b; } });
      if (status === 'fatal') return 1;
      if (status === 'failed') failed++;
      const stoppedInFile = stop.signal.aborted; // its summary said what was left undone
      // A signal that came during the file's last stretch of work is heard here, not lost: the files
      // after it are not read. After the last one nothing is left undone, and the summary stands.
      if (!stoppedInFile) await new Promise((resolve) => setImmediate(resolve));
      const left = files.slice(i + 1);
      if (stoppedInFile && left.length === 0) return EXIT_INTERRUPTED;
      if (stop.signal.aborted && left.length > 0) {
        err.write(`import: interrupted: these files were not read: ${left.map(shellWord).join(' ')}\n`);
        return EXIT_INTERRUPTED;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return failed > 0 ? 1 : 0;
}

/** One file of `paperboy import`: its bad lines and notes on stderr, its summary on stdout. */
async function importOne(
  store: Store, file: string, out: Out, err: Out, opts: { maxUnpackedBytes?: number; signal: AbortSignal; bars: (bars: Progress[]) => void },
): Promise<'ok' | 'failed' | 'fatal'> {
  const progress = createProgress(`import ${file}`);
  const keywords = createProgress('keywords');
  opts.bars([progress, keywords]);
  try {
    const report = await importFile(store, file, {
      now: () => new Date().toISOString(),
      onProgress: (p) => progress.update(p.bytesRead, p.totalBytes, `${p.lines} lines`),
      onKeywordsProgress: (done, total) => {
        progress.stop();
        keywords.update(done, total, `${done}/${total} papers`);
      },
      maxUnpackedBytes: opts.maxUnpackedBytes,
      signal: opts.signal,
    });
    progress.stop();
    keywords.stop();
    for (const e of report.errorSamples) err.write(`${file}:${e.line}: ${e.message}\n`);
    if (report.errors > report.errorSamples.length) err.write(`${file}: ... and ${report.errors - report.errorSamples.length} more bad lines (the first ${report.errorSamples.length} are listed)\n`);
    if (report.stoppedAtCap) {
      const cap = report.stoppedAtCap;
      err.write(`${file}: stopped reading at the cap on unpacked size (--max-unpacked), ${bytesText(cap.maxBytes)}: the file unpacks to more. `
        + `The ${report.lines} whole lines before the cap were imported as usual and are kept (each batch of ${IMPORT_BATCH_LINES} lines `
        + 'is committed on its own); the rest of the file was not read. To import the rest, import the file again with a cap above its '
        + `unpacked size (what is already imported stays as it is), ${suggestedCap(file, cap)}\n`);
    }
    if (report.keywordsStopped) {
      const k = report.keywordsStopped;
      err.write(`${file}: interrupted while computing keywords: all ${report.lines} lines were imported and are kept; keywords of ${k.done} of ${k.due} papers `
        + 'were computed and are kept, the others get theirs from the next import or ingest run, or from paperboy keywords.\n');
    } else if (report.interrupted) {
      err.write(`${file}: interrupted after line ${report.lines}: the lines read were imported and are kept; the rest of the file was not read, `
        + `and keywords were not computed. Import the file again to finish (what is already imported stays as it is).\n`);
    }
    const stopped = report.stoppedAtCap ? ' stopped=max-unpacked' : report.interrupted ? ' stopped=interrupted' : '';
    out.write(`${formatImportSummary(report)} file=${file}${stopped}\n`);
    return report.errors > 0 || report.stoppedAtCap ? 'failed' : 'ok';
  } catch (e) {
    progress.stop();
    keywords.stop();
    const message = (e as Error).message;
    // The store's own failures (a full disk, a read-only file) name neither the command nor the file.
    err.write(message.startsWith('import:') ? `${message}\n` : `import: ${file}: stopped: ${message}; the batches of ${IMPORT_BATCH_LINES} lines before it were committed and are kept\n`);
    if (e instanceof InstanceExportFileError) {
      err.write(`  read it with: paperboy import --all ${shellWord(file)}  (into an empty store; --replace first deletes what the store holds)\n`);
    }
    return 'fatal';
  }
}
