-- Numbered alongside the shared store's 015_search_document_inline.sql, which keeps PostgreSQL's
-- search documents in their rows so its search engine reads each once per query word without
-- fetching it from elsewhere. The embedded store has no such documents. Forward-only.
SELECT 1;
