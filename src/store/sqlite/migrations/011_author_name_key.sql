-- Author names that differ only in case or spacing meet under one key, computed by the program
-- (src/domain/author-key.ts) and stored beside each name, so that both stores fold case in every
-- script alike: SQLite's NOCASE folded ASCII letters only. The key replaces the NOCASE index.
-- Rows written from here on carry their key (the insert code sets it; the default only fills the
-- column for the rows already present until the backfill below runs). Forward-only.
ALTER TABLE paper_authors ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
-- @backfill author-name-keys
DROP INDEX paper_authors_name;
CREATE INDEX paper_authors_name_key ON paper_authors (name_key, name);
-- The shared store's 011 also makes its search documents lower case by ICU's rules; the embedded
-- store's search engine lowers case in JavaScript already (src/search/text.ts).
