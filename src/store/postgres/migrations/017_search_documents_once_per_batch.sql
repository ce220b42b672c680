-- A paper's search document (009) was computed by each statement that wrote part of it: once when
-- its row was inserted, again when its authors were (and again for authors written by a second
-- statement), each time its title and abstract parsed and its index entries written anew. Parsing is
-- most of the cost, so an import spent about twice the time it needed on the documents (the demo's
-- 10,511 papers: 31.5 s to import before, 23.4 s after).
-- A writer of many papers at once (upsertPapers in src/store/papers.ts, `paperboy import --all`) now sets
-- `paperboy.search_documents_deferred` to 'on' for its transaction, and the triggers leave the
-- documents to it: it refreshes each paper it wrote once, after its last statement. Every other
-- writer (a paper edited, an author row written by an older build, SQL by hand) has the setting
-- unset, and its triggers keep the documents current as before.
-- The embedded store's 017 is a no-op. Forward-only.

-- True inside a transaction that will refresh the documents of what it writes itself.
CREATE FUNCTION paper_search_deferred() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('paperboy.search_documents_deferred', true), '') = 'on'
$$;

CREATE OR REPLACE FUNCTION paper_search_papers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT paper_search_deferred() THEN
    PERFORM paper_search_refresh(ARRAY(SELECT DISTINCT id FROM changed_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION paper_search_paper_edited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT paper_search_deferred() THEN
    PERFORM paper_search_refresh(ARRAY[NEW.id]);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION paper_search_authors_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT paper_search_deferred() THEN
    PERFORM paper_search_refresh(ARRAY(SELECT DISTINCT paper_id FROM changed_rows));
  END IF;
  RETURN NULL;
END $$;
