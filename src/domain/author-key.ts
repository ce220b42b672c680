/**
 * The key under which author names that differ only in case or spacing meet, so that a typed or
 * pasted name finds the spelling papers carry. Computed here, in JavaScript, and stored beside each
 * name (paper_authors.name_key), so both stores compare the same strings and answer alike.
 *
 * What folds: letter case in every script, as Unicode's case folding does it (lower case, with
 * "ß" and "ẞ" as "ss", the final sigma as "σ" and the long s as "s"; so "ÉMILE" meets "émile",
 * "ΔΗΜΗΤΡΗΣ" meets "Δημήτρης", "STRAUSS" meets "Strauß"), canonically equivalent forms (NFC: an "é"
 * typed as "e" plus a combining accent meets the precomposed one), and runs of white space (any
 * Unicode space) to one space, trimmed at both ends. What does not: accents ("Emile" is not
 * "Émile"), letters of their own that upper case would merge (Turkish "ı" is not "i", so "Akın" is
 * not "Akin"), letters that only look alike, punctuation.
 *
 * @example
 * authorNameKey('  ÉMILE   Durand ') // 'émile durand'
 * authorNameKey('Yann LeCun')        // 'yann lecun'
 */

/** Printable ASCII: lower case alone is the whole fold, and the common case by far. */
const PRINTABLE_ASCII_RE = /^[\x20-\x7e]*$/;

/** Case foldings (Unicode CaseFolding.txt) that differ from the lower-case mapping, for the letters names use. */
const FOLD_AFTER_LOWER: Record<string, string> = { 'ß': 'ss', 'ς': 'σ', 'ſ': 's' };
const FOLD_AFTER_LOWER_RE = /[ßςſ]/g;

export function authorNameKey(name: string): string {
  const spaced = name.trim().replace(/\s+/g, ' ');
  if (PRINTABLE_ASCII_RE.test(spaced)) return spaced.toLowerCase();
  // Lower case, then the few full case foldings lower case leaves out. Not upper case first: it
  // would also send "ı" to "I" and so to "i". NFC again at the end, since case mappings can leave a
  // decomposed letter ("İ" lower-cases to "i" plus a combining dot).
  return spaced.normalize('NFC').toLowerCase().replace(FOLD_AFTER_LOWER_RE, (ch) => FOLD_AFTER_LOWER[ch]!).normalize('NFC');
}
