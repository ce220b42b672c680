/**
 * /admin/moderation pages through long lists of reported comments, hidden comments, hidden papers
 * and suspended accounts (230 of each; reported 1 to 3 times, hidden or suspended at only three
 * distinct moments, so the tie-break matters): "Older" links walk every row once in the list's order, "Newer" links walk back, each
 * heading counts the whole list, a link for one list keeps the others where they are, an undo
 * button on a later page comes back to that page, and forged page values are a clear 400, never a
 * 500. In-process app on the test store (SQLite, or PostgreSQL with --store=postgres).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/services/accounts.ts';
import type { Store } from '../../src/store/index.ts';
import { seedSmallCorpus, testApp } from '../helpers/app.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW } from '../helpers/store.ts';
import { WebClient } from '../helpers/web-client.ts';

const N = 230; // more than two pages of 100
const MOMENTS = ['2025-05-01T10:00:00.000Z', '2025-05-02T10:00:00.000Z', '2025-05-03T10:00:00.000Z'];
const DAYS = ['2025-04-01', '2025-04-02', '2025-04-03'];

let app: Awaited<ReturnType<typeof testApp>>['app'];
let store: Store;
let admin: WebClient;
/** Each list's rows in the order the page must show them. */
const expected: Record<'reported' | 'comments' | 'papers' | 'accounts', string[]> = { reported: [], comments: [], papers: [], accounts: [] };

before(async () => {
  ({ app, store } = await testApp());
  await seedSmallCorpus(store);
  const papers = Array.from({ length: N }, (_, i) => paperRecord({ id: `2504.${String(i + 1).padStart(5, '0')}`, title: `Hidden paper ${i + 1}`, announcedOn: ['2025-04-01'] }));
  await store.importBatch({
    records: papers,
    entries: papers.map((p, i) => ({ paperId: p.id, day: DAYS[i % 3]!, submittedAt: `${DAYS[i % 3]!}T08:00:00.000Z` })),
  }, FIXED_NOW);
  await store.db.updateTable('daily_entries').set({ hidden: 1 }).where('paper_id', 'like', '2504.%').execute();
  const author = await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'spammer', password: 'a long enough password', email: 'spammer@example.org', role: 'member' });
  const comments = Array.from({ length: N }, (_, i) => ({
    paper_id: '2505.00201', user_id: author.id, parent_id: null, body: `Hidden comment number ${i + 1}`, score: 0,
    created_at: '2025-04-30T00:00:00.000Z', edited_at: null, deleted_at: null, hidden_at: MOMENTS[i % 3]!,
  }));
  const ids = (await store.db.insertInto('comments').values(comments).returning('id').execute()).map((r) => r.id);
  await store.db.insertInto('users').values(Array.from({ length: N }, (_, i) => ({
    username: `u${String(i + 1).padStart(4, '0')}`, email: null, role: 'member', is_demo: 0, votes_public: 1, created_at: '2025-01-01T00:00:00.000Z', suspended_at: MOMENTS[i % 3]!,
  }))).execute();

  // Reported comments, shown: 1, 2 or 3 open reports each, and on every fifth one a report already dismissed, which does not count.
  const reporters = await store.db.insertInto('users').values(['r1', 'r2', 'r3', 'r4'].map((username) => ({
    username, email: null, role: 'member', is_demo: 0, votes_public: 1, created_at: '2025-01-01T00:00:00.000Z',
  }))).returning('id').execute();
  const reportedIds = (await store.db.insertInto('comments').values(Array.from({ length: N }, (_, i) => ({
    paper_id: '2505.00202', user_id: author.id, parent_id: null, body: `Reported comment number ${i + 1}`, score: 0,
    created_at: '2025-04-30T00:00:00.000Z', edited_at: null, deleted_at: null, hidden_at: null,
  }))).returning('id').execute()).map((r) => r.id);
  await store.db.insertInto('comment_reports').values(reportedIds.flatMap((id, i) => [
    ...reporters.slice(0, 1 + (i % 3)).map((r) => ({ comment_id: id, user_id: r.id, reason: 'spam', created_at: FIXED_NOW, resolved_at: null })),
    ...(i % 5 === 0 ? [{ comment_id: id, user_id: reporters[3]!.id, reason: 'old', created_at: FIXED_NOW, resolved_at: FIXED_NOW }] : []),
  ])).execute();
  expected.reported = reportedIds.map((id, i) => ({ id, n: 1 + (i % 3) })).sort((a, b) => b.n - a.n || b.id - a.id).map((r) => `comment ${r.id}`);

  const rows = ids.map((id, i) => ({ id, at: MOMENTS[i % 3]! }));
  expected.comments = rows.sort((a, b) => b.at.localeCompare(a.at) || b.id - a.id).map((r) => `comment ${r.id}`);
  expected.papers = papers.map((p, i) => ({ id: p.id, day: DAYS[i % 3]! })).sort((a, b) => b.day.localeCompare(a.day) || (a.id < b.id ? -1 : 1)).map((r) => `arXiv:${r.id}`);
  expected.accounts = Array.from({ length: N }, (_, i) => ({ name: `u${String(i + 1).padStart(4, '0')}`, at: MOMENTS[i % 3]! }))
    .sort((a, b) => b.at.localeCompare(a.at) || (a.name < b.name ? -1 : 1)).map((r) => r.name);

  await createAccount({ store, now: () => Date.parse(FIXED_NOW) }, { username: 'root-admin', email: 'admin@example.org', password: 'admin password 123', role: 'admin' });
  admin = new WebClient(app, '192.0.2.230');
  assert.equal((await admin.post('/signin', { login: 'root-admin', password: 'admin password 123' })).status, 303);
});

const LISTS = {
  reported: { heading: 'reported-h', title: 'Reported comments', row: /Dismiss reports on (comment \d+)</g },
  comments: { heading: 'hidden-comments-h', title: 'Hidden comments', row: /Unhide (comment \d+)</g },
  papers: { heading: 'hidden-papers-h', title: 'Hidden papers', row: /Unhide (arXiv:[\d.]+)</g },
  accounts: { heading: 'suspended-h', title: 'Suspended accounts', row: /Restore (u\d{4})</g },
} as const;
type List = keyof typeof LISTS;

const unescape = (s: string) => s.replace(/&amp;/g, '&');

function section(html: string, list: List) {
  const start = html.indexOf(`aria-labelledby="${LISTS[list].heading}"`);
  assert.ok(start >= 0, `section ${list}`);
  const text = html.slice(start, html.indexOf('</section>', start));
  const link = (rel: 'prev' | 'next') => {
    const m = new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(text);
    return m ? unescape(m[1]!) : null;
  };
  return { text, rows: [...text.matchAll(LISTS[list].row)].map((m) => m[1]!), newer: link('prev'), older: link('next') };
}

async function page(href: string) {
  const { res, html } = await admin.get(href);
  assert.equal(res.status, 200, href);
  return html;
}

for (const list of Object.keys(LISTS) as List[]) {
  test(`${LISTS[list].title}: Older walks every row once in order, Newer walks back, the heading counts them all`, async () => {
    let href = '/admin/moderation';
    const pages: string[][] = [];
    const hrefs: string[] = [];
    for (let i = 0; i < 10 && href; i++) {
      const html = await page(href);
      const s = section(html, list);
      assert.match(s.text, new RegExp(`<h2 id="${LISTS[list].heading}">${LISTS[list].title} <span class="count">\\(${N}\\)</span></h2>`));
      if (i === 0) assert.equal(s.newer, null, 'the first page has no Newer link');
      else assert.ok(s.newer, `page ${i + 1} has a Newer link`);
      pages.push(s.rows);
      hrefs.push(href);
      // the link for this list leaves the other lists on their first page and lands on this list
      if (s.older) {
        assert.ok(s.older.endsWith(`#${LISTS[list].heading}`), s.older);
        assert.deepEqual([...new URL(s.older, 'http://x').searchParams.keys()], [list]);
      }
      href = s.older ?? '';
    }
    assert.deepEqual(pages.map((p) => p.length), [100, 100, 30]);
    assert.deepEqual(pages.flat(), expected[list], 'every row once, in the list order (ties broken the same way)');

    // Back up with Newer from the last page: the same pages again.
    let back = section(await page(hrefs[2]!), list).newer;
    const seen: string[][] = [];
    while (back) {
      const s = section(await page(back), list);
      seen.unshift(s.rows);
      back = s.newer;
    }
    assert.deepEqual(seen, pages.slice(0, 2));
  });
}

test('a link for one list keeps the other lists on their page; an undo on a later page comes back to it', async () => {
  const first = section(await page('/admin/moderation'), 'accounts');
  const accountsPage2 = first.older!;
  const papersLink = section(await page(accountsPage2), 'papers').older!;
  const params = new URL(papersLink, 'http://x').searchParams;
  assert.equal(`accounts=${encodeURIComponent(params.get('accounts')!)}`, new URL(accountsPage2, 'http://x').search.slice(1), 'the accounts page is kept');
  assert.ok(params.get('papers')!.startsWith('older~'));

  // Restore the first account of page 2 of the accounts, with the page's own form.
  const html = await page(papersLink);
  const s = section(html, 'accounts');
  const name = s.rows[0]!;
  const form = new RegExp(`action="/users/${name}/admin"[\\s\\S]*?name="next" value="([^"]+)"`).exec(s.text);
  assert.ok(form, 'the restore form');
  const next = unescape(form[1]!);
  assert.equal(next, `${new URL(papersLink, 'http://x').pathname}${new URL(papersLink, 'http://x').search}#suspended-h`, 'the undo comes back to this page, at its list');
  const done = await admin.post(`/users/${name}/admin`, { action: 'restore', next }, { tokenPage: papersLink.replace(/#.*/, '') });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get('location'), next);
  const after = section(await page(next), 'accounts');
  assert.match(after.text, new RegExp(`Suspended accounts <span class="count">\\(${N - 1}\\)</span>`));
  assert.deepEqual(after.rows, expected.accounts.slice(100, 200).filter((u) => u !== name).concat(expected.accounts[200]!), 'the same page, the restored account gone');
  assert.equal(section(await page(next), 'papers').rows[0], expected.papers[100], 'the papers list is still on its second page');
});

test('page values this page did not make are a clear 400 (or, when well-formed, just a position), never a 500', async () => {
  const bad = [
    'comments=garbage', 'comments=older', 'comments=older~~', 'comments=sideways~2025-05-01T10:00:00.000Z~5', 'comments=older~yesterday~5',
    'comments=older~2025-05-01T10:00:00.000Z~0', 'comments=older~2025-05-01T10:00:00.000Z~-1', 'comments=older~2025-05-01T10:00:00.000Z~1.5',
    'comments=older~2025-05-01T10:00:00.000Z~2147483648', 'comments=older~2025-05-01T10:00:00.000Z~99999999999999999999',
    'comments=older~2025-05-01T10:00:00.000Z%00~5',
    'papers=older~2025-04-01~not-an-id', 'papers=older~2025-4-1~2504.00001', 'papers=older~2025-04-01~2504.00001v2', 'papers=newer~2025-04-01~',
    'accounts=older~2025-05-01T10:00:00.000Z~', 'accounts=older~2025-05-01T10:00:00.000Z~u%00', 'accounts=older~2025-05-01T10:00:00.000Z~a~b',
    `accounts=older~2025-05-01T10:00:00.000Z~${'x'.repeat(101)}`,
    'reported=older~0~5', 'reported=older~x~5', 'reported=older~3~0', 'reported=older~2147483648~1', 'reported=newer~3~', 'reported=older~2.5~1',
    'reported=older~2025-05-01T10:00:00.000Z~1',
  ];
  for (const q of bad) {
    const { res, html } = await admin.get(`/admin/moderation?${q}`);
    assert.equal(res.status, 400, q);
    assert.match(html, /That page of the moderation lists does not exist/, q);
    assert.doesNotMatch(html, /at .*\.ts:\d+/, `${q}: no stack trace`);
  }
  // Escapes that are not UTF-8 are refused before any page reads them (src/web/app.tsx).
  for (const q of ['comments=older~%ED%A0%80~1', 'comments=%E0%A4%A']) {
    const notText = await admin.get(`/admin/moderation?${q}`);
    assert.equal(notText.res.status, 400, q);
    assert.match(notText.html, /escapes that are not UTF-8 text/, q);
  }
  // Well-formed values the page did not make are just positions in the list.
  const fine = {
    'reported=older~99~1': expected.reported.slice(0, 100),
    'reported=older~1~1': [],
    'comments=older~2099-01-01T00:00:00.000Z~1': expected.comments.slice(0, 100),
    'comments=older~1999-01-01T00:00:00.000Z~1': [],
    'papers=older~2025-04-02~2504.99999': expected.papers.slice(76 + 77), // the 77 papers of the oldest day
    'accounts=newer~1999-01-01T00:00:00.000Z~zz': expected.accounts.slice(N - 100), // the 100 just above the end
  } as Record<string, string[]>;
  for (const [q, rows] of Object.entries(fine)) {
    const list = q.slice(0, q.indexOf('=')) as List;
    const s = section(await page(`/admin/moderation?${q}`), list);
    assert.deepEqual(s.rows, rows, q);
  }
  // A name in any script is a position too (where it falls depends on the store's collation).
  assert.equal((await admin.get('/admin/moderation?accounts=older~2025-05-02T10:00:00.000Z~%C3%A9%F0%9F%98%80')).res.status, 200);
  // Bytes that are no UTF-8 stay the text they were typed as: a position too, or refused, never a 500.
  for (const q of ['accounts=older~2025-05-01T10:00:00.000Z~%ED%A0%80', 'accounts=older~2025-05-01T10:00:00.000Z~%FF', 'papers=older~2025-04-01~%C0%AF']) {
    assert.ok([200, 400].includes((await admin.get(`/admin/moderation?${q}`)).res.status), q);
  }
});

test('dismissing reports on a later page of the queue comes back to that page, the comment gone from it', async () => {
  const page2 = section(await page('/admin/moderation'), 'reported').older!;
  const s = section(await page(page2), 'reported');
  assert.match(s.text, /Fewer reported<span class="sr-only"> reported comments<\/span> →/);
  assert.match(s.text, /100 shown, most reported first/);
  const comment = s.rows[0]!;
  const form = new RegExp(`action="/comments/${comment.slice('comment '.length)}/moderate"[\\s\\S]*?name="action" value="dismiss"[\\s\\S]*?name="next" value="([^"]+)"`).exec(s.text);
  assert.ok(form, 'the dismiss form');
  const next = unescape(form[1]!);
  assert.equal(next, `${new URL(page2, 'http://x').pathname}${new URL(page2, 'http://x').search}#reported-h`);
  const done = await admin.post(`/comments/${comment.slice('comment '.length)}/moderate`, { action: 'dismiss', next }, { tokenPage: page2.replace(/#.*/, '') });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get('location'), next);
  const after = section(await page(next), 'reported');
  assert.match(after.text, new RegExp(`Reported comments <span class="count">\\(${N - 1}\\)</span>`));
  assert.deepEqual(after.rows, expected.reported.slice(101, 201), 'the same page without the dismissed comment, the next one moved up');
});
