import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlsToSpaces, hasControlCharacter, showsNothing } from './text.ts';

test('hasControlCharacter: C0, DEL, C1 and direction overrides, not other invisibles', () => {
  for (const s of ['a\u0000b', 'tab\there', 'a\u001fb', 'a\u007fb', 'a\u0085b', 'a\u009fb']) assert.equal(hasControlCharacter(s), true, JSON.stringify(s));
  for (const s of ['\u202eelif.exe', 'a\u202ab', 'a\u202cb', 'a\u2066b', 'a\u2069b']) assert.equal(hasControlCharacter(s), true, JSON.stringify(s));
  for (const s of ['plain', 'é ü ß', '日本語', 'שלום עולם', 'مرحبا\u200f', 'a\u200eb', '\u200b', 'a\u00a0b', '😀']) {
    assert.equal(hasControlCharacter(s), false, JSON.stringify(s));
  }
});

test('showsNothing: white space and characters that draw nothing, alone', () => {
  for (const s of ['', ' ', '\u200b', '\u200b\u200d\ufeff', '\u00a0\u3000', '\u2800', '\u3164', '\ufe0f', '\u00ad', '\u202e', '\u0085']) {
    assert.equal(showsNothing(s), true, JSON.stringify(s));
  }
  for (const s of ['a', '\u200ba', '😀', '👨\u200d👩\u200d👧', '.', 'é']) assert.equal(showsNothing(s), false, JSON.stringify(s));
});

test('controlsToSpaces: each run of control characters becomes one space', () => {
  assert.equal(controlsToSpaces('spam\u0085\u0001here\u007f'), 'spam here ');
  assert.equal(controlsToSpaces('spam\u202e\u2066here'), 'spam here');
  assert.equal(controlsToSpaces('clean'), 'clean');
});
