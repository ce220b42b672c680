/**
 * The whole app in-process on a real SQLite file, with a fixed clock and silent logs.
 */
import pino from 'pino';
import { loadAssets, type Assets } from '../../src/web/assets.ts';
import { createApp, type AppDeps } from '../../src/web/app.tsx';
import type { Store } from '../../src/store/index.ts';
import path from 'node:path';
import type { ArxivClient } from '../../src/arxiv/client.ts';
import { outboxMailer, type Mailer } from '../../src/mail/mailer.ts';
import { tempDir, tempStore, FIXED_NOW } from './store.ts';
import { paperRecord } from './factories.ts';
import { AfterAnswer } from '../../src/services/after-answer.ts';
import type { DigestSettings } from '../../src/services/digest-config.ts';

let assets: Promise<Assets> | null = null;

/** Options beyond the defaults; `searchIndex` and `search` wire search in as `paperboy serve` does. */
export interface TestAppOptions extends Pick<AppDeps, 'searchIndex' | 'search'> {
  arxiv?: Pick<ArxivClient, 'apiQuery'> | null;
  now?: () => number;
  mailer?: Mailer;
  pageSize?: number;
  /** The digests' settings (PAPERBOY_DIGEST_*); unset: the app's defaults. */
  digest?: DigestSettings;
}

/**
 * The app with its account mail sent after each answer, as in production. `app.request` resolves
 * once that mail has gone too, so a test reads the outbox right after a request; `afterAnswer`
 * shows what is still running (tests of the order itself use a real server, see test/web).
 */
export async function testApp(store?: Store, options: TestAppOptions = {}) {
  const s = store ?? (await tempStore());
  const outboxDir = path.join(tempDir(), 'outbox');
  assets ??= loadAssets();
  const afterAnswer = new AfterAnswer((err) => { throw err; });
  const app = createApp({
    store: s,
    config: {
      siteName: 'Paperboy Test', pageSize: options.pageSize ?? 2, categories: ['cs.CL', 'cs.CV'], production: false, adminPassword: 'correct horse battery', ingestAt: '01:30',
      baseUrl: 'http://localhost', submitQuota: 3, trustProxy: 1, outboxDir, ...(options.digest ? { digest: options.digest } : {}),
    },
    mailer: options.mailer ?? outboxMailer(outboxDir, 'Paperboy Test <no-reply@localhost>'),
    secret: 'test-secret-for-csrf-signing',
    arxiv: options.arxiv ?? null,
    assets: await assets,
    clock: { now: options.now ?? (() => Date.parse(FIXED_NOW)) },
    logger: pino({ level: 'silent' }),
    searchIndex: options.searchIndex,
    search: options.search,
    afterAnswer,
  });
  return { app: withMailSent(app, afterAnswer), store: s, outboxDir, afterAnswer };
}

/**
 * Makes `app.request` resolve once the e-mail its request started after the answer has gone too
 * (sign-up links, resets, subscription confirmations), so a test reads the outbox right after.
 */
export function withMailSent<A extends { request: (...args: never[]) => unknown }>(app: A, afterAnswer: AfterAnswer): A {
  const request = app.request.bind(app) as (...args: Parameters<A['request']>) => Promise<Awaited<ReturnType<A['request']>>>;
  app.request = (async (...args: Parameters<A['request']>) => {
    const res = await request(...args);
    await afterAnswer.idle();
    return res;
  }) as A['request'];
  return app;
}

/** A small corpus: three listed days, an old-style id, a paper off the lists, demo votes. */
export async function seedSmallCorpus(store: Store): Promise<void> {
  await store.importBatch({
    records: [
      paperRecord({ id: '2505.00201', title: 'Sparse attention for long documents', categories: ['cs.CL'], authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov'], announcedOn: ['2025-05-05'] }),
      paperRecord({ id: '2505.00202', title: 'Diffusion models <b>for</b> video & more', categories: ['cs.CV', 'cs.CL'], announcedOn: ['2025-05-05'], comment: '12 pages', doi: '10.1000/xyz' }),
      paperRecord({ id: '2505.00203', title: 'Retrieval-augmented agents', categories: ['cs.CL'], announcedOn: ['2025-05-05'] }),
      paperRecord({ id: '2505.00204', title: 'A Weekly paper', categories: ['cs.LG'], announcedOn: ['2025-05-07'], publishedAt: '2024-12-02T00:00:00.000Z' }),
      paperRecord({ id: 'hep-th/9901001', title: 'Old style strings', categories: ['hep-th'], announcedOn: ['1999-01-04'], publishedAt: '1999-01-04T00:00:00.000Z',
        versions: [{ version: 1, submittedAt: '1999-01-04T10:00:00.000Z', size: '20kb' }, { version: 2, submittedAt: '1999-02-01T10:00:00.000Z', size: '22kb' }] }),
    ],
    entries: [
      { paperId: '2505.00201', day: '2025-05-05', submittedAt: '2025-05-05T08:00:00.000Z' },
      { paperId: '2505.00202', day: '2025-05-05', submittedAt: '2025-05-05T09:00:00.000Z' },
      { paperId: '2505.00203', day: '2025-05-05', submittedAt: '2025-05-05T10:00:00.000Z' },
      { paperId: '2505.00204', day: '2025-05-07', submittedAt: '2025-05-07T10:00:00.000Z' },
    ],
  }, FIXED_NOW);
  await store.seedDemoVotes(new Map([['2505.00201', 5], ['2505.00202', 40], ['2505.00203', 1]]), FIXED_NOW);
}
