-- The keyword model (document frequencies of candidate keywords over the newest papers, see
-- src/services/keywords.ts), kept between commands: each `paperboy import` or `ingest` used to
-- count it afresh (about 1 s per 4,000 papers). One row; `data` is the gzipped list of
-- "count<TAB>key" lines. `scored_since` counts the papers given keywords since it was counted,
-- so that it is counted again once enough of the corpus is new. Derived data: an export leaves
-- it out. Forward-only.
CREATE TABLE keyword_model (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  generation   INTEGER NOT NULL,
  docs         INTEGER NOT NULL,
  corpus_limit INTEGER NOT NULL,
  scored_since INTEGER NOT NULL DEFAULT 0,
  counted_at   TEXT NOT NULL,
  data         BLOB NOT NULL
);
