-- A paper page shows its discussion a page of threads at a time: the page's comments on the paper
-- itself (read in order from their own index), then every reply under them, found by walking down
-- parent links (an index on parent_id: without it each level of replies read the whole table).
-- Forward-only.
CREATE INDEX comments_threads ON comments (paper_id, created_at, id) WHERE parent_id IS NULL;
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;
