/**
 * What members do: upvote, submit papers to the daily list, comment, save to collections, report;
 * and what curators and admins do: feature, pin, hide, add links, moderate, suspend, assign roles.
 * Each function checks permission and input, then changes the store in one transaction.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ArxivClient } from '../arxiv/client.ts';
import { ArxivApiError } from '../arxiv/errors.ts';
import { parseArxivId } from '../domain/arxiv-id.ts';
import { msToDay } from '../domain/dates.ts';
import type { Store } from '../store/index.ts';
import {
  addToCollection, deleteCollection, findCollectionById, insertCollection, removeFromCollection, slugTaken, updateCollection,
} from '../store/collections.ts';
import {
  dismissReports, editComment, findComment, insertComment, reportComment, setCommentHidden, setCommentVote, softDeleteComment,
} from '../store/comments.ts';
import { countSubmissionsSince, fillPaperLinks, findEntry, insertEntry, removeCuratorAddedEntry, setEntryFlags, setPaperLinks } from '../store/curation.ts';
import type { Database } from '../store/schema.ts';
import { updateUser, findUserById, findUserByName, type Role, type User } from '../store/users.ts';
import { setVote } from '../store/votes.ts';
import { UserError } from './errors.ts';
import { limit } from './rate-limits.ts';
import { counted } from '../domain/words.ts';
import { controlsToSpaces, fieldText, hasControlCharacter, showsNothing } from '../domain/text.ts';
import { ownEntry } from '../domain/lookup.ts';
import { isRowId } from '../store/row-id.ts';

export interface CommunityDeps {
  store: Store;
  now: () => number;
  /** Fetches metadata of submitted papers the store does not have. */
  arxiv: Pick<ArxivClient, 'apiQuery'> | null;
  /** Submissions a member may make per UTC day. */
  submitQuota: number;
  /** How long a submission waits for arXiv before telling the member to try again (ms). */
  arxivDeadlineMs?: number;
}

/** A member waits this long at most for arXiv (the client itself retries for minutes, as a harvest should). */
export const SUBMIT_ARXIV_DEADLINE_MS = 20_000;
/** When arXiv could not be reached for a submission, the Retry-After of the 503: its "a few minutes". */
const ARXIV_RETRY_SECONDS = 120;

const iso = (ms: number) => new Date(ms).toISOString();
export const COMMENT_MAX = 10_000;
const isCurator = (u: User) => u.role === 'curator' || u.role === 'admin';

/** A checkbox's value from a form (`on`, `1`) or JSON (`true`). */
const checked = (v: unknown): boolean => v === true || v === 'on' || v === '1';

/** The signed-in, not suspended member, or a 401/403; `what` names the action in the 401 ("follow authors"). */
export function requireMember(user: User | null, what?: string): User {
  if (!user) throw new UserError(401, what ? `Sign in to ${what}.` : 'Sign in first.');
  if (user.suspendedAt) throw new UserError(403, 'This account is suspended.');
  return user;
}

function requireVerified(user: User | null): User {
  const u = requireMember(user);
  if (!u.emailVerifiedAt) throw new UserError(403, 'Confirm your e-mail address first: follow the link we sent you (or ask for a new one in Settings).');
  return u;
}

function requireRole(user: User | null, role: 'curator' | 'admin'): User {
  const u = requireMember(user);
  if (role === 'admin' ? u.role !== 'admin' : !isCurator(u)) throw new UserError(403, `Only ${role}s can do that.`);
  return u;
}

async function requirePaper(db: Kysely<Database>, id: string): Promise<void> {
  const exists = await db.selectFrom('papers').select('id').where('id', '=', id).executeTakeFirst();
  if (!exists) throw new UserError(404, `arXiv:${id} is not on this site.`);
}

export async function vote(deps: CommunityDeps, user: User | null, paperId: string, want: boolean, ip: string) {
  const u = requireMember(user);
  await limit(deps.store, 'voteAccount', u.id, deps.now());
  await limit(deps.store, 'voteIp', ip, deps.now());
  await requirePaper(deps.store.db, paperId);
  return deps.store.transaction((trx) => setVote(trx, u.id, paperId, want, iso(deps.now())), { detailsUnchanged: true });
}

const httpUrl = z.string().trim().max(500, 'Links: at most 500 characters').url('Links must be full http(s) addresses')
  .refine((u) => /^https?:\/\//i.test(u), 'Links must start with http:// or https://');
const optionalUrl = z.union([z.literal('').transform(() => null), httpUrl]).nullish().transform((v) => v ?? null);

export interface SubmitResult {
  paperId: string;
  day: string;
  fetched: boolean;
}

/** Puts a paper on today's list by id or URL, fetching it from arXiv when the store lacks it. */
export async function submitPaper(deps: CommunityDeps, user: User | null, input: { id: unknown; codeUrl?: unknown; projectUrl?: unknown }): Promise<SubmitResult> {
  const u = requireVerified(user);
  const raw = typeof input.id === 'string' ? input.id.trim() : '';
  const parsed = raw ? parseArxivId(raw) : null;
  if (!parsed) throw new UserError(422, 'Enter an arXiv id (2407.13168) or an arXiv link (https://arxiv.org/abs/2407.13168).');
  const links = z.object({ codeUrl: optionalUrl, projectUrl: optionalUrl }).safeParse({ codeUrl: input.codeUrl, projectUrl: input.projectUrl });
  if (!links.success) throw new UserError(422, links.error.issues.map((i) => i.message).join('. '));
  const nowMs = deps.now();
  const today = msToDay(nowMs);
  const existing = await findEntry(deps.store.db, parsed.id);
  if (existing?.hidden) throw new UserError(409, `arXiv:${parsed.id} was on the list of ${existing.day}, and a curator took it off; it cannot be submitted again.`);
  if (existing) throw new UserError(409, `arXiv:${parsed.id} is already on the list of ${existing.day}.`);
  const overQuota = async (db: Kysely<Database>) =>
    !isCurator(u) && (await countSubmissionsSince(db, u.id, `${today}T00:00:00.000Z`)) >= deps.submitQuota;
  const quotaReached = () => new UserError(429, `You have submitted ${counted(deps.submitQuota, 'paper')} today, the daily limit. Thank you! Try again tomorrow.`);
  // A member's submissions run one after the other in this process: six sent at once with two left
  // each passed the count above before any was listed, so all six were fetched from arXiv, and four
  // papers stored that no list showed. (The count under the member's lock below holds across processes.)
  return oneAtATime(deps.store, u.id, async () => {
    if (await overQuota(deps.store.db)) throw quotaReached();
    await limit(deps.store, 'submitAccount', u.id, nowMs);
    return addSubmission(deps, u, parsed.id, links.data, today, nowMs, overQuota, quotaReached);
  });
}

/** Per store, the last submission of each member under way in this process. */
const submissionTails = new WeakMap<object, Map<number, Promise<unknown>>>();

/** Runs `fn` after the member's submissions already under way have ended. */
async function oneAtATime<T>(store: object, userId: number, fn: () => Promise<T>): Promise<T> {
  let tails = submissionTails.get(store);
  if (!tails) submissionTails.set(store, (tails = new Map()));
  const run = (tails.get(userId) ?? Promise.resolve()).then(fn);
  const tail = run.catch(() => {});
  tails.set(userId, tail);
  try {
    return await run;
  } finally {
    if (tails.get(userId) === tail) tails.delete(userId);
  }
}

/** Fetches the paper from arXiv when the site lacks it, then lists it today, the quota counted again under the member's lock. */
async function addSubmission(
  deps: CommunityDeps, u: User, id: string, links: { codeUrl: string | null; projectUrl: string | null }, today: string, nowMs: number,
  overQuota: (db: Kysely<Database>) => Promise<boolean>, quotaReached: () => UserError,
): Promise<SubmitResult> {
  let fetched = false;
  const known = await deps.store.findPaperById(id);
  if (known?.withdrawn) throw withdrawnRefusal(id);
  if (!known) {
    if (!deps.arxiv) throw new UserError(404, `arXiv:${id} is not on this site, and fetching from arXiv is off.`);
    let result;
    try {
      const query = deps.arxiv.apiQuery({ idList: [id], start: 0, maxResults: 1 }, { context: `submit ${id}` });
      query.catch(() => {}); // past the deadline nobody waits for it
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`arXiv did not answer within ${deps.arxivDeadlineMs ?? SUBMIT_ARXIV_DEADLINE_MS} ms`)), deps.arxivDeadlineMs ?? SUBMIT_ARXIV_DEADLINE_MS);
      });
      try {
        result = await Promise.race([query, deadline]);
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      if (err instanceof ArxivApiError) throw new UserError(404, `arXiv does not know arXiv:${id}.`);
      throw new UserError(503, `arXiv could not be reached to fetch arXiv:${id}; please try again in a few minutes.`, ARXIV_RETRY_SECONDS);
    }
    const record = result.records.find((r) => r.id === id);
    if (!record) throw new UserError(404, `arXiv has no paper arXiv:${id}.`);
    if (record.withdrawn) throw withdrawnRefusal(id); // refused before it is stored, as every refusal
    await deps.store.upsertPapers([record], iso(nowMs));
    fetched = true;
  }
  // Counted again under the member's lock: submissions sent side by side cannot all pass the count above.
  const added = await deps.store.transaction(async (trx) => {
    if (await overQuota(trx)) throw quotaReached();
    const ok = await insertEntry(trx, { paperId: id, day: today, submittedBy: u.id, featured: false }, iso(nowMs));
    if (ok && (links.codeUrl || links.projectUrl)) await fillPaperLinks(trx, id, links, iso(nowMs));
    return ok;
  }, { lock: `submissions:${u.id}` });
  if (!added) {
    // Listed meanwhile, by another member, a curator, or this member's own request sent twice.
    const entry = await findEntry(deps.store.db, id);
    throw new UserError(409, `arXiv:${id} was just added to the list of ${entry?.day ?? today}.`);
  }
  return { paperId: id, day: today, fetched };
}

/** A withdrawn paper is not put on the daily list by a member (a curator can still feature it). */
const withdrawnRefusal = (id: string) =>
  new UserError(409, `arXiv:${id} has been withdrawn by its authors, so it cannot be submitted to the daily list.`);

// Lines and tabs are text here; every other control character (C0, DEL, C1) is refused.
const commentBody = z.string().transform((s) => s.replace(/\r\n?/g, '\n').trim())
  .pipe(z.string().min(1, 'Write something first.').max(COMMENT_MAX, `Comments: at most ${COMMENT_MAX.toLocaleString('en-US')} characters.`))
  .refine((s) => !hasControlCharacter(s.replace(/[\n\t]/g, ' ')), 'Comments cannot contain control characters.')
  .refine((s) => s === '' || hasControlCharacter(s.replace(/[\n\t]/g, ' ')) || !showsNothing(s), 'Write something first.');

function parseBody(body: unknown): string {
  const r = commentBody.safeParse(fieldText(body));
  if (!r.success) throw new UserError(422, r.error.issues[0]!.message);
  return r.data;
}

export async function addComment(deps: CommunityDeps, user: User | null, input: { paperId: string; body: unknown; parentId?: unknown }, ip: string): Promise<number> {
  const u = requireVerified(user);
  await limit(deps.store, 'commentAccount', u.id, deps.now());
  await limit(deps.store, 'commentIp', ip, deps.now());
  await requirePaper(deps.store.db, input.paperId);
  const body = parseBody(input.body);
  let parentId: number | null = null;
  if (input.parentId !== undefined && input.parentId !== '' && input.parentId !== null) {
    parentId = Number(input.parentId);
    const parent = isRowId(parentId) ? await findComment(deps.store.db, parentId) : null;
    if (!parent || parent.paperId !== input.paperId) throw new UserError(404, 'The comment you are replying to does not exist.');
    if (parent.deletedAt || parent.hiddenAt) throw new UserError(409, 'That comment was removed; you cannot reply to it.');
  }
  return deps.store.transaction((trx) => insertComment(trx, { paperId: input.paperId, userId: u.id, parentId, body }, iso(deps.now())), { detailsUnchanged: true });
}

/** One of the member's own comments, not deleted: 404 or 403 otherwise (also for the pages that edit or delete it). */
export async function ownComment(deps: CommunityDeps, user: User | null, id: number) {
  const u = requireMember(user);
  const c = isRowId(id) ? await findComment(deps.store.db, id) : null;
  if (!c || c.deletedAt) throw new UserError(404, 'That comment does not exist.');
  if (c.userId !== u.id) throw new UserError(403, 'You can only change your own comments.');
  return c;
}

async function editableComment(deps: CommunityDeps, user: User | null, id: number) {
  const c = await ownComment(deps, user, id);
  if (c.hiddenAt) throw new UserError(403, 'A moderator hid this comment; it cannot be edited.');
  return c;
}

export async function updateComment(deps: CommunityDeps, user: User | null, id: number, body: unknown): Promise<string> {
  const c = await editableComment(deps, user, id);
  await limit(deps.store, 'commentEditAccount', requireMember(user).id, deps.now());
  if (!(await editComment(deps.store.db, id, parseBody(body), iso(deps.now())))) {
    await editableComment(deps, user, id); // deleted or hidden since the check: the same answer as if it had come first
    throw new UserError(409, 'This comment changed while you were editing it; try again.');
  }
  return c.paperId;
}

export async function removeComment(deps: CommunityDeps, user: User | null, id: number): Promise<string> {
  const c = await ownComment(deps, user, id);
  await deps.store.transaction((trx) => softDeleteComment(trx, id, c.paperId, iso(deps.now())), { detailsUnchanged: true });
  return c.paperId;
}

export async function voteComment(deps: CommunityDeps, user: User | null, id: number, want: boolean): Promise<string> {
  const u = requireMember(user);
  await limit(deps.store, 'voteAccount', u.id, deps.now());
  const c = isRowId(id) ? await findComment(deps.store.db, id) : null;
  if (!c || c.deletedAt || c.hiddenAt) throw new UserError(404, 'That comment does not exist.');
  // Points come from other readers (the page offers no Upvote on one's own comment); taking back an
  // upvote stays open, for one given before this rule.
  if (want && c.userId === u.id) throw new UserError(403, 'That is your own comment: its points come from other readers.');
  await deps.store.transaction((trx) => setCommentVote(trx, u.id, id, want, iso(deps.now())), { detailsUnchanged: true });
  return c.paperId;
}

export async function flagComment(deps: CommunityDeps, user: User | null, id: number, reason: unknown): Promise<string> {
  const u = requireVerified(user);
  await limit(deps.store, 'reportAccount', u.id, deps.now());
  const c = isRowId(id) ? await findComment(deps.store.db, id) : null;
  // A hidden comment is handled already: a new report would put it back in the moderators' queue.
  const handled = () => new UserError(404, 'That comment does not exist, or a moderator has hidden it.');
  if (!c || c.deletedAt || c.hiddenAt) throw handled();
  // The page offers no Report on one's own comment (Edit and Delete instead); a report sent anyway
  // would only fill the moderators' queue.
  if (c.userId === u.id) throw new UserError(403, 'That is your own comment: edit or delete it instead of reporting it.');
  // Kept rather than refused (the report matters more than its wording): one line, and none when nothing shows.
  const text = typeof reason === 'string' ? controlsToSpaces(reason).trim().slice(0, 500) : '';
  const why = showsNothing(text) ? null : text;
  if (!(await reportComment(deps.store.db, id, u.id, why, iso(deps.now())))) {
    const since = await findComment(deps.store.db, id); // not recorded: reported before, or hidden or deleted since the check
    if (!since || since.deletedAt || since.hiddenAt) throw handled();
  }
  return c.paperId;
}

export async function moderateComment(deps: CommunityDeps, user: User | null, id: number, action: unknown): Promise<string> {
  requireRole(user, 'admin');
  const c = isRowId(id) ? await findComment(deps.store.db, id) : null;
  if (!c) throw new UserError(404, 'That comment does not exist.');
  const now = iso(deps.now());
  if (action === 'hide' || action === 'unhide') await deps.store.transaction((trx) => setCommentHidden(trx, id, c.paperId, action === 'hide', now), { detailsUnchanged: true });
  else if (action === 'dismiss') await dismissReports(deps.store.db, id, now);
  else throw new UserError(400, 'Unknown moderation action.');
  return c.paperId;
}

/** A name with nothing visible (a zero-width space, which trim() leaves) is no name. */
const collectionName = z.string().trim().min(1, 'Name the collection.').max(80, 'Collection names: at most 80 characters.')
  .refine((s) => !hasControlCharacter(s), 'Collection names cannot contain control characters.')
  // Said once: the checks above answer an empty name and one with control characters.
  .refine((s) => s === '' || hasControlCharacter(s) || !showsNothing(s), 'Name the collection.');

export function slugify(name: string): string {
  const s = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return s || 'collection';
}

/**
 * Makes a collection, with `paperId` in it when given ("Create and save"). One transaction: a paper
 * that is not on the site leaves no collection behind. It holds the member's lock, so two
 * collections made at the same moment cannot both take the address found free.
 */
export async function createCollection(deps: CommunityDeps, user: User | null, input: { name: unknown; isPublic: unknown; paperId?: string }): Promise<{ id: number; slug: string }> {
  const u = requireMember(user);
  await limit(deps.store, 'collectionAccount', u.id, deps.now());
  const r = collectionName.safeParse(fieldText(input.name));
  if (!r.success) throw new UserError(422, r.error.issues[0]!.message);
  const base = slugify(r.data);
  const isPublic = checked(input.isPublic);
  const now = iso(deps.now());
  return deps.store.transaction(async (trx) => {
    if (input.paperId !== undefined) await requirePaper(trx, input.paperId);
    for (let i = 1; i <= 50; i++) {
      const slug = i === 1 ? base : `${base}-${i}`;
      if (await slugTaken(trx, u.id, slug)) continue;
      const id = await insertCollection(trx, { userId: u.id, name: r.data, slug, isPublic }, now);
      if (input.paperId !== undefined) await addToCollection(trx, id, input.paperId, now);
      return { id, slug };
    }
    throw new UserError(409, 'You have many collections with that name already.');
  }, { detailsUnchanged: true, lock: `collections:${u.id}` });
}

/** One of the member's own collections: 404 otherwise (also for the page that deletes it). */
export async function ownCollection(deps: CommunityDeps, user: User | null, id: number) {
  const u = requireMember(user);
  const c = isRowId(id) ? await findCollectionById(deps.store.db, id) : null;
  if (!c || c.userId !== u.id) throw new UserError(404, 'You have no such collection.');
  return c;
}

export async function changeCollection(deps: CommunityDeps, user: User | null, input: { collectionId: number; paperId: string; action: unknown }) {
  const c = await ownCollection(deps, user, input.collectionId);
  await limit(deps.store, 'collectionAccount', c.userId, deps.now());
  await requirePaper(deps.store.db, input.paperId);
  const change = input.action === 'add' ? addToCollection : input.action === 'remove' ? removeFromCollection : null;
  if (!change) throw new UserError(400, 'Unknown collection action.');
  // The item and the collection's change time together (the feed's Last-Modified must not lag the item).
  await deps.store.transaction((trx) => change(trx, c.id, input.paperId, iso(deps.now())), { detailsUnchanged: true });
  return c;
}

/**
 * Renames a collection or makes it public or private (absent fields stay as they are). The name
 * follows the rules of a new collection; the collection keeps its id and its address (the slug made
 * from its first name), so links and feed subscriptions keep working. Made private, its page and
 * feed answer 404 to everyone else from the next request on.
 */
export async function editCollection(deps: CommunityDeps, user: User | null, id: number, input: { name?: unknown; isPublic?: unknown }) {
  const c = await ownCollection(deps, user, id);
  await limit(deps.store, 'collectionAccount', c.userId, deps.now());
  let name: string | undefined;
  if (input.name !== undefined) {
    const r = collectionName.safeParse(fieldText(input.name));
    if (!r.success) throw new UserError(422, r.error.issues[0]!.message);
    name = r.data;
  }
  const isPublic = input.isPublic === undefined ? undefined : checked(input.isPublic);
  // A write transaction moves the store's change token, so no cached page outlives the change.
  await deps.store.transaction((trx) => updateCollection(trx, c.id, { name, isPublic }, iso(deps.now())), { detailsUnchanged: true });
  const changed = await findCollectionById(deps.store.db, c.id);
  if (!changed) throw new UserError(404, 'You have no such collection.'); // deleted meanwhile
  return changed;
}

export async function dropCollection(deps: CommunityDeps, user: User | null, id: number) {
  const c = await ownCollection(deps, user, id);
  await deleteCollection(deps.store.db, c.id);
  return c;
}

/**
 * Curators: feature a paper (putting it on today's list if it is on none), pin, hide, or undo.
 * Each can be undone: "unfeature" takes off the list a paper that featuring or pinning put there
 * (a paper already on a list stays on it), and hiding keeps the pin, so "unhide" restores it (a
 * hidden paper is on no list, pinned or not).
 */
export async function curate(deps: CommunityDeps, user: User | null, paperId: string, action: unknown): Promise<void> {
  const u = requireRole(user, 'curator');
  await requirePaper(deps.store.db, paperId);
  const now = deps.now();
  const flags: Record<string, Partial<{ featured: boolean; pinned: boolean; hidden: boolean }>> = {
    feature: { featured: true, hidden: false }, unfeature: { featured: false }, pin: { pinned: true, hidden: false }, unpin: { pinned: false },
    hide: { hidden: true }, unhide: { hidden: false },
  };
  const set = ownEntry(flags, action);
  if (!set) throw new UserError(400, 'Unknown curator action.');
  const entry = await findEntry(deps.store.db, paperId);
  if (!entry) {
    if (action !== 'feature' && action !== 'pin') throw new UserError(409, 'That paper is not on a daily list.');
    await deps.store.transaction((trx) => insertEntry(trx, { paperId, day: msToDay(now), submittedBy: u.id, featured: true, byCurator: true }, iso(now)));
  }
  await deps.store.transaction(async (trx) => {
    if (action === 'unfeature' && (await removeCuratorAddedEntry(trx, paperId, iso(now)))) return;
    await setEntryFlags(trx, paperId, set, iso(now));
  });
}

export async function setLinks(deps: CommunityDeps, user: User | null, paperId: string, input: { codeUrl: unknown; projectUrl: unknown }): Promise<void> {
  requireRole(user, 'curator');
  await requirePaper(deps.store.db, paperId);
  const links = z.object({ codeUrl: optionalUrl, projectUrl: optionalUrl }).safeParse(input);
  if (!links.success) throw new UserError(422, links.error.issues.map((i) => i.message).join('. '));
  await deps.store.transaction((trx) => setPaperLinks(trx, paperId, links.data, iso(deps.now())));
}

/** Admins: suspend or restore an account, or give it a role. */
export async function administerUser(deps: CommunityDeps, user: User | null, username: string, input: { action: unknown; role?: unknown }): Promise<User> {
  const admin = requireRole(user, 'admin');
  const target = await findUserByName(deps.store.db, username);
  if (!target) throw new UserError(404, 'No such account.');
  if (target.id === admin.id) throw new UserError(409, 'You cannot change your own account here.');
  const role = input.action === 'role' && (input.role === 'member' || input.role === 'curator' || input.role === 'admin') ? input.role as Role : null;
  if (input.action !== 'suspend' && input.action !== 'restore' && !role) throw new UserError(400, 'Unknown account action.');
  // One admin action at a time, by an admin who still is one: two admins demoting or suspending
  // each other at the same moment would otherwise leave the site without an admin.
  await deps.store.transaction(async (trx) => {
    const acting = await findUserById(trx, admin.id);
    if (!acting || acting.role !== 'admin' || acting.suspendedAt) throw new UserError(403, 'Only admins can do that.');
    if (input.action === 'suspend') {
      await updateUser(trx, target.id, { suspended_at: iso(deps.now()) });
      await trx.deleteFrom('sessions').where('user_id', '=', target.id).execute();
    } else if (input.action === 'restore') {
      await updateUser(trx, target.id, { suspended_at: null });
    } else {
      await updateUser(trx, target.id, { role: role! });
    }
  }, { detailsUnchanged: true, lock: 'administer-users' });
  return (await findUserByName(deps.store.db, username))!;
}
