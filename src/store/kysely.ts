/**
 * Kysely's run-time values (sql, Kysely, the dialects, ...), from its CommonJS build, for the whole
 * project: every module that needs one imports it from here; types still come from 'kysely'
 * (`import type`), whose declarations are the same for both builds.
 *
 * Why not `import { sql } from 'kysely'`: that loads Kysely's ES module build, 263 files, which
 * Node 20's ES module loader takes about 200 ms to load, against about 100 ms for the CommonJS
 * build through `require` (median of ten `node -e` starts each, idle 2-CPU machine). Every process
 * pays it: `paperboy stats` starts in 0.42 s instead of 0.48 s (median of ten, compiled); in a
 * process that loads the whole app (a server, a test file) the gain is smaller, about 20 ms, as
 * the loader reads the other modules meanwhile.
 *
 * Why everything goes through this module: a process that loaded both builds would hold two copies
 * of Kysely, and a check such as `adapter instanceof PostgresAdapter` (dialect.ts) would fail
 * across them. Its test (kysely.test.ts) keeps value imports of 'kysely' out of the rest.
 */
import { createRequire } from 'node:module';

const kysely = createRequire(import.meta.url)('kysely') as typeof import('kysely');

export const { sql, CompiledQuery, PostgresAdapter, PostgresDialect, SqliteDialect, OperationNodeTransformer } = kysely;
/** The class, and (below) its instance type: `new Kysely<DB>(...)` and `db: Kysely<DB>` both read as they would from 'kysely'. */
export const Kysely = kysely.Kysely;
export type Kysely<DB> = import('kysely').Kysely<DB>;
