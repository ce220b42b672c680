/**
 * Validation problems in plain words. zod words a problem for programmers (`Invalid option: expected
 * one of "daily"|"weekly"`, `Too big: expected string to have <=250 characters`); the API's 400s
 * and the start-up settings errors say it for people instead: `must be one of daily, weekdays or
 * weekly`, `must be at most 250 characters`. A message a schema gives itself (`.max(250, '...')`,
 * `{ error: '...' }`, a refinement's) is kept as written.
 *
 * Each wording is a predicate without its subject: the caller puts the field before it
 * (`period must be ...` in the API, `PAPERBOY_DEMO: must be ...` in the settings).
 *
 * @example
 * const r = z.object({ period: z.enum(['daily', 'weekly']) }).safeParse({ period: 'monthly' });
 * plainIssue(r.error!.issues[0]!) // { plain: true, text: 'must be daily or weekly' }
 */
import { z } from 'zod';

export interface IssueWording {
  /** True when the text is this module's wording (a predicate); false for the schema's own message. */
  plain: boolean;
  text: string;
}

/** zod's English wording of an issue, to tell its messages from a schema's own. */
const zodWording = z.locales.en().localeError;
/** zod's wording of a value of the wrong type (or none); its input is not kept in the issue. */
const ZOD_TYPE_MESSAGE = /^Invalid input: expected (\w+), received (\w+)$/;

const withArticle = (word: string) => `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;

/** A type's name as people say it: `a string`, `an object`, `null`. */
function typeName(type: string): string {
  switch (type) {
    case 'null': case 'undefined': case 'NaN': return type;
    case 'int': return 'a whole number';
    case 'nan': return 'NaN';
    case 'boolean': return 'true or false';
    default: return withArticle(type);
  }
}

/** `a`, `a or b`, `one of a, b or c`. */
function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' && v !== '' && !/\s/.test(v) ? v : JSON.stringify(v) ?? String(v)));
  if (shown.length === 1) return shown[0]!;
  const list = `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
  return shown.length === 2 ? list : `one of ${list}`;
}

const plural = (n: number | bigint, unit: string) => `${n} ${unit}${n === 1 || n === 1n ? '' : 's'}`;

/** Units of things that have a size (zod's `origin`): a string's characters, an array's items. */
const SIZED: Record<string, string> = { string: 'character', array: 'item', set: 'item', map: 'entry', file: 'byte' };

/** How a format is named after `must be`. */
const FORMATS: Record<string, string> = {
  email: 'an e-mail address', url: 'a URL such as https://example.org', uuid: 'a UUID', guid: 'a GUID',
  datetime: 'a UTC date and time such as 2025-05-06T08:00:00.000Z', date: 'a date, YYYY-MM-DD', time: 'a time, HH:MM:SS',
  duration: 'an ISO 8601 duration such as P3D', ipv4: 'an IPv4 address', ipv6: 'an IPv6 address', cidrv4: 'an IPv4 range',
  cidrv6: 'an IPv6 range', base64: 'base64 text', base64url: 'base64url text', json_string: 'JSON text', e164: 'a phone number in E.164 form',
  jwt: 'a JWT', emoji: 'an emoji',
};

function sizeProblem(issue: { origin?: string | undefined; inclusive?: boolean | undefined; exact?: boolean | undefined }, limit: number | bigint, big: boolean): string {
  const unit = issue.origin ? SIZED[issue.origin] : undefined;
  if (unit) {
    const n = typeof limit === 'bigint' ? limit : issue.inclusive === false ? (big ? limit - 1 : limit + 1) : limit;
    if (issue.exact) return `must have exactly ${plural(n, unit)}`;
    if (!big && n === 1 && issue.origin === 'string') return 'must not be empty';
    if (!big && n === 1) return `must have at least one ${unit}`;
    const verb = issue.origin === 'string' ? 'must be' : 'must have';
    return `${verb} ${big ? 'at most' : 'at least'} ${plural(n, unit)}`;
  }
  const shown = issue.origin === 'date' && typeof limit === 'number' ? new Date(limit).toISOString() : String(limit);
  if (issue.origin === 'date') return `must be ${big ? 'no later than' : 'no earlier than'} ${shown}`;
  if (issue.exact) return `must be exactly ${shown}`;
  if (issue.inclusive === false) return `must be ${big ? 'less' : 'more'} than ${shown}`;
  return `must be ${big ? 'at most' : 'at least'} ${shown}`;
}

/** The plain predicate for an issue in zod's own wording. */
function reword(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = 'received' in issue && typeof issue.received === 'string' ? issue.received : ZOD_TYPE_MESSAGE.exec(issue.message)?.[2] ?? '';
      if (received === 'undefined') return 'is missing';
      if (received === 'NaN' && issue.expected === 'number') return 'must be a number';
      if (issue.expected === 'int' && received === 'number') return 'must be a whole number';
      return `should be ${typeName(issue.expected)}, not ${typeName(received)}`;
    }
    case 'invalid_value': return `must be ${oneOf(issue.values)}`;
    case 'too_big':
      if (issue.origin === 'int' || issue.origin === 'number' && issue.maximum === Number.MAX_SAFE_INTEGER) return 'is too large a number';
      return sizeProblem(issue, issue.maximum, true);
    case 'too_small':
      if (issue.origin === 'int' || issue.origin === 'number' && issue.minimum === Number.MIN_SAFE_INTEGER) return 'is too small a number';
      return sizeProblem(issue, issue.minimum, false);
    case 'invalid_format': {
      const f = issue as z.core.$ZodIssueInvalidStringFormat & { prefix?: string; suffix?: string; includes?: string };
      if (f.format === 'starts_with') return `must start with ${JSON.stringify(f.prefix)}`;
      if (f.format === 'ends_with') return `must end with ${JSON.stringify(f.suffix)}`;
      if (f.format === 'includes') return `must contain ${JSON.stringify(f.includes)}`;
      if (f.format === 'regex' || f.format === 'template_literal') return 'has the wrong form';
      return `must be ${FORMATS[f.format] ?? `in ${f.format} form`}`;
    }
    case 'not_multiple_of': return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys': return `has ${issue.keys.length === 1 ? 'a field' : 'fields'} it does not take: ${issue.keys.join(', ')}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options) && options.length > 0) return `must be ${oneOf(options)}`;
      return 'is not in any of the accepted forms';
    }
    case 'invalid_key': return `has a key that is not allowed in ${withArticle(issue.origin)}`;
    case 'invalid_element': return `has a value that is not allowed in ${withArticle(issue.origin)}`;
    default: return 'is not valid';
  }
}

/**
 * An issue in plain words: the schema's own message when it gave one, else a predicate saying what
 * the value must be (`must be at most 300 characters`, `is missing`), never zod's wording.
 */
export function plainIssue(issue: z.core.$ZodIssue): IssueWording {
  const zods = issue.code === 'invalid_type'
    ? ZOD_TYPE_MESSAGE.test(issue.message)
    : issue.message === zodWording(issue as unknown as Parameters<typeof zodWording>[0]) || issue.message === 'Invalid input';
  return zods ? { plain: true, text: reword(issue) } : { plain: false, text: issue.message };
}
