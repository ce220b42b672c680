/**
 * The SMTP transport against a real SMTP server: the commit hook runs before the server has the
 * message, and each kind of failure is classified as the digest sender needs it. Also the signed
 * subscription tokens and the message builder's refusal of header injection.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { loadConfig } from '../../src/config.ts';
import { composeMessage } from '../../src/mail/message.ts';
import { signToken, tokenSubject, verifyToken } from '../../src/mail/tokens.ts';
import { DeliveryError, folderTransport, smtpTransport } from '../../src/mail/transport.ts';
import { tempDir } from '../helpers/store.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import fs from 'node:fs';

let sink: SmtpSink;
before(async () => { sink = await startSmtpSink(); });
after(async () => sink.close());

const message = (to: string, n = 1) => composeMessage({
  from: 'Paperboy <digests@paperboy.test>', to, subject: `Test ${n}`, text: `Hello ${n}`, html: `<p>Hello ${n}</p>`, messageId: `t-${n}-${to}@paperboy.test`, date: new Date(),
});

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof DeliveryError, String(err));
    return err;
  }
  assert.fail('expected a delivery error');
}

test('delivers over a pool of connections; the commit hook runs before the server has the message', async () => {
  const t = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false }, { connections: 3 });
  const before = sink.messages.length;
  const seenAtCommit: number[] = [];
  await Promise.all(Array.from({ length: 12 }, async (_, i) => {
    const m = await message('pool@example.org', i);
    await t.deliver(m, async () => { seenAtCommit.push(sink.to('pool@example.org').filter((x) => x.raw.includes(`Test ${i}`)).length); });
  }));
  await t.close();
  assert.equal(sink.messages.length - before, 12);
  assert.deepEqual(seenAtCommit, Array(12).fill(0), 'at commit time the server did not have the message yet');
});

test('a refused commit hands nothing over', async () => {
  const t = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false });
  const err = await failure(t.deliver(await message('nocommit@example.org'), async () => { throw new Error('lease lost'); }));
  assert.equal(err.kind, 'aborted');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(sink.to('nocommit@example.org').length, 0);
  await t.close();
});

test('failures are classified: 5xx recipient permanent (no commit), 4xx after data temporary, no answer unknown, no server transport', async () => {
  const t = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false }, { socketTimeoutMs: 2_000 });
  sink.rejectRecipient('gone@example.org', 550, 'No such user here');
  let committed = false;
  const gone = await failure(t.deliver(await message('gone@example.org'), async () => { committed = true; }));
  assert.equal(gone.kind, 'permanent');
  assert.equal(gone.responseCode, 550);
  assert.match(gone.message, /No such user here/);
  assert.equal(committed, false, 'a refused recipient never reaches the point of no return');

  sink.rejectRecipient('full@example.org', 452, 'Mailbox full, try later');
  assert.equal((await failure(t.deliver(await message('full@example.org'), async () => {}))).kind, 'temporary');

  sink.failData('busy@example.org', 451, 1);
  const busy = await failure(t.deliver(await message('busy@example.org'), async () => {}));
  assert.equal(busy.kind, 'temporary');
  assert.equal(busy.responseCode, 451);
  await t.deliver(await message('busy@example.org', 2), async () => {}); // the next try goes through
  assert.equal(sink.to('busy@example.org').length, 1);

  sink.dropAfterData('dropped@example.org');
  const dropped = await failure(t.deliver(await message('dropped@example.org'), async () => {}));
  assert.equal(dropped.kind, 'unknown', 'the dot went out and no answer came: the server may have it');
  assert.equal(sink.to('dropped@example.org').length, 1, 'and here it does');
  await t.close();

  const nowhere = smtpTransport({ host: '127.0.0.1', port: 1, secure: false });
  assert.equal((await failure(nowhere.deliver(await message('x@example.org'), async () => {}))).kind, 'transport');
});

test('an idle connection the server closed is not reused: the next message goes, once, over a new one', async () => {
  // Long enough that a loaded machine sends each message well within it, short enough to wait for.
  const idle = await startSmtpSink({ idleTimeoutMs: 1_000 });
  const t = smtpTransport({ host: '127.0.0.1', port: idle.port, secure: false }, { connections: 1 });
  try {
    await t.deliver(await message('idle@example.org', 1), async () => {});
    await new Promise((r) => setTimeout(r, 2_000)); // the server says 421 Timeout and hangs up
    await t.deliver(await message('idle@example.org', 2), async () => {});
    await t.deliver(await message('idle@example.org', 3), async () => {});
    assert.deepEqual(idle.to('idle@example.org').map((m) => /Subject: (.*)/.exec(m.raw.toString())![1]), ['Test 1', 'Test 2', 'Test 3']);
    assert.equal(idle.connections(), 2, 'a new connection after the timeout, then reused');
  } finally {
    await t.close();
    await idle.close();
  }
});

test('a server that hangs up as a reused connection starts the next message: sent once over a new connection, the commit hook run once', async () => {
  const t = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false }, { connections: 1 });
  await t.deliver(await message('reuse@example.org', 1), async () => {});
  sink.hangUpOnNextMail();
  let commits = 0;
  await t.deliver(await message('reuse@example.org', 2), async () => { commits++; });
  assert.equal(commits, 1);
  assert.equal(sink.to('reuse@example.org').length, 2);
  await t.close();

  // On a new connection a 421 is the server's answer, not a stale connection: no second try, classified as before.
  const fresh = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false });
  const opened = sink.connections();
  sink.hangUpOnNextMail(false);
  assert.equal((await failure(fresh.deliver(await message('reuse@example.org', 3), async () => {}))).kind, 'transport', 'the sender refused: the run stops');
  sink.rejectRecipient('busy-421@example.org', 421, 'Too busy, closing');
  assert.equal((await failure(fresh.deliver(await message('busy-421@example.org'), async () => {}))).kind, 'temporary');
  assert.equal(sink.connections() - opened, 2, 'one connection per message, none retried');
  assert.equal(sink.to('reuse@example.org').length, 2);
  await fresh.close();
});

test('a connection idle longer than maxIdleMs is closed with QUIT and a new one opened', async () => {
  const t = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false }, { connections: 1, maxIdleMs: 50 });
  const opened = sink.connections();
  await t.deliver(await message('stale@example.org', 1), async () => {});
  await t.deliver(await message('stale@example.org', 2), async () => {});
  assert.equal(sink.connections() - opened, 1, 'reused while fresh');
  await new Promise((r) => setTimeout(r, 120));
  await t.deliver(await message('stale@example.org', 3), async () => {});
  assert.equal(sink.connections() - opened, 2, 'idle too long: a new connection');
  assert.equal(sink.to('stale@example.org').length, 3);
  await t.close();
});

test('the outbox folder transport writes complete files only, and only after the commit', async () => {
  const dir = tempDir();
  const t = folderTransport(dir);
  await t.deliver(await message('folder@example.org'), async () => {
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.eml')), []);
  });
  assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).length, 1);
  assert.equal((await failure(t.deliver(await message('folder@example.org', 2), async () => { throw new Error('no'); }))).kind, 'aborted');
  assert.deepEqual(fs.readdirSync(dir).length, 1, 'no file, no leftover temporary file');
});

test('composeMessage refuses line breaks in anything that becomes a header', async () => {
  const base = { from: 'P <p@x.org>', to: 'a@x.org', subject: 'S', text: 't', html: '<p>t</p>', messageId: 'm@x', date: new Date() };
  for (const bad of [{ to: 'a@x.org\r\nBcc: victim@x.org' }, { subject: 'Hi\nBcc: victim@x.org' }, { headers: { 'List-Id': 'x\r\nBcc: v@x.org' } }, { messageId: 'm@x>\r\nX: y' }]) {
    await assert.rejects(composeMessage({ ...base, ...bad }), /line break/);
  }
  await assert.rejects(composeMessage({ ...base, to: 'a@x.org, b@x.org' }), /not one address/);
});

test('signed tokens: one purpose, one subscription, its nonce; expiry; no forgery', () => {
  const key = 'k'.repeat(43);
  const now = Date.parse('2026-01-01T00:00:00Z');
  const t = signToken(key, 'unsubscribe', 42, 'nonce-a');
  assert.match(t, /^42\.0\.[\w-]{32}$/);
  assert.equal(tokenSubject(t), 42);
  assert.equal(verifyToken(key, 'unsubscribe', t, 'nonce-a', now), 'ok');
  assert.equal(verifyToken(key, 'manage', t, 'nonce-a', now), 'invalid', 'another purpose');
  assert.equal(verifyToken(key, 'unsubscribe', t.replace(/^42\./, '43.'), 'nonce-a', now), 'invalid', 'another subscription');
  assert.equal(verifyToken(key, 'unsubscribe', t, 'nonce-b', now), 'invalid', 'a rotated nonce');
  assert.equal(verifyToken('other-key', 'unsubscribe', t, 'nonce-a', now), 'invalid', 'another instance');
  const sig = t.split('.')[2]!;
  const flipped = `42.0.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
  assert.equal(verifyToken(key, 'unsubscribe', flipped, 'nonce-a', now), 'invalid', 'one character changed');
  const c = signToken(key, 'confirm', 7, 'n', now + 3_600_000);
  assert.equal(verifyToken(key, 'confirm', c, 'n', now), 'ok');
  assert.equal(verifyToken(key, 'confirm', c, 'n', now + 2 * 3_600_000), 'expired');
  assert.equal(verifyToken(key, 'confirm', c.replace(/\.(\d+)\./, (_m, e: string) => `.${Number(e) + 99999}.`), 'n', now + 2 * 3_600_000), 'invalid', 'a pushed-back expiry');
  for (const junk of ['', 'x', '1.0.short', `${'9'.repeat(20)}.0.${'a'.repeat(32)}`, `0.0.${'a'.repeat(32)}`, `${2 ** 31}.0.${'a'.repeat(32)}`, null, 42]) assert.equal(tokenSubject(junk), null);
});

test('a site name with a comma, a colon or parentheses arrives whole, as one From mailbox', async () => {
  for (const name of ['Daily Papers, Inc.', 'ML: daily papers', 'Lab (beta)', 'Say "hi"']) {
    const from = loadConfig({ PAPERBOY_SITE_NAME: name, PAPERBOY_BASE_URL: 'https://papers.example.org' }).mailFrom;
    const m = await composeMessage({ from, to: 'reader@example.org', subject: 'Hi', text: 'x', html: '<p>x</p>', messageId: 'n@paperboy.test', date: new Date() });
    const header = /^From: (.*)$/m.exec(m.raw.toString('utf8'))![1]!;
    assert.deepEqual(addressparser(header), [{ name, address: 'no-reply@papers.example.org' }], header);
    assert.equal(m.envelope.from, 'no-reply@papers.example.org');
  }
});
