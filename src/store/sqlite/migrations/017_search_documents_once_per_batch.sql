-- Numbered alongside the shared store's 017_search_documents_once_per_batch.sql, which lets a
-- writer of many papers compute each paper's PostgreSQL search document once instead of once per
-- statement. The embedded store has no such documents. Forward-only.
SELECT 1;
