/**
 * `paperboy import FILE`: JSONL or JSONL.gz in the listing, bulk snapshot or Hugging Face daily format.
 * The summary line goes to stdout; the bad lines (`FILE:LINE: reason`, the first 100 of each file,
 * then a count of the rest) and other problems go to stderr.
 */
import { formatImportSummary, importFile } from '../services/import.ts';
import type { Store } from '../store/index.ts';
import { createProgress } from './progress.ts';

export const IMPORT_USAGE = `usage: paperboy import FILE [FILE...]        (JSONL or JSONL.gz: arXiv listings, bulk snapshot, Hugging Face daily)
       paperboy import --all FILE [--replace]  (a whole instance written by paperboy export)
`;

interface Out { write(s: string): unknown }

export async function runImport(store: Store, files: string[], out: Out, err: Out = process.stderr): Promise<number> {
  if (files.length === 0) {
    err.write(IMPORT_USAGE);
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const progress = createProgress(`import ${file}`);
    try {
      const report = await importFile(store, file, {
        now: () => new Date().toISOString(),
        onProgress: (p) => progress.update(p.bytesRead, p.totalBytes, `${p.lines} lines`),
      });
      progress.stop();
      for (const e of report.errorSamples) err.write(`${file}:${e.line}: ${e.message}\n`);
      if (report.errors > report.errorSamples.length) err.write(`${file}: ... and ${report.errors - report.errorSamples.length} more bad lines (the first ${report.errorSamples.length} are listed)\n`);
      out.write(`${formatImportSummary(report)} file=${file}\n`);
      if (report.errors > 0) failed++;
    } catch (e) {
      progress.stop();
      err.write(`${(e as Error).message}\n`);
      return 1;
    }
  }
  return failed > 0 ? 1 : 0;
}
