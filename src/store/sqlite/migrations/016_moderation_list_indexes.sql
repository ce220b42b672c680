-- /admin/moderation pages through hidden comments, hidden papers and suspended accounts by keyset
-- (see src/store/keyset.ts): each list's order has an index of its own, holding only the rows the
-- list shows, so a page and the list's count read a few index entries however long the list grows.
-- Forward-only.
CREATE INDEX comments_hidden ON comments (hidden_at DESC, id DESC) WHERE hidden_at IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX daily_entries_hidden ON daily_entries (day DESC, paper_id) WHERE hidden = 1;
CREATE INDEX users_suspended ON users (suspended_at DESC, username) WHERE suspended_at IS NOT NULL;
