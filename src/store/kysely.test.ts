import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Kysely, sql, SqliteDialect } from './kysely.ts';

/** The project's TypeScript files, from its root. */
function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name)) out.push(p);
    }
  };
  for (const dir of ['src', 'test', 'scripts', 'bench']) walk(dir);
  return out;
}

/** What `text` loads from 'kysely' at run time (not `import type`), one entry per statement. */
function kyselyValueImports(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/import\s+(?!type\s)([^;]*?)\s+from\s+'kysely'/g)) {
    const clause = m[1]!;
    const braces = /^\{([\s\S]*)\}$/.exec(clause.trim());
    const values = braces ? braces[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('type ')) : [clause.trim()];
    if (values.length > 0) found.push(m[0]);
  }
  for (const m of text.matchAll(/(?:import|require)\(\s*'kysely'\s*\)(?!\.\w+<)/g)) found.push(m[0]);
  return found;
}

test('what counts as loading Kysely at run time, and what does not', () => {
  assert.deepEqual(kyselyValueImports(`import type { Kysely } from 'kysely';\nimport { type RawBuilder, type SqlBool } from 'kysely';\n  id: import('kysely').Generated<number>;`), []);
  assert.equal(kyselyValueImports(`import { sql } from 'kysely';`).length, 1);
  assert.equal(kyselyValueImports(`import {\n  OperationNodeTransformer, type KyselyPlugin,\n} from 'kysely';`).length, 1);
  assert.equal(kyselyValueImports(`import * as k from 'kysely';`).length, 1);
  assert.equal(kyselyValueImports(`const k = await import('kysely');`).length, 1);
});

test("only src/store/kysely.ts loads Kysely at run time: one copy, its CommonJS build, in every process", () => {
  // This file is left out for its examples above.
  const exempt = new Set(['src/store/kysely.ts', 'src/store/kysely.test.ts'].map((f) => path.resolve(f)));
  const offenders = sources()
    .filter((f) => !exempt.has(path.resolve(f)))
    .flatMap((f) => kyselyValueImports(fs.readFileSync(f, 'utf8')).map((statement) => `${f}: ${statement.replace(/\s+/g, ' ')}`));
  assert.deepEqual(offenders, [], "import Kysely's values from src/store/kysely.ts (types may come from 'kysely')");
});

test("the values come from Kysely's CommonJS build, and work", () => {
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  assert.ok(loaded.some((f) => f.endsWith(path.join('kysely', 'dist', 'cjs', 'index.js'))), 'the CommonJS build is loaded');
  const db = new Kysely<{ papers: { id: string } }>({ dialect: new SqliteDialect({ database: async () => { throw new Error('not connected'); } }) });
  const q = db.selectFrom('papers').select('id').where(sql<boolean>`id = ${'2401.00001'}`).compile();
  assert.equal(q.sql, 'select "id" from "papers" where id = ?');
  assert.deepEqual(q.parameters, ['2401.00001']);
});
