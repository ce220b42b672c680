import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { DEMO_CORPUS, importDemo } from '../../src/services/demo.ts';
import { tempStore, FIXED_NOW } from '../helpers/store.ts';

/** A figure as the README writes it ("10,511"), as a number. */
function figure(text: string, re: RegExp): number {
  const m = re.exec(text);
  assert.ok(m, `the text states ${re}`);
  return Number(m[1]!.replaceAll(',', ''));
}

test('the bundled demo imports whole, with no weekend announcements, and the READMEs state its figures', async () => {
  const lines = zlib.gunzipSync(fs.readFileSync(DEMO_CORPUS)).toString('utf8').split('\n').filter(Boolean);
  const store = await tempStore();
  const report = await importDemo(store, { now: () => FIXED_NOW });
  assert.equal(report.errors, 0, 'every line of the demo is accepted');
  assert.equal(report.new, lines.length);

  // arXiv announces Monday to Friday: no "New on arXiv" day falls on a weekend.
  const days = await store.db.selectFrom('announcements').select('day').distinct().execute();
  const weekend = days.map((d) => d.day).filter((d) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
  assert.deepEqual(weekend, []);
  const announcements = await store.db.selectFrom('announcements').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.ok(Number(announcements.n) < lines.length * 1.05, `${announcements.n} announcements of ${lines.length} papers: few papers are announced twice`);

  const papers = await store.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const listed = await store.db.selectFrom('daily_entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const readme = fs.readFileSync('README.md', 'utf8');
  assert.equal(figure(readme, /([\d,]+) real arXiv cs\.\* papers/), Number(papers.n));
  assert.equal(figure(readme, /on which ([\d,]+)\s+of them entered/), Number(listed.n));
  const demoReadme = fs.readFileSync('demo/README.md', 'utf8');
  assert.equal(figure(demoReadme, /([\d,]+) real arXiv cs\.\* papers/), Number(papers.n));
  assert.equal(figure(demoReadme, /for ([\d,]+) of them/), Number(listed.n));
});
