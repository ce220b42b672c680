import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError, settingWarnings } from './config.ts';

test('defaults: port 3000, SQLite under ./data, demo on', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.databaseUrl, `sqlite:${path.resolve('data', 'paperboy.db')}`);
  assert.equal(c.demo, true);
  assert.equal(c.baseUrl, 'http://127.0.0.1:3000');
  assert.deepEqual(c.categories, ['cs.AI', 'cs.CL', 'cs.CV', 'cs.LG', 'stat.ML']);
});

test('settings are read and typed', () => {
  const c = loadConfig({ PORT: '8080', HOST: '0.0.0.0', PAPERBOY_DATA_DIR: '/srv/pb', PAPERBOY_DEMO: 'false', PAPERBOY_CATEGORIES: 'cs.CL, hep-th' });
  assert.equal(c.port, 8080);
  assert.equal(c.baseUrl, 'http://localhost:8080');
  assert.equal(c.databaseUrl, 'sqlite:/srv/pb/paperboy.db');
  assert.equal(c.demo, false);
  assert.deepEqual(c.categories, ['cs.CL', 'hep-th']);
});

test('every invalid setting is reported at once', () => {
  try {
    loadConfig({ PORT: 'eighty', PAPERBOY_DEMO: 'maybe', LOG_LEVEL: 'loud', PAPERBOY_BASE_URL: 'not a url' });
    assert.fail('expected ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const text = err.problems.join('\n');
    for (const key of ['PORT', 'PAPERBOY_DEMO', 'LOG_LEVEL', 'PAPERBOY_BASE_URL']) assert.match(text, new RegExp(key));
    assert.equal(err.problems.length, 4);
  }
});

test('an invalid setting is said in plain words: what it must be, never the validator\'s wording', () => {
  const problems = (env: Record<string, string>) => {
    try { loadConfig(env); } catch (err) { if (err instanceof ConfigError) return err.problems; throw err; }
    return assert.fail('expected ConfigError');
  };
  assert.deepEqual(problems({
    PORT: 'eighty', PAPERBOY_PAGE_SIZE: '500', PAPERBOY_DEMO: 'maybe', LOG_LEVEL: 'loud', PAPERBOY_SITE_NAME: 'x'.repeat(81),
    PAPERBOY_SMTP_PORT: '25.5', PAPERBOY_SUBMIT_QUOTA: '0', PAPERBOY_ARXIV_API_URL: 'arxiv',
  }), [
    'PORT: must be a number',
    'PAPERBOY_SITE_NAME: must be at most 80 characters',
    'PAPERBOY_DEMO: must be true or false (or 1 and 0, yes and no, on and off)',
    'PAPERBOY_PAGE_SIZE: must be at most 100',
    'PAPERBOY_ARXIV_API_URL: must be a URL such as https://example.org',
    'PAPERBOY_SUBMIT_QUOTA: must be at least 1',
    'PAPERBOY_SMTP_PORT: must be a whole number',
    'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace or silent',
  ]);
  assert.deepEqual(problems({ PORT: '70000' }), ['PORT: must be at most 65535']);
  for (const p of problems({ PORT: 'x', PAPERBOY_PAGE_SIZE: '1', PAPERBOY_DEMO: 'x', PAPERBOY_ADMIN_PASSWORD: 'short' })) {
    assert.doesNotMatch(p, /Invalid (input|option)|Too (big|small)|expected|received|<=|>=/, p);
  }
  assert.ok(problems({ PAPERBOY_ADMIN_PASSWORD: 'short' }).includes('PAPERBOY_ADMIN_PASSWORD: must be at least 12 characters'), 'a setting\'s own message is kept');
});

test('PAPERBOY_SEARCH_ENGINE: memory by default, postgres only on a PostgreSQL store', () => {
  assert.equal(loadConfig({}).searchEngine, 'memory');
  assert.equal(loadConfig({ PAPERBOY_SEARCH_ENGINE: 'postgres', DATABASE_URL: 'postgres://u@db/paperboy' }).searchEngine, 'postgres');
  assert.throws(() => loadConfig({ PAPERBOY_SEARCH_ENGINE: 'postgres' }), (err: unknown) =>
    err instanceof ConfigError && /PAPERBOY_SEARCH_ENGINE: postgres needs a PostgreSQL store/.test(err.problems.join('\n')));
  assert.throws(() => loadConfig({ PAPERBOY_SEARCH_ENGINE: 'elastic' }), (err: unknown) =>
    err instanceof ConfigError && /PAPERBOY_SEARCH_ENGINE: must be memory or postgres/.test(err.problems.join('\n')));
});

test('PAPERBOY_EMBEDDER: the corpus-trained one by default; an endpoint or a model folder with all they need', () => {
  assert.deepEqual(loadConfig({}).embedder, { kind: 'corpus' });
  assert.deepEqual(loadConfig({
    PAPERBOY_EMBEDDER: 'openai', PAPERBOY_EMBEDDER_URL: 'http://127.0.0.1:8080/v1', PAPERBOY_EMBEDDER_MODEL: 'bge-small-en-v1.5',
    PAPERBOY_EMBEDDER_DIMENSIONS: '384', PAPERBOY_EMBEDDER_API_KEY: 'sk-local', PAPERBOY_EMBEDDER_QUERY_PREFIX: 'query: ',
  }).embedder, { kind: 'openai', url: 'http://127.0.0.1:8080/v1', model: 'bge-small-en-v1.5', dims: 384, apiKey: 'sk-local', queryPrefix: 'query: ', documentPrefix: '' });
  assert.deepEqual(loadConfig({
    PAPERBOY_EMBEDDER: 'transformers', PAPERBOY_EMBEDDER_MODEL_DIR: '/srv/models', PAPERBOY_EMBEDDER_MODEL: 'all-MiniLM-L6-v2', PAPERBOY_EMBEDDER_DIMENSIONS: '384',
  }).embedder, { kind: 'transformers', modelDir: '/srv/models', model: 'all-MiniLM-L6-v2', dims: 384, queryPrefix: '', documentPrefix: '' });
});

test('PAPERBOY_EMBEDDER: what is missing, stray or conflicting is named', () => {
  const problems = (env: Record<string, string>) => {
    try { loadConfig(env); } catch (err) { if (err instanceof ConfigError) return err.problems.join('\n'); throw err; }
    assert.fail(`accepted ${JSON.stringify(env)}`);
  };
  assert.match(problems({ PAPERBOY_EMBEDDER: 'openai' }), /openai needs PAPERBOY_EMBEDDER_URL, PAPERBOY_EMBEDDER_MODEL, PAPERBOY_EMBEDDER_DIMENSIONS/);
  assert.match(problems({ PAPERBOY_EMBEDDER: 'transformers', PAPERBOY_EMBEDDER_MODEL: 'm', PAPERBOY_EMBEDDER_DIMENSIONS: '8' }), /transformers needs PAPERBOY_EMBEDDER_MODEL_DIR$/);
  assert.match(problems({ PAPERBOY_EMBEDDER_URL: 'http://127.0.0.1:8080/v1' }), /PAPERBOY_EMBEDDER_URL is set, but the embedder is the corpus-trained one/);
  assert.match(problems({ PAPERBOY_EMBEDDER: 'bert' }), /PAPERBOY_EMBEDDER: must be corpus, openai or transformers/);
  assert.equal(problems({ PAPERBOY_EMBEDDER: 'opnai', PAPERBOY_EMBEDDER_URL: 'http://e/v1', PAPERBOY_EMBEDDER_MODEL: 'm', PAPERBOY_EMBEDDER_DIMENSIONS: '8' }),
    'PAPERBOY_EMBEDDER: must be corpus, openai or transformers', 'a misspelt kind is the one problem (not also "set, but the embedder is the corpus-trained one")');
  assert.match(problems({ PAPERBOY_EMBEDDER: 'openai', PAPERBOY_EMBEDDER_URL: 'localhost:8080', PAPERBOY_EMBEDDER_MODEL: 'm', PAPERBOY_EMBEDDER_DIMENSIONS: '8' }), /PAPERBOY_EMBEDDER_URL: must be a URL/);
  assert.match(problems({ PAPERBOY_EMBEDDER: 'openai', PAPERBOY_EMBEDDER_URL: 'http://e/v1', PAPERBOY_EMBEDDER_MODEL: 'm', PAPERBOY_EMBEDDER_DIMENSIONS: '38.5' }), /PAPERBOY_EMBEDDER_DIMENSIONS: must be a whole number/);
  assert.match(problems({
    PAPERBOY_EMBEDDER: 'openai', PAPERBOY_EMBEDDER_URL: 'http://e/v1', PAPERBOY_EMBEDDER_MODEL: 'm', PAPERBOY_EMBEDDER_DIMENSIONS: '8',
    PAPERBOY_SEARCH_ENGINE: 'postgres', DATABASE_URL: 'postgres://u@db/paperboy',
  }), /openai works with the in-memory search engine/);
});

test('HOST: IPv6 addresses get brackets in the default base URL; a bad address is named', () => {
  assert.equal(loadConfig({ HOST: '::1', PORT: '3150' }).baseUrl, 'http://[::1]:3150');
  assert.equal(loadConfig({ HOST: 'fd00::5', PORT: '80' }).baseUrl, 'http://[fd00::5]:80');
  assert.equal(loadConfig({ HOST: '::', PORT: '3150' }).baseUrl, 'http://localhost:3150');
  assert.equal(loadConfig({ HOST: 'paperboy.internal' }).baseUrl, 'http://paperboy.internal:3000');
  for (const host of ['999.1.1.1', 'not a host', 'http://x']) {
    assert.throws(() => loadConfig({ HOST: host }), (err: unknown) =>
      err instanceof ConfigError && err.problems.length === 1 && /^HOST: must be an IP address/.test(err.problems[0]!), host);
  }
});

test('DATABASE_URL: a URL of another scheme is refused without echoing its password', () => {
  for (const url of ['mysql://user:s3cret@db/paperboy', 'postgress://u:s3cret@h/db', 'http://x/y']) {
    assert.throws(() => loadConfig({ DATABASE_URL: url }), (err: unknown) =>
      err instanceof ConfigError && /DATABASE_URL: ".*:\/\/\.\.\." is not a store Paperboy knows/.test(err.problems.join('\n'))
      && !err.message.includes('s3cret'), url);
  }
  assert.equal(loadConfig({ DATABASE_URL: 'postgresql://u@db/p' }).databaseUrl, 'postgresql://u@db/p');
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:///srv/pb.db' }).databaseUrl, 'sqlite:///srv/pb.db');
  assert.equal(loadConfig({ DATABASE_URL: 'data/pb.db' }).databaseUrl, 'data/pb.db');
});

test('problems of every stage are listed together: _FILE reads, the schema and the checks across settings', () => {
  try {
    loadConfig({
      PORT: 'abc', PAPERBOY_ARXIV_MIN_INTERVAL_MS: '10', PAPERBOY_SMTP_PASSWORD_FILE: '/nonexistent/smtp-password',
      DATABASE_URL: 'mysql://u:p@h/d', PAPERBOY_SEARCH_ENGINE: 'postgres',
    });
    assert.fail('expected ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const text = err.problems.join('\n');
    for (const key of ['PAPERBOY_SMTP_PASSWORD_FILE', 'PORT', 'PAPERBOY_ARXIV_MIN_INTERVAL_MS', 'DATABASE_URL', 'PAPERBOY_SEARCH_ENGINE']) {
      assert.match(text, new RegExp(`^${key}:`, 'm'));
    }
    assert.equal(err.problems.length, 5, text);
  }
});

test('PAPERBOY_BASE_URL must be an http(s) root address; PAPERBOY_MAIL_FROM must hold an address', () => {
  const problemsOf = (env: Record<string, string>) => {
    try { loadConfig(env); return []; } catch (err) { assert.ok(err instanceof ConfigError); return err.problems; }
  };
  for (const url of ['ftp://papers.example.org', 'https://example.org/papers', 'https://example.org/?x=1', 'mailto:papers@example.org']) {
    const problems = problemsOf({ PAPERBOY_BASE_URL: url });
    assert.equal(problems.length, 1, url);
    assert.match(problems[0]!, /^PAPERBOY_BASE_URL: must be the site's root address, http:\/\/ or https:\/\/ with no path/, url);
  }
  assert.equal(loadConfig({ PAPERBOY_BASE_URL: 'https://papers.example.org/' }).baseUrl, 'https://papers.example.org');
  assert.equal(loadConfig({ PAPERBOY_BASE_URL: 'http://10.0.0.5:8080' }).baseUrl, 'http://10.0.0.5:8080');

  for (const from of ['nope', 'Lab papers', 'Lab <papers>', 'a@b, c@d', '<>']) {
    const problems = problemsOf({ PAPERBOY_MAIL_FROM: from });
    assert.equal(problems.length, 1, from);
    assert.match(problems[0]!, /^PAPERBOY_MAIL_FROM: must be an address \(papers@example\.org\) or a name and an address/, from);
  }
  for (const from of ['papers@example.org', 'Lab papers <papers@example.org>', '"Lab, papers" <papers@lab.example>', 'Paperboy <digests@localhost>']) {
    assert.equal(loadConfig({ PAPERBOY_MAIL_FROM: from }).mailFrom, from);
  }
  // A name with a comma, colon or parentheses, typed as is, is quoted: read unquoted it was two
  // addresses, a group, or lost its comment. A name already quoted keeps its quotes.
  const fromOf = (env: Record<string, string>) => loadConfig(env).mailFrom;
  assert.equal(fromOf({ PAPERBOY_MAIL_FROM: 'Daily Papers, Inc. <papers@example.org>' }), '"Daily Papers, Inc." <papers@example.org>');
  assert.equal(fromOf({ PAPERBOY_MAIL_FROM: 'ML: daily papers <papers@example.org>' }), '"ML: daily papers" <papers@example.org>');
  assert.equal(fromOf({ PAPERBOY_MAIL_FROM: '"Say \\"hi\\"" <papers@example.org>' }), '"Say \\"hi\\"" <papers@example.org>');
  assert.equal(fromOf({ PAPERBOY_SITE_NAME: 'Lab (beta)', PAPERBOY_BASE_URL: 'https://papers.example.org' }), '"Lab (beta)" <no-reply@papers.example.org>');
  assert.equal(fromOf({ PAPERBOY_SITE_NAME: 'Lab papers', PAPERBOY_BASE_URL: 'https://papers.example.org' }), 'Lab papers <no-reply@papers.example.org>');
  // Both at once, with the other problems of the start.
  assert.equal(problemsOf({ PAPERBOY_BASE_URL: 'ftp://x.org', PAPERBOY_MAIL_FROM: 'nope', PORT: 'eighty' }).length, 3);
});

test('PAPERBOY_CATEGORIES made only of commas and spaces is refused, not read as no categories', () => {
  assert.throws(() => loadConfig({ PAPERBOY_CATEGORIES: ' , ' }), (err: unknown) =>
    err instanceof ConfigError && err.problems.length === 1 && /^PAPERBOY_CATEGORIES: name at least one category/.test(err.problems[0]!));
  assert.deepEqual(loadConfig({ PAPERBOY_CATEGORIES: 'cs.CL, ,cs.LG,' }).categories, ['cs.CL', 'cs.LG']);
});

test('PAPERBOY_CATEGORIES that arXiv does not have is refused, with the spelling meant when only the case is wrong', () => {
  const problems = (categories: string) => {
    try { loadConfig({ PAPERBOY_CATEGORIES: categories }); return []; } catch (err) { assert.ok(err instanceof ConfigError); return err.problems; }
  };
  assert.deepEqual(problems('cs.cl, cs.XX, hep-th'), [
    'PAPERBOY_CATEGORIES: cs.cl is not an arXiv category (did you mean cs.CL?)',
    'PAPERBOY_CATEGORIES: cs.XX is not an arXiv category (arxiv.org/category_taxonomy lists them: cs.CL, math.AG, hep-th, ...)',
  ]);
  assert.deepEqual(problems('cs, hep-th, cond-mat.mes-hall, stat.ML'), []);
});

test('settingWarnings names PAPERBOY_ variables that are no setting, with the nearest setting when one is close', () => {
  const cases: { env: Record<string, string>; want: RegExp[] }[] = [
    { env: {}, want: [] },
    // Settings, their _FILE forms and the project's own tool variables are not warned about.
    { env: { PAPERBOY_SMTP_HOST: 'mail', PAPERBOY_SMTP_PASSWORD_FILE: '/run/pw', PAPERBOY_TEST_STORE: 'sqlite', PAPERBOY_NEW_PASSWORD: 'x', PORT: '1', OTHER_THING: '1' }, want: [] },
    { env: { PAPERBOY_SMTP_HOTS: 'mail' }, want: [/^PAPERBOY_SMTP_HOTS is not a setting and is ignored \(did you mean PAPERBOY_SMTP_HOST\?\)/] },
    { env: { PAPERBOY_CATEGORY: 'cs.CL' }, want: [/did you mean PAPERBOY_CATEGORIES\?/] },
    { env: { PAPERBOY_FROBNICATE: '1' }, want: [/^PAPERBOY_FROBNICATE is not a setting and is ignored; docs\/configuration.md/] },
    // Credentials for a mail server that is not configured.
    { env: { PAPERBOY_SMTP_USER: 'u', PAPERBOY_SMTP_PASSWORD_FILE: '/run/pw' }, want: [/^PAPERBOY_SMTP_USER, PAPERBOY_SMTP_PASSWORD are ignored without PAPERBOY_SMTP_HOST/] },
    { env: { PAPERBOY_SMTP_USER: 'u', PAPERBOY_SMTP_HOST: 'mail' }, want: [] },
  ];
  for (const { env, want } of cases) {
    const got = settingWarnings(env);
    assert.equal(got.length, want.length, `${JSON.stringify(env)}: ${JSON.stringify(got)}`);
    want.forEach((re, i) => assert.match(got[i]!, re));
  }
});

test('PAPERBOY_DATA_DIR naming a file, or a folder under a file, is named as the problem', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-config-'));
  const file = path.join(dir, 'paperboy.db');
  fs.writeFileSync(file, '');
  const problemsFor = (dataDir: string) => {
    try {
      loadConfig({ PAPERBOY_DATA_DIR: dataDir });
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.problems;
    }
  };
  assert.deepEqual(problemsFor(file), [`PAPERBOY_DATA_DIR: "${file}" is a file, not a folder`]);
  assert.deepEqual(problemsFor(path.join(file, 'data')), [`PAPERBOY_DATA_DIR: "${file}" on its path is a file, not a folder`]);
  assert.deepEqual(problemsFor(path.join(dir, 'not-yet', 'data')), [], 'a folder still to be made is fine');
  assert.deepEqual(problemsFor(dir), []);
  fs.rmSync(dir, { recursive: true });
});
