-- Page caches of several app processes: a one-row counter that every commit touching what public
-- pages show moves forward. Each process reads it (at most every 250 ms) into its change token.
-- The embedded store needs none of this (SQLite's data_version does the job); its 008 is empty.
-- Forward-only.

CREATE TABLE change_counter (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  n   BIGINT NOT NULL,
  xid XID8                      -- the transaction that last moved it: moved once per transaction
);
INSERT INTO change_counter (id, n, xid) VALUES (1, 0, NULL);

-- Runs at commit (deferred), once per transaction, after taking the commit-order lock of 002 (the
-- only lock taken at commit, so waiting for it or for the counter row cannot deadlock).
CREATE FUNCTION bump_change_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM paperboy_commit_order_lock();
  UPDATE change_counter SET n = n + 1, xid = pg_current_xact_id()
   WHERE id = 1 AND xid IS DISTINCT FROM pg_current_xact_id();
  RETURN NULL;
END $$;

DO $$
DECLARE t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['papers', 'paper_versions', 'paper_authors', 'paper_categories', 'announcements', 'daily_entries',
                           'users', 'votes', 'comments', 'comment_votes', 'collections', 'collection_items', 'paper_keywords']
  LOOP
    EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I DEFERRABLE INITIALLY DEFERRED '
                   'FOR EACH ROW EXECUTE FUNCTION bump_change_counter()', t || '_changed', t);
  END LOOP;
END $$;
