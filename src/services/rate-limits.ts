/**
 * Rate limits for everything a bot would hammer, counted in the database so every app process
 * shares them. Each rule is a fixed window: `limit` actions per `windowSeconds`.
 */
import type { Store } from '../store/index.ts';
import { hitRateLimit, unhitRateLimit } from '../store/users.ts';
import { UserError } from './errors.ts';

export interface Rule {
  limit: number;
  windowSeconds: number;
  /** What the person was trying to do, for the message. */
  what: string;
}

export const RULES = {
  // Sign-in counts failed attempts only, and answers a username or e-mail without an account the same way as one with it.
  signInIp: { limit: 20, windowSeconds: 15 * 60, what: 'failed sign-in attempts from your network address' },
  signInLoginIp: { limit: 10, windowSeconds: 15 * 60, what: 'failed sign-in attempts for this username or e-mail from your network address' },
  signInLogin: { limit: 100, windowSeconds: 60 * 60, what: 'failed sign-in attempts for this username or e-mail' },
  // The shared admin password (HTTP Basic, while no admin account exists): failed attempts only, as for sign-in.
  adminPasswordIp: { limit: 20, windowSeconds: 15 * 60, what: 'failed admin password attempts from your network address' },
  signUpIp: { limit: 5, windowSeconds: 60 * 60, what: 'sign-ups from your network address' },
  resetIp: { limit: 10, windowSeconds: 60 * 60, what: 'password reset requests from your network address' },
  resetAccount: { limit: 3, windowSeconds: 60 * 60, what: 'password reset e-mails for this account' },
  verifyAccount: { limit: 5, windowSeconds: 60 * 60, what: 'verification e-mails' },
  // Notices to the owner of an address someone else tried to use: past this they are skipped, silently (a 429 would tell).
  addressNoticeAccount: { limit: 3, windowSeconds: 60 * 60, what: 'notices about this e-mail address' },
  submitAccount: { limit: 30, windowSeconds: 60 * 60, what: 'submissions' },
  commentAccount: { limit: 30, windowSeconds: 60 * 60, what: 'comments' },
  commentIp: { limit: 60, windowSeconds: 60 * 60, what: 'comments from your network address' },
  // Each edit re-renders the comment for every reader and moves the paper's change token.
  commentEditAccount: { limit: 60, windowSeconds: 60 * 60, what: 'comment edits' },
  voteAccount: { limit: 300, windowSeconds: 60 * 60, what: 'votes' },
  voteIp: { limit: 600, windowSeconds: 60 * 60, what: 'votes from your network address' },
  reportAccount: { limit: 20, windowSeconds: 60 * 60, what: 'reports' },
  collectionAccount: { limit: 120, windowSeconds: 60 * 60, what: 'collection changes' },
  followAccount: { limit: 300, windowSeconds: 60 * 60, what: 'follows and unfollows' },
  notInterestedAccount: { limit: 300, windowSeconds: 60 * 60, what: '"not interested" marks' },
  searchIp: { limit: 300, windowSeconds: 5 * 60, what: 'searches from your network address' },
  searchLiveIp: { limit: 900, windowSeconds: 5 * 60, what: 'search-as-you-type requests from your network address' },
} satisfies Record<string, Rule>;

export type RuleName = keyof typeof RULES;

/** Counts one action against `rule` for `subject` (an IP or account id); throws a 429 UserError past the limit. */
export async function limit(store: Store, rule: RuleName, subject: string | number, nowMs: number): Promise<void> {
  const r = RULES[rule];
  const { count, resetAtMs } = await hitRateLimit(store.db, `${rule}:${subject}`, r.windowSeconds, nowMs);
  if (count > r.limit) {
    const wait = Math.max(1, Math.ceil((resetAtMs - nowMs) / 1000));
    const minutes = Math.ceil(wait / 60);
    throw new UserError(429, `Too many ${r.what}: at most ${r.limit} in ${r.windowSeconds / 60} minutes. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, wait);
  }
}

/** Takes back one action counted by `limit` in the current window (for attempts that turned out not to count, such as a sign-in that succeeded). */
export async function forgive(store: Store, rule: RuleName, subject: string | number, nowMs: number): Promise<void> {
  await unhitRateLimit(store.db, `${rule}:${subject}`, RULES[rule].windowSeconds, nowMs);
}

/** Counts one action like `limit`, but only says whether it is within the limit (for actions that must not answer differently). */
export async function withinLimit(store: Store, rule: RuleName, subject: string | number, nowMs: number): Promise<boolean> {
  const r = RULES[rule];
  const { count } = await hitRateLimit(store.db, `${rule}:${subject}`, r.windowSeconds, nowMs);
  return count <= r.limit;
}
