/**
 * Importing JSON-lines files (optionally gzipped) into the store, in batches of one transaction
 * each. A malformed line is reported with its number and skipped; the rest goes on.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { importLineAdapter, ImportLineError, type ImportFormat } from '../import/formats.ts';
import { ByteCapError, capBytes } from '../import/byte-cap.ts';
import { splitLines } from '../import/lines.ts';
import type { DailyEntryRecord, PaperRecord } from '../domain/paper.ts';
import type { Store } from '../store/index.ts';
import { refreshKeywords } from './keywords.ts';
import { isInstanceHeader } from './instance-file.ts';

/** Lines per transaction: large enough to amortise the commit, small enough to report progress often. */
export const IMPORT_BATCH_LINES = 2_000;
/** A JSON line longer than this is not a paper record (the largest arXiv records are ~100 KB). */
export const MAX_LINE_BYTES = 1_000_000;
/**
 * Bytes of JSON lines read from one file at most, after gunzip: a gzip of a few MB can unpack to
 * tens of GB of short lines. The whole arXiv metadata snapshot (a few GB unpacked), the largest real
 * input, fits with room to spare; `paperboy import --max-unpacked SIZE` changes it.
 */
export const DEFAULT_MAX_UNPACKED_BYTES = 10_000_000_000;
/** How many line errors are kept for the report; all are counted. */
const MAX_REPORTED_ERRORS = 100;

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  lines: number;
}

export interface ImportReport {
  lines: number;
  new: number;
  updated: number;
  unchanged: number;
  listed: number;
  /** Announcements (New on arXiv: a paper on a day) added, to new and known papers alike: a known paper listed again is `unchanged` but announced. */
  announced: number;
  errors: number;
  formats: Partial<Record<ImportFormat, number>>;
  /** The first errors, each with its line number. */
  errorSamples: { line: number; message: string }[];
  /** Upvotes reported by the source per paper (Hugging Face rows), for demo seeding. */
  reportedUpvotes: Map<string, number>;
  /** Papers whose keywords were computed after the import. */
  keywords: number;
  ms: number;
  /**
   * Set when the file unpacked to more than the cap (ImportOptions.maxUnpackedBytes): reading
   * stopped there, the whole lines before it were imported, the rest of the file was not read.
   * `plainBytes` is the file's size when it is not compressed (its unpacked size).
   */
  stoppedAtCap: { maxBytes: number; plainBytes: number | null } | null;
  /**
   * Set when ImportOptions.signal stopped the import: the lines read until then were imported (each
   * batch is committed on its own); the rest of the file was not read, and keywords were not computed.
   * A stop after the last line, while keywords are computed, sets `keywordsStopped` too.
   */
  interrupted: boolean;
  /**
   * Set when the signal stopped the keywords phase: every line was imported; keywords of `done` of
   * the `due` papers were computed and are kept, the rest get theirs from the next import, ingest
   * run or `paperboy keywords`.
   */
  keywordsStopped: { done: number; due: number } | null;
}

export interface ImportOptions {
  now: () => string;
  onProgress?: (p: ImportProgress) => void;
  /** Keywords of the new and changed papers, computed after the last line: papers done of total. */
  onKeywordsProgress?: (done: number, total: number) => void;
  /** Stop after this many lines (demo slices, tests). */
  maxLines?: number;
  /** Bytes read from the file at most, after gunzip (default DEFAULT_MAX_UNPACKED_BYTES). */
  maxUnpackedBytes?: number;
  /** Stops the import after the line being read (Ctrl-C): see ImportReport.interrupted. */
  signal?: AbortSignal;
}

/**
 * The file is a whole instance written by `paperboy export`: it is read by `import --all`, not as
 * papers. Found on its first line, so nothing of it has been imported.
 */
export class InstanceExportFileError extends Error {
  constructor(readonly file: string) {
    super(`import: ${file} is a whole-instance export (written by paperboy export), not a file of papers; nothing was imported`);
  }
}

/** Imports a JSONL or JSONL.gz file in the listing, snapshot or Hugging Face daily format. */
export async function importFile(store: Store, file: string, opts: ImportOptions): Promise<ImportReport> {
  const started = Date.now();
  const maxUnpacked = opts.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES;
  if (!Number.isSafeInteger(maxUnpacked) || maxUnpacked < 1) throw new Error(`import: the cap on unpacked bytes must be a whole number above 0, not ${maxUnpacked}`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new Error(`import: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!stat.isFile()) throw new Error(`import: ${file} is not a file`);

  const raw = fs.createReadStream(file);
  const gz = await isGzip(file);
  const input = gz ? raw.pipe(zlib.createGunzip()) : raw;
  // Split here rather than with readline: readline builds a whole line before anyone can check its
  // length, and one line of a few hundred MB (from a small gzip) exhausts memory or V8's string limit.
  const lines = splitLines(capBytes(input, maxUnpacked), MAX_LINE_BYTES);

  const report: ImportReport = {
    lines: 0, new: 0, updated: 0, unchanged: 0, listed: 0, announced: 0, errors: 0, formats: {}, errorSamples: [], reportedUpvotes: new Map(), keywords: 0, ms: 0, stoppedAtCap: null, interrupted: false, keywordsStopped: null,
  };
  // Dates are checked against the clock as the file begins: a date more than two days past it is refused.
  const adaptImportLine = importLineAdapter(opts.now());
  const fail = (line: number, message: string) => {
    report.errors++;
    if (report.errorSamples.length < MAX_REPORTED_ERRORS) report.errorSamples.push({ line, message });
  };
  let records: PaperRecord[] = [];
  let partial: PaperRecord[] = [];
  let entries: DailyEntryRecord[] = [];
  // A batch keeps the last record of an id; a paper met again in the same batch (files joined
  // together) first sends the batch, so that each line is applied in order and counted as new,
  // updated or unchanged, as it would be in a file of its own.
  let batchIds = new Set<string>();
  const flush = async () => {
    if (records.length + partial.length + entries.length === 0) return;
    const counts = await store.importBatch({ records, partialRecords: partial, entries }, opts.now());
    report.new += counts.new;
    report.updated += counts.updated;
    report.unchanged += counts.unchanged;
    report.listed += counts.listed;
    report.announced += counts.announced;
    records = []; partial = []; entries = []; batchIds = new Set();
    opts.onProgress?.({ bytesRead: raw.bytesRead, totalBytes: stat.size, lines: report.lines });
  };

  let inputError: Error | null = null;
  let instanceExport = false;
  input.on('error', (err: Error) => { inputError = err; });
  try {
    for await (const split of lines) {
      if (opts.signal?.aborted) { report.interrupted = true; break; }
      report.lines++;
      const n = report.lines;
      if (opts.maxLines !== undefined && n > opts.maxLines) { report.lines--; break; }
      if (split.tooLong) { fail(n, `line longer than ${MAX_LINE_BYTES} bytes (${split.bytes} bytes), skipped`); continue; }
      // A byte-order mark is not part of the first line's JSON (editors on Windows write one).
      const line = n === 1 ? split.text.replace(/^\uFEFF/, '') : split.text;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        fail(n, `not JSON: ${(err as Error).message}`);
        continue;
      }
      if (n === 1 && isInstanceHeader(value)) { instanceExport = true; break; }
      try {
        const imported = adaptImportLine(value);
        if (batchIds.has(imported.record.id)) await flush();
        batchIds.add(imported.record.id);
        report.formats[imported.format] = (report.formats[imported.format] ?? 0) + 1;
        (imported.format === 'hf-daily' ? partial : records).push(imported.record);
        if (imported.entry) entries.push(imported.entry);
        if (imported.upvotes !== null) {
          const id = imported.record.id;
          report.reportedUpvotes.set(id, Math.max(report.reportedUpvotes.get(id) ?? 0, imported.upvotes));
        }
      } catch (err) {
        if (!(err instanceof ImportLineError)) throw err;
        fail(n, err.message);
        continue;
      }
      if (records.length + partial.length >= IMPORT_BATCH_LINES) await flush();
    }
  } catch (err) {
    if (err instanceof ByteCapError) report.stoppedAtCap = { maxBytes: err.maxBytes, plainBytes: gz ? null : stat.size };
    else inputError = err as Error;
  }
  if (instanceExport) {
    raw.destroy();
    throw new InstanceExportFileError(file);
  }
  if (inputError) {
    // A truncated gzip or unreadable file: keep what was complete, report where it stopped.
    fail(report.lines + 1, `input ended early: ${(inputError as Error).message}`);
  }
  // The whole lines read are imported, also when reading stopped early or at the cap.
  await flush();
  raw.destroy();
  // Keywords of the new and changed papers, against the corpus as it now is (after a stop, by the
  // next import, ingest run or `paperboy keywords`).
  if (!report.interrupted) {
    const k = await refreshKeywords(store, { now: opts.now, onProgress: opts.onKeywordsProgress, signal: opts.signal });
    report.keywords = k.papers;
    if (k.interrupted) {
      report.interrupted = true;
      report.keywordsStopped = { done: k.papers, due: k.due ?? k.papers };
    }
  }
  report.ms = Date.now() - started;
  return report;
}

/** The first line of a `paperboy export` file. */
async function isGzip(file: string): Promise<boolean> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The summary line a job prints at the end. */
export function formatImportSummary(r: ImportReport): string {
  return `import done lines=${r.lines} new=${r.new} updated=${r.updated} unchanged=${r.unchanged} listed=${r.listed} announced=${r.announced} errors=${r.errors} ms=${r.ms}`;
}
