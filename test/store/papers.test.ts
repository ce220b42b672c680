import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setPaperLinks } from '../../src/store/curation.ts';
import { tempStore, FIXED_NOW } from '../helpers/store.ts';
import { paperRecord } from '../helpers/factories.ts';

test('upsertPapers: new, unchanged and updated records are told apart', async () => {
  const store = await tempStore();
  const a = paperRecord({ id: '2505.00001' });
  const b = paperRecord({ id: '2505.00002' });
  assert.deepEqual(await store.upsertPapers([a, b], FIXED_NOW), { new: 2, updated: 0, unchanged: 0, announced: 2 });
  assert.deepEqual(await store.upsertPapers([a, b], FIXED_NOW), { new: 0, updated: 0, unchanged: 2, announced: 0 });

  const v2 = { ...a, title: 'A better title', authors: ['Grace Hopper', 'Ada Lovelace', 'Alan Turing'],
    versions: [...a.versions, { version: 2, submittedAt: '2025-06-01T00:00:00.000Z' }], updatedAt: '2025-06-01T00:00:00.000Z' };
  assert.deepEqual(await store.upsertPapers([v2], FIXED_NOW), { new: 0, updated: 1, unchanged: 0, announced: 0 });
  const paper = await store.findPaperById('2505.00001');
  assert.equal(paper?.title, 'A better title');
  assert.deepEqual(paper?.authors, ['Grace Hopper', 'Ada Lovelace', 'Alan Turing']);
  assert.equal(paper?.latestVersion, 2);
  assert.deepEqual(paper?.versions.map((v) => v.version), [1, 2]);
  assert.equal(paper?.publishedAt, '2025-05-06T00:00:00.000Z');
});

test('upsertPapers: an older version does not overwrite a newer one but keeps its history', async () => {
  const store = await tempStore();
  const v2 = paperRecord({ id: '2505.00003', title: 'Second version', versions: [{ version: 1, submittedAt: null }, { version: 2, submittedAt: '2025-06-01T00:00:00.000Z' }] });
  await store.upsertPapers([v2], FIXED_NOW);
  const v1 = paperRecord({ id: '2505.00003', title: 'First version', versions: [{ version: 1, submittedAt: '2025-05-01T00:00:00.000Z', size: '120kb' }] });
  assert.deepEqual(await store.upsertPapers([v1], FIXED_NOW), { new: 0, updated: 0, unchanged: 1, announced: 0 });
  const paper = await store.findPaperById('2505.00003');
  assert.equal(paper?.title, 'Second version');
  assert.deepEqual(paper?.versions, [
    { version: 1, submittedAt: '2025-05-01T00:00:00.000Z', size: '120kb' },
    { version: 2, submittedAt: '2025-06-01T00:00:00.000Z', size: null },
  ]);
});

test('upsertPapers: old-style ids, many authors, announcements merged across days', async () => {
  const store = await tempStore();
  const authors = Array.from({ length: 40 }, (_, i) => `Author ${i + 1}`);
  const r = paperRecord({ id: 'hep-th/9901001', authors, categories: ['hep-th', 'gr-qc'], announcedOn: ['1999-01-04'] });
  await store.upsertPapers([r], FIXED_NOW);
  const replaced = { ...r, announcedOn: ['1999-01-04', '1999-01-05'], announceType: 'replace' as const };
  // Listed again the next day: the record is the same, New on arXiv gains a day; a dry run counts it alike.
  assert.deepEqual(await store.previewPage([replaced]), { new: 0, updated: 0, unchanged: 1, announced: 1 });
  assert.deepEqual(await store.upsertPapers([replaced], FIXED_NOW), { new: 0, updated: 0, unchanged: 1, announced: 1 });
  assert.deepEqual(await store.previewPage([replaced]), { new: 0, updated: 0, unchanged: 1, announced: 0 });
  const paper = await store.findPaperById('hep-th/9901001');
  assert.equal(paper?.authors.length, 40);
  assert.equal(paper?.authorCount, 40);
  assert.deepEqual(paper?.categories, ['hep-th', 'gr-qc']);
  assert.equal(paper?.primaryCategory, 'hep-th');
  assert.deepEqual(paper?.announcedOn, ['1999-01-04', '1999-01-05']);
});

test('findPaperById returns null for an unknown id', async () => {
  const store = await tempStore();
  assert.equal(await store.findPaperById('2505.99999'), null);
});

test('a failing batch leaves nothing half-written', async () => {
  const store = await tempStore();
  const good = paperRecord({ id: '2505.00010' });
  const bad = paperRecord({ id: '2505.00011', title: null as unknown as string }); // NOT NULL violation
  await assert.rejects(store.importBatch({ records: [good, bad], entries: [] }, FIXED_NOW));
  assert.equal(await store.findPaperById('2505.00010'), null);
  assert.equal((await store.stats()).papers, 0);
});

test('an update from a poorer source keeps what a richer one stored', async () => {
  const store = await tempStore();
  const rich = paperRecord({ id: '2505.00020', comment: '12 pages', journalRef: 'Nature 1 (2025)', doi: '10.1/x', license: 'CC-BY', withdrawn: false });
  await store.upsertPapers([rich], FIXED_NOW);
  const poor = paperRecord({ id: '2505.00020', title: 'Retitled', comment: null, journalRef: undefined, doi: null, license: undefined, updatedAt: null, versions: [{ version: 1, submittedAt: null }] });
  delete poor.withdrawn;
  assert.deepEqual((await store.upsertPapers([poor], FIXED_NOW)).updated, 1);
  const p = await store.findPaperById('2505.00020');
  assert.equal(p?.title, 'Retitled');
  assert.equal(p?.comment, '12 pages');
  assert.equal(p?.journalRef, 'Nature 1 (2025)');
  assert.equal(p?.doi, '10.1/x');
  assert.equal(p?.license, 'CC-BY');
  assert.equal(p?.updatedAt, '2025-05-06T00:00:00.000Z');
  assert.deepEqual(p?.versions, [{ version: 1, submittedAt: '2025-05-05T12:00:00.000Z', size: null }]);
});

/*
 * Two writers at once on one paper (two app processes on one PostgreSQL database, an ingest run
 * and an import): the result is what one writer after the other would have left. Each race is run
 * many rounds, because whether the writers interleave is up to timing.
 */
const ROUNDS = 20;

test('two writers at once: a stale version never overwrites a newer one', async () => {
  const store = await tempStore();
  const v2 = [{ version: 1, submittedAt: '2025-05-05T12:00:00.000Z' }, { version: 2, submittedAt: '2025-06-01T00:00:00.000Z' }];
  const v3 = [...v2, { version: 3, submittedAt: '2025-07-01T00:00:00.000Z' }];
  for (let round = 0; round < ROUNDS; round++) {
    const id = `2507.${String(30000 + round).padStart(5, '0')}`;
    await store.upsertPapers([paperRecord({ id, title: 'Second version', versions: v2 })], FIXED_NOW);
    // A richer source's record of v3, and a poorer source's (no abstract change, say) of v2.
    const newer = paperRecord({ id, title: 'Third version', versions: v3, updatedAt: '2025-07-01T00:00:00.000Z' });
    const stale = paperRecord({ id, title: 'Second version, as the feed had it', versions: v2, comment: 'feed' });
    await Promise.all([store.upsertPapers([newer], FIXED_NOW), store.upsertPapers([stale], FIXED_NOW)]);
    const paper = await store.findPaperById(id);
    assert.equal(paper?.title, 'Third version', `round ${round}: the newest version's title stays`);
    assert.equal(paper?.latestVersion, 3, `round ${round}`);
    assert.deepEqual(paper?.versions.map((v) => v.version), [1, 2, 3], `round ${round}`);
  }
});

test('an update at the same time as a curator adds a code link keeps the link', async () => {
  const store = await tempStore();
  for (let round = 0; round < ROUNDS; round++) {
    // A page of changed papers: the curator's paper is the last one the update reaches.
    const ids = Array.from({ length: 10 }, (_, i) => `2507.${String(40000 + round * 10 + i).padStart(5, '0')}`);
    await store.upsertPapers(ids.map((id) => paperRecord({ id })), FIXED_NOW);
    const target = ids[ids.length - 1]!;
    const link = `https://github.com/example/round-${round}`;
    await Promise.all([
      store.upsertPapers(ids.map((id) => paperRecord({ id, title: `Retitled ${id}` })), FIXED_NOW),
      store.transaction((trx) => setPaperLinks(trx, target, { codeUrl: link, projectUrl: null }, FIXED_NOW)),
    ]);
    const paper = await store.findPaperById(target);
    assert.equal(paper?.title, `Retitled ${target}`);
    assert.equal(paper?.codeUrl, link, `round ${round}: the curator's link is kept`);
  }
});

test('the same new paper from two sources at once: counted new once, with one source\'s authors and categories whole', async () => {
  const store = await tempStore();
  for (let round = 0; round < ROUNDS; round++) {
    const id = `2507.${String(50000 + round).padStart(5, '0')}`;
    const api = paperRecord({ id, title: 'From the API', authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'], categories: ['cs.CL', 'cs.LG', 'stat.ML'] });
    const feed = paperRecord({ id, title: 'From the feed', authors: ['Edsger Dijkstra', 'Barbara Liskov'], categories: ['cs.DS', 'cs.CL'] });
    const counts = await Promise.all([store.upsertPapers([api], FIXED_NOW), store.upsertPapers([feed], FIXED_NOW)]);
    assert.equal(counts[0].new + counts[1].new, 1, `round ${round}: one writer added the paper`);
    const paper = await store.findPaperById(id);
    const source = paper?.title === 'From the API' ? api : feed;
    assert.deepEqual(paper?.authors, source.authors, `round ${round}: the authors of the source whose title is stored`);
    assert.deepEqual(paper?.categories, source.categories, `round ${round}: the categories of the source whose title is stored`);
    assert.equal(paper?.authorCount, source.authors.length, `round ${round}`);
  }
  assert.equal((await store.stats()).papers, ROUNDS);
});

test('an earlier publication date learnt later moves the trending key of a paper on no list, not of a listed one', async () => {
  const store = await tempStore();
  const key = async (id: string) => (await store.db.selectFrom('papers').select('hotness').where('id', '=', id).executeTakeFirstOrThrow()).hotness;
  // First seen in an RSS announcement (dated by the announcement), then the first version's date from OAI-PMH.
  await store.upsertPapers([
    paperRecord({ id: '2506.00801', publishedAt: '2025-06-30T00:00:00.000Z' }),
    paperRecord({ id: '2506.00802', publishedAt: '2025-06-30T00:00:00.000Z' }),
  ], FIXED_NOW);
  await store.importBatch({ records: [], entries: [{ paperId: '2506.00802', day: '2025-06-30', submittedAt: '2025-06-30T08:00:00.000Z' }] }, FIXED_NOW);
  const listedKey = await key('2506.00802');
  await store.upsertPapers([
    paperRecord({ id: '2506.00801', title: 'Known better now', publishedAt: '2025-06-02T10:00:00.000Z' }),
    paperRecord({ id: '2506.00802', title: 'Known better now', publishedAt: '2025-06-02T10:00:00.000Z' }),
  ], FIXED_NOW);
  const unlisted = await store.findPaperById('2506.00801');
  assert.equal(unlisted?.publishedAt, '2025-06-02T10:00:00.000Z');
  // log10(1 + 0) + (2025-06-02T10:00Z - 2020-01-01) / 24 h
  assert.ok(Math.abs((await key('2506.00801')) - (Date.parse('2025-06-02T10:00:00.000Z') - Date.UTC(2020, 0, 1)) / 86_400_000) < 1e-9);
  assert.equal(await key('2506.00802'), listedKey, 'a listed paper is trending from its entry into the list');
});
