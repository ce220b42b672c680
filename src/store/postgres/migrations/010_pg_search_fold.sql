-- PostgreSQL's search documents fold accents as the in-memory engine does (src/search/text.ts,
-- foldWord: NFKD, then the combining marks dropped), so "Schrödinger" is found by "schrodinger"
-- and `author:Scholkopf` finds "Schölkopf". Built-in functions only (no extension to install).
-- The embedded store's 010 is a no-op. Forward-only.

-- Compatibility decomposition, then the combining diacritical marks removed: "Ångström" -> "Angstrom".
CREATE FUNCTION paper_search_fold(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT regexp_replace(normalize(t, NFKD), '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g')
$$;

CREATE OR REPLACE FUNCTION paper_search_refresh(ids TEXT[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO paper_search_documents (paper_id, document, authors)
  SELECT p.id,
         setweight(to_tsvector('english'::regconfig, paper_search_fold(p.title)), 'A')
           || setweight(to_tsvector('english'::regconfig, paper_search_fold(p.abstract)), 'B')
           || setweight(to_tsvector('simple'::regconfig, paper_search_fold(coalesce(a.names, ''))), 'C'),
         to_tsvector('simple'::regconfig, paper_search_fold(coalesce(a.names, '')))
  FROM papers p
  LEFT JOIN LATERAL (SELECT string_agg(name, ' ' ORDER BY position) AS names FROM paper_authors WHERE paper_id = p.id) a ON true
  WHERE p.id = ANY (ids)
  ON CONFLICT (paper_id) DO UPDATE SET document = EXCLUDED.document, authors = EXCLUDED.authors
$$;

-- Papers already present whose title, abstract or author names are not plain ASCII (folding
-- leaves ASCII text as it is, so only these documents change).
SELECT paper_search_refresh(ARRAY(
  SELECT p.id FROM papers p
  WHERE (p.title || p.abstract) ~ '[^\x01-\x7f]'
     OR EXISTS (SELECT 1 FROM paper_authors a WHERE a.paper_id = p.id AND a.name ~ '[^\x01-\x7f]')
));
