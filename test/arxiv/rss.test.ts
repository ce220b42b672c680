import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArxivParseError, RssFeedError } from '../../src/arxiv/errors.ts';
import { parseRssFeed } from '../../src/arxiv/rss.ts';
import { fixture, mutate, sharedFile } from './support.ts';

const EXCERPT = 'rss/all-archives-2024-11-28.excerpt.xml';

function countTypes(types: (string | null | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of types) out[String(t)] = (out[String(t)] ?? 0) + 1;
  return out;
}

describe('parseRssFeed', () => {
  test('a day of announcements: records, the feed day, announce types', () => {
    const feed = parseRssFeed(fixture(EXCERPT));
    assert.equal(feed.day, '2024-11-28');
    assert.equal(feed.records.length, 19);
    assert.deepEqual(feed.errors, []);
    assert.deepEqual(countTypes(feed.records.map((r) => r.announceType)), { new: 9, cross: 3, replace: 7 });
    for (const r of feed.records) assert.deepEqual(r.announcedOn, ['2024-11-28']);
  });

  test('a new item: id without version, abstract without the "Announce Type" prefix, licence', () => {
    const r = parseRssFeed(fixture(EXCERPT)).records[0]!;
    assert.equal(r.id, '2411.17700');
    assert.equal(r.title, "Exploring the Impact of Generative AI on Cross-Border E-Commerce Brand Building in Chinese Tianjin's Manufacturing Sector");
    assert.ok(r.abstract.startsWith('This study investigates the influence of generative artificial intelligence'), r.abstract.slice(0, 80));
    assert.doesNotMatch(r.abstract, /Announce Type|arXiv:2411/);
    assert.deepEqual(r.authors, ['Jun Cui']);
    assert.deepEqual(r.categories, ['cs.CY']);
    assert.equal(r.license, 'http://creativecommons.org/licenses/by/4.0/');
    assert.equal(r.publishedAt, '2024-11-28T05:00:00Z');
    assert.equal(r.updatedAt, '2024-11-28T05:00:00Z');
    assert.deepEqual(r.versions, [{ version: 1, submittedAt: null }]);
    assert.equal(r.announceType, 'new');
  });

  test('a replacement: version from the guid, first publication unknown', () => {
    const r = parseRssFeed(fixture(EXCERPT)).records.find((x) => x.id === '2411.17697')!;
    assert.equal(r.announceType, 'replace');
    assert.equal(r.versions.length, 2);
    assert.equal(r.publishedAt, null);
    assert.equal(r.updatedAt, '2024-11-28T05:00:00Z');
    assert.deepEqual(r.authors, ['Shuyuan Tu', 'Zhen Xing', 'Xintong Han', 'Zhi-Qi Cheng', 'Qi Dai', 'Chong Luo', 'Zuxuan Wu']);
    assert.deepEqual(r.categories, ['cs.CV', 'cs.AI']);
  });

  test('a cross-list of an older paper keeps its primary category first', () => {
    const r = parseRssFeed(fixture(EXCERPT)).records.find((x) => x.id === '2202.06515')!;
    assert.equal(r.announceType, 'cross');
    assert.deepEqual(r.categories, ['astro-ph.CO', 'astro-ph.GA', 'physics.flu-dyn']);
    assert.equal(r.versions.length, 3);
    assert.equal(r.publishedAt, null);
  });

  test('authors: affiliations dropped, TeX accents decoded, "Jr" kept with its name', () => {
    const records = parseRssFeed(fixture(EXCERPT)).records;
    assert.deepEqual(records.find((x) => x.id === '2411.17748')!.authors, [
      'Mohammed Riadh Berramdane',
      'Alexandre Battiston',
      'Michele Bardi',
      'Nicolas Blet',
      'Benjamin Rémy',
      'Matthieu Urbain',
    ]);
    assert.deepEqual(records.find((x) => x.id === '2411.17753')!.authors, [
      'Aleteia Araujo',
      'Breno Costa',
      'Joao Bachiega Jr',
      'Leonardo R. Carvalho',
      'Rajkumar Buyya',
    ]);
  });

  test('entities in titles are decoded once, and TeX escapes as a reader sees them', () => {
    const records = parseRssFeed(fixture(EXCERPT)).records;
    assert.equal(records.find((x) => x.id === '2307.10544')!.title, 'Design & Optimization of the HV divider for JUNO 20-inch PMT');
    assert.ok(records.find((x) => x.id === '2411.18380')!.title.startsWith('SoK: Privacy Personalised -- Mapping Personal Attributes & Preferences'));
  });

  test('an empty feed (no announcements) has zero records and still a day', () => {
    const feed = parseRssFeed(fixture('rss/empty.xml'));
    assert.deepEqual(feed, { day: '2024-11-28', records: [], errors: [] });
  });

  test('the error channel throws RssFeedError with arXiv message', () => {
    assert.throws(
      () => parseRssFeed(fixture('rss/error-bad-archive.xml')),
      (e: unknown) =>
        e instanceof RssFeedError &&
        e.feedUrl === 'http://rss.arxiv.org/rss/astroph' &&
        e.feedMessage.startsWith("Bad archive 'astroph'. Valid archive names are: astro-ph,") &&
        e.message.startsWith('arxiv/rss: feed error for http://rss.arxiv.org/rss/astroph: Bad archive'),
    );
  });
});

describe('parseRssFeed: bad items are skipped with a reason, the rest parsed', () => {
  const base = fixture(EXCERPT);
  const cases: { name: string; xml: string; entry: string; reason: RegExp }[] = [
    {
      name: 'invalid id everywhere',
      xml: mutate(
        mutate(mutate(base, 'oai:arXiv.org:2411.17700v1', 'oai:arXiv.org:bogus'), 'arXiv:2411.17700v1 Announce', 'arXiv:bogus Announce'),
        '<link>https://arxiv.org/abs/2411.17700</link>',
        '<link>https://example.org/</link>',
      ),
      entry: 'oai:arXiv.org:bogus',
      reason: /invalid arXiv id in guid: "bogus"/,
    },
    {
      name: 'invalid pubDate',
      xml: mutate(base, /(<guid isPermaLink="false">oai:arXiv.org:2411.17700v1<\/guid>\s*<category>cs.CY<\/category>\s*)<pubDate>[^<]*<\/pubDate>/, '$1<pubDate>Thu, 31 Nov 2024 00:00:00 -0500</pubDate>'),
      entry: 'oai:arXiv.org:2411.17700v1',
      reason: /invalid pubDate/,
    },
    {
      name: 'no authors',
      xml: mutate(base, '<dc:creator>Jun Cui</dc:creator>', ''),
      entry: 'oai:arXiv.org:2411.17700v1',
      reason: /no authors/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const feed = parseRssFeed(c.xml);
      assert.equal(feed.records.length, 18);
      assert.equal(feed.errors.length, 1, JSON.stringify(feed.errors));
      assert.equal(feed.errors[0]!.entry, c.entry);
      assert.match(feed.errors[0]!.reason, c.reason);
    });
  }

  test('an unknown announce type keeps the record with announceType null', () => {
    const feed = parseRssFeed(mutate(base, '<arxiv:announce_type>new</arxiv:announce_type>', '<arxiv:announce_type>resurrected</arxiv:announce_type>'));
    assert.equal(feed.records.length, 19);
    assert.equal(feed.records[0]!.announceType, null);
  });

  test('an <rss> without a <channel> throws ArxivParseError', () => {
    assert.throws(() => parseRssFeed('<?xml version="1.0"?><rss version="2.0"></rss>'), {
      name: 'ArxivParseError',
      kind: 'malformed',
      message: 'arxiv/rss: malformed: <rss> has no <channel>',
    });
  });

  test('a truncated feed throws ArxivParseError', () => {
    assert.throws(() => parseRssFeed(base.slice(0, 20_000)), (e: unknown) => e instanceof ArxivParseError && e.kind === 'truncated');
  });
});

describe('parseRssFeed: shared data', () => {
  const big = sharedFile('arxiv-rss/rss_mock_feed.xml');
  test('the full 1,504-item feed of 2024-11-28', { skip: big.skip }, () => {
    const feed = parseRssFeed(big.text!);
    assert.equal(feed.records.length, 1504);
    assert.deepEqual(feed.errors, []);
    assert.deepEqual(countTypes(feed.records.map((r) => r.announceType)), { new: 926, replace: 569, cross: 9 });
    const cs = feed.records.filter((r) => r.categories.includes('cs.CV')).length;
    assert.equal(cs, 227);
    assert.ok(feed.records.every((r) => !r.authors.some((a) => a.includes('\\'))), 'TeX left in an author name');
  });
});
