/**
 * What search reads from and writes to the store: papers to index, their texts for phrase checks
 * and re-ranking, the change log (migration 002), and the saved index parts. One function per
 * query, named for what it does.
 */
import type { Kysely } from 'kysely';
import { sql } from '../store/kysely.ts';
import type { Database } from '../store/schema.ts';
import { isPostgres } from '../store/dialect.ts';
import type { IndexDoc } from './segment.ts';

type Db = Kysely<Database>;

/** Index parts are stored in rows of at most this many bytes. */
export const PART_BYTES = 32 * 1024 * 1024;
/** PostgreSQL advisory lock held while a saved index becomes current (ids 8150001… are ours). */
const INDEX_SWITCH_LOCK = 8_150_011;
/** SQLite's bound-parameter limit is 32,766; id lists are chunked well below it. */
const IDS_PER_QUERY = 900;

interface PaperRow {
  id: string;
  title: string;
  abstract: string;
  published_at: string | null;
  code_url: string | null;
  withdrawn: number;
  upvotes: number;
  authors: string | null;
  categories: string | null;
}

const AUTHOR_SEPARATOR = '\u001f';

function toIndexDoc(r: PaperRow): IndexDoc {
  return {
    id: r.id,
    title: r.title,
    abstract: r.abstract,
    authors: r.authors ? r.authors.split(AUTHOR_SEPARATOR) : [],
    categories: r.categories ? r.categories.split(' ') : [],
    publishedAt: r.published_at,
    hasCode: r.code_url !== null && r.code_url !== '',
    withdrawn: r.withdrawn === 1,
    upvotes: Number(r.upvotes),
  };
}

const SQLITE_PAPER_COLUMNS = sql`
  p.id, p.title, p.abstract, p.published_at, p.code_url, p.withdrawn, p.upvotes,
  (SELECT group_concat(name, char(31)) FROM (SELECT name FROM paper_authors a WHERE a.paper_id = p.id ORDER BY position)) AS authors,
  (SELECT group_concat(category, ' ') FROM (SELECT category FROM paper_categories c WHERE c.paper_id = p.id ORDER BY position)) AS categories`;

const POSTGRES_PAPER_COLUMNS = sql`
  p.id, p.title, p.abstract, p.published_at, p.code_url, p.withdrawn, p.upvotes,
  (SELECT string_agg(name, chr(31) ORDER BY position) FROM paper_authors a WHERE a.paper_id = p.id) AS authors,
  (SELECT string_agg(category, ' ' ORDER BY position) FROM paper_categories c WHERE c.paper_id = p.id) AS categories`;

const paperColumns = (db: Db) => (isPostgres(db) ? POSTGRES_PAPER_COLUMNS : SQLITE_PAPER_COLUMNS);

/** The next `limit` papers after `afterId`, in id order (for building the index in batches). */
export async function listIndexDocsAfter(db: Db, afterId: string, limit: number): Promise<IndexDoc[]> {
  const { rows } = await sql<PaperRow>`SELECT ${paperColumns(db)} FROM papers p WHERE p.id > ${afterId} ORDER BY p.id LIMIT ${limit}`.execute(db);
  return rows.map(toIndexDoc);
}

/** The papers with these ids that exist, as the index sees them. */
export async function listIndexDocsByIds(db: Db, ids: readonly string[]): Promise<IndexDoc[]> {
  const out: IndexDoc[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + IDS_PER_QUERY);
    const { rows } = await sql<PaperRow>`SELECT ${paperColumns(db)} FROM papers p WHERE p.id IN (${sql.join(chunk)})`.execute(db);
    out.push(...rows.map(toIndexDoc));
  }
  return out;
}

/** A paper as the index sees it, with its search document's version (migration 013) read in the same statement. */
export interface VersionedDoc {
  doc: IndexDoc;
  version: number;
}

const toVersionedDoc = (r: PaperRow & { version: string | number }): VersionedDoc => ({ doc: toIndexDoc(r), version: Number(r.version) });

/** PostgreSQL only: the next `limit` papers after `afterId`, in id order, with their document versions. */
export async function listVersionedDocsAfter(db: Db, afterId: string, limit: number): Promise<VersionedDoc[]> {
  const { rows } = await sql<PaperRow & { version: string }>`
    SELECT ${POSTGRES_PAPER_COLUMNS}, coalesce(d.version, 0) AS version
    FROM papers p LEFT JOIN paper_search_documents d ON d.paper_id = p.id
    WHERE p.id > ${afterId} ORDER BY p.id LIMIT ${limit}`.execute(db);
  return rows.map(toVersionedDoc);
}

/** PostgreSQL only: the papers with these ids that exist, with their document versions. */
export async function listVersionedDocsByIds(db: Db, ids: readonly string[]): Promise<VersionedDoc[]> {
  const out: VersionedDoc[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + IDS_PER_QUERY);
    const { rows } = await sql<PaperRow & { version: string }>`
      SELECT ${POSTGRES_PAPER_COLUMNS}, coalesce(d.version, 0) AS version
      FROM papers p LEFT JOIN paper_search_documents d ON d.paper_id = p.id
      WHERE p.id = ANY (${chunk}::text[])`.execute(db);
    out.push(...rows.map(toVersionedDoc));
  }
  return out;
}

/** A paper's title and abstract. */
export interface PaperText {
  title: string;
  abstract: string;
}

/** Titles and abstracts by id (for phrase checks, snippets and re-ranking). */
export async function listPaperTexts(db: Db, ids: readonly string[]): Promise<Map<string, PaperText>> {
  const out = new Map<string, PaperText>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + IDS_PER_QUERY);
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('papers').select(['id', 'title', 'abstract']).where('id', 'in', chunk).execute();
    for (const r of rows) out.set(r.id, { title: r.title, abstract: r.abstract });
  }
  return out;
}

/** Current upvote counts by id. */
export async function listUpvotes(db: Db, ids: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + IDS_PER_QUERY);
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('papers').select(['id', 'upvotes']).where('id', 'in', chunk).execute();
    for (const r of rows) out.set(r.id, Number(r.upvotes));
  }
  return out;
}

export async function countPapers(db: Db): Promise<number> {
  const r = await db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface Change {
  seq: number;
  paperId: string;
  kind: 'content' | 'votes' | 'deleted';
}

/** Changes after `afterSeq`, oldest first. */
export async function listChangesAfter(db: Db, afterSeq: number, limit: number): Promise<Change[]> {
  const { rows } = await sql<{ seq: number; paper_id: string; kind: Change['kind'] }>`
    SELECT seq, paper_id, kind FROM search_changes WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ seq: Number(r.seq), paperId: r.paper_id, kind: r.kind }));
}

/** The newest change's number: the log's last, or the saved index's watermark once the log is emptied up to it (0 when neither). */
export async function latestChangeSeq(db: Db): Promise<number> {
  const { rows } = await sql<{ seq: number | null }>`SELECT max(seq) AS seq FROM search_changes`.execute(db);
  // A save drops the changes it includes, so with none since, the saved watermark is the latest.
  const saved = await findIndexMeta(db);
  return Math.max(Number(rows[0]?.seq ?? 0), saved?.watermark ?? 0);
}

export interface IndexMeta {
  generation: number;
  /** Every change up to this one is in the saved index. */
  watermark: number;
  /** JSON written by the index (parameters, stats, embedder). */
  info: string;
}

/** The saved index's generation, or null when none was saved. */
export async function findIndexMeta(db: Db): Promise<IndexMeta | null> {
  const { rows } = await sql<{ key: string; value: string }>`SELECT key, value FROM search_index_meta`.execute(db);
  const m = new Map(rows.map((r) => [r.key, r.value]));
  if (!m.has('generation')) return null;
  return { generation: Number(m.get('generation')), watermark: Number(m.get('watermark') ?? 0), info: m.get('info') ?? '{}' };
}

/**
 * Saves index parts as a new generation, then makes it current and drops older ones, and the
 * changes it includes. Readers see the old generation until the switch.
 *
 * Two builders may save at once (a server's first build and `paperboy reindex` or a digest run):
 * each takes its own generation number in one statement, and the switch is refused (and the parts
 * dropped) when the current generation is newer or includes later changes, so the index never
 * goes back in time and never points at parts another builder removed. Returns the generation
 * and whether it became current.
 */
export async function saveIndex(db: Db, parts: ReadonlyMap<string, Uint8Array>, watermark: number, info: string): Promise<{ generation: number; current: boolean }> {
  // The larger of several values: SQLite's scalar max(), PostgreSQL's greatest().
  const largest = sql.raw(isPostgres(db) ? 'greatest' : 'max');
  const { rows } = await sql<{ value: string }>`
    INSERT INTO search_index_meta (key, value)
    VALUES ('last_generation', CAST(1 + ${largest}(
      (SELECT coalesce(max(generation), 0) FROM search_index_parts),
      (SELECT coalesce(max(CAST(value AS INTEGER)), 0) FROM search_index_meta WHERE key = 'generation')) AS TEXT))
    ON CONFLICT (key) DO UPDATE SET value = CAST(1 + ${largest}(CAST(search_index_meta.value AS INTEGER),
      (SELECT coalesce(max(generation), 0) FROM search_index_parts),
      (SELECT coalesce(max(CAST(m.value AS INTEGER)), 0) FROM search_index_meta m WHERE m.key = 'generation')) AS TEXT)
    RETURNING value`.execute(db);
  const generation = Number(rows[0]!.value);
  for (const [name, bytes] of parts) {
    const pieces = Math.max(1, Math.ceil(bytes.byteLength / PART_BYTES));
    await db.transaction().execute(async (trx) => {
      for (let p = 0; p < pieces; p++) {
        const slice = Buffer.from(bytes.buffer, bytes.byteOffset + p * PART_BYTES, Math.min(PART_BYTES, bytes.byteLength - p * PART_BYTES));
        await sql`INSERT INTO search_index_parts (generation, name, part, data) VALUES (${generation}, ${name}, ${p}, ${slice})`.execute(trx);
      }
    });
  }
  return db.transaction().execute(async (trx) => {
    // PostgreSQL reads committed rows per statement, so two switches could both read the old
    // meta and the later one point back at parts the earlier one dropped; one at a time, then.
    // (SQLite runs one writing transaction at a time already.)
    if (isPostgres(trx)) await sql`SELECT pg_advisory_xact_lock(${INDEX_SWITCH_LOCK})`.execute(trx);
    const current = await findIndexMeta(trx);
    if (current && (current.generation > generation || current.watermark > watermark)) {
      await sql`DELETE FROM search_index_parts WHERE generation = ${generation}`.execute(trx);
      return { generation, current: false };
    }
    await sql`INSERT INTO search_index_meta (key, value) VALUES ('generation', ${String(generation)}), ('watermark', ${String(watermark)}), ('info', ${info})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`.execute(trx);
    // Older generations only: a newer one may be being written by another builder.
    await sql`DELETE FROM search_index_parts WHERE generation < ${generation}`.execute(trx);
    await sql`DELETE FROM search_changes WHERE seq <= ${watermark}`.execute(trx);
    return { generation, current: true };
  });
}

/**
 * Forgets the saved index (its parts and which generation is current), keeping the generation
 * counter so numbers never repeat: the next open builds from the papers.
 */
export async function dropSavedIndex(db: Db): Promise<void> {
  await sql`DELETE FROM search_index_meta WHERE key IN ('generation', 'watermark', 'info')`.execute(db);
  await sql`DELETE FROM search_index_parts`.execute(db);
}

/** A saved generation's parts were dropped while they were read: a newer generation replaced it. */
export class IndexReplacedError extends Error {}

/**
 * The parts of a saved generation, each joined back into one buffer (read piece by piece into it).
 * Throws IndexReplacedError when another builder's switch drops them meanwhile.
 */
export async function loadIndexParts(db: Db, generation: number): Promise<Map<string, Buffer>> {
  const { rows } = await sql<{ name: string; part: number; n: number }>`
    SELECT name, part, length(data) AS n FROM search_index_parts WHERE generation = ${generation} ORDER BY name, part`.execute(db);
  const replaced = () => new IndexReplacedError(`generation ${generation} was replaced while it was read`);
  if (rows.length === 0) throw replaced();
  const sizes = new Map<string, number>();
  for (const r of rows) sizes.set(r.name, (sizes.get(r.name) ?? 0) + Number(r.n));
  const out = new Map<string, Buffer>();
  const filled = new Map<string, number>();
  for (const r of rows) {
    let buf = out.get(r.name);
    if (!buf) out.set(r.name, (buf = Buffer.allocUnsafeSlow(sizes.get(r.name)!)));
    const { rows: data } = await sql<{ data: Buffer }>`
      SELECT data FROM search_index_parts WHERE generation = ${generation} AND name = ${r.name} AND part = ${r.part}`.execute(db);
    if (!data[0]) throw replaced();
    const at = filled.get(r.name) ?? 0;
    data[0].data.copy(buf, at);
    filled.set(r.name, at + data[0].data.length);
  }
  return out;
}
