/**
 * The few LaTeX accent escapes arXiv metadata carries in author names and titles
 * (`Bal\'azs`, `G\"odel`, `{\o}`), turned into Unicode. Anything else is left as written.
 */

const ACCENTS: Record<string, string> = {
  "'": '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304',
  '.': '\u0307', 'u': '\u0306', 'v': '\u030C', 'H': '\u030B', 'c': '\u0327', 'k': '\u0328', 'r': '\u030A',
};
const LETTERS: Record<string, string> = {
  o: 'ø', O: 'Ø', l: 'ł', L: 'Ł', ss: 'ß', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', aa: 'å', AA: 'Å', i: 'ı', j: 'ȷ',
};

// \'a  \'{a}  {\'a}  \c{c}  \v s  \"{\i}
const ACCENT_RE = /\{?\\(['`^"~=.]|[uvHckr](?=[\s{]))\s*\{?\\?([A-Za-z])\}?\}?/g;
const LETTER_RE = /\{\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)\}|\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L)(?:\{\}|\b\s?)/g;

/** @example decodeLatexAccents("C. Bal\\'azs") // 'C. Balázs' */
export function decodeLatexAccents(s: string): string {
  if (!s.includes('\\')) return s;
  return s
    .replace(ACCENT_RE, (_m, accent: string, letter: string) => {
      const base = letter === 'i' ? 'i' : letter;
      return (base + ACCENTS[accent]!).normalize('NFC');
    })
    .replace(LETTER_RE, (_m, a?: string, b?: string) => LETTERS[(a ?? b)!] ?? _m);
}
