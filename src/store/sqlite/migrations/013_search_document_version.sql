-- Numbered alongside the shared store's 013_search_document_version.sql, which counts the rewrites
-- of PostgreSQL's search documents so that its search engine finds papers whose vector is older
-- than their text. The embedded store has no such documents. Forward-only.
SELECT 1;
