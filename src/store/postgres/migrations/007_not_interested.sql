-- "For you": papers a member marked "not interested", which teaches their recommendations what to
-- leave out. One row per member and paper; plain SQL both stores accept.
CREATE TABLE not_interested (
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, paper_id)
);
CREATE INDEX not_interested_user ON not_interested (user_id, created_at);
