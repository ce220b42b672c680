/**
 * The client address behind proxies: X-Forwarded-For is read from the right, so what a client puts
 * in it does not change which rate-limit bucket it lands in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { clientAddress } from '../../src/web/client-address.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startTestServer } from '../helpers/server.ts';
import { nodeArgs } from '../helpers/paperboy.ts';

test('clientAddress: the entry the operator\'s outermost proxy wrote', () => {
  const socket = '10.0.0.5';
  const cases: [string, string | undefined, number, string][] = [
    ['no trust: the socket', '198.51.100.1', 0, socket],
    ['no header: the socket', undefined, 1, socket],
    ['an empty header: the socket', ' , ,', 1, socket],
    ['one proxy that overwrites the header', '203.0.113.7', 1, '203.0.113.7'],
    ['one proxy that appends: the client\'s own entry is ignored', '198.51.100.1, 203.0.113.7', 1, '203.0.113.7'],
    ['several forged entries', '1.1.1.1,2.2.2.2, 3.3.3.3 ,203.0.113.7', 1, '203.0.113.7'],
    ['two proxies', '198.51.100.1, 203.0.113.7, 10.0.0.2', 2, '203.0.113.7'],
    ['two proxies, nothing forged', '203.0.113.7, 10.0.0.2', 2, '203.0.113.7'],
    ['two proxies, the outer one skipped', '203.0.113.7', 2, '203.0.113.7'],
    ['three proxies', 'x, 203.0.113.7, 10.0.0.3, 10.0.0.2', 3, '203.0.113.7'],
    ['IPv6: its /64', '2001:db8::1, 2001:db8::7', 1, '2001:db8:0:0::/64'],
    ['an absurd entry is cut', `1.1.1.1, ${'x'.repeat(500)}`, 1, 'x'.repeat(64)],
  ];
  for (const [name, header, hops, want] of cases) assert.equal(clientAddress(header, socket, hops), want, name);
  assert.equal(clientAddress('203.0.113.7', undefined, 0), 'local');
});

test('an IPv6 client is one bucket however it rotates through its /64; IPv4-mapped addresses are their IPv4', () => {
  const rotating = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:DB8:1:2:abcd::9', '2001:0db8:0001:0002:0:0:0:1'];
  assert.deepEqual(new Set(rotating.map((a) => clientAddress(undefined, a, 0))), new Set(['2001:db8:1:2::/64']));
  assert.equal(clientAddress(undefined, '2001:db8:1:3::1', 0), '2001:db8:1:3::/64', 'the next /64 is another client');
  assert.equal(clientAddress(undefined, '::ffff:203.0.113.7', 0), '203.0.113.7', 'Node reports IPv4 clients of a dual-stack socket so');
  assert.equal(clientAddress('::1', '10.0.0.2', 1), '0:0:0:0::/64');
  assert.equal(clientAddress('not an address', '10.0.0.2', 1), 'not an address', 'anything else is a key as it is');
});

test('PAPERBOY_TRUST_PROXY: false, true (one proxy) or a number of proxies; anything else stops the start', () => {
  const hops = (v: string | undefined) => loadConfig({ PAPERBOY_TRUST_PROXY: v }).trustProxy;
  assert.deepEqual([undefined, 'false', '0', 'off', 'true', 'yes', '1', '2', '10'].map(hops), [0, 0, 0, 0, 1, 1, 1, 2, 10]);
  for (const bad of ['maybe', '-1', '11', '1.5', '2 proxies']) {
    assert.throws(() => loadConfig({ PAPERBOY_TRUST_PROXY: bad }),
      (e: Error) => e instanceof ConfigError && e.problems.length === 1 && /^PAPERBOY_TRUST_PROXY: must be false, true \(one proxy in front\) or the number of proxies in front, 1 to 10/.test(e.problems[0]!), bad);
  }
  const r = spawnSync(process.execPath, [...nodeArgs('src/main.ts'), 'migrate'], {
    encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent', PAPERBOY_TRUST_PROXY: 'maybe' }, timeout: 60_000,
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /PAPERBOY_TRUST_PROXY: must be false, true/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

/** A GET over a raw socket, so that a header can be sent on two lines as HAProxy does. */
function rawGet(url: string, path: string, headerLines: string[]): Promise<{ status: number; headers: Record<string, string> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname, () => {
      sock.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n${headerLines.map((h) => `${h}\r\n`).join('')}\r\n`);
    });
    let data = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => { data += d; });
    sock.on('error', reject);
    sock.on('end', () => {
      const [head] = data.split('\r\n\r\n');
      const [status, ...rest] = head!.split('\r\n');
      const headers = Object.fromEntries(rest.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(status!.split(' ')[1]), headers });
    });
  });
}

test('behind one appending proxy, a client cannot get a fresh rate-limit bucket by writing X-Forwarded-For', async () => {
  const { server, store } = await startTestServer({ PAPERBOY_TRUST_PROXY: 'true', PAPERBOY_DEMO: 'false' });
  try {
    const remaining = async (...lines: string[]) => {
      const res = await rawGet(server.url, '/api/v1/stats', lines);
      assert.equal(res.status, 200);
      return Number(res.headers['ratelimit-remaining']);
    };
    // nginx with $proxy_add_x_forwarded_for: what the client sent, then the address nginx saw.
    const first = await remaining('X-Forwarded-For: 198.51.100.1, 203.0.113.7');
    assert.equal(await remaining('X-Forwarded-For: 198.51.100.2, 203.0.113.7'), first - 1, 'another forged entry: the same bucket');
    assert.equal(await remaining('X-Forwarded-For: 198.51.100.3,198.51.100.4, 203.0.113.7'), first - 2);
    // HAProxy's option forwardfor: a second header line, which Node joins after the client's.
    assert.equal(await remaining('X-Forwarded-For: 198.51.100.9', 'X-Forwarded-For: 203.0.113.7'), first - 3, 'a second header line: the same bucket');
    // A different client, as the proxy saw it, has its own bucket.
    assert.equal(await remaining('X-Forwarded-For: 198.51.100.1, 203.0.113.8'), first);
  } finally {
    await server.close();
    await store.close();
  }
});
