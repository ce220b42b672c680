import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorNameKey } from './author-key.ts';

test('author name keys: case folds in every script, spaces collapse, accents stay', () => {
  const same: [string, string][] = [
    ['Yann LeCun', 'yann lecun'],
    ['Ada  Lovelace ', ' ada lovelace'],
    ['Émile Durand', 'ÉMILE DURAND'],
    ['Émile Durand', 'E\u0301mile durand'], // a combining accent meets the precomposed letter
    ['Δημήτρης Παπαδόπουλος', 'ΔΗΜΉΤΡΗΣ ΠΑΠΑΔΌΠΟΥΛΟΣ'],
    ['Οδυσσέας', 'οδυσσέασ'], // final and medial sigma
    ['Сергей Иванов', 'СЕРГЕЙ иванов'],
    ['Johann Strauß', 'JOHANN STRAUSS'],
    ['Zoë\u00a0Smith', 'ZOË SMITH'], // a no-break space is a space
    ['Jürgen Schmidhuber', 'jürgen SCHMIDHUBER'],
    ['M. Akın Yılmaz', 'M. AKIN YILMAZ'.toLowerCase().replace(/i/g, 'ı')], // dotless ı meets itself
    ['Joſef', 'Josef'], // the long s is a lower-case s
  ];
  for (const [a, b] of same) assert.equal(authorNameKey(a), authorNameKey(b), `${a} ~ ${b}`);

  const apart: [string, string][] = [
    ['Émile Durand', 'Emile Durand'], // accents are not folded
    ['Jürgen Schmidhuber', 'Jurgen Schmidhuber'],
    ['Ada Lovelace', 'Ada Lovelacex'],
    ['A_B', 'A%B'],
    ['Сергей', 'Cepгей'], // Latin look-alikes are other letters
    ['M. Akın Yılmaz', 'M. Akin Yilmaz'], // Turkish dotless ı is a letter of its own
  ];
  for (const [a, b] of apart) assert.notEqual(authorNameKey(a), authorNameKey(b), `${a} vs ${b}`);

  assert.equal(authorNameKey('  Ada   Lovelace '), 'ada lovelace');
  assert.equal(authorNameKey('ÉMILE DURAND'), 'émile durand');
  assert.equal(authorNameKey(''), '');
  assert.equal(authorNameKey('İpek'), 'i\u0307pek', 'capital dotted İ folds to i with its dot, as Unicode folds it');
  for (const s of ['Émile Durand', 'ΔΗΜΉΤΡΗΣ', 'Strauß', 'ǰ']) assert.equal(authorNameKey(authorNameKey(s)), authorNameKey(s), `idempotent: ${s}`);
});
