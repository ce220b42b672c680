/**
 * `paperboy import FILE`: JSONL or JSONL.gz in the listing, bulk snapshot or Hugging Face daily format.
 */
import { formatImportSummary, importFile } from '../services/import.ts';
import type { Store } from '../store/index.ts';
import { createProgress } from './progress.ts';

export async function runImport(store: Store, files: string[], out: NodeJS.WriteStream): Promise<number> {
  if (files.length === 0) {
    out.write('usage: paperboy import FILE [FILE...]\n');
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
      for (const e of report.errorSamples) out.write(`${file}:${e.line}: ${e.message}\n`);
      if (report.errors > report.errorSamples.length) out.write(`${file}: ... and ${report.errors - report.errorSamples.length} more errors\n`);
      out.write(`${formatImportSummary(report)} file=${file}\n`);
      if (report.errors > 0) failed++;
    } catch (err) {
      progress.stop();
      out.write(`${(err as Error).message}\n`);
      return 1;
    }
  }
  return failed > 0 ? 1 : 0;
}
