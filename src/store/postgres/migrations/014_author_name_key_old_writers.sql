-- Upgrading processes one at a time across migration 011: a process still running a build from
-- before 011 writes author rows without name_key, which 011 made NOT NULL, so its ingest, import or
-- submission failed until it was replaced. From here on such a row is accepted. A trigger fills the
-- key of a name made of printable ASCII and ASCII white space, where SQL computes exactly what the
-- program does (src/domain/author-key.ts: white space runs to one space, trimmed, ASCII lower case);
-- any other name keeps a NULL key, which the program sets (fillMissingAuthorNameKeys in
-- src/store/authors.ts, before it looks a name up by its key), since Unicode's case folding in SQL
-- would depend on the server's ICU version. Rows the program writes carry their key already.
-- Forward-only.
ALTER TABLE paper_authors ALTER COLUMN name_key DROP NOT NULL;

CREATE FUNCTION paper_authors_fill_name_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name ~ '^[\x20-\x7e\t\n\v\f\r]*$' THEN
    NEW.name_key := lower(regexp_replace(regexp_replace(NEW.name, '^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$', '', 'g'), '[ \t\n\v\f\r]+', ' ', 'g') COLLATE "C");
  END IF;
  RETURN NEW;
END $$;

-- Older builds only insert author rows (a paper's authors are deleted and inserted again), and the
-- WHEN clause keeps the trigger's cost off the rows this build writes, which carry their key.
CREATE TRIGGER paper_authors_fill_name_key BEFORE INSERT ON paper_authors
  FOR EACH ROW WHEN (NEW.name_key IS NULL) EXECUTE FUNCTION paper_authors_fill_name_key();

-- The rows waiting for the program's key: empty but for an older build's non-ASCII names.
CREATE INDEX paper_authors_missing_name_key ON paper_authors (name) WHERE name_key IS NULL;
