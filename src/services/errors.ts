import type { z } from 'zod';
import { fieldText } from '../domain/text.ts';

/**
 * An error a person can act on: shown to them as it is, with an HTTP status. Anything else is a
 * bug, logged and shown as a generic 500.
 */
export class UserError extends Error {
  constructor(readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 429 | 503, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

/**
 * A member's field, checked by `schema` as text (a field a form left out reads as empty): its value,
 * or a 422 with the schema's own messages.
 */
export function parseField<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(fieldText(value));
  if (!r.success) throw new UserError(422, r.error.issues.map((i) => i.message).join('. '));
  return r.data;
}
