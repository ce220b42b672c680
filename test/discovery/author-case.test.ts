/**
 * Author names in another case, in any script, reach the same page and the same search results on
 * both stores (the key of src/domain/author-key.ts, stored in paper_authors.name_key); accents are
 * not folded; hostile names are 4xx, never a 500. Runs on the store PAPERBOY_TEST_STORE names.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgSearchEngine } from '../../src/search/pg-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { searchPaperIds } from '../../src/search/service.ts';
import { findAuthorSpelling } from '../../src/store/authors.ts';
import { testApp } from '../helpers/app.ts';
import { paperRecord } from '../helpers/factories.ts';
import { testStoreKind } from '../helpers/postgres.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { SMALL_EMBEDDER } from '../search/fixtures.ts';

const { app, store } = await testApp();
await store.importBatch({
  records: [
    paperRecord({ id: '2505.00401', title: 'Sheaves on curves', authors: ['Émile Durand', 'Δημήτρης Παπαδόπουλος'] }),
    paperRecord({ id: '2505.00402', title: 'Sheaves on surfaces', authors: ['Émile Durand', 'Сергей Иванов'] }),
    paperRecord({ id: '2505.00403', title: 'Sheaves on threefolds', authors: ['ÉMILE DURAND'] }),
    paperRecord({ id: '2505.00404', title: 'Lattices without accents', authors: ['Emile Durand'] }),
    paperRecord({ id: '2505.00405', title: 'Waltzes and lattices', authors: ['Johann Strauß', 'Zoë Ångström'] }),
    paperRecord({ id: '2505.00406', title: 'Polkas and lattices', authors: ['ZOË ÅNGSTRÖM'] }),
    paperRecord({ id: '2505.00407', title: 'Wildcards', authors: ['100% Sure', 'a_b', 'O\'Brien "Ed"'] }),
  ],
  entries: [],
}, FIXED_NOW);

const location = async (path: string) => {
  const res = await app.request(path);
  return { status: res.status, location: res.headers.get('location') };
};
const enc = encodeURIComponent;

test('another case of a non-ASCII name redirects to the spelling most papers carry', async () => {
  const cases: [string, string][] = [
    ['émile durand', 'Émile Durand'], // two papers against one for "ÉMILE DURAND"
    ['ÉMILE   Durand', 'Émile Durand'],
    ['E\u0301mile Durand', 'Émile Durand'], // decomposed accent
    ['δημήτρης παπαδόπουλος', 'Δημήτρης Παπαδόπουλος'],
    ['ΔΗΜΉΤΡΗΣ ΠΑΠΑΔΌΠΟΥΛΟΣ', 'Δημήτρης Παπαδόπουλος'],
    ['СЕРГЕЙ ИВАНОВ', 'Сергей Иванов'],
    ['johann strauss', 'Johann Strauß'],
    ['EMILE DURAND', 'Emile Durand'], // accents are not folded: the unaccented name is its own page
    // One paper each: the tie goes to the first in code point order, the same on both stores.
    ['zoë ångström', 'ZOË ÅNGSTRÖM'],
  ];
  for (const [typed, carried] of cases) {
    assert.deepEqual(await location(`/authors/${enc(typed)}?page=1`), { status: 302, location: `/authors/${enc(carried)}?page=1` }, typed);
    assert.equal(await findAuthorSpelling(store.db, typed), carried, typed);
  }
  // Every spelling papers carry is a page of its own, exactly as written.
  for (const [name, papers] of [['Émile Durand', 2], ['ÉMILE DURAND', 1], ['Emile Durand', 1], ['Сергей Иванов', 1]] as const) {
    const res = await app.request(`/authors/${enc(name)}`);
    assert.equal(res.status, 200, name);
    assert.match(await res.text(), new RegExp(`<strong>${papers}</strong> papers?`), name);
  }
  assert.equal((await app.request(`/authors/${enc('Émile Duran')}`)).status, 404, 'only case and spaces are forgiven');
  assert.equal((await app.request(`/authors/${enc('Emile Durandé')}`)).status, 404);
});

test('hostile names are a 400 or a 404, never a 500, and wildcards match only themselves', async () => {
  const cases: [string, number][] = [
    ['/authors/', 404],
    ['/authors/%20%20', 400],
    [`/authors/${enc('É'.repeat(10_000))}`, 400],
    [`/authors/${'x'.repeat(10_240)}`, 400],
    ['/authors/%C3%89%00', 400],
    ['/authors/%1F%C3%89', 400],
    ['/authors/%25', 404],
    ['/authors/_', 404],
    ['/authors/%25%25%25', 404],
    ['/authors/100%25%20SURE%25', 404],
    ['/authors/A_B_', 404],
    [`/authors/${enc('\'')}`, 404],
    [`/authors/${enc('"; DROP TABLE paper_authors; --')}`, 404],
    [`/authors/${enc('\u0130\u0131\u00df\ufb01\u03c2')}`, 404],
    ['/authors/%ED%A0%80', 404], // a lone surrogate's bytes: not UTF-8
  ];
  for (const [path, status] of cases) {
    const res = await app.request(path);
    assert.equal(res.status, status, path.slice(0, 60));
    assert.doesNotMatch(await res.text(), /Error:|at .*\.ts:\d+/, path.slice(0, 60));
  }
  // `%` and `_` are not patterns: each finds its own name, in another case too.
  assert.deepEqual(await location(`/authors/${enc('100% SURE')}`), { status: 302, location: `/authors/${enc('100% Sure')}` });
  assert.deepEqual(await location('/authors/A_B'), { status: 302, location: '/authors/a_b' });
  assert.deepEqual(await location(`/authors/${enc('o\'brien "ed"')}`), { status: 302, location: `/authors/${enc('O\'Brien "Ed"')}` });
});

test('author: filters find a non-ASCII name in any case, as the pages do', async () => {
  const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
  after(() => index.close());
  const ids = async (q: string) => (await searchPaperIds({ store, index }, { q, pageSize: 50, mode: 'keyword' })).sort();
  const expected: [string, string[]][] = [
    ['author:"ÉMILE DURAND"', ['2505.00401', '2505.00402', '2505.00403', '2505.00404']], // search folds accents too (docs/search.md)
    ['author:"émile durand" sheaves', ['2505.00401', '2505.00402', '2505.00403']],
    ['author:"ΔΗΜΉΤΡΗΣ παπαδόπουλος"', ['2505.00401']],
    ['author:"сергей иванов"', ['2505.00402']],
    ['author:ÅNGSTRÖM', ['2505.00405', '2505.00406']],
    ['lattices -author:"EMILE DURAND"', ['2505.00405', '2505.00406']],
  ];
  for (const [q, want] of expected) assert.deepEqual(await ids(q), want, q);

  if (testStoreKind() === 'postgres') {
    // PostgreSQL's own engine (PAPERBOY_SEARCH_ENGINE=postgres) gives the same papers.
    const engine = await PgSearchEngine.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
    after(() => engine.close());
    for (const [q, want] of expected) {
      const r = await engine.search({ query: parseQuery(q), mode: 'keyword', sort: 'relevance', offset: 0, limit: 50 });
      assert.deepEqual(r.hits.map((h) => h.id).sort(), want, `postgres engine: ${q}`);
    }
  }
});
