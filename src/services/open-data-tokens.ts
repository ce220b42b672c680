/**
 * API tokens: created by members on their settings page, shown once, sent as
 * `Authorization: Bearer pbt_...`. The store keeps a SHA-256 hash. A `read` token identifies the
 * member (private collections, /me); a `write` token may also vote, comment, submit and save.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  countLiveApiTokens, findLiveApiToken, insertApiToken, listUserApiTokens, revokeApiToken, touchApiToken, type ApiToken, type ApiTokenScope,
} from '../store/api-tokens.ts';
import type { Store } from '../store/index.ts';
import { findUserById, type User } from '../store/users.ts';
import { sha256 } from './accounts.ts';
import { UserError } from './errors.ts';
import { fieldText, hasControlCharacter, showsNothing } from '../domain/text.ts';
import { isRowId } from '../store/row-id.ts';

/** Every token starts with this, so secret scanners and people can recognise one. */
export const TOKEN_PREFIX = 'pbt_';
const TOKEN_RE = /^pbt_[A-Za-z0-9_-]{43}$/;
/** Live tokens a member may hold at once: plenty for scripts, bounded for the table. */
export const MAX_LIVE_TOKENS = 20;
/** A use is recorded at most this often per token, in ms: one write an hour, not one per request. */
const TOUCH_EVERY_MS = 60 * 60 * 1000;
const DAY_MS = 86_400_000;

export interface TokenDeps {
  store: Store;
  now: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

const EXPIRY = 'Expiry: a number of days from 1 to 3650, or empty for never.';

const tokenInput = z.object({
  name: z.string().trim().min(1, 'Name the token (what will use it?).').max(60, 'Token names: at most 60 characters.')
    .refine((s) => !hasControlCharacter(s), 'Token names cannot contain control characters.')
    // Said once: the checks above answer an empty name and one with control characters.
    .refine((s) => s === '' || hasControlCharacter(s) || !showsNothing(s), 'Name the token (what will use it?).'),
  scope: z.enum(['read', 'write'], { error: 'Choose read or write access.' }),
  expiresInDays: z.string().trim().optional()
    .refine((s) => s === undefined || /^\d{0,4}$/.test(s), EXPIRY)
    .transform((s) => (s ? Number(s) : null))
    .refine((n) => n === null || (n >= 1 && n <= 3650), EXPIRY),
});

/**
 * Why an account without a confirmed address has no tokens: anyone can sign up with an address
 * that is not theirs, and a token would outlive the day its owner takes the account back.
 */
export const UNCONFIRMED = 'Confirm your e-mail address first: API tokens are for accounts whose address is confirmed. Follow the link we sent you, or ask for a new one in Settings.';

/** The 403 to a token made before its account's address was confirmed (an older rule allowed it). */
export const UNCONFIRMED_TOKEN = 'This API token was made before its account\'s e-mail address was confirmed and cannot be used: confirming the address revokes it. Confirm the address (Settings), then create a new token.';

/** Creates a token for the member (whose address is confirmed); returns it in full, the only time it is available. */
export async function createApiToken(deps: TokenDeps, user: User, input: { name: unknown; scope: unknown; expiresInDays?: unknown }): Promise<{ token: string; record: ApiToken }> {
  if (user.suspendedAt) throw new UserError(403, 'This account is suspended.');
  if (!user.emailVerifiedAt) throw new UserError(403, UNCONFIRMED);
  const parsed = tokenInput.safeParse({ ...input, name: fieldText(input.name) });
  if (!parsed.success) throw new UserError(422, parsed.error.issues.map((i) => i.message).join(' '));
  const now = deps.now();
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const { name, scope, expiresInDays } = parsed.data;
  // Counted under the member's lock, so tokens made side by side cannot pass the cap together.
  const record = await deps.store.transaction(async (trx) => {
    if ((await countLiveApiTokens(trx, user.id, iso(now))) >= MAX_LIVE_TOKENS) {
      throw new UserError(409, `You have ${MAX_LIVE_TOKENS} live tokens, the most one account may hold. Revoke one first.`);
    }
    return insertApiToken(trx, {
      userId: user.id, name, scope, tokenHash: sha256(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      expiresAt: expiresInDays ? iso(now + expiresInDays * DAY_MS) : null,
    }, iso(now));
  }, { detailsUnchanged: true, lock: `api-tokens:${user.id}` });
  return { token, record };
}

export async function listApiTokens(deps: TokenDeps, user: User): Promise<ApiToken[]> {
  return listUserApiTokens(deps.store.db, user.id);
}

export async function revokeToken(deps: TokenDeps, user: User, id: number): Promise<void> {
  if (!isRowId(id) || !(await revokeApiToken(deps.store.db, user.id, id, iso(deps.now())))) {
    throw new UserError(404, 'You have no such live token.');
  }
}

/** The member and token behind a Bearer value; a 401 UserError when it is not a live token. */
export async function authenticateToken(deps: TokenDeps, value: string): Promise<{ user: User; token: ApiToken }> {
  const invalid = new UserError(401, 'This API token is not valid: it is malformed, revoked or expired. Create one in Settings.');
  if (!TOKEN_RE.test(value)) throw invalid;
  const now = deps.now();
  const token = await findLiveApiToken(deps.store.db, sha256(value), iso(now));
  if (!token) throw invalid;
  const user = await findUserById(deps.store.db, token.userId);
  if (!user || user.suspendedAt) throw invalid;
  // Confirming the address revokes the tokens made before it (accounts.ts), so this one will never work.
  if (!user.emailVerifiedAt) throw new UserError(403, UNCONFIRMED_TOKEN);
  await touchApiToken(deps.store.db, token.id, iso(now), iso(now - TOUCH_EVERY_MS));
  return { user, token };
}

/** Whether a token of `scope` may do what `needed` asks. */
export function scopeAllows(scope: ApiTokenScope, needed: ApiTokenScope): boolean {
  return needed === 'read' || scope === 'write';
}
