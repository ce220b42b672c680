/**
 * Members following authors and marking papers "not interested": each counted against a
 * per-account rate limit like votes, and follows capped per account, so one session cannot write a
 * row for every author name on the site (nor make /settings/following and "For you" slow to build).
 */
import { findAuthorSpelling } from '../store/authors.ts';
import { setNotInterested } from '../store/discovery.ts';
import { countFollowedAuthors, followAuthor, isFollowing, unfollowAuthor } from '../store/follows.ts';
import type { Store } from '../store/index.ts';
import type { User } from '../store/users.ts';
import { checkAuthorName } from './authors.ts';
import { requireMember } from './community.ts';
import { UserError } from './errors.ts';
import { limit } from './rate-limits.ts';

/** Authors one account may follow: more than anyone reads, few enough to list on one page. */
export const MAX_FOLLOWED_AUTHORS = 500;

export interface FollowDeps {
  store: Store;
  now: () => number;
}

/** Follows (`want`) or unfollows an author by name; following twice or unfollowing a stranger is fine. Returns the name as papers spell it. */
export async function setFollow(deps: FollowDeps, user: User | null, rawName: string | undefined, want: boolean): Promise<string> {
  const u = requireMember(user, 'follow authors');
  const typed = checkAuthorName(rawName);
  await limit(deps.store, 'followAccount', u.id, deps.now());
  // A name typed in another case or spacing ("yann lecun") is the spelling papers use, as on its
  // page; unfollowing takes the name as followed first (its papers may have gone since).
  if (!want) {
    const name = (await isFollowing(deps.store.db, u.id, typed)) ? typed : (await findAuthorSpelling(deps.store.db, typed)) ?? typed;
    await deps.store.transaction((trx) => unfollowAuthor(trx, u.id, name), { detailsUnchanged: true });
    return name;
  }
  const name = await findAuthorSpelling(deps.store.db, typed);
  if (!name) throw new UserError(404, `No paper on this site has an author named "${typed.slice(0, 80)}".`);
  // Counted under the member's lock: follows sent side by side cannot all pass the count.
  await deps.store.transaction(async (trx) => {
    if (await isFollowing(trx, u.id, name)) return;
    if ((await countFollowedAuthors(trx, u.id)) >= MAX_FOLLOWED_AUTHORS) {
      throw new UserError(409, `You follow ${MAX_FOLLOWED_AUTHORS} authors, the most one account can. Unfollow some in Settings, "Authors you follow" (/settings/following), to follow others.`);
    }
    await followAuthor(trx, u.id, name, new Date(deps.now()).toISOString());
  }, { detailsUnchanged: true, lock: `follows:${u.id}` });
  return name;
}

/** Marks a paper "not interested" (`want`) or takes the mark back. */
export async function markNotInterested(deps: FollowDeps, user: User | null, paperId: string, want: boolean): Promise<void> {
  const u = requireMember(user, 'mark papers');
  await limit(deps.store, 'notInterestedAccount', u.id, deps.now());
  if (!(await deps.store.findPaperById(paperId))) throw new UserError(404, `arXiv:${paperId} is not on this site.`);
  await deps.store.transaction((trx) => setNotInterested(trx, u.id, paperId, want, new Date(deps.now()).toISOString()), { detailsUnchanged: true });
}
