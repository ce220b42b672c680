-- Numbered alongside the shared store's 014_author_name_key_old_writers.sql, which lets processes
-- of a build from before migration 011 go on writing authors while the others are upgraded. The
-- embedded store serves one machine, upgraded by stopping it (docs/operations.md). Forward-only.
SELECT 1;
