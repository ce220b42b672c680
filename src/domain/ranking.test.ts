import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hotness, trendingByVotes, TRENDING_EPOCH_MS, TRENDING_WINDOW_HOURS } from './ranking.ts';

const DAY = 86_400_000;
const at = (days: number) => TRENDING_EPOCH_MS + days * DAY;

test('hotness: table of votes and entry times', () => {
  assert.equal(TRENDING_WINDOW_HOURS, 24);
  const cases: [votes: number, enteredAt: number, expected: number][] = [
    [0, at(0), 0],
    [9, at(0), 1],
    [99, at(0), 2],
    [0, at(1), 1],
    [0, at(365), 365],
    [-5, at(0), 0], // negative counts are treated as none
    [2.7, at(0), Math.log10(3)],
  ];
  for (const [votes, t, expected] of cases) {
    assert.ok(Math.abs(hotness(votes, t) - expected) < 1e-9, `hotness(${votes}, day ${(t - TRENDING_EPOCH_MS) / DAY})`);
  }
});

test('hotness: ten times the votes is worth one window of recency', () => {
  assert.ok(Math.abs(hotness(99, at(10)) - hotness(9, at(11))) < 1e-9);
});

test('hotness: a newer paper with the same votes ranks higher; more votes rank higher on the same day', () => {
  assert.ok(hotness(5, at(11)) > hotness(5, at(10)));
  assert.ok(hotness(6, at(10)) > hotness(5, at(10)));
});

test('hotness: time-invariant, the key does not depend on when it is computed', () => {
  const a = hotness(12, at(100));
  const b = hotness(12, at(100));
  assert.equal(a, b);
});

test('trendingByVotes: periods of several days up to a month rank by votes; a day and every day by the key', () => {
  const cases: [string, string, boolean][] = [
    ['2025-05-05', '2025-05-05', false],
    ['2025-05-02', '2025-05-04', true], // Monday's weekdays digest: Friday to Sunday
    ['2025-05-05', '2025-05-11', true], // a week
    ['2025-01-01', '2025-01-31', true], // a month
    ['2024-12-30', '2025-01-31', false],
    ['1991-01-01', '2999-12-31', false], // every day: what is hot now
  ];
  for (const [from, to, want] of cases) assert.equal(trendingByVotes(from, to), want, `${from}..${to}`);
});
