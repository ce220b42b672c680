/**
 * Reading a BEIR-format folder: corpus.jsonl(.gz) (`_id`, `title`, `text`), queries.jsonl
 * (`_id`, `text`), qrels/test.tsv or qrels/train.tsv (`query-id`, `corpus-id`, `score`).
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';

export interface BeirDoc { id: string; title: string; text: string }
export interface BeirQuery { id: string; text: string }

export interface BeirSet {
  docs: BeirDoc[];
  /** Only the queries that have judgements. */
  queries: BeirQuery[];
  qrels: Map<string, Map<string, number>>;
  /** Which qrels file was read: `test` when present, else `train`. */
  split: 'test' | 'train';
  /** The qrels lines that were left out, as `qrels/test.tsv:LINE: reason`, in file order. */
  unusable: string[];
}

async function* jsonLines(file: string): AsyncGenerator<Record<string, unknown>> {
  const input = file.endsWith('.gz') ? fs.createReadStream(file).pipe(zlib.createGunzip()) : fs.createReadStream(file);
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`beir: ${path.basename(file)} line ${n} is not JSON: ${(err as Error).message}`);
    }
  }
}

function firstExisting(dir: string, names: string[]): string | null {
  for (const n of names) if (fs.existsSync(path.join(dir, n))) return path.join(dir, n);
  return null;
}

/** Reads a BEIR folder; `split` forces a qrels file, otherwise test.tsv wins over train.tsv. */
export async function readBeir(dir: string, split?: 'test' | 'train'): Promise<BeirSet> {
  const corpus = firstExisting(dir, ['corpus.jsonl', 'corpus.jsonl.gz']);
  const queriesFile = firstExisting(dir, ['queries.jsonl', 'queries.jsonl.gz']);
  const qrelsFile = split ? firstExisting(dir, [`qrels/${split}.tsv`]) : firstExisting(dir, ['qrels/test.tsv', 'qrels/train.tsv']);
  if (!corpus) throw new Error(`beir: no corpus.jsonl(.gz) in ${dir}`);
  if (!queriesFile) throw new Error(`beir: no queries.jsonl in ${dir}`);
  if (!qrelsFile) throw new Error(`beir: no qrels/${split ?? 'test|train'}.tsv in ${dir}`);

  const docs: BeirDoc[] = [];
  for await (const o of jsonLines(corpus)) {
    docs.push({ id: String(o._id), title: String(o.title ?? ''), text: String(o.text ?? '') });
  }
  const allQueries: BeirQuery[] = [];
  for await (const o of jsonLines(queriesFile)) allQueries.push({ id: String(o._id), text: String(o.text ?? '') });

  // A judgement counts when its score is a number and it names a query and a document of the set;
  // any other line is reported, so a wrong split or a mismatched file cannot pass for a measurement.
  const docIds = new Set(docs.map((d) => d.id));
  const queryIds = new Set(allQueries.map((q) => q.id));
  const qrelsName = path.relative(dir, qrelsFile).split(path.sep).join('/');
  const qrels = new Map<string, Map<string, number>>();
  const unusable: string[] = [];
  const lines = fs.readFileSync(qrelsFile, 'utf8').split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const [q, d, s] = line.split('\t').map((f) => f.trim());
    if (i === 0 && !/^\d+(\.\d+)?$/.test(s ?? '')) continue; // header
    const problem = !q || !d ? 'expected query-id, corpus-id and score separated by tabs'
      : s !== undefined && s !== '' && !Number.isFinite(Number(s)) ? `score "${s.slice(0, 20)}" is not a number`
        : !queryIds.has(q) ? `query-id "${q.slice(0, 40)}" is not in ${path.basename(queriesFile)}`
          : !docIds.has(d) ? `corpus-id "${d.slice(0, 40)}" is not in ${path.basename(corpus)}` : null;
    if (problem) { unusable.push(`${qrelsName}:${i + 1}: ${problem}`); continue; }
    if (!qrels.has(q!)) qrels.set(q!, new Map());
    qrels.get(q!)!.set(d!, s ? Number(s) : 1);
  }
  const queries = allQueries.filter((q) => qrels.has(q.id));
  return { docs, queries, qrels, split: qrelsFile.endsWith('test.tsv') ? 'test' : 'train', unusable };
}
