-- Community: e-mail tokens, comment votes, rate limits, instance secrets, account deletion.
-- Same meaning as the embedded store's 003_community.sql. Forward-only.

CREATE TABLE email_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'change-email')),
  email      TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at    TEXT
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

CREATE TABLE comment_votes (
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, comment_id)
);

CREATE TABLE rate_limits (
  key          TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  PRIMARY KEY (key, window_start)
);

CREATE TABLE instance_secrets (
  name       TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE INDEX comments_user ON comments (user_id, created_at);
CREATE INDEX daily_entries_submitter ON daily_entries (submitted_by, submitted_at);
CREATE INDEX collection_items_paper ON collection_items (paper_id);
CREATE INDEX comment_reports_open ON comment_reports (resolved_at, created_at);
