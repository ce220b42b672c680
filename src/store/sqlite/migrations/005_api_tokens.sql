-- Open data: API tokens for scripts and agents; indexes for the votes-per-day chart and for
-- pruning ended rate-limit windows (the API counts every request).

-- Tokens members create on /settings/tokens and send as `Authorization: Bearer pbt_...`.
-- Only a hash is stored; the prefix lets a member tell their tokens apart.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  scope        TEXT NOT NULL CHECK (scope IN ('read', 'write')),  -- write includes read
  created_at   TEXT NOT NULL,
  last_used_at TEXT,                                               -- refreshed at most hourly
  expires_at   TEXT,                                               -- null: until revoked
  revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- /stats counts votes per day over a window: read it from an index, not a scan of every vote.
CREATE INDEX votes_created ON votes (created_at);

-- The API prunes rate-limit windows that ended long ago; find them without reading every row.
CREATE INDEX rate_limits_window ON rate_limits (window_start);
