-- Discovery: keywords of every paper, and members following authors.
-- The shared store's copy of the embedded store's 006: the same tables. Forward-only.

-- A paper's keywords, best first, extracted from its title and abstract (src/domain/keywords.ts).
CREATE TABLE paper_keywords (
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  keyword  TEXT NOT NULL,
  score    DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (paper_id, position)
);
CREATE INDEX paper_keywords_keyword ON paper_keywords (keyword);

-- Which version of a paper its keywords were computed from: papers whose source_hash differs
-- (or that have no row) are due. A paper may have no keywords at all, and still a row here.
CREATE TABLE paper_keyword_state (
  paper_id    TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
  source_hash TEXT NOT NULL,
  computed_at TEXT NOT NULL
);

-- A member follows an author by name: identical names are one author (affiliations are not known).
CREATE TABLE author_follows (
  user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  author_name TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (user_id, author_name)
);
CREATE INDEX author_follows_name ON author_follows (author_name);

-- Author pages look names up exactly.
CREATE INDEX paper_authors_name_exact ON paper_authors (name, paper_id);
