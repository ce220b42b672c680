/**
 * Reading the forms our pages post: urlencoded or multipart, string fields only (files ignored).
 * Any other body reads as no fields, so the CSRF check that follows refuses it.
 */
import type { Context } from 'hono';
import { UserError } from '../services/errors.ts';
import type { AppEnv } from './auth.ts';

export type FormFields = Record<string, string>;

/** A posted form's string fields; a 400 when the body cannot be read. */
export async function readForm(c: Context<AppEnv>): Promise<FormFields> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return {};
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody();
  } catch {
    throw new UserError(400, 'This form could not be read.');
  }
  const fields: FormFields = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields[k] = v;
  return fields;
}
