/**
 * Reading the forms our pages post: urlencoded or multipart, string fields only (files ignored).
 * Any other body reads as no fields, so the CSRF check that follows refuses it.
 */
import type { Context } from 'hono';
import { UserError } from '../services/errors.ts';
import type { AppEnv } from './auth.ts';

export type FormFields = Record<string, string>;

/** The body is a form (urlencoded or multipart), as our pages post them. */
function isForm(c: Context): boolean {
  const type = c.req.header('content-type') ?? '';
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
}

/** A posted form's string fields; a 400 when the body cannot be read. */
export async function readForm(c: Context<AppEnv>): Promise<FormFields> {
  if (!isForm(c)) return {};
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

/**
 * The fields of a member's refused form, to send again with a fresh token (ExpiredFormPage), the
 * token left out; null when no member is signed in, the body is no form or cannot be read, or it
 * holds a file or a password (a password is never written into a page).
 */
export async function resendableFields(c: Context<AppEnv>): Promise<[string, string][] | null> {
  if (!c.get('user') || c.req.method !== 'POST' || !isForm(c)) return null;
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    return null;
  }
  const fields: [string, string][] = [];
  for (const [name, value] of Object.entries(body)) {
    if (/password/i.test(name)) return null;
    if (name === '_csrf') continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'string') return null;
      fields.push([name, v]);
    }
  }
  return fields;
}
