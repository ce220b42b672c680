/**
 * Feeds: each one parses with a maintained feed parser (@rowanmanning/feed-parser) and keeps the
 * rules of RSS 2.0 and Atom 1.0 (RFC 4287): well-formed XML, the required elements, dates in RFC
 * 822 / RFC 3339, unique ids, escaped content; conditional GET; errors; autodiscovery links.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { createCollection, changeCollection, curate } from '../../src/services/community.ts';
import { API_RATE_LIMITS } from '../../src/web/api/http.ts';
import { FeedLinks, newFeedLink } from '../../src/web/feeds.tsx';
import { createMember, paperRecord } from '../helpers/factories.ts';
import { changesSettled, FIXED_NOW } from '../helpers/store.ts';
import { NOW_MS, openDataApp, type OpenDataTest } from './support.ts';

type Node = Record<string, unknown>;
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['item', 'entry', 'category', 'author', 'link'].includes(name), parseTagValue: false, textNodeName: '#text' });
const text = (v: unknown): string => {
  if (Array.isArray(v)) return text(v[0]);
  return typeof v === 'object' && v !== null ? String((v as Node)['#text'] ?? '') : String(v ?? '');
};

const RFC822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|[+-]\d{4})$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

async function get(t: OpenDataTest, path: string, headers: Record<string, string> = {}) {
  const res = await t.app.request(path, { headers: { 'x-forwarded-for': `192.0.2.${Math.floor(Math.random() * 250) + 1}`, ...headers } });
  return { res, body: await res.text() };
}

/** Checks RSS 2.0's rules; returns the items. */
function checkRss(body: string, self: string): Node[] {
  assert.equal(XMLValidator.validate(body), true, 'well-formed XML');
  const doc = xml.parse(body) as Node;
  const rss = doc.rss as Node;
  assert.equal(rss['@version'], '2.0');
  const channel = rss.channel as Node;
  for (const required of ['title', 'link', 'description']) assert.ok(text(channel[required]).trim(), `channel has ${required}`);
  assert.match(text(channel.link), /^https?:\/\//);
  assert.match(text(channel.lastBuildDate), RFC822);
  const atomSelf = ([channel['atom:link']].flat() as Node[]).find((l) => l['@rel'] === 'self')!;
  assert.equal(atomSelf['@href'], self);
  const items = (channel.item ?? []) as Node[];
  const guids = new Set<string>();
  for (const item of items) {
    assert.ok(text(item.title) || text(item.description), 'an item has a title or a description');
    assert.match(text(item.link), /^https?:\/\//);
    assert.match(text(item.pubDate), RFC822);
    const guid = text(item.guid);
    assert.ok(!guids.has(guid), `guid ${guid} is unique`);
    guids.add(guid);
  }
  return items;
}

/** Checks Atom 1.0's rules (RFC 4287 4.1.1, 4.1.2); returns the entries. */
function checkAtom(body: string, self: string): Node[] {
  assert.equal(XMLValidator.validate(body), true, 'well-formed XML');
  const doc = xml.parse(body) as Node;
  const feed = doc.feed as Node;
  assert.equal(feed['@xmlns'], 'http://www.w3.org/2005/Atom');
  for (const required of ['id', 'title', 'updated']) assert.ok(text(feed[required]).trim(), `feed has ${required}`);
  assert.match(text(feed.updated), RFC3339);
  assert.ok((feed.author as Node[]).length >= 1, 'a feed-level author, so every entry has one');
  assert.equal((feed.link as Node[]).find((l) => l['@rel'] === 'self')!['@href'], self);
  const entries = (feed.entry ?? []) as Node[];
  const ids = new Set<string>();
  for (const e of entries) {
    const id = text(e.id);
    assert.match(id, /^https?:\/\//, 'ids are IRIs');
    assert.ok(!ids.has(id), `entry id ${id} is unique`);
    ids.add(id);
    assert.ok(text(e.title), 'an entry has a title');
    assert.match(text(e.updated), RFC3339);
    assert.match(text(e.published), RFC3339);
    assert.ok((e.link as Node[]).some((l) => l['@rel'] === 'alternate' && /^https?:\/\//.test(String(l['@href']))), 'an alternate link');
    assert.ok(text(e.summary), 'a summary');
  }
  return entries;
}

test('the Daily papers feed, RSS and Atom: valid, parsed by a feed parser, content escaped, dated by entry into the list', async () => {
  const t = await openDataApp();
  const rss = await get(t, '/feeds/daily.rss?date=2025-05-05');
  assert.equal(rss.res.status, 200);
  assert.equal(rss.res.headers.get('content-type'), 'application/rss+xml; charset=utf-8');
  const items = checkRss(rss.body, 'http://localhost/feeds/daily.rss?date=2025-05-05');
  assert.equal(items.length, 3);
  assert.doesNotMatch(rss.body, /<b>for<\/b>/, 'markup in titles is escaped, not interpreted');

  const parsed = parseFeed(rss.body);
  assert.equal(parsed.title, 'Daily papers · Paperboy Test');
  assert.deepEqual(parsed.items.map((i) => i.url), ['http://localhost/papers/2505.00202', 'http://localhost/papers/2505.00201', 'http://localhost/papers/2505.00203'], 'trending first');
  const diffusion = parsed.items[0]!;
  assert.equal(diffusion.title, 'Diffusion models <b>for</b> video & more');
  assert.equal(diffusion.published?.toISOString(), '2025-05-05T09:00:00.000Z');
  assert.deepEqual(diffusion.categories.map((c) => c.term), ['cs.CV', 'cs.CL']);
  assert.match(diffusion.description!, /Ada Lovelace, Alan Turing/);
  assert.deepEqual(diffusion.authors.map((a) => a.name), ['Ada Lovelace', 'Alan Turing'], 'one author each, not one "A, B"');
  // The list's last change: the import that made it (FIXED_NOW), later than its newest item (10:00 on 5 May 2025).
  assert.equal(rss.res.headers.get('last-modified'), 'Sat, 28 Nov 2026 12:00:00 GMT');

  const atom = await get(t, '/feeds/daily.atom?date=2025-05-05');
  assert.equal(atom.res.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
  const entries = checkAtom(atom.body, 'http://localhost/feeds/daily.atom?date=2025-05-05');
  assert.equal(entries.length, 3);
  const feed = parseFeed(atom.body);
  assert.equal(feed.items[1]!.title, 'Sparse attention for long documents');
  assert.deepEqual(feed.items[1]!.authors.map((a) => a.name), ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov']);
  assert.equal(feed.updated?.toISOString(), '2026-11-28T12:00:00.000Z');

  const latest = parseFeed((await get(t, '/feeds/daily.rss')).body);
  assert.deepEqual(latest.items.map((i) => i.url), ['http://localhost/papers/2505.00204'], 'without a date: the latest list');
});

test('the weekly feed, New on arXiv (all and per category), a search and a public collection, in both formats', async () => {
  const t = await openDataApp();
  const col = await createCollection({ store: t.store, now: () => NOW_MS, arxiv: null, submitQuota: 3 }, t.ada, { name: 'Tokenizers', isPublic: true });
  await changeCollection({ store: t.store, now: () => NOW_MS, arxiv: null, submitQuota: 3 }, t.ada, { collectionId: col.id, paperId: '2505.00210', action: 'add' });
  const cases: [string, number, string][] = [
    ['/feeds/weekly', 5, 'Papers of the week · Paperboy Test'],
    ['/feeds/new', 1, 'New on arXiv · Paperboy Test'],
    ['/feeds/new/cs.CL', 1, 'New on arXiv in cs.CL · Paperboy Test'],
    ['/search', 1, 'Search: Tokenizers · Paperboy Test'],
    ['/feeds/collections/ada/tokenizers', 1, 'Tokenizers · a collection by ada · Paperboy Test'],
  ];
  for (const [path, count, title] of cases) {
    for (const format of ['rss', 'atom'] as const) {
      const url = `${path}.${format}${path === '/search' ? '?q=Tokenizers' : ''}`;
      const { res, body } = await get(t, url);
      assert.equal(res.status, 200, `${url}: ${body.slice(0, 200)}`);
      const self = `http://localhost${url}`;
      const items = format === 'rss' ? checkRss(body, self) : checkAtom(body, self);
      assert.equal(items.length, count, url);
      const parsed = parseFeed(body);
      assert.equal(parsed.title, title, url);
      assert.equal(parsed.items.length, count, url);
    }
  }
  // A search's results change with the index, whatever their dates: no Last-Modified; its ETag says
  // whether it changed, so the same answer later must be the same body.
  for (const [q, updated] of [['Tokenizers', '2025-05-06T00:00:00.000Z'], ['zzzzqqqq', '2026-11-28T00:00:00.000Z']] as const) {
    const search = await get(t, `/search.atom?q=${q}`);
    assert.equal(search.res.headers.get('last-modified'), null, q);
    assert.match(search.body, new RegExp(`^<updated>${updated}</updated>$`, 'm'), `${q}: its newest paper, or today (not 1970) when nothing matches`);
  }
  // Polled again later, nothing having changed: a 304.
  let clock = NOW_MS;
  const polled = await openDataApp({ now: () => clock });
  for (const url of ['/search.atom?q=Tokenizers', '/search.rss?q=Tokenizers', '/search.atom?q=zzzzqqqq']) {
    const etag = (await get(polled, url)).res.headers.get('etag')!;
    clock += 2_000;
    assert.equal((await get(polled, url, { 'if-none-match': etag })).res.status, 304, url);
  }
  const weekly = parseFeed((await get(t, '/feeds/weekly.rss?week=2025-W19')).body);
  // Over a week trending ranks by upvotes: the 40-vote paper, though two days older than 2505.00204.
  assert.deepEqual(weekly.items.slice(0, 2).map((i) => i.url), ['http://localhost/papers/2505.00202', 'http://localhost/papers/2505.00201']);
  const tokenizers = parseFeed((await get(t, '/feeds/collections/ada/tokenizers.atom')).body).items[0]!;
  assert.equal(tokenizers.title, 'Tokenizers & <friends>: a "study"');
  assert.deepEqual(tokenizers.authors.map((a) => a.name), ['Émile Zola', 'Ada Lovelace']);
});

test('characters XML does not allow are dropped, so a stray control character cannot break a feed', async () => {
  const t = await openDataApp();
  await t.store.importBatch({
    records: [paperRecord({ id: '2505.00300', title: 'Bell \u0007 and form\u000cfeed', abstract: 'Null \u0000 byte; lone surrogate \uD800 here; emoji 🙂 stays.', announcedOn: ['2025-05-08'] })],
    entries: [{ paperId: '2505.00300', day: '2025-05-08', submittedAt: '2025-05-08T08:00:00.000Z' }],
  }, FIXED_NOW);
  for (const format of ['rss', 'atom'] as const) {
    const { body } = await get(t, `/feeds/daily.${format}?date=2025-05-08`);
    const items = format === 'rss' ? checkRss(body, `http://localhost/feeds/daily.${format}?date=2025-05-08`) : checkAtom(body, `http://localhost/feeds/daily.${format}?date=2025-05-08`);
    assert.equal(items.length, 1);
    const item = parseFeed(body).items[0]!;
    assert.equal(item.title, 'Bell  and formfeed');
    assert.match(format === 'rss' ? item.description! : (item.description ?? item.content ?? ''), /emoji 🙂 stays/);
  }
});

test('conditional GET on feeds: If-None-Match and If-Modified-Since answer 304', async () => {
  const t = await openDataApp();
  const first = await get(t, '/feeds/new/cs.CL.rss');
  const etag = first.res.headers.get('etag')!;
  const lastModified = first.res.headers.get('last-modified')!;
  assert.equal(lastModified, 'Sat, 28 Nov 2026 12:00:00 GMT', 'when the import wrote the day\'s announcements');
  assert.equal((await get(t, '/feeds/new/cs.CL.rss', { 'if-none-match': etag })).res.status, 304);
  const since = await get(t, '/feeds/new/cs.CL.rss', { 'if-modified-since': lastModified });
  assert.equal(since.res.status, 304);
  assert.equal(since.body, '');
  assert.equal(since.res.headers.get('last-modified'), lastModified);
  // Labelled as what it stands for: a cache updating its stored headers from the 304 keeps "a feed".
  assert.equal(since.res.headers.get('content-type'), 'application/rss+xml; charset=utf-8');
  assert.equal((await get(t, '/feeds/new/cs.CL.rss', { 'if-modified-since': 'Mon, 05 May 2025 00:00:00 GMT' })).res.status, 200);
  assert.equal((await get(t, '/feeds/new/cs.CL.rss', { 'if-none-match': '"other"', 'if-modified-since': lastModified })).res.status, 200, 'If-None-Match wins');
});

test('a feed of a day or week still to come is never dated after now: Last-Modified, lastBuildDate and Atom updated stop at the clock', async () => {
  const t = await openDataApp();
  const now = new Date(NOW_MS).toUTCString(); // Sat, 28 Nov 2026 12:00:00 GMT
  for (const url of ['/feeds/daily.rss?date=2030-01-01', '/feeds/new.rss?date=2030-01-01', '/feeds/categories/cs.CL.rss?date=2030-01-01', '/feeds/weekly.rss?week=2026-W48']) {
    const { res, body } = await get(t, url);
    assert.equal(res.status, 200, url);
    assert.equal(res.headers.get('last-modified'), now, url);
    assert.match(body, new RegExp(`<lastBuildDate>${now}</lastBuildDate>`), url);
    const atom = await get(t, url.replace('.rss', '.atom'));
    assert.equal(atom.res.headers.get('last-modified'), now, url);
    assert.match(atom.body, /^<updated>2026-11-28T12:00:00(\.000)?Z<\/updated>$/m, url);
    // A client that stored it asks again with it and gets a 304.
    assert.equal((await get(t, url, { 'if-modified-since': now })).res.status, 304, url);
  }
  // A past day keeps its own date (its last change, the import), however much later the clock.
  const dayLater = await openDataApp({ now: () => NOW_MS + 86_400_000 });
  assert.equal((await get(dayLater, '/feeds/daily.rss?date=2025-05-05')).res.headers.get('last-modified'), 'Sat, 28 Nov 2026 12:00:00 GMT');
  assert.equal((await get(dayLater, '/feeds/new.rss?date=2025-05-05')).res.headers.get('last-modified'), 'Sat, 28 Nov 2026 12:00:00 GMT');
});

test('a feed\'s Last-Modified never moves back: a curator hides its newest item, an owner takes a paper out of a collection', async () => {
  let clock = NOW_MS;
  const t = await openDataApp({ now: () => clock });
  const deps = { store: t.store, now: () => clock, arxiv: null, submitQuota: 3 };
  const curator = await createMember(t.store, 'cura', { role: 'curator' });
  const later = async (action: () => Promise<unknown>) => {
    clock += 3_600_000;
    await action();
    return new Date(clock).toUTCString();
  };
  for (const url of ['/feeds/daily.rss?date=2025-05-05', '/feeds/categories/cs.CV.atom?date=2025-05-05']) {
    const first = await get(t, url);
    const stored = first.res.headers.get('last-modified')!;
    const newest = parseFeed(first.body).items.map((i) => ({ url: i.url!, at: i.published!.getTime() })).sort((a, b) => b.at - a.at)[0]!;
    const hiddenAt = await later(() => curate(deps, curator, newest.url.split('/').pop()!, 'hide'));
    const again = await get(t, url, { 'if-modified-since': stored });
    assert.equal(again.res.status, 200, `${url}: the list changed, so a client that stored the feed gets the new one`);
    assert.ok(!parseFeed(again.body).items.some((i) => i.url === newest.url), `${url}: the hidden paper is gone`);
    assert.equal(again.res.headers.get('last-modified'), hiddenAt, url);
    const shownAt = await later(() => curate(deps, curator, newest.url.split('/').pop()!, 'unhide'));
    assert.equal((await get(t, url, { 'if-modified-since': hiddenAt })).res.headers.get('last-modified'), shownAt, url);
    assert.equal((await get(t, url, { 'if-modified-since': shownAt })).res.status, 304, `${url}: unchanged since`);
  }

  const col = await createCollection(deps, t.ada, { name: 'Reading', isPublic: true, paperId: '2505.00201' });
  await changeCollection(deps, t.ada, { collectionId: col.id, paperId: '2505.00210', action: 'add' });
  const url = '/feeds/collections/ada/reading.rss';
  const stored = (await get(t, url)).res.headers.get('last-modified')!;
  const removedAt = await later(() => changeCollection(deps, t.ada, { collectionId: col.id, paperId: '2505.00210', action: 'remove' }));
  const again = await get(t, url, { 'if-modified-since': stored });
  assert.equal(again.res.status, 200, 'a paper taken out is a change');
  assert.equal(parseFeed(again.body).items.length, 1);
  assert.equal(again.res.headers.get('last-modified'), removedAt);
  const addedAt = await later(() => changeCollection(deps, t.ada, { collectionId: col.id, paperId: '2505.00202', action: 'add' }));
  assert.equal((await get(t, url, { 'if-modified-since': removedAt })).res.headers.get('last-modified'), addedAt, 'an older paper put in is a change too');
});

test('New on arXiv: items dated by their announcement, and a later harvest into a day already served moves its date on', async () => {
  let clock = NOW_MS;
  const t = await openDataApp({ now: () => clock });
  // A paper published in 2021 and announced again (replaced) on 2025-05-09, with a fresh one.
  await t.store.upsertPapers([
    paperRecord({ id: '2109.05721', title: 'An old paper, replaced', categories: ['cs.CL'], publishedAt: '2021-09-01T00:00:00.000Z', announcedOn: ['2025-05-09'], announceType: 'replace' }),
    paperRecord({ id: '2505.00400', title: 'A fresh paper', categories: ['cs.CL'], publishedAt: '2025-05-08T17:00:00.000Z', announcedOn: ['2025-05-09'] }),
  ], new Date(clock).toISOString());
  const url = '/feeds/new.rss?date=2025-05-09';
  const first = await get(t, url);
  assert.deepEqual(parseFeed(first.body).items.map((i) => i.published?.toISOString()), ['2025-05-09T00:00:00.000Z', '2025-05-09T00:00:00.000Z']);
  const stored = first.res.headers.get('last-modified')!;
  // The catch-up harvest, an hour later, finds one more paper of that day.
  clock += 3_600_000;
  await t.store.upsertPapers([paperRecord({ id: '2505.00401', title: 'Found by the catch-up', categories: ['cs.CL'], publishedAt: '2025-05-08T18:00:00.000Z', announcedOn: ['2025-05-09'] })], new Date(clock).toISOString());
  const again = await get(t, url, { 'if-modified-since': stored });
  assert.equal(again.res.status, 200, 'the day changed');
  assert.equal(parseFeed(again.body).items.length, 3);
  assert.equal(again.res.headers.get('last-modified'), new Date(clock).toUTCString());
  // The same record once more, in a batch that adds to another day: this day's date stays.
  clock += 3_600_000;
  await t.store.upsertPapers([
    paperRecord({ id: '2505.00401', title: 'Found by the catch-up', categories: ['cs.CL'], publishedAt: '2025-05-08T18:00:00.000Z', announcedOn: ['2025-05-09'] }),
    paperRecord({ id: '2505.00500', title: 'The next day', categories: ['cs.CL'], publishedAt: '2025-05-09T18:00:00.000Z', announcedOn: ['2025-05-12'] }),
  ], new Date(clock).toISOString());
  assert.equal((await get(t, url, { 'if-modified-since': again.res.headers.get('last-modified')! })).res.status, 304);
  assert.equal((await get(t, '/feeds/new.rss?date=2025-05-12')).res.headers.get('last-modified'), new Date(clock).toUTCString());
});

test('feed errors are clear: bad dates, weeks and categories are 400s, unknown ones and private collections 404s, no search engine 503', async () => {
  const t = await openDataApp();
  const cases: [string, number, RegExp][] = [
    ['/feeds/daily.rss?date=2025-02-30', 400, /date/],
    ['/feeds/weekly.atom?week=2025-W60', 400, /week/],
    ['/feeds/new.rss?date=soon', 400, /date: "soon" is not a date \(expected YYYY-MM-DD\)/],
    ['/feeds/daily.rss?date=1990-12-31', 400, /date: "1990-12-31" is out of range: a date must be between 1991-01-01 and 2999-12-31/],
    ['/feeds/new.rss?date=9999-12-31', 400, /date: "9999-12-31" is out of range: a date must be between 1991-01-01 and 2999-12-31/],
    ['/feeds/new/CS%20CL.rss', 404, /no such endpoint/],
    ['/feeds/new/x.rss', 400, /category/],
    ['/feeds/new/math.AG.rss', 404, /No papers in math.AG/],
    ['/search.rss', 400, /q/],
    [`/search.atom?q=${'a'.repeat(251)}`, 400, /at most 250/],
    ['/feeds/collections/ada/nothing.rss', 404, /no such public collection/],
    ['/feeds/collections/nobody/x.atom', 404, /no such public collection/],
    ['/feeds/daily.json', 404, /no such endpoint/],
  ];
  for (const [url, status, re] of cases) {
    const { res, body } = await get(t, url);
    assert.equal(res.status, status, `${url}: ${body}`);
    assert.match(JSON.parse(body).error, re, url);
  }
  const col = await createCollection({ store: t.store, now: () => NOW_MS, arxiv: null, submitQuota: 3 }, t.ada, { name: 'Secret', isPublic: false });
  assert.equal(col.slug, 'secret');
  assert.equal((await get(t, '/feeds/collections/ada/secret.rss')).res.status, 404, 'a private collection has no feed');
  const noEngine = await openDataApp({ search: false });
  assert.equal((await get(noEngine, '/search.rss?q=attention')).res.status, 503);
});

test('FeedLinks: RSS and Atom alternates for a page head, escaped', () => {
  const html = String(FeedLinks({ siteName: 'A & B', feeds: [newFeedLink('cs.CL'), { title: 'Search: "x"', rss: '/search.rss?q=x' }] }));
  assert.match(html, /<link rel="alternate" type="application\/rss\+xml" title="New on arXiv in cs.CL · A &amp; B \(RSS\)" href="\/feeds\/new\/cs.CL.rss"\/?>/);
  assert.match(html, /type="application\/atom\+xml" title="New on arXiv in cs.CL · A &amp; B \(Atom\)" href="\/feeds\/new\/cs.CL.atom"/);
  assert.match(html, /href="\/search.atom\?q=x"/);
  assert.match(html, /title="Search: &quot;x&quot; · A &amp; B \(RSS\)"/);
  const site = String(FeedLinks({ siteName: 'S' }));
  assert.match(site, /href="\/feeds\/daily.rss"/);
  assert.match(site, /href="\/feeds\/weekly.atom"/);
});

test('New on arXiv carries its whole day, as arXiv\'s feeds do: a day of 260 announcements is 260 items', async () => {
  const t = await openDataApp();
  const day = '2025-05-14';
  await t.store.upsertPapers(Array.from({ length: 260 }, (_, i) => paperRecord({
    id: `2505.${String(10_000 + i).padStart(5, '0')}`, title: `Paper number ${i}`, categories: [i % 2 === 0 ? 'cs.CL' : 'cs.CV'],
    publishedAt: '2025-05-13T17:00:00.000Z', announcedOn: [day],
  })), FIXED_NOW);
  for (const format of ['rss', 'atom'] as const) {
    const { res, body } = await get(t, `/feeds/new.${format}?date=${day}`);
    assert.equal(res.status, 200);
    const items = format === 'rss' ? checkRss(body, `http://localhost/feeds/new.rss?date=${day}`) : checkAtom(body, `http://localhost/feeds/new.atom?date=${day}`);
    assert.equal(items.length, 260, format);
  }
  assert.equal(parseFeed((await get(t, `/feeds/new/cs.CL.rss?date=${day}`)).body).items.length, 130, 'a category\'s feed: its half of the day');
});

test('the site\'s feeds are kept for a minute while the store stands still: a change shows on the next request, the rate limit still counts, a collection\'s feed is made anew each time', async () => {
  let clock = NOW_MS;
  const t = await openDataApp({ now: () => clock });
  await changesSettled(t.store); // PostgreSQL: the change counter read once, before the first answer is kept
  // A feed of a day still to come is dated now (above), so its date tells when it was made.
  const url = '/feeds/new.rss?date=2030-01-01';
  const first = await get(t, url);
  const madeAt = new Date(clock).toUTCString();
  assert.equal(first.res.headers.get('last-modified'), madeAt);
  clock += 30_000;
  const kept = await get(t, url);
  assert.equal(kept.body, first.body, 'half a minute later: the same answer');
  for (const h of ['last-modified', 'etag', 'content-type', 'cache-control']) assert.equal(kept.res.headers.get(h), first.res.headers.get(h), h);
  assert.equal((await get(t, url, { 'if-none-match': first.res.headers.get('etag')! })).res.status, 304);
  assert.equal(parseFeed((await get(t, url.replace('.rss', '.atom'))).body).items.length, 0, 'the other format is its own answer');
  clock += 30_000;
  assert.equal((await get(t, url)).res.headers.get('last-modified'), new Date(clock).toUTCString(), 'a minute after it was made: made anew');

  // A paper announced that day shows on the very next request.
  clock += 1_000;
  await t.store.upsertPapers([paperRecord({ id: '2505.00777', title: 'Announced on the day', categories: ['cs.CL'], publishedAt: '2025-05-08T17:00:00.000Z', announcedOn: ['2030-01-01'] })], new Date(clock).toISOString());
  assert.deepEqual(parseFeed((await get(t, url)).body).items.map((i) => i.title), ['Announced on the day']);

  // Kept answers count against the address's limit like any other.
  const from = { 'x-forwarded-for': '198.51.100.7' };
  const statuses: number[] = [];
  for (let i = 0; i <= API_RATE_LIMITS.anonymous.limit; i++) statuses.push((await get(t, url, from)).res.status);
  assert.deepEqual([statuses.at(-2), statuses.at(-1)], [200, 429]);

  // A collection changed "after" this clock is dated now: were its feed kept, its date would stand still.
  const deps = { store: t.store, now: () => clock + 3_600_000, arxiv: null, submitQuota: 3 };
  await createCollection(deps, t.ada, { name: 'Later', isPublic: true, paperId: '2505.00201' });
  const collection = '/feeds/collections/ada/later.rss';
  assert.equal((await get(t, collection)).res.headers.get('last-modified'), new Date(clock).toUTCString());
  clock += 2_000;
  assert.equal((await get(t, collection)).res.headers.get('last-modified'), new Date(clock).toUTCString());
});
