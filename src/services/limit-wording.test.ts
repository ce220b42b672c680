/**
 * The words of rate-limit messages: a limit counted per client says "from your network address",
 * one counted per e-mail address says "this e-mail address", and none says a bare "this address",
 * which on a form with an e-mail field reads as the address just typed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RULES } from './rate-limits.ts';
import { SUBSCRIBE_RULES } from './subscriptions.ts';

test('rate-limit messages say which address they mean', () => {
  const all: [string, string][] = [
    ...Object.entries(RULES).map(([name, r]): [string, string] => [name, r.what]),
    ...Object.entries(SUBSCRIBE_RULES).map(([name, r]): [string, string] => [`subscribe.${name}`, r.what]),
  ];
  const perClient = all.filter(([name]) => /Ip$|\.ip$/.test(name));
  assert.ok(perClient.length >= 8, 'the per-client rules are found');
  for (const [name, what] of perClient) assert.match(what, /from your network address$/, name);
  for (const [name, what] of all) assert.doesNotMatch(what, /\bthis address\b|\bfrom one address\b/, name);
  assert.match(SUBSCRIBE_RULES.address.what, /for this e-mail address$/);
});
