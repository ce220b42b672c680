-- Author names that differ only in case or spacing meet under one key, computed by the program
-- (src/domain/author-key.ts) and stored beside each name, so that both stores fold case in every
-- script alike (the `nocase` collation folded more than case on PostgreSQL; SQLite's NOCASE only
-- ASCII letters). The key replaces the nocase index. Forward-only.
ALTER TABLE paper_authors ADD COLUMN name_key TEXT;
-- Filling a column changes no name: the search documents and the page caches' change counter stay
-- as they are (their triggers would otherwise redo every paper's search document).
ALTER TABLE paper_authors DISABLE TRIGGER paper_search_authors_updated, DISABLE TRIGGER paper_authors_changed;
-- @backfill author-name-keys
ALTER TABLE paper_authors ENABLE TRIGGER paper_search_authors_updated, ENABLE TRIGGER paper_authors_changed;
ALTER TABLE paper_authors ALTER COLUMN name_key SET NOT NULL;
DROP INDEX paper_authors_name;
CREATE INDEX paper_authors_name_key ON paper_authors (name_key, name);

-- Search documents: paper_search_fold also lowers case itself, by ICU's root rules, so that
-- PostgreSQL's search engine folds case as the in-memory one does (JavaScript's toLowerCase, Greek
-- final sigma included) whatever the database's LC_CTYPE: `author:ΔΗΜΗΤΡΗΣ` then finds "Δημήτρης".
-- Lowering ASCII is the same either way, so only documents with other characters are redone.
CREATE COLLATION IF NOT EXISTS paperboy_case (provider = icu, locale = 'und');
CREATE OR REPLACE FUNCTION paper_search_fold(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT lower(regexp_replace(normalize(t, NFKD), '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g') COLLATE paperboy_case)
$$;
SELECT paper_search_refresh(ARRAY(
  SELECT p.id FROM papers p
  WHERE (p.title || p.abstract) ~ '[^\x01-\x7f]'
     OR EXISTS (SELECT 1 FROM paper_authors a WHERE a.paper_id = p.id AND a.name ~ '[^\x01-\x7f]')
));
