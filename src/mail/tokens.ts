/**
 * Signed links for subscriptions: confirm, unsubscribe, manage, view the web version.
 *
 * A token is `ID.EXPIRES.SIGNATURE`: the subscription id, an expiry in epoch seconds (0: none)
 * and an HMAC-SHA256 of purpose, id, expiry and the subscription's own random nonce under the
 * instance's key. So a token works for one purpose and one subscription only (changing the id
 * breaks the signature), cannot be made without the key, and dies when the nonce is rotated.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isRowId } from '../store/row-id.ts';

export type TokenPurpose = 'confirm' | 'unsubscribe' | 'manage' | 'view';

/** Characters of base64url signature kept: 192 bits. */
const SIG_CHARS = 32;
const TOKEN_RE = /^(\d{1,15})\.(\d{1,12})\.([A-Za-z0-9_-]{32})$/;

function signature(key: string, purpose: TokenPurpose, id: number, exp: number, nonce: string): string {
  return createHmac('sha256', key).update(`paperboy:${purpose}:${id}:${exp}:${nonce}`).digest('base64url').slice(0, SIG_CHARS);
}

/**
 * @example
 * signToken(key, 'unsubscribe', 42, 'n0nce', 0) // '42.0.Xk3...'
 */
export function signToken(key: string, purpose: TokenPurpose, id: number, nonce: string, expiresAtMs = 0): string {
  const exp = expiresAtMs ? Math.ceil(expiresAtMs / 1000) : 0;
  return `${id}.${exp}.${signature(key, purpose, id, exp, nonce)}`;
}

/**
 * The subscription id a well-formed token names (not yet verified), or null for anything else,
 * including ids no subscription can have (0, or past the id column's range).
 */
export function tokenSubject(token: unknown): number | null {
  if (typeof token !== 'string' || token.length > 80) return null;
  const m = TOKEN_RE.exec(token);
  const id = m ? Number(m[1]) : 0;
  return isRowId(id) ? id : null;
}

/** Checks a token against the subscription's nonce: 'ok', 'expired' (signature good, too late) or 'invalid'. */
export function verifyToken(key: string, purpose: TokenPurpose, token: string, nonce: string, nowMs: number): 'ok' | 'expired' | 'invalid' {
  const m = TOKEN_RE.exec(token);
  if (!m || !nonce) return 'invalid';
  const id = Number(m[1]);
  const exp = Number(m[2]);
  const expected = Buffer.from(signature(key, purpose, id, exp, nonce));
  const given = Buffer.from(m[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  if (exp !== 0 && exp * 1000 < nowMs) return 'expired';
  return 'ok';
}
