-- Each search document counts its rewrites (`version`, one more at every change of the paper's
-- title, abstract or authors), and PostgreSQL's search engine stores beside a paper's vector the
-- version it embedded. The engine follows the search change log to re-embed edited papers, but the
-- in-memory index empties that log up to its watermark when it saves: an edit made in that moment
-- left its paper with the older vector until the next build. Comparing versions finds such papers
-- without the log. Documents present now start at 0, as do vectors written before this migration.
-- An edit of the authors alone counts too, though vectors embed only title and abstract: such a
-- paper is embedded again once, at the next pass over stale vectors (cheap, and never wrong).
-- The embedded store's 013 is a no-op. Forward-only.
ALTER TABLE paper_search_documents ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

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
  ON CONFLICT (paper_id) DO UPDATE SET document = EXCLUDED.document, authors = EXCLUDED.authors,
    version = paper_search_documents.version + 1
$$;
