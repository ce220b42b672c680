/**
 * Author pages: a name's papers (newest first, paged), co-authors, upvotes, and whether its papers
 * fall into groups that share no co-author (then the name may be several people).
 */
import { coauthorGroups, rankCoauthors, type Coauthor } from '../domain/authors.ts';
import { findAuthorSpelling, findAuthorSummary, listAuthorPapers, listCoauthorsByPaper, type AuthorSummary } from '../store/authors.ts';
import type { Store } from '../store/index.ts';
import type { PaperCard } from '../store/types.ts';
import { UserError } from './errors.ts';
import { counted } from '../domain/words.ts';
import { hasControlCharacter } from '../domain/text.ts';

/** Longest author name accepted (arXiv's longest are collaboration names, well under this). */
export const MAX_AUTHOR_NAME = 300;
/** Co-authors and groups are worked out over at most this many of the newest papers. */
const COAUTHOR_PAPERS = 2_000;
/** Co-authors listed on the page. */
const COAUTHORS_SHOWN = 40;

export interface AuthorView {
  author: AuthorSummary;
  page: number;
  pages: number;
  pageSize: number;
  papers: PaperCard[];
  coauthors: Coauthor[];
  /** Co-authors in all, beyond those listed. */
  coauthorCount: number;
  /** Groups of papers linked by shared co-authors (only papers with co-authors count). */
  groups: number;
  /** Papers with no co-author. */
  soloPapers: number;
}

/** Checks a name from a URL or form: a 400 for what cannot be a name. */
export function checkAuthorName(raw: string | undefined): string {
  const name = (raw ?? '').trim();
  if (name === '') throw new UserError(400, 'Say which author: /authors/NAME.');
  if (name.length > MAX_AUTHOR_NAME) throw new UserError(400, `An author name is at most ${MAX_AUTHOR_NAME} characters.`);
  if (hasControlCharacter(name)) throw new UserError(400, 'An author name has no control characters.');
  return name;
}

/**
 * An author's page, or where it is (`elsewhere`) when the URL spells the name otherwise than papers
 * do (case in any script, spaces: the commonest spelling; src/domain/author-key.ts). A name written
 * as papers carry it costs one lookup; the other spellings are looked for only when that one finds
 * nothing.
 */
export async function getAuthorView(store: Store, rawName: string, page: number, pageSize: number): Promise<AuthorView | { elsewhere: string }> {
  const name = checkAuthorName(rawName);
  const author = name === rawName ? await findAuthorSummary(store.db, name) : null;
  if (!author) {
    const spelling = await findAuthorSpelling(store.db, name);
    if (spelling !== null && spelling !== rawName) return { elsewhere: spelling };
    throw new UserError(404, `No paper on this site has an author named "${name.slice(0, 80)}".`);
  }
  const pages = Math.max(1, Math.ceil(author.papers / pageSize));
  if (page > pages) throw new UserError(404, `There is no page ${page}: this author has ${counted(author.papers, 'paper')}, on ${counted(pages, 'page')}.`);
  const [papers, byPaper] = await Promise.all([
    listAuthorPapers(store.db, name, pageSize, (page - 1) * pageSize),
    listCoauthorsByPaper(store.db, name, COAUTHOR_PAPERS),
  ]);
  const all = rankCoauthors(byPaper);
  const considered = Math.min(author.papers, COAUTHOR_PAPERS);
  return {
    author, page, pages, pageSize, papers,
    coauthors: all.slice(0, COAUTHORS_SHOWN), coauthorCount: all.length,
    groups: coauthorGroups(byPaper).length,
    soloPapers: considered - byPaper.size,
  };
}
