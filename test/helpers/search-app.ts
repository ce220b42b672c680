/**
 * The whole app in-process with a given search index wired as `paperboy serve` wires it: the
 * search page over the index, and the JSON API and MCP searching through searchPaperIds.
 */
import path from 'node:path';
import pino from 'pino';
import { outboxMailer } from '../../src/mail/mailer.ts';
import type { SearchIndex } from '../../src/search/search-index.ts';
import { searchPaperIds } from '../../src/search/service.ts';
import type { Store } from '../../src/store/index.ts';
import { createApp } from '../../src/web/app.tsx';
import { loadAssets } from '../../src/web/assets.ts';
import { FIXED_NOW, tempDir } from './store.ts';

export async function searchApp(store: Store, index: SearchIndex) {
  const outboxDir = path.join(tempDir(), 'outbox');
  return createApp({
    store,
    config: {
      siteName: 'Paperboy Test', pageSize: 5, categories: ['cs.CL', 'cs.CV'], production: false, adminPassword: 'correct horse battery', ingestAt: '01:30',
      baseUrl: 'http://localhost', submitQuota: 3, trustProxy: true, outboxDir,
    },
    mailer: outboxMailer(outboxDir, 'Paperboy Test <no-reply@localhost>'),
    secret: 'test-secret-for-csrf-signing',
    arxiv: null,
    assets: await loadAssets(),
    clock: { now: () => Date.parse(FIXED_NOW) },
    logger: pino({ level: 'silent' }),
    searchIndex: index,
    search: { search: (q, { limit }) => searchPaperIds({ store, index }, { q, pageSize: limit }) },
  });
}
