/**
 * Accounts: sign-up with e-mail verification, sign-in with sessions, password reset, changes of
 * address and password, deletion. Inputs are validated here (zod); pages only present.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { fieldText } from '../domain/text.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Store } from '../store/index.ts';
import { revokeUserApiTokens } from '../store/api-tokens.ts';
import {
  consumeEmailToken, createUser, findEmailToken, deleteSession, deleteUserRow, deleteUserSessions, findLogin, findSessionUser, findUserByEmail, findUserById,
  insertEmailToken, insertSession, pendingAddressOf, isEmailTaken, isUsernameTaken, lockUserRow, passwordHashOf, retireEmailTokens, updateUser, type Role, type User,
} from '../store/users.ts';
import type { AfterAnswer } from './after-answer.ts';
import { recountCommentScores } from '../store/comments.ts';
import { isUniqueViolation } from '../store/dialect.ts';
import { refreshPaperRanking } from '../store/votes.ts';
import { parseField, UserError } from './errors.ts';
import { dummyHash, hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './passwords.ts';
import { forgive, limit, withinLimit, type RuleName } from './rate-limits.ts';

export const SESSION_DAYS = 30;
const TOKEN_HOURS = { verify: 48, reset: 2, 'change-email': 24 } as const;
const DAY_MS = 86_400_000;
const RESERVED = new Set(['admin', 'administrator', 'root', 'paperboy', 'support', 'moderator', 'system', 'api', 'new', 'settings', 'signin', 'signup']);

export interface AccountDeps {
  store: Store;
  mailer: Mailer;
  baseUrl: string;
  siteName: string;
  now: () => number;
  /** Told when a sign-up's confirmation or a reset e-mail could not be sent (the answer does not say). */
  onMailFailure?: (err: Error) => void;
  /**
   * Runs the mail of resets, changes of address and address notices after the answer, so that an
   * answer never waits on the mail server (its time would tell whether an address has an account).
   * Without it (scripts, tests of this module alone) that mail is sent before returning.
   */
  later?: AfterAnswer;
}

const iso = (ms: number) => new Date(ms).toISOString();
export const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const newToken = () => randomBytes(32).toString('base64url');

export const usernameSchema = z.string().trim()
  .min(3, 'Username: at least 3 characters').max(30, 'Username: at most 30 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'Username: letters, digits, - and _ only, starting with a letter or digit')
  .refine((u) => !RESERVED.has(u.toLowerCase()) && !/^demo-reader-/i.test(u), 'Username: that name is reserved');
export const emailSchema = z.string().trim().toLowerCase().max(254, 'E-mail: too long')
  .pipe(z.email('E-mail: that is not an e-mail address'));
export const passwordSchema = z.string()
  .min(PASSWORD_MIN, `Password: at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX, `Password: at most ${PASSWORD_MAX} characters`);

async function sendTokenMail(deps: AccountDeps, user: User, purpose: 'verify' | 'reset' | 'change-email', email: string): Promise<void> {
  await sendMail(deps, await tokenMail(deps, user, purpose, email));
}

/** Makes a link for `purpose` (its token stored, hashed) and the e-mail that carries it. */
async function tokenMail(deps: AccountDeps, user: User, purpose: 'verify' | 'reset' | 'change-email', email: string): Promise<{ to: string; subject: string; text: string }> {
  const token = newToken();
  const now = deps.now();
  await insertEmailToken(deps.store.db, {
    tokenHash: sha256(token), userId: user.id, purpose, email, createdAt: iso(now), expiresAt: iso(now + TOKEN_HOURS[purpose] * 3_600_000),
  });
  const link = `${deps.baseUrl}/account/${purpose === 'reset' ? 'reset' : 'verify'}?token=${token}`;
  const hours = TOKEN_HOURS[purpose];
  const mail = {
    reset: {
      subject: `Reset your ${deps.siteName} password`,
      text: `Someone (hopefully you) asked to reset the password of ${user.username} on ${deps.siteName}.\n\nChoose a new password here (the link works once, for ${hours} hours):\n${link}\n\nIf it was not you, ignore this e-mail: your password stays as it is.\n`
        + (user.emailVerifiedAt ? '' : `\nThis address was never confirmed for ${user.username}. If you did not make that account, someone else may have made it with your address: `
          + `rather than take it over, sign up for your own (${deps.baseUrl}/signup). Once you confirm your address there, it leaves ${user.username}.\n`),
    },
    verify: {
      subject: `Confirm your e-mail for ${deps.siteName}`,
      text: `Welcome to ${deps.siteName}, ${user.username}.\n\nConfirm this address by opening this link (it works once, for ${hours} hours):\n${link}\n\nIf you did not sign up, ignore this e-mail.\n`,
    },
    'change-email': {
      subject: `Confirm your new e-mail address for ${deps.siteName}`,
      text: `You asked to change the e-mail address of ${user.username} on ${deps.siteName} to ${email}.\n\nConfirm the change by opening this link (it works once, for ${hours} hours):\n${link}\n\nIf it was not you, ignore this e-mail: the account keeps its old address.\n`,
    },
  }[purpose];
  return { to: email, ...mail };
}

async function sendMail(deps: AccountDeps, message: { to: string; subject: string; text: string }): Promise<void> {
  try {
    await deps.mailer.send(message);
  } catch (err) {
    throw new MailUnavailable(`The e-mail could not be sent just now (the mail server did not take it). Please try again in a few minutes.`, err);
  }
}

/** Runs `job` after the answer (or now, without `deps.later`); a mail server that is down is told to `onMailFailure`. */
async function afterAnswer(deps: AccountDeps, job: () => Promise<unknown>): Promise<void> {
  const guarded = async () => {
    await job().catch((err: unknown) => {
      if (!(err instanceof MailUnavailable)) throw err;
      deps.onMailFailure?.(err);
    });
  };
  if (deps.later) deps.later.run(guarded);
  else await guarded();
}

/** Sends a notice that needs no answer; a mail server that is down is told to `onMailFailure` and does not fail the action. */
async function sendNotice(deps: AccountDeps, message: { to: string; subject: string; text: string }): Promise<boolean> {
  return sendMail(deps, message).then(() => true, (err: unknown) => {
    if (!(err instanceof MailUnavailable)) throw err;
    deps.onMailFailure?.(err);
    return false;
  });
}

/**
 * Tells the owner of an address that someone tried to use it for another account (instead of
 * telling the one who tried); a few an hour at most, so the notice cannot be used to flood a mailbox.
 */
async function sendAddressInUseNotice(deps: AccountDeps, to: string, owner: User, attempt: string): Promise<boolean> {
  if (!(await withinLimit(deps.store, 'addressNoticeAccount', owner.id, deps.now()))) return true;
  return sendNotice(deps, {
    to,
    subject: `Someone tried to use your address on ${deps.siteName}`,
    text: `Someone (perhaps you) tried to ${attempt} on ${deps.siteName} with this address. It already belongs to your account, ${owner.username}, and stays with it.\n\n`
      + `To sign in: ${deps.baseUrl}/signin\nIf you forgot your password: ${deps.baseUrl}/account/forgot\n\nIf it was not you, there is nothing to do.\n`,
  });
}

/** The mail server refused or did not answer: a 503 the member can retry, with the cause for the log. */
export class MailUnavailable extends UserError {
  constructor(message: string, cause: unknown) {
    super(503, message, 60);
    this.cause = cause;
  }
}

/**
 * A new account. The answer does not tell whether the address already has an account: when an
 * account has confirmed it, the new account is made without an address (it shows the one given as
 * "not confirmed yet", and no link can confirm it) and the owner of the address gets a notice
 * instead of a link. An account that only holds the address, never confirmed, is not told of as
 * the reader's own: the new account gets a confirmation link like any other, and following it
 * moves the address over (see verifyEmail). Either e-mail goes after the answer (a notice past
 * the owner's limit is not sent at all), so the answer takes as long in every case; so it cannot
 * say whether the mail server took the e-mail either (one that did not is told to onMailFailure).
 */
export async function signUp(deps: AccountDeps, input: { username: unknown; email: unknown; password: unknown; ip: string }): Promise<User> {
  await limit(deps.store, 'signUpIp', input.ip, deps.now());
  // Every problem of the form at once (a taken name too), not one per attempt.
  const { problems, username, email, password } = checkedAccountFields(input);
  const taken = username !== null && await isUsernameTaken(deps.store.db, username); // usernames are public anyway
  if (taken) problems.unshift('Username: that name is taken');
  if (problems.length > 0 || username === null || email === null || password === null) throw new UserError(problems.length === 1 && taken ? 409 : 422, problems.join('. '));
  const owner = await findLogin(deps.store.db, email);
  const held = owner != null && sameAddress(owner.user.email, email);
  const inUse = held && owner.user.emailVerifiedAt != null;
  const user = await createUser(deps.store.db, { username, email: held ? null : email, passwordHash: await hashPassword(password), role: 'member', verified: false }, iso(deps.now()))
    .catch((err: Error) => {
      if (isUniqueViolation(err)) throw new UserError(409, 'That username or e-mail was just taken');
      throw err;
    });
  // Both cases store a link before answering (settings show its address as "not confirmed yet").
  const link = await tokenMail(deps, user, 'verify', email);
  if (inUse) {
    // The link is never sent: its owner hears of the attempt instead.
    const ownerUser = owner!.user;
    await afterAnswer(deps, () => sendAddressInUseNotice(deps, email, ownerUser, 'sign up'));
  } else {
    // The account exists now: a mail server that is down must not lose it. Settings offers "send the link again".
    await afterAnswer(deps, () => sendMail(deps, link));
  }
  return user;
}

/** The address an account shows in its settings: its own, or (not confirmed yet) the one it signed up with. */
export async function shownAddress(store: Store, user: User): Promise<User> {
  if (user.email) return user;
  const pending = await pendingAddressOf(store.db, user.id);
  return pending ? { ...user, email: pending } : user;
}

/** What an e-mailed confirmation link would confirm, without confirming it (the page asks first). */
export async function pendingConfirmation(deps: AccountDeps, token: unknown): Promise<{ username: string; email: string; change: boolean }> {
  if (typeof token !== 'string' || token.length < 20 || token.length > 100) throw new UserError(400, 'This confirmation link is not valid.');
  const found = await findEmailToken(deps.store.db, sha256(token), ['verify', 'change-email'], iso(deps.now()));
  const user = found ? await findUserById(deps.store.db, found.userId) : null;
  if (!found || !user) throw new UserError(400, 'This confirmation link is not valid any more: it was used, or it expired. Sign in to get a new one.');
  return { username: user.username, email: found.email, change: found.purpose === 'change-email' };
}

/**
 * Confirms an address from an e-mailed link (sign-up or change of address). In the same
 * transaction every other pending link of the account stops working (a link sent to a mistyped
 * address, an old reset link), and an account that held the address without ever confirming it
 * lets it go. The address the account had before is told of the change.
 */
export async function verifyEmail(deps: AccountDeps, token: unknown): Promise<User> {
  if (typeof token !== 'string' || token.length < 20 || token.length > 100) throw new UserError(400, 'This confirmation link is not valid.');
  const now = iso(deps.now());
  const hash = sha256(token);
  const taken = () => new UserError(409, 'Another account uses this address now.');
  const { before, after } = await deps.store.transaction(async (trx) => {
    const used = (await consumeEmailToken(trx, hash, 'verify', now)) ?? (await consumeEmailToken(trx, hash, 'change-email', now));
    if (!used) throw new UserError(400, 'This confirmation link is not valid any more: it was used, or it expired. Sign in to get a new one.');
    const holder = await findUserByEmail(trx, used.email);
    if (holder && holder.id !== used.userId) {
      if (holder.emailVerifiedAt) throw taken();
      await updateUser(trx, holder.id, { email: null }); // an unconfirmed hold gives way to whoever proves the address
    }
    const previous = (await findUserById(trx, used.userId))!;
    await updateUser(trx, used.userId, { email: used.email, email_verified_at: now });
    await retireEmailTokens(trx, used.userId, now);
    // Tokens made before the address was first confirmed (older versions allowed it) go too.
    if (!previous.emailVerifiedAt) await revokeUserApiTokens(trx, used.userId, now);
    return { before: previous, after: (await findUserById(trx, used.userId))! };
  }, { detailsUnchanged: true }).catch((err: unknown) => {
    throw isUniqueViolation(err) ? taken() : err;
  });
  if (before.email && before.emailVerifiedAt && !sameAddress(before.email, after.email!)) {
    const from = before.email;
    await afterAnswer(deps, () => sendNotice(deps, {
      to: from,
      subject: `Your ${deps.siteName} address has changed`,
      text: `The e-mail address of ${after.username} on ${deps.siteName} is now ${after.email}: the link sent there was followed. This address no longer belongs to the account.\n\n`
        + `If it was you, there is nothing to do. If not, tell the administrators of ${deps.siteName}: password resets now go to the new address.\n`,
    }));
  }
  return after;
}

export async function resendVerification(deps: AccountDeps, user: User): Promise<void> {
  if (user.emailVerifiedAt) return;
  await limit(deps.store, 'verifyAccount', user.id, deps.now());
  // After the answer, which so does not tell by its timing whether another account has confirmed the address.
  await afterAnswer(deps, async () => {
    if (user.email) return sendTokenMail(deps, user, 'verify', user.email);
    // An account made with an address another account holds: a link only while that hold is unconfirmed.
    const pending = await pendingAddressOf(deps.store.db, user.id);
    const holder = pending ? await findUserByEmail(deps.store.db, pending) : null;
    if (pending && (!holder || !holder.emailVerifiedAt)) await sendTokenMail(deps, user, 'verify', pending);
  });
}

export interface NewSession {
  /** The cookie value (only its hash is stored). */
  token: string;
  user: User;
  expiresAt: number;
}

/**
 * Failed sign-ins are counted per client address, per (username or e-mail, address) and, more
 * loosely, per username or e-mail from anywhere, except from a browser that signed in with it
 * before. Only failures count, so a stranger who guesses from elsewhere fills their own counters,
 * not the owner's; and a login without an account has the same counters and answers as one with it.
 */
export async function signIn(deps: AccountDeps, input: {
  login: unknown; password: unknown; ip: string; previousToken?: string | null;
  /** Whether the browser signed in with this login before, under the password the stamp stands for (a device cookie): the per-login ceiling does not apply then. */
  knownDevice?: (passwordStamp: string) => boolean;
}): Promise<NewSession & { passwordStamp: string }> {
  const login = typeof input.login === 'string' ? input.login.trim().slice(0, 254) : '';
  const password = typeof input.password === 'string' ? input.password : '';
  if (!login || !password) throw new UserError(422, 'Enter your username (or e-mail) and password.');
  const key = login.toLowerCase();
  // An address signs in once it is confirmed. A sign-up with an address another account holds
  // keeps none until confirmed; were a new account's unconfirmed address a login, a sign-up and a
  // sign-in would tell which addresses have accounts (the one answers 401, the other lets you in).
  const byAddress = login.includes('@');
  const candidate = await findLogin(deps.store.db, byAddress ? key : login);
  const found = byAddress && candidate && !candidate.user.emailVerifiedAt ? null : candidate;
  const stamp = found?.passwordHash ? passwordStamp(found.passwordHash) : null;
  // Counted before the password is checked, so that parallel guesses are counted too; taken back when it was right.
  const counted: Array<[RuleName, string]> = [['signInIp', input.ip], ['signInLoginIp', `${key} ${input.ip}`]];
  if (!(stamp && input.knownDevice?.(stamp))) counted.push(['signInLogin', key]);
  for (const [rule, subject] of counted) await limit(deps.store, rule, subject, deps.now());
  const ok = await verifyPassword(password, found?.passwordHash ?? (await dummyHash()));
  if (!found || !ok) throw new UserError(401, 'That username and password do not match.');
  for (const [rule, subject] of counted) await forgive(deps.store, rule, subject, deps.now());
  if (found.user.suspendedAt) throw new UserError(403, 'This account is suspended.');
  if (found.user.isDemo) throw new UserError(403, 'Demo accounts cannot sign in.');
  // A new session id at every sign-in: a session fixed before sign-in is worth nothing after it.
  if (input.previousToken) await deleteSession(deps.store.db, sha256(input.previousToken));
  return { ...(await createSession(deps, found.user)), passwordStamp: stamp! };
}

/** Stands for an account's current password in device marks, without telling anything of it. */
function passwordStamp(passwordHash: string): string {
  return sha256(`device-stamp:${passwordHash}`).slice(0, 16);
}

export async function createSession(deps: AccountDeps, user: User): Promise<NewSession> {
  const token = newToken();
  const now = deps.now();
  const expiresAt = now + SESSION_DAYS * DAY_MS;
  await insertSession(deps.store.db, { idHash: sha256(token), userId: user.id, createdAt: iso(now), expiresAt: iso(expiresAt) });
  return { token, user, expiresAt };
}

export async function sessionUser(store: Store, token: string | undefined, nowMs: number): Promise<User | null> {
  if (!token || token.length > 100) return null;
  const user = await findSessionUser(store.db, sha256(token), iso(nowMs));
  return user && !user.suspendedAt ? user : null;
}

export async function signOut(store: Store, token: string | undefined): Promise<void> {
  if (token) await deleteSession(store.db, sha256(token));
}

/** Addresses compare as the store does: without regard to case (an imported account may keep capitals). */
function sameAddress(stored: string | null | undefined, typed: string): boolean {
  return stored != null && stored.toLowerCase() === typed.toLowerCase();
}

/** Always answers the same way, so the form does not reveal which addresses have accounts. */
export async function requestPasswordReset(deps: AccountDeps, input: { email: unknown; ip: string }): Promise<void> {
  await limit(deps.store, 'resetIp', input.ip, deps.now());
  const email = parseField(emailSchema, input.email);
  const found = await findLogin(deps.store.db, email);
  if (!found || found.user.suspendedAt || !sameAddress(found.user.email, email)) return;
  // Everything else happens after the answer, which so takes as long as for an address without an
  // account. Past the account's limit the mail is skipped silently (a 429 only accounts can get
  // would tell which addresses have one); a mail server that fails is logged, not answered.
  const user = found.user;
  await afterAnswer(deps, async () => {
    if (await withinLimit(deps.store, 'resetAccount', user.id, deps.now())) await sendTokenMail(deps, user, 'reset', email);
  });
}

const BAD_RESET_LINK = 'This reset link is not valid.';
const DEAD_RESET_LINK = 'This reset link is not valid any more: it was used, or it expired. Ask for a new one.';

/**
 * Checks that a reset link still works, so that its page can say at once when it does not
 * (rather than after a new password is typed). Setting the password checks again.
 */
export async function checkResetLink(deps: Pick<AccountDeps, 'store' | 'now'>, token: unknown): Promise<void> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 100) throw new UserError(400, BAD_RESET_LINK);
  if (!(await findEmailToken(deps.store.db, sha256(token), ['reset'], iso(deps.now())))) throw new UserError(400, DEAD_RESET_LINK);
}

/**
 * Sets a new password from an e-mailed link. In the same transaction the account's sessions end,
 * its API tokens are revoked and its other pending links stop working: whoever had access before
 * (someone who made the account with this address, someone who guessed the password) has none after.
 */
export async function resetPassword(deps: AccountDeps, input: { token: unknown; password: unknown }): Promise<User> {
  const password = parseField(passwordSchema, input.password);
  if (typeof input.token !== 'string' || input.token.length > 100) throw new UserError(400, BAD_RESET_LINK);
  const hash = sha256(input.token);
  const invalid = () => new UserError(400, DEAD_RESET_LINK);
  if (!(await findEmailToken(deps.store.db, hash, ['reset'], iso(deps.now())))) throw invalid(); // before the (slow) hashing
  const passwordHash = await hashPassword(password);
  const now = iso(deps.now());
  const userId = await deps.store.transaction(async (trx) => {
    const used = await consumeEmailToken(trx, hash, 'reset', now);
    if (!used) throw invalid();
    await updateUser(trx, used.userId, { password_hash: passwordHash, email_verified_at: now });
    await deleteUserSessions(trx, used.userId); // sign out everywhere
    await revokeUserApiTokens(trx, used.userId, now);
    await retireEmailTokens(trx, used.userId, now);
    return used.userId;
  }, { detailsUnchanged: true });
  return (await findUserById(deps.store.db, userId))!;
}

async function requirePassword(store: Store, user: User, password: unknown): Promise<void> {
  const ok = typeof password === 'string' && (await verifyPassword(password, await passwordHashOf(store.db, user.id)));
  if (!ok) throw new UserError(403, 'Your current password is not right.');
}

/** A new password: the other sessions end, the account's API tokens are revoked (make new ones), and pending reset and change-of-address links stop working. */
export async function changePassword(deps: AccountDeps, user: User, input: { current: unknown; password: unknown; sessionToken: string }): Promise<void> {
  await requirePassword(deps.store, user, input.current);
  const password = parseField(passwordSchema, input.password);
  const passwordHash = await hashPassword(password);
  const now = iso(deps.now());
  await deps.store.transaction(async (trx) => {
    await updateUser(trx, user.id, { password_hash: passwordHash });
    await deleteUserSessions(trx, user.id, sha256(input.sessionToken)); // other sessions end
    await revokeUserApiTokens(trx, user.id, now); // as do API tokens: a new password shuts out whoever had the old one
    // A change of address asked for with the old password ends too: it would hand the account to
    // whoever asked (a reset sent to the new address). A sign-up's confirmation link stays.
    await retireEmailTokens(trx, user.id, now, ['reset', 'change-email']);
  }, { detailsUnchanged: true });
}

/**
 * Sends a confirmation link to the new address; the address changes when it is followed. The
 * answer is the same, and as quick, whether or not another account has confirmed the address: the
 * mail (the link and a notice to the old address, or a notice to the owner) goes after it.
 */
export async function requestEmailChange(deps: AccountDeps, user: User, input: { current: unknown; email: unknown }): Promise<string> {
  await requirePassword(deps.store, user, input.current);
  const email = parseField(emailSchema, input.email);
  await limit(deps.store, 'verifyAccount', user.id, deps.now());
  const owner = await findLogin(deps.store.db, email);
  if (owner != null && sameAddress(owner.user.email, email) && owner.user.id !== user.id && owner.user.emailVerifiedAt) {
    // The same answer as for a free address; the owner hears of it instead.
    await afterAnswer(deps, () => sendAddressInUseNotice(deps, email, owner.user, 'change the address of another account'));
    return email;
  }
  await afterAnswer(deps, async () => {
    await sendTokenMail(deps, user, 'change-email', email);
    if (user.email && !sameAddress(user.email, email)) {
      await sendNotice(deps, {
        to: user.email,
        subject: `Your ${deps.siteName} address is about to change`,
        text: `Someone signed in as ${user.username} on ${deps.siteName} asked to change the account's e-mail address to ${email}. It changes when the link sent there is followed.\n\n`
          + `If it was you, there is nothing to do. If not, change your password now: ${deps.baseUrl}/account/forgot\n`,
      });
    }
  });
  return email;
}

/**
 * Deletes the account: sessions, collections and votes go (papers' vote counts and comments'
 * scores drop accordingly, in the same transaction); comments stay in their threads as from
 * "a deleted account"; list entries stay without a submitter.
 */
export async function deleteAccount(deps: AccountDeps, user: User, input: { current: unknown; confirm: unknown }): Promise<void> {
  await requirePassword(deps.store, user, input.current);
  if (input.confirm !== user.username) throw new UserError(422, 'Type your username to confirm.');
  await deps.store.transaction(async (trx) => {
    await lockUserRow(trx, user.id);
    const voted = await trx.selectFrom('votes').select('paper_id').where('user_id', '=', user.id).execute();
    const commentVoted = await trx.selectFrom('comment_votes').select('comment_id').where('user_id', '=', user.id).execute();
    await deleteUserRow(trx, user.id);
    await refreshPaperRanking(trx, voted.map((v) => v.paper_id), iso(deps.now()));
    await recountCommentScores(trx, commentVoted.map((v) => v.comment_id));
  });
}

/** For the CLI: an account that can sign in at once (the first admin). */
/** What is wrong with a new account's username, e-mail and password as written, every problem (no store needed). */
export function newAccountProblems(input: { username: unknown; email: unknown; password: unknown }): string[] {
  return checkedAccountFields(input).problems;
}

/**
 * A new account's username, e-mail and password, each checked as text (a field left out reads as
 * empty): every problem, and each field's value (null when it has a problem).
 */
function checkedAccountFields(input: { username: unknown; email: unknown; password: unknown }): {
  problems: string[]; username: string | null; email: string | null; password: string | null;
} {
  const [u, e, p] = [usernameSchema.safeParse(fieldText(input.username)), emailSchema.safeParse(fieldText(input.email)), passwordSchema.safeParse(fieldText(input.password))];
  return {
    problems: [u, e, p].flatMap((r) => (r.success ? [] : r.error.issues.map((i) => i.message))),
    username: u.success ? u.data : null, email: e.success ? e.data : null, password: p.success ? p.data : null,
  };
}

/** Every problem at once (see newAccountProblems), a taken username and e-mail too, joined by "; ". */
export async function createAccount(deps: Pick<AccountDeps, 'store' | 'now'>, input: { username: unknown; email: unknown; password: unknown; role: Role }): Promise<User> {
  const { problems, username, email, password } = checkedAccountFields(input);
  if (problems.length > 0 || username === null || email === null || password === null) throw new UserError(422, problems.join('; '));
  const taken = [
    ...(await isUsernameTaken(deps.store.db, username) ? [`Username: ${username} is taken`] : []),
    ...(await isEmailTaken(deps.store.db, email) ? [`E-mail: ${email} has an account`] : []),
  ];
  if (taken.length > 0) throw new UserError(409, taken.join('; '));
  return createUser(deps.store.db, { username, email, passwordHash: await hashPassword(password), role: input.role, verified: true }, iso(deps.now()));
}
