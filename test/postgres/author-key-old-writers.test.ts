/**
 * Rolling upgrade across migration 011 (author name keys computed by the program): a process still
 * running a build from before it writes author rows without name_key. Those writes succeed, and the
 * new build finds such authors by any spelling that differs in case or spacing (migration 014 and
 * fillMissingAuthorNameKeys).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../../src/store/kysely.ts';
import { authorNameKey } from '../../src/domain/author-key.ts';
import { openStore } from '../../src/store/index.ts';
import { paperRecord } from '../helpers/factories.ts';
import { testApp } from '../helpers/app.ts';
import { createTestDatabase, testStoreKind } from '../helpers/postgres.ts';
import { FIXED_NOW } from '../helpers/store.ts';

const skip = testStoreKind() !== 'postgres' ? 'PostgreSQL only (PAPERBOY_TEST_STORE=postgres)' : false;

test('an older build inserting authors without their key: accepted, and the new build finds them by a case-folded name', { skip }, async () => {
  const db = await createTestDatabase();
  const store = await openStore(db.url);
  after(async () => { await store.close(); await db.drop(); });
  await store.upsertPapers([paperRecord({ id: '2506.00001', title: 'Tardigrades in orbit', authors: ['Placeholder'] })], FIXED_NOW);

  // What a process of the older build does when it replaces a paper's authors: no name_key column.
  const names = ['Grace  HOPPER', ' \tAda\u000b\u000cLovelace\r\n', 'STRAUSS', 'Strauß Émile', 'ΔΗΜΗΤΡΗΣ Παπαδόπουλος', 'Akın Ünal', 'Jean\u00a0DUPONT'];
  await sql`DELETE FROM paper_authors WHERE paper_id = '2506.00001'`.execute(store.db);
  for (const [position, name] of names.entries()) {
    await sql`INSERT INTO paper_authors (paper_id, position, name) VALUES ('2506.00001', ${position}, ${name})`.execute(store.db);
  }
  const keys = async () => (await sql<{ name: string; name_key: string | null }>`SELECT name, name_key FROM paper_authors WHERE paper_id = '2506.00001'`.execute(store.db)).rows;

  // Names of printable ASCII get their key at once, exactly as the program computes it.
  for (const r of await keys()) {
    if (/^[\x20-\x7e\t\n\v\f\r]*$/.test(r.name)) assert.equal(r.name_key, authorNameKey(r.name), JSON.stringify(r.name));
  }

  // The new build's author pages send any spelling to the one papers carry.
  const { app } = await testApp(store);
  const spellings: [string, string][] = [
    ['grace hopper', 'Grace  HOPPER'],
    ['strauß émile', 'Strauß Émile'],
    ['STRAUSS ÉMILE', 'Strauß Émile'],
    ['δημητρης παπαδόπουλος', 'ΔΗΜΗΤΡΗΣ Παπαδόπουλος'],
    ['jean dupont', 'Jean\u00a0DUPONT'],
  ];
  for (const [typed, carried] of spellings) {
    const res = await app.request(`/authors/${encodeURIComponent(typed)}`);
    assert.equal(res.status, 302, typed);
    assert.equal(res.headers.get('location'), `/authors/${encodeURIComponent(carried)}`, typed);
  }
  assert.equal((await app.request(`/authors/${encodeURIComponent('akin ünal')}`)).status, 404, 'dotless ı stays apart from i');

  // Every row now has the program's key.
  for (const r of await keys()) assert.equal(r.name_key, authorNameKey(r.name), JSON.stringify(r.name));
});
