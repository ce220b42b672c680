/**
 * The client address behind reverse proxies. Each proxy that appends to `X-Forwarded-For` adds the
 * address it got the connection from at the right end; whatever the client sent stays on the left.
 * So with `hops` proxies in front, the client is the `hops`-th entry from the right, and only the
 * entries from there rightwards were written by machines the operator runs.
 */

import ipaddr from 'ipaddr.js';

/** Longest address kept (an IPv6 address with a zone is under 64): a rate-limit key, not a log line. */
const MAX_ADDRESS_CHARS = 64;

/**
 * The rate-limit key of an address: an IPv6 address stands for its /64, the block a home or a
 * server is given (one client can use any of its 2^64 addresses, and would get a fresh budget with
 * each); an IPv4-mapped IPv6 address is its IPv4 address; anything else is kept as it is.
 *
 * @example
 * addressKey('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 * addressKey('::ffff:203.0.113.7') // '203.0.113.7'
 */
export function addressKey(address: string): string {
  if (!ipaddr.IPv6.isValid(address)) return address;
  const v6 = ipaddr.IPv6.parse(address);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const prefix = v6.parts.slice(0, 4).map((p) => p.toString(16)).join(':');
  return `${prefix}::/64`;
}

/**
 * The address rate limits count against (IPv6 by its /64, see addressKey).
 *
 * @param forwardedFor the `X-Forwarded-For` header (several header lines joined with commas), if any
 * @param socketAddress the connection's peer address
 * @param hops how many proxies of the operator's own stand in front (0: trust no header)
 * @example
 * clientAddress('6.6.6.6, 203.0.113.7', '127.0.0.1', 1) // '203.0.113.7': nginx's $proxy_add_x_forwarded_for
 * clientAddress('6.6.6.6, 203.0.113.7, 10.0.0.2', '127.0.0.1', 2) // '203.0.113.7'
 * clientAddress('6.6.6.6', '127.0.0.1', 0) // '127.0.0.1'
 */
export function clientAddress(forwardedFor: string | undefined, socketAddress: string | undefined, hops: number): string {
  const socket = addressKey(socketAddress ?? 'local');
  if (hops <= 0 || forwardedFor === undefined) return socket;
  const entries = forwardedFor.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) return socket;
  // Fewer entries than proxies: the request skipped the outer ones, and the left-most entry is what
  // the first proxy it did go through saw.
  const entry = entries[Math.max(0, entries.length - hops)]!;
  return addressKey(entry.slice(0, MAX_ADDRESS_CHARS));
}
