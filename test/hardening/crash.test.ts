/**
 * The short form of the crash-safety run (bench/crash.ts does 20 kills): a real server under write
 * load, with ingestion and a digest run beside it, killed with SIGKILL three times at random
 * moments; after each kill the store is consistent, nothing acknowledged is lost, nothing doubled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crashRun } from './crash-harness.ts';

test('kill -9 under write load, three times: integrity, counts = rows, no acknowledged write lost, no duplicate', { timeout: 240_000 }, async () => {
  const r = await crashRun({ kills: 3, log: (m) => console.log(m) });
  console.log(JSON.stringify(r));
  assert.deepEqual(r.problems, []);
  assert.equal(r.kills, 3);
  assert.equal(r.integrityChecks, 4);
  assert.ok(r.acknowledged.votes + r.acknowledged.comments + r.acknowledged.submissions > 20, `writes were acknowledged: ${JSON.stringify(r.acknowledged)}`);
  assert.ok(r.unanswered >= 1, 'some writes were in flight when the server died');
  assert.equal(r.digest.missing, 0);
  assert.ok(r.ingest.finalPapers > 300, 'the harvest finished after the kills');
});
