import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { barChart, escapeXml, horizontalBarChart, letterAvatar, niceCeiling, sparkline, textWidth, titleCard, wrapText } from './svg-chart.ts';

test('niceCeiling: the axis top is 1, 2 or 5 times a power of ten, at or above the maximum', () => {
  const cases: [number, number][] = [[0, 1], [-3, 1], [NaN, 1], [1, 1], [3, 5], [7, 10], [10, 10], [11, 20], [199, 200], [201, 500], [0.3, 0.5], [148, 200]];
  for (const [max, top] of cases) assert.equal(niceCeiling(max), top, String(max));
});

test('barChart: one bar per point scaled to the axis, labels and tooltips, numbers in the description', () => {
  const svg = barChart({ title: 'Papers per day', unit: 'papers', points: [{ label: '2025-05-05', value: 30 }, { label: '2025-05-06', value: 0 }, { label: '2025-05-07', value: 12 }] });
  assert.equal(XMLValidator.validate(svg), true);
  assert.match(svg, /role="img"/);
  assert.match(svg, /<title id="[\w]+">Papers per day<\/title>/);
  assert.match(svg, /<desc id="[\w]+">42 papers over 3 entries from 2025-05-05 to 2025-05-07; the most, 30, on 2025-05-05\.<\/desc>/);
  const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"><title>/g)].map((m) => Number(m[1]));
  assert.equal(heights.length, 3);
  assert.equal(heights[1], 0);
  assert.ok(Math.abs(heights[0]! / heights[2]! - 30 / 12) < 0.01, 'heights are proportional to values');
  assert.match(svg, />50<\/text>/, 'the axis top (nice ceiling of 30)');
  assert.match(svg, /<title>2025-05-06: 0 papers<\/title>/);
  assert.match(barChart({ title: 't', points: [] }), /No data yet/);
});

test('charts escape every text they draw', () => {
  const svg = horizontalBarChart({ title: 'A <b> & "c"', items: [{ label: '<script>', value: 3 }] });
  assert.equal(XMLValidator.validate(svg), true);
  assert.doesNotMatch(svg, /<script>|<b>/);
  assert.match(svg, /&lt;script&gt;/);
  assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
});

test('a title or byline with characters XML does not allow still makes a readable image (they are dropped)', () => {
  const card = titleCard({ title: 'Bell \u0001 and \uFFFE non-character, lone \uD800 surrogate, emoji 🙂', byline: 'Ada\u0007 Lovelace', site: 'Paperboy' });
  assert.equal(XMLValidator.validate(card), true);
  assert.match(card, /aria-label="Bell  and  non-character, lone  surrogate, emoji 🙂"/);
  assert.match(card, />Ada Lovelace</);
});

test('horizontalBarChart: bars as long as their share of the largest, with values', () => {
  const svg = horizontalBarChart({ title: 'Top categories', items: [{ label: 'cs.CL', value: 100 }, { label: 'cs.LG', value: 50 }] });
  const widths = [...svg.matchAll(/<rect x="[\d.]+" [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(widths.length, 2);
  assert.ok(Math.abs(widths[0]! / widths[1]! - 2) < 0.01);
  assert.match(svg, /cs.CL: 100; cs.LG: 50\./);
});

/** Each <text> of an SVG with where it is drawn: its x, its anchor and its text. */
const texts = (svg: string) => [...svg.matchAll(/<text x="([\d.-]+)"([^>]*)>([^<]*)<\/text>/g)]
  .map((m) => ({ x: Number(m[1]), anchor: /text-anchor="(\w+)"/.exec(m[2]!)?.[1] ?? 'start', text: m[3]! }));

test('barChart: the axis labels have room on the left, however many digits the top has', () => {
  for (const top of [5, 50_000, 5_000_000_000]) {
    const svg = barChart({ title: 'Votes', points: [{ label: '2025-05-05', value: top }, { label: '2025-05-06', value: 1 }] });
    const axis = /<g [^>]*text-anchor="end">(.*?)<\/g>/.exec(svg)!;
    const label = texts(axis[1]!).find((t) => t.text === top.toLocaleString('en-US'));
    assert.ok(label, `the axis top ${top} is drawn, right-aligned`);
    assert.ok(label.x - textWidth(label.text, 12) >= 2, `${label.text} ends at x=${label.x}: it needs ${textWidth(label.text, 12)}`);
    const bar = /<rect x="([\d.]+)"/.exec(svg)!;
    assert.ok(Number(bar[1]) > label.x, 'the bars start right of the labels');
  }
});

test('horizontalBarChart: labels and values fit in the picture, a label too long for it is cut with …', () => {
  const long = 'a-category-with-a-name-far-longer-than-any-arxiv-has-and-more';
  const svg = horizontalBarChart({ title: 'Top categories', items: [{ label: 'physics.atom-ph', value: 1_234_567 }, { label: 'cs.CL', value: 3 }, { label: long, value: 2 }] });
  assert.equal(XMLValidator.validate(svg), true);
  for (const t of texts(svg)) {
    const w = textWidth(t.text, 12);
    const [from, to] = t.anchor === 'end' ? [t.x - w, t.x] : [t.x, t.x + w];
    assert.ok(from >= 0 && to <= 640, `"${t.text}" is drawn from ${from} to ${to}`);
  }
  assert.ok(texts(svg).some((t) => t.text === 'physics.atom-ph'), 'a long arXiv category is whole');
  assert.ok(texts(svg).some((t) => t.text.endsWith('…') && long.startsWith(t.text.slice(0, -1))), 'a label too long is cut');
  assert.match(svg, new RegExp(`<title>${long}: 2</title>`), 'its tooltip has it whole');
});

test('sparkline: a path through every value from 0 to the largest, a dot on the last', () => {
  const svg = sparkline({ values: [0, 1, 1, 4], title: 'Upvotes', description: '4 in all', width: 100, height: 20, color: '#123456' });
  assert.equal(XMLValidator.validate(svg), true);
  const d = /<path d="([^"]+)"/.exec(svg)![1]!;
  const points = d.split(/[ML]/).filter(Boolean).map((p) => p.split(' ').map(Number));
  assert.equal(points.length, 4);
  assert.deepEqual(points[0], [3, 17], 'zero sits on the bottom padding');
  assert.deepEqual(points[3], [97, 3], 'the largest on the top padding');
  assert.match(svg, /<circle cx="97" cy="3"/);
  assert.match(svg, /stroke="#123456"/);
  assert.match(svg, /<title id="\w+">Upvotes: 4 in all<\/title>/);
});

test('wrapText and titleCard: lines of a bounded length, the last cut with an ellipsis', () => {
  assert.deepEqual(wrapText('one two three four', 9, 3), ['one two', 'three', 'four']);
  assert.deepEqual(wrapText('one two three four five six', 9, 2), ['one two', 'three…']);
  assert.deepEqual(wrapText('supercalifragilistic', 8, 2), ['superca…']);
  assert.deepEqual(wrapText('   ', 8, 2), []);
  const card = titleCard({ title: 'A & B: <tags>', byline: 'Ada', site: 'Paperboy' });
  assert.equal(XMLValidator.validate(card), true);
  assert.match(card, /A &amp; B: &lt;tags&gt;/);
});

test('letterAvatar: the first letter, a colour that depends on the name', () => {
  const a = letterAvatar('ada');
  assert.match(a, />A<\/text>/);
  assert.notEqual(/hsl\([^)]+\)/.exec(a)![0], /hsl\([^)]+\)/.exec(letterAvatar('bob'))![0]);
  assert.equal(/hsl\([^)]+\)/.exec(a)![0], /hsl\([^)]+\)/.exec(letterAvatar('ada'))![0]);
  assert.match(letterAvatar('émile'), />É<\/text>/);
});
