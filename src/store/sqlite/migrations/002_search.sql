-- Search: a change log the search index follows, and the saved index itself.
-- Forward-only: never edit a landed migration.

-- Every insert, content update, vote count change and delete of a paper leaves a row here, written
-- by triggers in the same transaction, so a search index in any process (the server, while a CLI
-- import runs) sees new and changed papers within seconds, without a full rebuild.
CREATE TABLE search_changes (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  paper_id TEXT NOT NULL,
  kind     TEXT NOT NULL CHECK (kind IN ('content', 'votes', 'deleted'))
);

CREATE TRIGGER search_papers_inserted AFTER INSERT ON papers BEGIN
  INSERT INTO search_changes (paper_id, kind) VALUES (NEW.id, 'content');
END;

CREATE TRIGGER search_papers_updated
AFTER UPDATE OF title, abstract, published_at, withdrawn, code_url, primary_category ON papers BEGIN
  INSERT INTO search_changes (paper_id, kind) VALUES (NEW.id, 'content');
END;

CREATE TRIGGER search_papers_voted AFTER UPDATE OF upvotes ON papers
WHEN NEW.upvotes IS NOT OLD.upvotes BEGIN
  INSERT INTO search_changes (paper_id, kind) VALUES (NEW.id, 'votes');
END;

CREATE TRIGGER search_papers_deleted AFTER DELETE ON papers BEGIN
  INSERT INTO search_changes (paper_id, kind) VALUES (OLD.id, 'deleted');
END;

-- The built index (term dictionary, postings, vectors, the corpus-trained model), saved in parts
-- of at most 32 MiB so a restart loads it instead of rebuilding. A rebuild writes a new
-- generation, then switches search_index_meta to it and drops the old one.
CREATE TABLE search_index_parts (
  id         INTEGER PRIMARY KEY,  -- a rowid table: large blobs do not belong in WITHOUT ROWID tables
  generation INTEGER NOT NULL,
  name       TEXT NOT NULL,
  part       INTEGER NOT NULL,
  data       BLOB NOT NULL,
  UNIQUE (generation, name, part)
);

CREATE TABLE search_index_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
