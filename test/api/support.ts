/**
 * The app for open-data tests: the small corpus, a member who submitted papers to lists, a
 * stand-in search engine (the real one is tested with search), and API tokens.
 */
import path from 'node:path';
import pino from 'pino';
import { outboxMailer } from '../../src/mail/mailer.ts';
import { createAccount } from '../../src/services/accounts.ts';
import type { PaperSearch } from '../../src/services/open-data.ts';
import { createApiToken } from '../../src/services/open-data-tokens.ts';
import { insertEntry } from '../../src/store/curation.ts';
import type { Store } from '../../src/store/index.ts';
import type { User } from '../../src/store/users.ts';
import { createApp } from '../../src/web/app.tsx';
import { loadAssets, type Assets } from '../../src/web/assets.ts';
import type { OpenDataAppDeps } from '../../src/web/api/mount.tsx';
import { seedSmallCorpus, withMailSent } from '../helpers/app.ts';
import { AfterAnswer } from '../../src/services/after-answer.ts';
import { paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempDir, tempStore } from '../helpers/store.ts';

export const BASE_URL = 'http://localhost';
export const NOW_MS = Date.parse(FIXED_NOW);

let assets: Promise<Assets> | null = null;

/**
 * A stand-in for the search engine: papers whose title or abstract contains every word of the
 * query (filters like cat: are ignored), in id order; similar papers share a category.
 */
export function fakeSearch(store: Store): PaperSearch & { queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    async search(query, { limit }) {
      queries.push(query);
      const words = query.split(/\s+/).filter((w) => w && !/^\w+:/.test(w)).map((w) => w.toLowerCase());
      const rows = await store.db.selectFrom('papers').select(['id', 'title', 'abstract']).orderBy('id').execute();
      return rows.filter((r) => words.every((w) => `${r.title} ${r.abstract}`.toLowerCase().includes(w))).slice(0, limit).map((r) => r.id);
    },
    async similar(id, limit) {
      const cats = await store.db.selectFrom('paper_categories').select('category').where('paper_id', '=', id).execute();
      if (!cats.length) return [];
      const rows = await store.db.selectFrom('paper_categories').select('paper_id').distinct()
        .where('category', 'in', cats.map((c) => c.category)).where('paper_id', '!=', id).orderBy('paper_id').limit(limit).execute();
      return rows.map((r) => r.paper_id);
    },
  };
}

export interface OpenDataTest {
  app: ReturnType<typeof createApp>;
  store: Store;
  outboxDir: string;
  /** A member (confirmed address) who put 2505.00210 on the list of 2025-05-06. */
  ada: User;
  search: ReturnType<typeof fakeSearch> | null;
  /** Makes a token for a member. */
  token(user: User, scope: 'read' | 'write'): Promise<string>;
  /** GET with JSON parsed; `init.headers` merged. */
  json(path: string, init?: RequestInit): Promise<{ res: Response; body: unknown }>;
}

/** What other sites may show from an openDataApp (Cross-Origin-Resource-Policy: cross-origin): images, */
export const CROSS_ORIGIN_IMAGES = ['/api/papers/2505.00210/thumbnail.svg', '/api/avatars/ada.svg', '/stats/votes.svg?paper=2505.00201'];
/** ... and the data: the JSON API, the feeds, the API's description. */
export const CROSS_ORIGIN_DATA = [
  '/api/daily_papers?date=2025-05-05', '/api/papers/2505.00201', '/feeds/daily.rss?date=2025-05-05', '/feeds/daily.atom?date=2025-05-05', '/openapi.json',
];

export async function openDataApp(options: { search?: boolean; now?: () => number; arxiv?: OpenDataAppDeps['arxiv'] } = {}): Promise<OpenDataTest> {
  const store = await tempStore();
  await seedSmallCorpus(store);
  const now = options.now ?? (() => NOW_MS);
  const ada = await createAccount({ store, now }, { username: 'ada', email: 'ada@example.org', password: 'a long enough password', role: 'member' });
  await store.upsertPapers([paperRecord({
    id: '2505.00210', title: 'Tokenizers & <friends>: a "study"', authors: ['Émile Zola', 'Ada Lovelace'], categories: ['cs.CL'],
    publishedAt: '2025-05-06T00:00:00Z', announcedOn: ['2025-05-06'], codeUrl: 'https://github.com/example/tok', projectUrl: 'https://example.org/tok',
  })], FIXED_NOW);
  await store.transaction((trx) => insertEntry(trx, { paperId: '2505.00210', day: '2025-05-06', submittedBy: ada.id, featured: false }, '2025-05-06T07:30:00.000Z'));
  const outboxDir = path.join(tempDir(), 'outbox');
  const afterAnswer = new AfterAnswer((err) => { throw err; });
  assets ??= loadAssets();
  const search = options.search === false ? null : fakeSearch(store);
  const deps: OpenDataAppDeps = {
    store,
    config: {
      siteName: 'Paperboy Test', pageSize: 2, categories: ['cs.CL', 'cs.CV'], production: false, adminPassword: 'correct horse battery', ingestAt: '01:30',
      baseUrl: BASE_URL, submitQuota: 3, trustProxy: 1, outboxDir,
    },
    mailer: outboxMailer(outboxDir, 'Paperboy Test <no-reply@localhost>'),
    secret: 'test-secret-for-csrf-signing',
    arxiv: options.arxiv ?? null,
    assets: await assets,
    clock: { now },
    logger: pino({ level: 'silent' }),
    search,
    afterAnswer,
  };
  const app = withMailSent(createApp(deps), afterAnswer);
  let ipSeq = 0;
  return {
    app, store, outboxDir, ada, search,
    token: async (user, scope) => (await createApiToken({ store, now }, user, { name: `test ${scope}`, scope })).token,
    json: async (p, init = {}) => {
      const headers = new Headers(init.headers);
      // A fresh client address per request, so the per-address rate limit only counts where a test means it to.
      if (!headers.has('x-forwarded-for')) headers.set('x-forwarded-for', `198.18.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`);
      const res = await app.request(p, { ...init, headers });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch { /* not JSON: keep the text */ }
      return { res, body };
    },
  };
}
