/**
 * Saved searches are checked in the search box's own language: every filter the search page
 * understands is kept; what the page would only note is refused with a reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ALERT_QUERY_CHARS, parseAlertQuery } from './alert-query.ts';

test('parseAlertQuery keeps words, phrases, exclusions and every filter of the search box', () => {
  const ok = parseAlertQuery('  "Diffusion  Model" vidéo -survey cat:cs.CV author:"Ada Lovelace" year:2024-2025 has:code ');
  assert.ok(ok.ok);
  assert.equal(ok.text, '"Diffusion Model" vidéo -survey cat:cs.CV author:"Ada Lovelace" year:2024-2025 has:code');
  assert.deepEqual(ok.query.phrases, [['diffusion', 'model']]);
  assert.deepEqual(ok.query.words, ['video']);
  assert.deepEqual(ok.query.excludedWords, ['survey']);
  assert.deepEqual(ok.query.categories, ['cs.CV']);
  assert.deepEqual(ok.query.authors, ['Ada Lovelace']);
  assert.equal(ok.query.from, '2024-01-01');
  assert.equal(ok.query.to, '2026-01-01');
  assert.equal(ok.query.hasCode, true);
  const dates = parseAlertQuery('agents after:2025-05 before:2025-06-15');
  assert.ok(dates.ok);
  assert.equal(dates.query.from, '2025-05-01');
  assert.equal(dates.query.to, '2025-06-15');
  const codeOnly = parseAlertQuery('has:code cat:cs.CL');
  assert.ok(codeOnly.ok, 'filters alone make an alert (every new cs.CL paper with code)');
});

test('parseAlertQuery refuses what the search page would only note, and hostile input, with a reason', () => {
  const bad: [string, RegExp][] = [
    ['', /type what/],
    ['   ', /type what/],
    ['x'.repeat(MAX_ALERT_QUERY_CHARS + 1), /at most 300 characters/],
    ['a b c d e f g h i j k l m', /at most 12 terms/],
    ['cat:../../etc', /not an arXiv category/],
    ['cat:<script>', /not an arXiv category/],
    ['graphs year:20x4', /not a year/],
    ['graphs after:yesterday', /not a date/],
    ['graphs has:bugs', /only has:code/],
    ['author:""', /type at least one word|no author/],
    ['-only -exclusions', /at least one word/],
    ['!!! ??? ...', /at least one word/],
    ['bell\u0007char', /control characters/],
    // Text-reversing and C1 controls, which would reach e-mail subjects quoted: "‮gnp.exe" reads reversed.
    ['\u202Egnp.exe attention', /control characters/],
    ['graph \u2066isolated\u2069', /control characters/],
    ['next\u0085line', /control characters/],
    ['csi\u009b31m', /control characters/],
  ];
  for (const [input, why] of bad) {
    const r = parseAlertQuery(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) assert.match(r.error, why, JSON.stringify(input));
  }
  const crlf = parseAlertQuery('graph\r\nBcc: victim@example.org');
  assert.ok(crlf.ok);
  assert.equal(crlf.text, 'graph Bcc: victim@example.org', 'line breaks become spaces: nothing can start a header');
  const regexy = parseAlertQuery('(a+)+$ .* [x] NEAR AND');
  assert.ok(regexy.ok, 'regular-expression and FTS syntax is just text');
});
