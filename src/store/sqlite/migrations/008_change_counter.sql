-- Numbered alongside the shared store's 008_change_counter.sql, which adds a commit counter for
-- the page caches of several app processes. The embedded store needs nothing here: SQLite's
-- data_version already tells a process that another connection committed. Forward-only.
SELECT 1;
