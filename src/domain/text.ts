/**
 * Short texts members write and others read (collection names, API token names, report reasons):
 * what cannot be shown. Control characters draw nothing or break lines and headers; a name made
 * only of characters that draw nothing shows as a blank link.
 */

/**
 * Control characters: C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F), and the
 * bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069). The latter
 * reorder the text around them: a name "\u202Eelif.exe" reads as "exe.file", and an unclosed override
 * can spill into the words a page shows next to the name. Right-to-left scripts do not need them;
 * the marks (U+200E, U+200F, U+061C), which only nudge neutral characters, are allowed.
 */
const CONTROL_RE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const CONTROL_RUN_RE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]+/gu;

/**
 * Characters that draw nothing: white space, format characters (zero-width space, joiners,
 * direction marks, the byte-order mark), the other default-ignorable code points (Hangul fillers,
 * variation selectors) and the blank Braille pattern, a common stand-in for a space.
 */
const INVISIBLE_ONLY_RE = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}\u2800]*$/u;

/** True when `s` holds a control character (tab and newline included: these texts are one line). */
export function hasControlCharacter(s: string): boolean {
  return CONTROL_RE.test(s);
}

/** True when nothing in `s` would show: empty, or only white space and invisible characters. */
export function showsNothing(s: string): boolean {
  return INVISIBLE_ONLY_RE.test(s);
}

/** `s` with each run of control characters made one space, for texts kept rather than refused. */
export function controlsToSpaces(s: string): string {
  return s.replace(CONTROL_RUN_RE, ' ');
}

/**
 * What a member wrote in a field, as text: a field a form left out (or a value that is not text)
 * reads as empty, so it is refused with the field's own message ("Name the collection.") rather
 * than a validator's account of types.
 */
export function fieldText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
