/**
 * The shape every source (arXiv API, OAI-PMH, RSS, bulk snapshot, listing files) is adapted to
 * before it reaches the store. Pure data: no I/O, no clock.
 */

/** One submitted version of a paper on arXiv (v1, v2, ...). */
export interface PaperVersion {
  version: number;
  /** ISO 8601 UTC timestamp of the submission, when the source gives one. */
  submittedAt: string | null;
  /** Size as arXiv reports it, e.g. "1234kb", when known. */
  size?: string | null;
}

/**
 * A paper as ingested from a source. `id` is the arXiv id without version
 * (`2407.13168`, `hep-th/9901001`).
 */
export interface PaperRecord {
  id: string;
  title: string;
  abstract: string;
  /** Author display names, in the order the paper lists them. */
  authors: string[];
  /** arXiv categories, primary first (`cs.CL`, `cs.AI`, ...). */
  categories: string[];
  /** ISO 8601 UTC timestamp of the first version (or the first announcement when that is all we know). */
  publishedAt: string | null;
  /** ISO 8601 UTC timestamp of the latest version. */
  updatedAt: string | null;
  /** Version history, oldest first; may be empty when the source does not list versions. */
  versions: PaperVersion[];
  comment?: string | null;
  journalRef?: string | null;
  doi?: string | null;
  license?: string | null;
  /** True when the latest version withdraws the paper. Withdrawn papers are kept, marked. */
  withdrawn?: boolean;
  /** Days (YYYY-MM-DD) on which arXiv announced the paper in a listing, for "New on arXiv". */
  announcedOn?: string[];
  /** How the paper was announced on those days (new, cross, replace, replace-cross), when known. */
  announceType?: AnnounceType | null;
  codeUrl?: string | null;
  projectUrl?: string | null;
}

export type AnnounceType = 'new' | 'cross' | 'replace' | 'replace-cross';

/** A paper that entered a day's "Daily papers" list, as an import source describes it. */
export interface DailyEntryRecord {
  paperId: string;
  /** The day it entered the list (YYYY-MM-DD, UTC). */
  day: string;
  /** When it was submitted to the list (ISO 8601 UTC). */
  submittedAt: string;
}
