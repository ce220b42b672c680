import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { tempDir } from '../helpers/store.ts';
import { startTestServer } from '../helpers/server.ts';
import { runPaperboy } from '../helpers/paperboy.ts';
import { DEMO_CORPUS } from '../../src/services/demo.ts';

const paperboy = runPaperboy;

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

test('serve with the demo off starts empty', async () => {
  const { server, store } = await startTestServer({ PAPERBOY_DEMO: 'false' });
  try {
    assert.equal((await store.stats()).papers, 0);
    assert.match(await (await fetch(`${server.url}/`)).text(), /No daily list yet/);
  } finally {
    await server.close();
    await store.close();
  }
});

test('backup writes a consistent copy that opens as a store with the same data; /readyz says ready', async () => {
  const { server, store, dataDir } = await startTestServer({ PAPERBOY_DEMO: 'false' });
  try {
    const file = path.join(dataDir, 'in.jsonl');
    fs.writeFileSync(file, JSON.stringify({ id: '2505.00001', title: 'T', authors: ['A'], categories: ['cs.CL'], abstract: 'x', listing_dates: ['2025-05-06'] }));
    assert.equal(paperboy(['import', file], { PAPERBOY_DATA_DIR: dataDir }).code, 0);
    const copy = path.join(tempDir(), 'copy.db');
    const r = paperboy(['backup', copy], { PAPERBOY_DATA_DIR: dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /backup done file=.*copy\.db bytes=\d+/);
    const { openStore } = await import('../../src/store/index.ts');
    const restored = await openStore(`sqlite:${copy}`);
    try {
      assert.equal((await restored.stats()).papers, 1);
      assert.deepEqual(await restored.integrityProblems(), []);
      assert.deepEqual(await restored.readiness(), { ok: true, problem: null });
    } finally {
      await restored.close();
    }
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), 'ready');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.close();
    await store.close();
  }
});
