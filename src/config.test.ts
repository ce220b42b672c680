import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig, ConfigError } from './config.ts';

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

test('PAPERBOY_SEARCH_ENGINE: memory by default, postgres only on a PostgreSQL store', () => {
  assert.equal(loadConfig({}).searchEngine, 'memory');
  assert.equal(loadConfig({ PAPERBOY_SEARCH_ENGINE: 'postgres', DATABASE_URL: 'postgres://u@db/paperboy' }).searchEngine, 'postgres');
  assert.throws(() => loadConfig({ PAPERBOY_SEARCH_ENGINE: 'postgres' }), (err: unknown) =>
    err instanceof ConfigError && /PAPERBOY_SEARCH_ENGINE: postgres needs a PostgreSQL store/.test(err.problems.join('\n')));
  assert.throws(() => loadConfig({ PAPERBOY_SEARCH_ENGINE: 'elastic' }), (err: unknown) =>
    err instanceof ConfigError && /PAPERBOY_SEARCH_ENGINE: must be memory or postgres/.test(err.problems.join('\n')));
});
