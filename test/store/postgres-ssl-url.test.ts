/**
 * docs/postgres.md ("Encrypted connections") tells operators which DATABASE_URL options work with a
 * private or self-signed certificate; this checks those options mean that to the installed driver.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { tempDir } from '../helpers/store.ts';

/** The TLS options the driver derives from a URL (no connection is made). */
function sslOf(query: string): (Record<string, unknown> & { rejectUnauthorized?: boolean; ca?: unknown; checkServerIdentity?: unknown }) | boolean | undefined {
  const client = new pg.Client({ connectionString: `postgres://u:pw@db.internal:5432/paperboy?${query}` }) as unknown as { connectionParameters: { ssl: ReturnType<typeof sslOf> } };
  return client.connectionParameters.ssl;
}

test('DATABASE_URL ssl options: verify-full checks the certificate (against sslrootcert when given); uselibpqcompat=true&sslmode=require only encrypts', () => {
  const ca = path.join(tempDir(), 'db-ca.pem');
  fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

  const full = sslOf('sslmode=verify-full');
  assert.ok(full && typeof full === 'object', 'TLS is on');
  assert.notEqual(full.rejectUnauthorized, false, 'the certificate is checked');

  const pinned = sslOf(`sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`);
  assert.ok(pinned && typeof pinned === 'object');
  assert.equal(pinned.ca, fs.readFileSync(ca, 'utf8'), 'checked against the given CA');
  assert.notEqual(pinned.rejectUnauthorized, false);
  assert.equal(pinned.checkServerIdentity, undefined, 'and against the host name');

  const libpq = sslOf('uselibpqcompat=true&sslmode=require');
  assert.ok(libpq && typeof libpq === 'object', 'TLS is on');
  assert.equal(libpq.rejectUnauthorized, false, 'any certificate is accepted, as libpq does for require');

  const libpqCa = sslOf(`uselibpqcompat=true&sslmode=require&sslrootcert=${encodeURIComponent(ca)}`);
  assert.ok(libpqCa && typeof libpqCa === 'object');
  assert.notEqual(libpqCa.rejectUnauthorized, false, 'with a CA, the chain is checked (libpq verify-ca)');
  assert.equal(typeof libpqCa.checkServerIdentity, 'function', 'but not the host name');
});

test('DATABASE_URL sslmode=prefer and allow still ask for TLS (no fallback to plaintext, as docs/postgres.md says); disable does not', () => {
  for (const query of ['sslmode=prefer', 'uselibpqcompat=true&sslmode=prefer', 'uselibpqcompat=true&sslmode=allow']) {
    const ssl = sslOf(query);
    assert.ok(ssl && typeof ssl === 'object', `${query}: TLS is asked for`);
  }
  assert.equal(sslOf('sslmode=disable'), false, 'sslmode=disable connects without TLS');
});
