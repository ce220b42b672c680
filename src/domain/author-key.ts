/**
 * The key under which author names that differ only in case or spacing meet, so that a typed or
 * pasted name finds the spelling papers carry. Computed here, in JavaScript, and stored beside each
 * name (paper_authors.name_key), so both stores compare the same strings and answer alike.
 *
 * What folds: letter case in every script (Unicode's upper- then lower-case mappings, so "ÉMILE"
 * meets "émile", "ΔΗΜΗΤΡΗΣ" meets "Δημήτρης", "STRAUSS" meets "Strauß"), canonically equivalent
 * forms (NFC: an "é" typed as "e" plus a combining accent meets the precomposed one), and runs of
 * white space (any Unicode space) to one space, trimmed at both ends. What does not: accents
 * ("Emile" is not "Émile"), letters that only look alike, punctuation.
 *
 * @example
 * authorNameKey('  ÉMILE   Durand ') // 'émile durand'
 * authorNameKey('Yann LeCun')        // 'yann lecun'
 */

/** Printable ASCII: lower case alone is the whole fold, and the common case by far. */
const PRINTABLE_ASCII_RE = /^[\x20-\x7e]*$/;

export function authorNameKey(name: string): string {
  const spaced = name.trim().replace(/\s+/g, ' ');
  if (PRINTABLE_ASCII_RE.test(spaced)) return spaced.toLowerCase();
  // Upper case first: it maps "ß" to "SS" and both Greek sigmas to "Σ", which lower case alone does
  // not; NFC again at the end, since case mappings can leave a decomposed letter ("ǰ").
  return spaced.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}
