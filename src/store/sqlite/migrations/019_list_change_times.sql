-- When each day's list and each collection last changed, for feeds' Last-Modified. A feed dated by
-- its newest item moved back in time when a curator hid that item, or when a collection's owner
-- took a paper out, and a client asking If-Modified-Since then got a 304 for a feed that had
-- changed. Feeds now take the later of their newest item and the list's last change.
-- `list_changes` has a row per day a curator, a submission or an import changed; a collection's
-- `changed_at` is NULL until it first changes (its created_at stands in). Forward-only.
CREATE TABLE list_changes (
  day        TEXT PRIMARY KEY,
  changed_at TEXT NOT NULL
) WITHOUT ROWID;
ALTER TABLE collections ADD COLUMN changed_at TEXT;
