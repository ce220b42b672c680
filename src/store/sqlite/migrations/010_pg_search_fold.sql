-- Numbered alongside the shared store's 010_pg_search_fold.sql, which folds accents in
-- PostgreSQL's search documents. The embedded store's in-memory engine folds them already
-- (src/search/text.ts). Forward-only.
SELECT 1;
