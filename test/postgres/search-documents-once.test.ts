/**
 * Migration 017: a batch of papers written by upsertPapers gets each paper's PostgreSQL search
 * document computed once, after its last statement, instead of once per statement (the paper row,
 * then its authors). What a search finds is the same: new and changed papers by their words and
 * authors. Every other writer still has its documents kept by the triggers, in the same
 * transaction as upsertPapers too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { upsertPapers } from '../../src/store/papers.ts';
import { atEndOfFile, createTestDatabase, testStoreKind } from '../helpers/postgres.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { topicalRecords } from '../search/fixtures.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

async function openTestStore(): Promise<Store> {
  const db = await createTestDatabase();
  atEndOfFile(() => db.drop());
  const store = await openStore(db.url);
  atEndOfFile(() => store.close());
  return store;
}

/** Each paper's stored document, its rewrites, and whether it equals one computed now from the paper's rows. */
async function documents(store: Store): Promise<Map<string, { version: number; current: boolean; authors: string }>> {
  const { rows } = await sql<{ id: string; version: string; current: boolean; authors: string }>`
    SELECT d.paper_id AS id, d.version, d.authors::text AS authors,
           d.document = setweight(to_tsvector('english'::regconfig, paper_search_fold(p.title)), 'A')
             || setweight(to_tsvector('english'::regconfig, paper_search_fold(p.abstract)), 'B')
             || setweight(to_tsvector('simple'::regconfig, paper_search_fold(coalesce(a.names, ''))), 'C') AS current
    FROM paper_search_documents d JOIN papers p ON p.id = d.paper_id
    LEFT JOIN LATERAL (SELECT string_agg(name, ' ' ORDER BY position) AS names FROM paper_authors WHERE paper_id = p.id) a ON true`.execute(store.db);
  return new Map(rows.map((r) => [r.id, { version: Number(r.version), current: r.current, authors: r.authors }]));
}

/** Papers whose document holds these words: stemmed as titles and abstracts are, or as author names are not (`simple`). */
async function matching(store: Store, query: string, config: 'english' | 'simple' = 'english'): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT paper_id AS id FROM paper_search_documents WHERE document @@ plainto_tsquery(${config}::regconfig, ${query}) ORDER BY paper_id`.execute(store.db);
  return rows.map((r) => r.id);
}

test('a batch of new papers: each document computed once, from the paper and all its authors', { skip }, async () => {
  const store = await openTestStore();
  const records = topicalRecords(40);
  await store.upsertPapers(records, FIXED_NOW);
  const docs = await documents(store);
  assert.equal(docs.size, 40, 'every paper has its document');
  for (const r of records) {
    const d = docs.get(r.id)!;
    assert.ok(d.current, `${r.id}: document matches its title, abstract and authors`);
    assert.equal(d.version, 0, `${r.id}: written once (the author rows used to write it a second time)`);
  }
  assert.deepEqual(await matching(store, 'lovelace', 'simple'), records.filter((r) => r.authors.includes('Ada Lovelace')).map((r) => r.id).sort());
});

test('a changed paper: new title and authors in its document, rewritten once', { skip }, async () => {
  const store = await openTestStore();
  const [first, second] = topicalRecords(2);
  await store.upsertPapers([first!, second!], FIXED_NOW);
  await store.upsertPapers([{ ...first!, title: 'Zebrafish fin regeneration', authors: ['Grace Hopper'] }], FIXED_NOW);
  const docs = await documents(store);
  assert.ok(docs.get(first!.id)!.current);
  assert.equal(docs.get(first!.id)!.version, 1, 'one rewrite for one change');
  assert.equal(docs.get(second!.id)!.version, 0, 'an unchanged paper is not rewritten');
  assert.deepEqual(await matching(store, 'zebrafish'), [first!.id]);
  assert.deepEqual(await matching(store, 'hopper', 'simple'), [first!.id]);
  assert.ok(!(await matching(store, 'lecun', 'simple')).includes(first!.id), 'the old authors are gone from it');
});

test('other writers keep their documents current: after upsertPapers in its transaction, and on their own', { skip }, async () => {
  const store = await openTestStore();
  const [a, b] = topicalRecords(2);
  await store.transaction(async (trx) => {
    await upsertPapers(trx, [a!], FIXED_NOW);
    // A second writer in the same transaction, by hand: the triggers are on again.
    await sql`INSERT INTO papers (id, latest_version, title, abstract, primary_category, published_at, source_hash, created_at, modified_at)
              VALUES ('2503.99999', 1, 'Axolotl limb regrowth', 'Salamanders regrow limbs.', 'q-bio.TO', ${FIXED_NOW}, 'x', ${FIXED_NOW}, ${FIXED_NOW})`.execute(trx);
    await sql`INSERT INTO paper_authors (paper_id, position, name, name_key) VALUES ('2503.99999', 0, 'Rosalind Franklin', 'rosalind franklin')`.execute(trx);
  });
  await store.upsertPapers([b!], FIXED_NOW);
  await sql`UPDATE papers SET title = 'Planarian regeneration' WHERE id = ${b!.id}`.execute(store.db);
  const docs = await documents(store);
  for (const id of [a!.id, '2503.99999', b!.id]) assert.ok(docs.get(id)?.current, `${id}: document current`);
  assert.deepEqual(await matching(store, 'axolotl franklin'), ['2503.99999']);
  assert.deepEqual(await matching(store, 'planarian'), [b!.id]);
  const setting = await sql<{ v: string | null }>`SELECT current_setting('paperboy.search_documents_deferred', true) AS v`.execute(store.db);
  assert.notEqual(setting.rows[0]!.v, 'on', 'the setting does not outlive its transaction');
});

test('a batch of papers that fails leaves no documents behind, and the next batch gets its own', { skip }, async () => {
  const store = await openTestStore();
  const good = topicalRecords(3);
  // Records that reach the store are valid, so the failure is forced in SQL, on the batch's last paper.
  await sql`CREATE FUNCTION fail_on_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.title = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$`.execute(store.db);
  await sql`CREATE TRIGGER fail_on_poison BEFORE INSERT ON papers FOR EACH ROW EXECUTE FUNCTION fail_on_poison()`.execute(store.db);
  await assert.rejects(store.upsertPapers([...good, { ...good[0]!, id: '2503.88888', title: 'poison' }], FIXED_NOW), /poisoned/);
  assert.equal((await documents(store)).size, 0, 'nothing of the failed batch is kept');
  await sql`DROP TRIGGER fail_on_poison ON papers`.execute(store.db);
  await store.upsertPapers(good, FIXED_NOW);
  assert.equal((await documents(store)).size, 3);
});
