/**
 * What a digest e-mail says about its papers: the subject counts the papers it lists, and the
 * papers it had no room for are on the list pages it links to (a day, an ISO week, or each day of
 * a Friday-to-Sunday window), never promised in a web version that only repeats the e-mail.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PaperRecord } from '../../src/domain/paper.ts';
import { runDigestCli } from '../../src/cli/digest.ts';
import { DIGEST_DEFAULTS } from '../../src/services/digest-config.ts';
import { newNonce } from '../../src/services/subscriptions.ts';
import { digestDb, insertSubscription, type SubscriptionKind, type SubscriptionPeriod } from '../../src/store/subscriptions.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { linksIn, pathOf, startRunning, type Running } from '../helpers/running-site.ts';

let r: Running;
/** Papers per list day: more than a daily digest (10) or an alert (25) holds on Monday May 5. */
const DAYS: Record<string, number> = { '2025-05-05': 28, '2025-05-09': 4, '2025-05-10': 4, '2025-05-11': 4 };
const titles = new Map<string, string>();

before(async () => {
  r = await startRunning();
  const records: PaperRecord[] = [];
  const entries: { paperId: string; day: string; submittedAt: string }[] = [];
  for (const [day, n] of Object.entries(DAYS)) {
    for (let i = 0; i < n; i++) {
      const id = `2505.${String(20000 + records.length).padStart(5, '0')}`;
      const title = `Graph paper ${day} number ${i}`;
      titles.set(id, title);
      records.push(paperRecord({ id, title, announcedOn: [day], publishedAt: `${day}T00:00:00.000Z` }));
      entries.push({ paperId: id, day, submittedAt: `${day}T${String(8 + (i % 10)).padStart(2, '0')}:00:00.000Z` });
    }
  }
  await r.store.importBatch({ records, entries }, FIXED_NOW);
  await r.store.seedDemoVotes(new Map([...titles.keys()].map((id, i) => [id, 1 + (i % 17)])), FIXED_NOW);
});
after(async () => r.close());

async function subscribeDirect(email: string, period: SubscriptionPeriod, kind: SubscriptionKind = 'trending', query: string | null = null) {
  await insertSubscription(digestDb(r.store.db), { email, userId: null, period, kind, query, nonce: newNonce(), confirmed: true, confirmSent: false }, '2025-05-01T00:00:00.000Z');
}

async function send(date: string, to: string) {
  let out = '';
  const code = await runDigestCli(r.config, DIGEST_DEFAULTS, r.store, ['send', '--date', date, '--to', to], { write: (s: string) => { out += s; } });
  assert.equal(code, 0, out);
  const mine = (await r.sink.parsed()).filter((m) => m.envelopeTo.includes(to));
  assert.equal(mine.length, 1, `one mail to ${to}: ${out}`);
  return mine[0]!;
}

const listed = (text: string) => [...text.matchAll(/^\d+\. (.+)$/gm)].map((m) => m[1]!);

test('a daily digest with more papers than it lists: the subject counts the listed ones, "more" links to the day\'s list', async () => {
  await subscribeDirect('daily@example.org', 'daily');
  const mail = await send('2025-05-06', 'daily@example.org');
  const text = mail.text ?? '';
  assert.equal(listed(text).length, 10);
  assert.equal(mail.subject, 'Paperboy: 10 papers trending, Mon May 5');
  const more = text.match(/^And (\d+) more on the list of Mon May 5: (\S+)$/m);
  assert.ok(more, text);
  assert.equal(Number(more[1]), 18);
  assert.equal(pathOf(more[2]!), '/papers/date/2025-05-05');
  const html = String(mail.html);
  assert.match(html, /And 18 more on the list of\s*<a [^>]*href="http:\/\/127\.0\.0\.1:\d+\/papers\/date\/2025-05-05"[^>]*>Mon May 5<\/a>/);
  assert.match(html, /<title>Paperboy: 10 papers trending, Mon May 5<\/title>/);

  // The linked list has the papers the e-mail left out; the web version has exactly the listed ones.
  const page = (await r.client('192.0.2.60').get(pathOf(more[2]!))).html;
  const left = [...titles.entries()].filter(([id]) => id.startsWith('2505.') && !listed(text).includes(titles.get(id)!) && titles.get(id)!.includes('2025-05-05'));
  assert.equal(left.length, 18);
  for (const [id] of left) assert.ok(page.includes(`/papers/${id}`), `${id} is on the day's list`);
  const web = linksIn(text).find((l) => l.includes('/digests/'))!;
  const webPage = (await r.client('192.0.2.61').get(pathOf(web))).html;
  assert.equal(new Set([...webPage.matchAll(/href="\/papers\/(2505\.\d+)"/g)].map((m) => m[1])).size, 10);
  assert.doesNotMatch(text + html, /in the web version|see them all/);
});

test('weekly: "more" links to the ISO week\'s list; weekdays on a Monday: to each day from Friday to Sunday', async () => {
  await subscribeDirect('weekly@example.org', 'weekly');
  const weekly = await send('2025-05-12', 'weekly@example.org');
  assert.equal(listed(weekly.text ?? '').length, 20);
  assert.equal(weekly.subject, 'Paperboy weekly: 20 papers trending, Mon May 5 – Sun May 11');
  const w = (weekly.text ?? '').match(/^And 20 more on the list of the week of Mon May 5: (\S+)$/m);
  assert.ok(w, weekly.text);
  assert.equal(pathOf(w[1]!), '/papers/week/2025-W19');
  assert.equal((await r.client('192.0.2.62').get(pathOf(w[1]!))).res.status, 200);

  await subscribeDirect('weekdays@example.org', 'weekdays');
  const monday = await send('2025-05-12', 'weekdays@example.org');
  const text = monday.text ?? '';
  assert.equal(listed(text).length, 10);
  assert.equal(monday.subject, 'Paperboy: 10 papers trending, Fri May 9 – Sun May 11');
  // The two left out are the weekend window's least trending: linked are the lists that hold them, and only those.
  const leftOut = [...titles.values()].filter((t) => /2025-05-(09|10|11)/.test(t) && !listed(text).includes(t));
  assert.equal(leftOut.length, 2);
  const leftDays = [...new Set(leftOut.map((t) => t.match(/2025-05-\d\d/)![0]))].sort();
  const label = (day: string) => ({ '2025-05-09': 'Fri May 9', '2025-05-10': 'Sat May 10', '2025-05-11': 'Sun May 11' })[day]!;
  if (leftDays.length === 1) {
    const one = text.match(/^And 2 more on the list of (\w{3} \w{3} \d+): (\S+)$/m);
    assert.ok(one, text);
    assert.deepEqual([one[1], pathOf(one[2]!)], [label(leftDays[0]!), `/papers/date/${leftDays[0]}`]);
    assert.doesNotMatch(text, /lists of these days/);
  } else {
    assert.match(text, /^And 2 more on the lists of these days:$/m);
    const days = [...text.matchAll(/^ {3}(\w{3} \w{3} \d+): (\S+)$/gm)].map((m) => [m[1], pathOf(m[2]!)]);
    assert.deepEqual(days, leftDays.map((d) => [label(d), `/papers/date/${d}`]));
  }
});

test('a weekday digest on a Monday whose weekend has no list links Friday\'s list only, in the one-list wording', async () => {
  // Friday May 16 has 11 papers; Saturday and Sunday have none.
  const records: PaperRecord[] = [];
  const entries: { paperId: string; day: string; submittedAt: string }[] = [];
  for (let i = 0; i < 11; i++) {
    const id = `2505.${String(20500 + i).padStart(5, '0')}`;
    records.push(paperRecord({ id, title: `Friday paper ${i}`, announcedOn: ['2025-05-16'], publishedAt: '2025-05-16T00:00:00.000Z' }));
    entries.push({ paperId: id, day: '2025-05-16', submittedAt: `2025-05-16T${String(8 + i).padStart(2, '0')}:00:00.000Z` });
  }
  await r.store.importBatch({ records, entries }, FIXED_NOW);
  await subscribeDirect('mondays@example.org', 'weekdays');
  const mail = await send('2025-05-19', 'mondays@example.org');
  const text = mail.text ?? '';
  assert.equal(mail.subject, 'Paperboy: 10 papers trending, Fri May 16 – Sun May 18');
  const more = text.match(/^And 1 more on the list of Fri May 16: (\S+)$/m);
  assert.ok(more, text);
  assert.equal(pathOf(more[1]!), '/papers/date/2025-05-16');
  assert.doesNotMatch(text, /2025-05-1[78]/, 'no link to an empty weekend list');
  const html = String(mail.html);
  assert.match(html, /And 1 more on the list of\s*<a [^>]*href="[^"]*\/papers\/date\/2025-05-16"[^>]*>Fri May 16<\/a>\./);
  assert.doesNotMatch(html, /papers\/date\/2025-05-1[78]/);
});

test('a saved search stored with a text-reversing character (before they were refused) does not carry it into the subject', async () => {
  await subscribeDirect('reversed@example.org', 'daily', 'search', '\u202Egraph');
  const mail = await send('2025-05-06', 'reversed@example.org');
  assert.equal(mail.subject, 'Paperboy alert: 25 new papers for "graph" (Mon May 5)');
});

test('an alert with more matches than it lists counts the listed ones and promises nothing else', async () => {
  await subscribeDirect('alert@example.org', 'daily', 'search', 'graph');
  const mail = await send('2025-05-06', 'alert@example.org');
  const text = mail.text ?? '';
  assert.equal(listed(text).length, 25);
  assert.equal(mail.subject, 'Paperboy alert: 25 new papers for "graph" (Mon May 5)');
  assert.doesNotMatch(text, /^And \d+ more/m);
  assert.doesNotMatch(String(mail.html), /And \d+ more/);
});
