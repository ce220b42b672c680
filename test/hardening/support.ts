/**
 * The assembled app for hostile-input tests: every route module mounted (search included, with a
 * real index), the small corpus, a member, a curator and an admin with sessions and API tokens, and
 * logs kept in memory so a test can assert that nothing was logged as an unhandled error.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { outboxMailer } from '../../src/mail/mailer.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { searchPaperIds } from '../../src/search/service.ts';
import { createAccount, createSession } from '../../src/services/accounts.ts';
import { createApiToken } from '../../src/services/open-data-tokens.ts';
import type { Store } from '../../src/store/index.ts';
import type { Role } from '../../src/store/users.ts';
import { createApp } from '../../src/web/app.tsx';
import { loadAssets } from '../../src/web/assets.ts';
import { seedSmallCorpus } from '../helpers/app.ts';
import { FIXED_NOW, tempDir, tempStore } from '../helpers/store.ts';
import { SMALL_EMBEDDER } from '../search/fixtures.ts';

export const NOW_MS = Date.parse(FIXED_NOW);

export interface Principal {
  username: string;
  /** The session cookie value. */
  session: string;
  /** A write-scoped API token. */
  token: string;
}

export interface HardeningApp {
  app: ReturnType<typeof createApp>;
  store: Store;
  outboxDir: string;
  member: Principal;
  curator: Principal;
  admin: Principal;
  /** Log lines at level error or above (pino JSON objects). */
  errors: Record<string, unknown>[];
}

/** Everything mounted on a fresh store; `now` moves only when the test moves it. */
export async function hardeningApp(options: { now?: () => number } = {}): Promise<HardeningApp> {
  const store = await tempStore();
  await seedSmallCorpus(store);
  const now = options.now ?? (() => NOW_MS);
  const errors: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) errors.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'error' }, sink);
  const index = await SearchIndex.open(store, { corpusEmbedder: SMALL_EMBEDDER }, true);
  const outboxDir = path.join(tempDir(), 'outbox');
  const app = createApp({
    store,
    config: {
      siteName: 'Paperboy Test', pageSize: 5, categories: ['cs.CL', 'cs.CV'], production: false, adminPassword: 'correct horse battery', ingestAt: '01:30',
      baseUrl: 'http://localhost', submitQuota: 3, trustProxy: 1, outboxDir,
    },
    mailer: outboxMailer(outboxDir, 'Paperboy Test <no-reply@localhost>'),
    secret: 'test-secret-for-csrf-signing',
    arxiv: null,
    assets: await loadAssets(),
    clock: { now },
    logger,
    searchIndex: index,
    search: {
      search: (q: string, { limit }: { limit: number }) => searchPaperIds({ store, index }, { q, pageSize: Math.min(limit, 100) }),
    },
  });
  const principal = async (username: string, role: Role): Promise<Principal> => {
    const user = await createAccount({ store, now }, { username, email: `${username}@example.org`, password: 'a long enough password', role });
    const session = await createSession({ store, now, mailer: outboxMailer(outboxDir, 'x@localhost'), baseUrl: 'http://localhost', siteName: 'Paperboy Test' }, user);
    const { token } = await createApiToken({ store, now }, user, { name: 'fuzz', scope: 'write' });
    return { username, session: session.token, token };
  };
  return {
    app, store, outboxDir, errors,
    member: await principal('mallory', 'member'),
    curator: await principal('carol', 'curator'),
    admin: await principal('olive', 'admin'),
  };
}

/** Turns a route pattern (`/papers/:id`, `/feeds/new/:category{...}`, `/api/*`) into a path with `fill` for each parameter. */
export function concretePath(pattern: string, fill: (name: string) => string): string {
  return pattern
    .replace(/:([A-Za-z_]+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, (_m, name: string) => fill(name))
    .replace(/\*/g, () => fill('*'));
}

/** The app's routes as (method, pattern), without the catch-all middleware entries. */
export function routesOf(app: { routes: { method: string; path: string }[] }): { method: string; path: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const r of app.routes) {
    if (r.method === 'ALL' && (r.path === '/*' || r.path.endsWith('/*'))) continue; // middleware
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, path: r.path });
  }
  return out;
}
