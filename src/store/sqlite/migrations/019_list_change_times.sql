-- When each day's lists and each collection last changed, for feeds' Last-Modified. A feed dated by
-- its newest item moved back in time when a curator hid that item, or when a collection's owner
-- took a paper out, and did not move when a later harvest added papers to a day already served:
-- a client asking If-Modified-Since then got a 304 for a feed that had changed. Feeds now take the
-- later of their newest item and the list's last change.
-- `list_changes` has a row per list ('daily': Daily papers, 'new': New on arXiv) and day that a
-- curator, a submission, an import or a harvest changed; a collection's `changed_at` is NULL until
-- it first changes (its created_at stands in). Forward-only.
CREATE TABLE list_changes (
  list       TEXT NOT NULL CHECK (list IN ('daily', 'new')),
  day        TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  PRIMARY KEY (list, day)
) WITHOUT ROWID;
ALTER TABLE collections ADD COLUMN changed_at TEXT;
