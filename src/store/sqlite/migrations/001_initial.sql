-- Paperboy schema, embedded store (SQLite). Forward-only: never edit a landed migration.
-- Timestamps are ISO 8601 UTC text (sortable); days are YYYY-MM-DD (UTC).

CREATE TABLE papers (
  id               TEXT PRIMARY KEY,          -- arXiv id without version
  latest_version   INTEGER NOT NULL DEFAULT 1,
  title            TEXT NOT NULL,
  abstract         TEXT NOT NULL,
  primary_category TEXT,
  comment          TEXT,
  journal_ref      TEXT,
  doi              TEXT,
  license          TEXT,
  published_at     TEXT,                      -- first version
  updated_at       TEXT,                      -- latest version
  withdrawn        INTEGER NOT NULL DEFAULT 0,
  code_url         TEXT,
  project_url      TEXT,
  upvotes          INTEGER NOT NULL DEFAULT 0, -- exact: changed with the votes row, in one transaction
  comments_count   INTEGER NOT NULL DEFAULT 0,
  hotness          REAL NOT NULL DEFAULT 0,    -- time-invariant trending key, see domain/ranking.ts
  source_hash      TEXT,                       -- hash of the last ingested record: tells "unchanged" apart
  created_at       TEXT NOT NULL,
  modified_at      TEXT NOT NULL
);
CREATE INDEX papers_published ON papers (published_at DESC, id);
CREATE INDEX papers_hotness ON papers (hotness DESC);
CREATE INDEX papers_upvotes ON papers (upvotes DESC);

CREATE TABLE paper_versions (
  paper_id     TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  version      INTEGER NOT NULL,
  submitted_at TEXT,
  size         TEXT,
  PRIMARY KEY (paper_id, version)
) WITHOUT ROWID;

CREATE TABLE paper_authors (
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name     TEXT NOT NULL,
  PRIMARY KEY (paper_id, position)
) WITHOUT ROWID;
CREATE INDEX paper_authors_name ON paper_authors (name COLLATE NOCASE);

CREATE TABLE paper_categories (
  paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  category   TEXT NOT NULL,
  is_primary INTEGER NOT NULL DEFAULT 0,
  position   INTEGER NOT NULL,
  PRIMARY KEY (paper_id, category)
) WITHOUT ROWID;
CREATE INDEX paper_categories_category ON paper_categories (category, paper_id);

-- "New on arXiv": what arXiv announced on a day.
CREATE TABLE announcements (
  day           TEXT NOT NULL,
  paper_id      TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  announce_type TEXT NOT NULL DEFAULT 'new',
  PRIMARY KEY (day, paper_id)
) WITHOUT ROWID;
CREATE INDEX announcements_paper ON announcements (paper_id);

CREATE TABLE users (
  id                INTEGER PRIMARY KEY,
  username          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  email             TEXT UNIQUE COLLATE NOCASE,
  display_name      TEXT,
  password_hash     TEXT,
  role              TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'curator', 'admin')),
  is_demo           INTEGER NOT NULL DEFAULT 0,  -- generated demo accounts: their votes are demo data
  email_verified_at TEXT,
  suspended_at      TEXT,
  votes_public      INTEGER NOT NULL DEFAULT 1,
  created_at        TEXT NOT NULL
);

-- "Daily papers": a paper enters one day's list once, submitted by a member or featured by a curator.
CREATE TABLE daily_entries (
  paper_id     TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
  day          TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  submitted_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
  featured     INTEGER NOT NULL DEFAULT 0,
  pinned       INTEGER NOT NULL DEFAULT 0,
  hidden       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX daily_entries_day ON daily_entries (day, hidden);

CREATE TABLE sessions (
  id         TEXT PRIMARY KEY,                 -- hash of the opaque cookie value
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE votes (
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, paper_id)
) WITHOUT ROWID;
CREATE INDEX votes_paper ON votes (paper_id, created_at);

CREATE TABLE comments (
  id         INTEGER PRIMARY KEY,
  paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
  parent_id  INTEGER REFERENCES comments (id) ON DELETE CASCADE,
  body       TEXT NOT NULL,
  score      INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  edited_at  TEXT,
  deleted_at TEXT,
  hidden_at  TEXT
);
CREATE INDEX comments_paper ON comments (paper_id, created_at);

CREATE TABLE comment_reports (
  comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  reason     TEXT,
  created_at TEXT NOT NULL,
  resolved_at TEXT,
  PRIMARY KEY (comment_id, user_id)
);

CREATE TABLE collections (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  slug       TEXT NOT NULL,
  is_public  INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  UNIQUE (user_id, slug)
);

CREATE TABLE collection_items (
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  paper_id      TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  added_at      TEXT NOT NULL,
  PRIMARY KEY (collection_id, paper_id)
) WITHOUT ROWID;

CREATE TABLE subscriptions (
  id              INTEGER PRIMARY KEY,
  email           TEXT NOT NULL COLLATE NOCASE,
  user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
  period          TEXT NOT NULL CHECK (period IN ('daily', 'weekdays', 'weekly')),
  kind            TEXT NOT NULL CHECK (kind IN ('trending', 'search', 'for-you')),
  query           TEXT,
  created_at      TEXT NOT NULL,
  confirmed_at    TEXT,
  unsubscribed_at TEXT,
  bounced_at      TEXT
);
CREATE INDEX subscriptions_email ON subscriptions (email);

-- One row per (subscription, period) before sending: the unique key makes a digest go out once.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  period_key      TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unknown', 'skipped')),
  lease_owner     TEXT,
  lease_until     TEXT,
  attempts        INTEGER NOT NULL DEFAULT 0,
  message_id      TEXT,
  last_error      TEXT,
  created_at      TEXT NOT NULL,
  sent_at         TEXT,
  UNIQUE (subscription_id, period_key)
);
CREATE INDEX outbox_status ON outbox (status, lease_until);

-- Scheduled jobs: one lease row per job name, and a log of runs.
CREATE TABLE jobs (
  name        TEXT PRIMARY KEY,
  lease_owner TEXT,
  lease_until TEXT,
  state       TEXT,                            -- JSON checkpoint (watermarks, resumption tokens)
  updated_at  TEXT NOT NULL
);

CREATE TABLE job_runs (
  id          INTEGER PRIMARY KEY,
  job         TEXT NOT NULL,
  mode        TEXT,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed')),
  counts      TEXT,                            -- JSON: { new, updated, unchanged, skipped, errors }
  error       TEXT
);
CREATE INDEX job_runs_job ON job_runs (job, started_at DESC);
