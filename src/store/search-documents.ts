/**
 * PostgreSQL's search documents (migrations 009, 017), for writers of many papers at once. The
 * triggers compute a paper's document at every statement that writes part of it (its row, then its
 * authors), parsing its title and abstract each time. A writer of a batch turns them off for its
 * transaction with `deferSearchDocuments(trx, true)`, writes, and computes each paper's document
 * once with `refreshSearchDocuments`; then turns them on again. The setting is transaction-local,
 * and no caller goes on with a transaction after a failed statement, so an error cannot leave it
 * on for later writes. The embedded store has no such documents: everything here is a no-op there.
 */
import type { Transaction } from 'kysely';
import { sql } from './kysely.ts';
import { isPostgres } from './dialect.ts';
import type { Database } from './schema.ts';

/** Papers per refresh statement when refreshing them all. */
const REFRESH_PAGE = 5_000;

/** With `on`, the triggers leave this transaction's documents to {@link refreshSearchDocuments}. */
export async function deferSearchDocuments(trx: Transaction<Database>, on: boolean): Promise<void> {
  if (!isPostgres(trx)) return;
  await sql`SELECT set_config('paperboy.search_documents_deferred', ${on ? 'on' : 'off'}, true)`.execute(trx);
}

/** Computes the documents of these papers from their rows as they now are. */
export async function refreshSearchDocuments(trx: Transaction<Database>, ids: readonly string[]): Promise<void> {
  if (!isPostgres(trx) || ids.length === 0) return;
  await sql`SELECT paper_search_refresh(${[...ids]}::text[])`.execute(trx);
}

/** Computes the documents of every paper, a page at a time. */
export async function refreshAllSearchDocuments(trx: Transaction<Database>): Promise<void> {
  if (!isPostgres(trx)) return;
  let after = '';
  for (;;) {
    const page = await trx.selectFrom('papers').select('id').where('id', '>', after).orderBy('id').limit(REFRESH_PAGE).execute();
    if (page.length === 0) return;
    await refreshSearchDocuments(trx, page.map((p) => p.id));
    after = page[page.length - 1]!.id;
  }
}
