/**
 * A whole instance in one portable file, and back: `paperboy export FILE` and
 * `paperboy import --all FILE`. The file is gzipped JSON lines:
 *
 *   {"format":"paperboy-instance","version":1,"schema":5,"exportedAt":"...","source":"sqlite","tables":{"users":2,...},"rows":N}
 *   {"table":"users","columns":["id","username",...],"rows":2}
 *   [1,"ada",...]                                  <- one line per row, values in column order
 *   ...
 *   {"end":true,"rows":N}
 *
 * The export reads one consistent snapshot (one transaction); the import writes everything in one
 * transaction, so a bad or cut-off file changes nothing. See docs/operations.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Store } from '../store/index.ts';
import { folderWriteProblem, notAPlainFile } from '../store/database-url.ts';
import {
  clearInstance, countRows, INSTANCE_TABLES, insertRows, keyOf, readPage, resetSequences, type TableSpec,
} from '../store/transfer.ts';
import { deferSearchDocuments, refreshAllSearchDocuments } from '../store/search-documents.ts';
import { dropSavedIndex } from '../search/store-io.ts';

export const INSTANCE_FORMAT = 'paperboy-instance';
export const INSTANCE_FORMAT_VERSION = 1;
/** Rows read per query on export, and inserted per batch on import. */
const PAGE_ROWS = 2_000;

export interface InstanceHeader {
  format: string;
  version: number;
  /** The schema version (last migration) of the store it came from. */
  schema: number;
  exportedAt: string;
  source: string;
  tables: Record<string, number>;
  rows: number;
}

export interface TransferProgress {
  table: string;
  done: number;
  total: number;
}

export interface TransferReport {
  file: string;
  tables: Record<string, number>;
  rows: number;
  bytes: number;
  ms: number;
}

/** A file that is not an instance export, does not fit this store, or a target that is not empty. */
export class TransferError extends Error {}

/** JSON for a value read from either store: the shared schema has text, numbers and nulls only. */
function portable(v: unknown, where: string): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  throw new TransferError(`export: ${where} holds a value of type ${typeof v} that has no portable form`);
}

/** Writes the store's instance to `file` (gzipped JSON lines); the file appears only when complete. */
export async function exportInstance(
  store: Store, file: string, opts: { now: string; onProgress?: (p: TransferProgress) => void; pageRows?: number },
): Promise<TransferReport> {
  const started = Date.now();
  const pageRows = opts.pageRows ?? PAGE_ROWS;
  if (store.isOwnFile(file)) throw new TransferError(`export: ${file} is the live database (or one of its files); write the export elsewhere`);
  const problem = notAPlainFile(file);
  if (problem) throw new TransferError(`export: ${file} ${problem}; name the file to write${problem === 'is a folder' ? ` in it, such as ${path.join(file, 'instance-YYYY-MM-DD.jsonl.gz')}` : ''}`);
  const unwritable = folderWriteProblem(path.dirname(path.resolve(file)));
  if (unwritable) throw new TransferError(`export: ${unwritable}; nothing was written`);
  const status = await store.schemaStatus();
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.mkdirSync(path.dirname(tmp), { recursive: true });
  const gzip = zlib.createGzip();
  // Owner-only: the file holds password hashes and the instance's secrets.
  const written = pipeline(gzip, fs.createWriteStream(tmp, { mode: 0o600 }));
  written.catch(() => {}); // awaited below; an early failure must not go unhandled meanwhile
  const write = async (value: unknown) => {
    if (!gzip.write(`${JSON.stringify(value)}\n`)) await once(gzip, 'drain');
  };
  try {
    const tables: Record<string, number> = {};
    let rows = 0;
    // One snapshot: rows added while the export runs are either all in it or not at all.
    await store.db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
      for (const spec of INSTANCE_TABLES) tables[spec.name] = await countRows(trx, spec.name);
      const total = Object.values(tables).reduce((a, b) => a + b, 0);
      const header: InstanceHeader = {
        format: INSTANCE_FORMAT, version: INSTANCE_FORMAT_VERSION, schema: status.current, exportedAt: opts.now, source: store.dialect, tables, rows: total,
      };
      await write(header);
      for (const spec of INSTANCE_TABLES) {
        await write({ table: spec.name, columns: spec.columns, rows: tables[spec.name] });
        let after: unknown[] | null = null;
        let done = 0;
        for (;;) {
          const page = await readPage(trx, spec, after, pageRows);
          // One write per page: a write per line costs more than the query.
          const chunk = page.map((values) => JSON.stringify(values.map((v, i) => portable(v, `${spec.name}.${spec.columns[i]}`)))).join('\n');
          if (chunk && !gzip.write(`${chunk}\n`)) await once(gzip, 'drain');
          done += page.length;
          rows += page.length;
          opts.onProgress?.({ table: spec.name, done: rows, total });
          if (page.length < pageRows) break;
          after = keyOf(spec, page[page.length - 1]!);
        }
        if (done !== tables[spec.name]) throw new Error(`export: ${spec.name} changed while it was read (${done} rows, counted ${tables[spec.name]})`);
      }
      await write({ end: true, rows });
    });
    gzip.end();
    await written;
    fs.renameSync(tmp, file);
    return { file, tables, rows, bytes: fs.statSync(file).size, ms: Date.now() - started };
  } catch (err) {
    gzip.destroy();
    await written.catch(() => {});
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when `value` (a file's first line, parsed) is the header of a whole-instance export. */
export function isInstanceHeader(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && value.format === INSTANCE_FORMAT;
}

function checkHeader(value: unknown, targetSchema: number): InstanceHeader {
  if (!isInstanceHeader(value)) throw new TransferError('import: not a Paperboy instance export (its first line is not the export header)');
  if (value.version !== INSTANCE_FORMAT_VERSION) throw new TransferError(`import: export format version ${String(value.version)}; this build reads version ${INSTANCE_FORMAT_VERSION}`);
  if (typeof value.schema !== 'number' || !isRecord(value.tables) || typeof value.rows !== 'number') throw new TransferError('import: the export header is damaged');
  if (value.schema > targetSchema) {
    throw new TransferError(`import: the export comes from schema ${value.schema}, newer than this store's ${targetSchema}; upgrade Paperboy first`);
  }
  return value as unknown as InstanceHeader;
}

/**
 * Reads an export into the store in one transaction. Refuses a store that already holds content
 * unless `replace` (which deletes it first, in the same transaction).
 */
export async function importInstance(
  store: Store, file: string, opts: { replace: boolean; onProgress?: (p: TransferProgress) => void },
): Promise<TransferReport> {
  const started = Date.now();
  let bytes: number;
  try {
    bytes = fs.statSync(file).size;
  } catch (err) {
    throw new TransferError(`import: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const status = await store.schemaStatus();
  const input = fs.createReadStream(file);
  const gunzip = zlib.createGunzip();
  let streamError: Error | null = null;
  input.on('error', (e) => { streamError = e; gunzip.destroy(); });
  gunzip.on('error', (e) => { streamError = e; });
  const lines = readline.createInterface({ input: input.pipe(gunzip), crlfDelay: Infinity });
  // The iterator is taken now, before the transaction starts: readline only buffers lines for an
  // iterator that exists, and a small file is read whole while the database opens the transaction.
  const lineIterator = lines[Symbol.asyncIterator]();
  let lineNo = 0;
  const fail = (message: string): never => { throw new TransferError(`import: ${file}:${lineNo}: ${message}`); };

  try {
    return await store.transaction(async (trx) => {
      let header: InstanceHeader | null = null;
      let spec: TableSpec | null = null;
      let columns: string[] = [];
      let expected = 0;
      let seen = 0;
      let batch: unknown[][] = [];
      let rows = 0;
      let ended = false;
      const tables: Record<string, number> = {};
      const flush = async () => {
        if (spec && batch.length > 0) {
          try {
            await insertRows(trx, spec.name, columns, batch);
          } catch (err) {
            fail(`${spec.name}: ${(err as Error).message}`);
          }
        }
        batch = [];
      };
      const closeTable = async () => {
        if (!spec) return;
        await flush();
        if (seen !== expected) fail(`${spec.name}: ${seen} rows, the file said ${expected}`);
        tables[spec.name] = seen;
      };

      for await (const line of { [Symbol.asyncIterator]: () => lineIterator }) {
        lineNo++;
        if (line === '') continue;
        if (ended) fail('data after the end line');
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          fail('not JSON');
        }
        if (!header) {
          header = checkHeader(value, status.current);
          const present: string[] = [];
          for (const t of INSTANCE_TABLES) {
            if (t.state) continue;
            const n = await countRows(trx, t.name);
            if (n > 0) present.push(`${t.name}=${n}`);
          }
          if (present.length > 0 && !opts.replace) {
            throw new TransferError(`import: the store is not empty (${present.join(' ')}); import into a new store, or add --replace to delete what it holds`);
          }
          // Secrets and job checkpoints always come from the export; content only when replacing.
          await clearInstance(trx, opts.replace ? INSTANCE_TABLES : INSTANCE_TABLES.filter((t) => t.state));
          // PostgreSQL's search documents once per paper at the end, not at each page of papers and authors.
          await deferSearchDocuments(trx, true);
          continue;
        }
        if (Array.isArray(value)) {
          if (!spec) fail('a row before any table line');
          if (value.length !== columns.length) fail(`${spec!.name}: a row of ${value.length} values for ${columns.length} columns`);
          batch.push(value);
          seen++;
          rows++;
          if (batch.length >= PAGE_ROWS) {
            await flush();
            opts.onProgress?.({ table: spec!.name, done: rows, total: header.rows });
          }
          continue;
        }
        if (!isRecord(value)) fail('neither a row nor a table line');
        const v = value as Record<string, unknown>;
        if (v.end === true) {
          await closeTable();
          spec = null;
          if (v.rows !== rows || rows !== header.rows) fail(`the file holds ${rows} rows, its header says ${header.rows}`);
          ended = true;
          continue;
        }
        if (typeof v.table !== 'string' || !Array.isArray(v.columns) || typeof v.rows !== 'number') fail('a damaged table line');
        await closeTable();
        const next = INSTANCE_TABLES.find((t) => t.name === v.table);
        if (!next) fail(`unknown table ${String(v.table)}`);
        const unknown = (v.columns as unknown[]).filter((c) => typeof c !== 'string' || !next!.columns.includes(c));
        if (unknown.length > 0) fail(`${next!.name}: columns this build does not know: ${unknown.join(', ')}`);
        if (tables[next!.name] !== undefined) fail(`${next!.name} appears twice`);
        spec = next!;
        columns = v.columns as string[];
        expected = v.rows as number;
        seen = 0;
      }
      if (streamError) throw new TransferError(`import: ${file}: cannot read it: ${(streamError as Error).message}`);
      if (!header) throw new TransferError(`import: ${file} is empty`);
      if (!ended) throw new TransferError(`import: ${file} ends early (cut off after line ${lineNo}); nothing was imported`);
      await refreshAllSearchDocuments(trx);
      await deferSearchDocuments(trx, false);
      await resetSequences(trx, store.dialect);
      // A search index saved before (a store served once while empty) describes other papers: the
      // next `serve` or `paperboy reindex` builds one of these, as the docs say, instead of loading it.
      await dropSavedIndex(trx);
      opts.onProgress?.({ table: 'done', done: rows, total: header.rows });
      return { file, tables, rows, bytes, ms: Date.now() - started };
    });
  } catch (err) {
    if (streamError && !(err instanceof TransferError)) throw new TransferError(`import: ${file}: cannot read it: ${(streamError as Error).message}`);
    throw err;
  } finally {
    lines.close();
    input.destroy();
  }
}

/** One summary line: `export done file=... rows=N bytes=N ms=N users=N papers=N ...`. */
export function formatTransferSummary(verb: 'export' | 'import', r: TransferReport): string {
  return `${verb} done file=${r.file} rows=${r.rows} bytes=${r.bytes} ms=${r.ms} ${Object.entries(r.tables).map(([t, n]) => `${t}=${n}`).join(' ')}`;
}
