import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { plainIssue } from './issue-wording.ts';

/** zod's phrases: none may reach a person. */
const ZOD_PHRASES = /Invalid (input|option|string|number|key|value|email|URL|ISO)|Too (big|small)|expected|received|Unrecognized|<=|>=/;

const first = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  assert.ok(!r.success, `${JSON.stringify(value)} should not fit`);
  return plainIssue(r.error.issues[0]!);
};

test('every issue code zod words for programmers comes out in plain words', () => {
  const rows: [string, z.ZodType, unknown, string][] = [
    // invalid_type
    ['missing', z.object({ a: z.string() }), {}, 'is missing'],
    ['wrong type', z.string(), 5, 'should be a string, not a number'],
    ['an array for an object', z.object({}), [], 'should be an object, not an array'],
    ['null', z.number(), null, 'should be a number, not null'],
    ['boolean expected', z.boolean(), 'yes', 'should be true or false, not a string'],
    ['not a number (coerced)', z.coerce.number(), 'eighty', 'must be a number'],
    ['not whole', z.number().int(), 3.5, 'must be a whole number'],
    // invalid_value (enum, literal)
    ['enum of three', z.enum(['daily', 'weekdays', 'weekly']), 'monthly', 'must be one of daily, weekdays or weekly'],
    ['enum of two', z.enum(['trending', 'search']), 'foo', 'must be trending or search'],
    ['literal', z.literal('user'), 'bot', 'must be user'],
    ['literal with a space', z.literal('a b'), 'c', 'must be "a b"'],
    // too_big
    ['long string', z.string().max(250), 'x'.repeat(251), 'must be at most 250 characters'],
    ['one character', z.string().max(1), 'xy', 'must be at most 1 character'],
    ['big number', z.number().max(100), 101, 'must be at most 100'],
    ['number below a bound', z.number().lt(10), 10, 'must be less than 10'],
    ['unsafe integer', z.number().int(), 2 ** 60, 'is too large a number'],
    ['long array', z.array(z.number()).max(2), [1, 2, 3], 'must have at most 2 items'],
    ['exact length', z.string().length(3), 'abcd', 'must have exactly 3 characters'],
    // too_small
    ['empty string', z.string().min(1), '', 'must not be empty'],
    ['short string', z.string().min(12), 'short', 'must be at least 12 characters'],
    ['small number', z.number().min(5), 4, 'must be at least 5'],
    ['positive', z.number().positive(), 0, 'must be more than 0'],
    ['empty array', z.array(z.string()).min(1), [], 'must have at least one item'],
    ['short array', z.array(z.string()).min(2), ['a'], 'must have at least 2 items'],
    // invalid_format
    ['pattern', z.string().regex(/^\d+$/), 'x', 'has the wrong form'],
    ['e-mail', z.email(), 'x', 'must be an e-mail address'],
    ['URL', z.url(), 'x', 'must be a URL such as https://example.org'],
    ['timestamp', z.iso.datetime(), 'x', 'must be a UTC date and time such as 2025-05-06T08:00:00.000Z'],
    ['prefix', z.string().startsWith('pbt_'), 'x', 'must start with "pbt_"'],
    // the rest
    ['multiple', z.number().multipleOf(3), 4, 'must be a multiple of 3'],
    ['unknown field', z.strictObject({ a: z.string() }), { a: 'x', b: 1 }, 'has a field it does not take: b'],
    ['union', z.union([z.string(), z.number()]), true, 'is not in any of the accepted forms'],
    ['refinement without a message', z.string().refine(() => false), 'x', 'is not valid'],
  ];
  for (const [name, schema, value, expected] of rows) {
    const w = first(schema, value);
    assert.deepEqual(w, { plain: true, text: expected }, name);
    assert.doesNotMatch(w.text, ZOD_PHRASES, name);
  }
});

test('a message the schema gives itself is kept as written', () => {
  const rows: [z.ZodType, unknown, string][] = [
    [z.string().max(3, 'q: at most 3 characters'), 'abcd', 'q: at most 3 characters'],
    [z.enum(['a', 'b'], { error: 'sort must be a or b' }), 'c', 'sort must be a or b'],
    [z.string({ error: 'q: say what to look for' }), undefined, 'q: say what to look for'],
    [z.string().regex(/^\d+$/, 'id must be a number'), 'x', 'id must be a number'],
    [z.string().refine(() => false, 'must be a host name'), 'x', 'must be a host name'],
    [z.string().superRefine((_, ctx) => ctx.addIssue({ code: 'custom', message: '"x" is not a day' })), 'x', '"x" is not a day'],
    [z.number().int('must be whole seconds'), 1.5, 'must be whole seconds'],
  ];
  for (const [schema, value, expected] of rows) assert.deepEqual(first(schema, value), { plain: false, text: expected });
});
