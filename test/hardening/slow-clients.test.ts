/**
 * Slowloris-style clients against a real server: many connections that trickle their headers or
 * their bodies a byte at a time. Others are still served promptly, and connections that never
 * finish their headers are closed by the server's own limit.
 */
import net from 'node:net';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SLOW_CLIENT_LIMITS } from '../../src/cli/serve.ts';
import { startTestServer } from '../helpers/server.ts';

const SLOW_CONNECTIONS = 100;

interface Slow { socket: net.Socket; closedAt: number | null; timer: NodeJS.Timeout }

function trickle(url: URL, first: string, byte: string, everyMs: number): Slow {
  const socket = net.connect(Number(url.port), url.hostname);
  const slow: Slow = { socket, closedAt: null, timer: setInterval(() => { if (!socket.destroyed) socket.write(byte); }, everyMs) };
  socket.on('connect', () => socket.write(first));
  socket.on('error', () => {});
  socket.on('data', () => {}); // a 408 may come before the close
  socket.on('close', () => { slow.closedAt = Date.now(); clearInterval(slow.timer); });
  return slow;
}

test('slow headers and slow bodies do not starve other clients, and unfinished headers are cut off', { timeout: 60_000 }, async () => {
  const { server, store } = await startTestServer({ PAPERBOY_DEMO: 'false' });
  const url = new URL(server.url);
  try {
    const started = Date.now();
    const headers = Array.from({ length: SLOW_CONNECTIONS }, () => trickle(url, 'GET / HTTP/1.1\r\nHost: localhost\r\n', 'X', 500));
    const bodies = Array.from({ length: 20 }, () => trickle(url, 'POST /signin HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n', 'a', 500));
    await new Promise((r) => setTimeout(r, 1_000));

    // Meanwhile, ordinary requests are answered at once.
    for (let i = 0; i < 20; i++) {
      const t0 = Date.now();
      const res = await fetch(`${server.url}/about`);
      assert.equal(res.status, 200);
      await res.text();
      assert.ok(Date.now() - t0 < 2_000, `an ordinary request took ${Date.now() - t0} ms`);
    }

    // The trickled headers never end: the server closes those connections after its headers limit.
    const deadline = started + SLOW_CLIENT_LIMITS.headersTimeout + 5_000;
    while (headers.some((s) => s.closedAt === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const open = headers.filter((s) => s.closedAt === null).length;
    assert.equal(open, 0, `${open} of ${SLOW_CONNECTIONS} slow-header connections still open after ${Date.now() - started} ms`);
    const first = Math.min(...headers.map((s) => s.closedAt!)) - started;
    assert.ok(first >= SLOW_CLIENT_LIMITS.headersTimeout - 1_000, `closed after ${first} ms, not before the limit`);
    for (const s of bodies) s.socket.destroy();

    const res = await fetch(`${server.url}/healthz`);
    assert.equal(await res.text(), 'ok', 'the server is still up');
  } finally {
    await server.close();
    await store.close();
  }
});
