/**
 * What the store returns: the view shapes the services and presenters work with.
 */

export type ListSort = 'trending' | 'upvotes' | 'newest';
export const LIST_SORTS: readonly ListSort[] = ['trending', 'upvotes', 'newest'];

/** A paper as a list card shows it. */
export interface PaperCard {
  id: string;
  title: string;
  abstract: string;
  /** The first authors, in order (at most CARD_AUTHOR_LIMIT). */
  authors: string[];
  authorCount: number;
  categories: string[];
  publishedAt: string | null;
  upvotes: number;
  commentsCount: number;
  withdrawn: boolean;
  codeUrl: string | null;
  projectUrl: string | null;
  /** Keywords extracted from the title and abstract, best first (empty until computed). */
  keywords: string[];
  /** The daily-list entry, when the paper is on a Daily papers list. */
  entry: DailyEntry | null;
}

export interface DailyEntry {
  day: string;
  submittedAt: string;
  submittedBy: string | null;
  featured: boolean;
  pinned: boolean;
  hidden: boolean;
}

/**
 * The entry as readers see it: none while a curator has hidden the paper from its list, so no page,
 * feed or API says (or links to) a list that does not show it. Curators' own controls read the
 * entry itself.
 */
export function listedEntry(entry: DailyEntry | null): DailyEntry | null {
  return entry && !entry.hidden ? entry : null;
}

export interface PaperDetail extends Omit<PaperCard, 'authors'> {
  authors: string[];
  primaryCategory: string | null;
  latestVersion: number;
  updatedAt: string | null;
  versions: { version: number; submittedAt: string | null; size: string | null }[];
  comment: string | null;
  journalRef: string | null;
  doi: string | null;
  license: string | null;
  announcedOn: string[];
}

export interface ListQuery {
  from: string;
  to: string;
  sort: ListSort;
  limit: number;
  offset: number;
  category?: string | undefined;
  /** Only entries submitted by this member (daily lists only). */
  submitter?: string | undefined;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface UpsertCounts {
  new: number;
  updated: number;
  unchanged: number;
  /** Announcements (New on arXiv: a paper on a day) stored for the first time, of new and known papers alike. */
  announced: number;
}

export interface StoreStats {
  papers: number;
  dailyEntries: number;
  announcements: number;
  users: number;
  votes: number;
  demoVotes: number;
  firstDay: string | null;
  lastDay: string | null;
}

export interface JobRun {
  id: number;
  job: string;
  mode: string | null;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'ok' | 'failed';
  counts: Record<string, number> | null;
  error: string | null;
}
