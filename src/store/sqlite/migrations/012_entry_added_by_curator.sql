-- A daily-list entry that a curator's "feature" or "pin" put on the list (the paper was on none):
-- "unfeature" takes such an entry off the list again, so the action can be undone. Entries made
-- before this migration count as not added by a curator (unfeature leaves them on their list).
-- Forward-only.
ALTER TABLE daily_entries ADD COLUMN added_by_curator INTEGER NOT NULL DEFAULT 0;
