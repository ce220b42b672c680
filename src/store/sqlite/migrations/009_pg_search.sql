-- Numbered alongside the shared store's 009_pg_search.sql, which adds PostgreSQL's own search
-- (tsvector documents, the stored embedding model) for the optional PostgreSQL search engine.
-- The embedded store always uses the in-memory engine (docs/search.md) and needs nothing here.
-- Forward-only.
SELECT 1;
