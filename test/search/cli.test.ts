import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runEvalSearch } from '../../src/cli/eval-search.ts';
import { runReindex } from '../../src/cli/reindex.ts';
import { runSearchCli } from '../../src/cli/search.ts';
import { FIXED_NOW, tempDir, tempStore } from '../helpers/store.ts';
import { topicalRecords } from './fixtures.ts';

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c) => { text += c; });
  return { stream: s, text: () => text };
}

describe('search CLI commands', async () => {
  const store = await tempStore();
  await store.upsertPapers(topicalRecords(30), FIXED_NOW);

  test('paperboy reindex ends with one line of counts', async () => {
    const out = sink();
    assert.equal(await runReindex(store, ['--keyword-only'], out.stream), 0);
    assert.match(out.text(), /^reindex done papers=30 semantic=off generation=1 ms=\d+\n$/);
  });

  test('paperboy search --json', async () => {
    const out = sink();
    assert.equal(await runSearchCli(store, ['quantum', 'codes', '--json', '--mode', 'keyword', '--limit', '3'], out.stream), 0);
    const body = JSON.parse(out.text()) as { total: number; items: { id: string; highlights: { title: string } }[] };
    assert.equal(body.total, 5);
    assert.equal(body.items.length, 3);
    assert.match(body.items[0]!.highlights.title, /<mark>Quantum<\/mark>/);
  });

  test('paperboy search, plain, and usage errors', async () => {
    const out = sink();
    assert.equal(await runSearchCli(store, ['robots', '--mode', 'keyword'], out.stream), 0);
    assert.match(out.text(), /^5 papers for robots \(keyword\)\n1\. Reinforcement learning for robots/);
    const err = sink();
    assert.equal(await runSearchCli(store, ['x', '--mode', 'fast'], sink().stream, err.stream), 2);
    assert.match(err.text(), /--mode is hybrid, keyword or semantic/);
    // A page past the end is an error (exit 1), not the last page again or an empty list.
    const past = sink();
    const pastErr = sink();
    assert.equal(await runSearchCli(store, ['robots', '--mode', 'keyword', '--limit', '2', '--page', '4'], past.stream, pastErr.stream), 1);
    assert.equal(past.text(), '');
    assert.equal(pastErr.text(), 'search: there is no page 4: this search has 3 pages of 2\n');
    const far = sink();
    assert.equal(await runSearchCli(store, ['robots', '--mode', 'keyword', '--page', '99999'], sink().stream, far.stream), 1);
    assert.match(far.text(), /^search: there is no page 99999: this search has 1 page of 10\n$/);
    const last = sink();
    assert.equal(await runSearchCli(store, ['robots', '--mode', 'keyword', '--limit', '2', '--page', '3'], last.stream), 0);
    assert.match(last.text(), /\n5\. /, 'the last page is still there');
  });

  test('paperboy search without a saved index says on stderr that it builds one and when it is done; the next search loads it quietly', async () => {
    const fresh = await tempStore();
    await fresh.upsertPapers(topicalRecords(30), FIXED_NOW);
    const out = sink();
    const err = sink();
    assert.equal(await runSearchCli(fresh, ['robots', '--mode', 'keyword'], out.stream, err.stream), 0);
    assert.match(out.text(), /^5 papers for robots \(keyword\)\n1\. Reinforcement learning for robots/, 'the results, on stdout only');
    const lines = err.text().trim().split('\n');
    assert.equal(lines.length, 2, err.text());
    assert.match(lines[0]!, /^search: no saved search index yet: building one from every paper in the store/);
    assert.match(lines[1]!, /^search: index built and saved \(generation 1, 30 papers, semantic ready, \d+\.\d s\); later searches load it$/);
    const again = sink();
    const quiet = sink();
    assert.equal(await runSearchCli(fresh, ['robots', '--mode', 'keyword'], again.stream, quiet.stream), 0);
    assert.equal(again.text(), out.text());
    assert.equal(quiet.text(), '', 'the saved index is loaded, not built again');
  });

  test('paperboy eval-search on a BEIR folder prints one line per mode', async () => {
    const dir = tempDir();
    const docs = topicalRecords(24).map((r) => ({ _id: r.id, title: r.title, text: `${r.abstract} A second sentence. A third one here.` }));
    fs.writeFileSync(path.join(dir, 'corpus.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n'));
    fs.writeFileSync(path.join(dir, 'queries.jsonl'), [
      { _id: 'q1', text: 'surface codes for qubits' }, { _id: 'q2', text: 'robot arm policies' }, { _id: 'q3', text: 'no judgements' },
    ].map((q) => JSON.stringify(q)).join('\n'));
    fs.mkdirSync(path.join(dir, 'qrels'));
    fs.writeFileSync(path.join(dir, 'qrels', 'test.tsv'), `query-id\tcorpus-id\tscore\nq1\t${docs[4]!._id}\t1\nq2\t${docs[5]!._id}\t1\n`);
    const out = sink();
    const err = sink();
    assert.equal(await runEvalSearch([dir], out.stream, err.stream), 0);
    const lines = out.text().trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^hybrid \(default\) nDCG@10=\d\.\d{4} R@100=\d\.\d{4}$/);
    assert.match(lines[1]!, /^keyword nDCG@10=\d\.\d{4} R@100=1\.0000$/);
    assert.match(lines[2]!, /^semantic nDCG@10=\d\.\d{4} R@100=\d\.\d{4}$/);
    assert.match(err.text(), /24 documents, 2 queries, test judgements/);
  });

  test('paperboy eval-search with no judged query stops (exit 1) instead of scoring 0; judgement lines it cannot use are reported', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'corpus.jsonl'), ['d1', 'd2'].map((id) => JSON.stringify({ _id: id, title: `title ${id}`, text: 'some text' })).join('\n'));
    fs.writeFileSync(path.join(dir, 'queries.jsonl'), JSON.stringify({ _id: 'q1', text: 'text' }));
    fs.mkdirSync(path.join(dir, 'qrels'));
    const run = async (qrels: string, args: string[] = []) => {
      fs.writeFileSync(path.join(dir, 'qrels', 'test.tsv'), qrels);
      const out = sink();
      const err = sink();
      const code = await runEvalSearch([dir, '--mode', 'keyword', ...args], out.stream, err.stream);
      return { code, out: out.text(), err: err.text() };
    };
    const headerOnly = await run('query-id\tcorpus-id\tscore\n');
    assert.equal(headerOnly.code, 1);
    assert.equal(headerOnly.out, '', 'no score that looks like a measurement');
    assert.match(headerOnly.err, /no judged queries: no query of queries\.jsonl has a usable judgement in qrels\/test\.tsv/);

    const unusable = await run('query-id\tcorpus-id\tscore\nq1\tzzz\t1\nq1\td1\tabc\nq9\td1\t1\nq1-only\n');
    assert.equal(unusable.code, 1);
    assert.equal(unusable.out, '');
    assert.match(unusable.err, /qrels\/test\.tsv:2: corpus-id "zzz" is not in corpus\.jsonl\n/);
    assert.match(unusable.err, /qrels\/test\.tsv:3: score "abc" is not a number\n/);
    assert.match(unusable.err, /qrels\/test\.tsv:4: query-id "q9" is not in queries\.jsonl\n/);
    assert.match(unusable.err, /qrels\/test\.tsv:5: expected query-id, corpus-id and score separated by tabs\n/);
    assert.match(unusable.err, /4 judgement lines of qrels\/test\.tsv could not be used and were left out\n/);

    // One usable line among bad ones: scored, and the others still reported.
    const mixed = await run('q1\td1\t1\nq1\tzzz\t1\n');
    assert.equal(mixed.code, 0, mixed.err);
    assert.match(mixed.out, /^keyword nDCG@10=1\.0000 R@100=1\.0000/);
    assert.match(mixed.err, /qrels\/test\.tsv:2: corpus-id "zzz" is not in corpus\.jsonl\n.*1 judgement line of qrels\/test\.tsv could not be used and was left out/s);

    const missing = await run('q1\td1\t1\n', ['--split', 'train']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /^eval-search: beir: no qrels\/train\.tsv in /);
  });
});
