-- /admin/moderation pages through hidden comments, hidden papers and suspended accounts by keyset
-- (see src/store/keyset.ts): each list's order has an index of its own, holding only the rows the
-- list shows: a page starts reading at its key in that index, however deep it is, and the count
-- reads the index (one entry per hidden or suspended item), not the whole table.
-- Forward-only.
CREATE INDEX comments_hidden ON comments (hidden_at DESC, id DESC) WHERE hidden_at IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX daily_entries_hidden ON daily_entries (day DESC, paper_id) WHERE hidden = 1;
CREATE INDEX users_suspended ON users (suspended_at DESC, username) WHERE suspended_at IS NOT NULL;
