/**
 * Table types for Kysely, shared by both stores. Mirrors the numbered migrations.
 */
import type { Generated } from 'kysely';

export interface PapersTable {
  id: string;
  latest_version: number;
  title: string;
  abstract: string;
  primary_category: string | null;
  comment: string | null;
  journal_ref: string | null;
  doi: string | null;
  license: string | null;
  published_at: string | null;
  updated_at: string | null;
  withdrawn: number;
  code_url: string | null;
  project_url: string | null;
  upvotes: number;
  comments_count: number;
  hotness: number;
  source_hash: string | null;
  created_at: string;
  modified_at: string;
}

export interface PaperVersionsTable {
  paper_id: string;
  version: number;
  submitted_at: string | null;
  size: string | null;
}

export interface PaperAuthorsTable {
  paper_id: string;
  position: number;
  name: string;
  /** authorNameKey(name) (src/domain/author-key.ts): where spellings differing in case meet. */
  name_key: string;
}

export interface PaperCategoriesTable {
  paper_id: string;
  category: string;
  is_primary: number;
  position: number;
}

export interface AnnouncementsTable {
  day: string;
  paper_id: string;
  announce_type: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string | null;
  display_name: string | null;
  password_hash: string | null;
  role: 'member' | 'curator' | 'admin';
  is_demo: number;
  email_verified_at: string | null;
  suspended_at: string | null;
  votes_public: number;
  created_at: string;
}

export interface DailyEntriesTable {
  paper_id: string;
  day: string;
  submitted_at: string;
  submitted_by: number | null;
  featured: number;
  pinned: number;
  hidden: number;
  /** 1 when a curator's feature or pin put the paper on the list (unfeature takes it off again). */
  added_by_curator: Generated<number>;
}

export interface VotesTable {
  user_id: number;
  paper_id: string;
  created_at: string;
}

export interface JobRunsTable {
  id: Generated<number>;
  job: string;
  mode: string | null;
  started_at: string;
  finished_at: string | null;
  status: 'running' | 'ok' | 'failed';
  counts: string | null;
  error: string | null;
}

export interface JobsTable {
  name: string;
  lease_owner: string | null;
  lease_until: string | null;
  state: string | null;
  updated_at: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: string;
  expires_at: string;
}

export interface CommentsTable {
  id: Generated<number>;
  paper_id: string;
  user_id: number | null;
  parent_id: number | null;
  body: string;
  score: number;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  hidden_at: string | null;
}

export interface CommentReportsTable {
  comment_id: number;
  user_id: number;
  reason: string | null;
  created_at: string;
  resolved_at: string | null;
}

export interface CommentVotesTable {
  user_id: number;
  comment_id: number;
  created_at: string;
}

export interface CollectionsTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  slug: string;
  is_public: number;
  created_at: string;
  /** Migration 019; NULL until the collection first changes. */
  changed_at: Generated<string | null>;
}

export interface CollectionItemsTable {
  collection_id: number;
  paper_id: string;
  added_at: string;
}

export interface EmailTokensTable {
  token_hash: string;
  user_id: number;
  purpose: 'verify' | 'reset' | 'change-email';
  email: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface InstanceSecretsTable {
  name: string;
  value: string;
  created_at: string;
}

export interface Database {
  papers: PapersTable;
  paper_versions: PaperVersionsTable;
  paper_authors: PaperAuthorsTable;
  paper_categories: PaperCategoriesTable;
  announcements: AnnouncementsTable;
  users: UsersTable;
  daily_entries: DailyEntriesTable;
  votes: VotesTable;
  sessions: SessionsTable;
  comments: CommentsTable;
  comment_reports: CommentReportsTable;
  comment_votes: CommentVotesTable;
  collections: CollectionsTable;
  collection_items: CollectionItemsTable;
  email_tokens: EmailTokensTable;
  rate_limits: RateLimitsTable;
  instance_secrets: InstanceSecretsTable;
  jobs: JobsTable;
  job_runs: JobRunsTable;
  schema_migrations: SchemaMigrationsTable;
}
