/**
 * A first start: `paperboy serve` on an empty store imports the whole bundled demo corpus, and the
 * READMEs state its figures. A test of the corpus and of serve's first start, on SQLite: on
 * PostgreSQL the same import runs in every test run (the demo the PostgreSQL pass's servers start
 * on, test/helpers/demo-store.ts), and serve's first start there, with several processes at once,
 * is tested by test/postgres/demo-once.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { startTestServer } from '../helpers/server.ts';
import { DEMO_CORPUS } from '../../src/services/demo.ts';

/** A figure as the README writes it ("10,511"), as a number. */
function figure(text: string, re: RegExp): number {
  const m = re.exec(text);
  assert.ok(m, `the text states ${re}`);
  return Number(m[1]!.replaceAll(',', ''));
}

test('serve imports the whole bundled demo into an empty store (no weekend announcements; the READMEs state its figures), then answers', async () => {
  const lines = zlib.gunzipSync(fs.readFileSync(DEMO_CORPUS)).toString('utf8').split('\n').filter(Boolean);
  const { server, store } = await startTestServer({}, { emptyStore: true });
  try {
    const stats = await store.stats();
    assert.equal(stats.papers, lines.length, 'every line of the demo is a paper of the store');
    assert.ok(stats.dailyEntries > 900);
    assert.ok(stats.demoVotes > 0);
    assert.equal(stats.votes, stats.demoVotes);

    // arXiv announces Monday to Friday: no "New on arXiv" day falls on a weekend.
    const days = await store.db.selectFrom('announcements').select('day').distinct().execute();
    const weekend = days.map((d) => d.day).filter((d) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
    assert.deepEqual(weekend, []);
    assert.ok(stats.announcements < lines.length * 1.05, `${stats.announcements} announcements of ${lines.length} papers: few papers are announced twice`);

    const readme = fs.readFileSync('README.md', 'utf8');
    assert.equal(figure(readme, /([\d,]+) real arXiv cs\.\* papers/), stats.papers);
    assert.equal(figure(readme, /on which ([\d,]+)\s+of them entered/), stats.dailyEntries);
    const demoReadme = fs.readFileSync('demo/README.md', 'utf8');
    assert.equal(figure(demoReadme, /([\d,]+) real arXiv cs\.\* papers/), stats.papers);
    assert.equal(figure(demoReadme, /for ([\d,]+) of them/), stats.dailyEntries);

    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Friday, July 4, 2025/);
  } finally {
    await server.close();
    await store.close();
  }
});
