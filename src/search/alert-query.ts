/**
 * Saved searches (e-mail alerts) are written in the search box's own language (query.ts), so an
 * alert finds what the search page found: words, "phrases", -exclusions, author:, cat:, year:,
 * after:, before:, has:code. This checks one before it is saved. Pure.
 *
 * The search page forgives anything (odd input is searched as text, with a note); a saved search
 * runs unattended for months, so here a note is an error the subscriber sees at once.
 *
 * @example
 * parseAlertQuery('"diffusion model" video -survey cat:cs.CV year:2025')
 * // { ok: true, text: '"diffusion model" video -survey cat:cs.CV year:2025', query: { phrases: [['diffusion', 'model']], ... } }
 */
import { MAX_QUERY_CHARS as MAX_ALERT_QUERY_CHARS, MAX_QUERY_TERMS as MAX_ALERT_QUERY_PARTS } from '../domain/digest.ts';
import { hasControlCharacter } from '../domain/text.ts';
import { isEmptyQuery, parseQuery, type ParsedQuery } from './query.ts';

export { MAX_ALERT_QUERY_CHARS, MAX_ALERT_QUERY_PARTS };

export type AlertQueryResult = { ok: true; text: string; query: ParsedQuery } | { ok: false; error: string };

/** Checks a saved search; the text comes back on one line, as typed otherwise. */
export function parseAlertQuery(input: string): AlertQueryResult {
  // Control characters as in every name members give (C0, C1, bidi overrides: the text is quoted in
  // e-mail subjects), except the tabs and line breaks of a pasted search, which become spaces.
  if (hasControlCharacter(input.replace(/[\t\n\r]/g, ' ')) || /[\u2028\u2029]/.test(input)) {
    return { ok: false, error: 'Search: control characters are not allowed.' };
  }
  const text = input.trim().replace(/\s+/g, ' ');
  if (!text) return { ok: false, error: 'Search: type what the alert should look for.' };
  if (text.length > MAX_ALERT_QUERY_CHARS) return { ok: false, error: `Search: at most ${MAX_ALERT_QUERY_CHARS} characters.` };
  const query = parseQuery(text);
  const note = query.notes[0];
  if (note) return { ok: false, error: `Search: ${note.replace(/; searched as words\.$/, '.')}` };
  const parts = query.words.length + query.phrases.length + query.excludedWords.length + query.excludedPhrases.length
    + query.authors.length + query.excludedAuthors.length + query.categories.length + query.excludedCategories.length
    + (query.from ? 1 : 0) + (query.to ? 1 : 0) + (query.hasCode ? 1 : 0);
  if (parts > MAX_ALERT_QUERY_PARTS) return { ok: false, error: `Search: at most ${MAX_ALERT_QUERY_PARTS} terms.` };
  const positive = query.words.length + query.phrases.length + query.authors.length + query.categories.length;
  if (isEmptyQuery(query) || (positive === 0 && !query.hasCode)) {
    return { ok: false, error: 'Search: type at least one word, category or author to look for.' };
  }
  return { ok: true, text, query };
}
