-- Digests: double opt-in subscriptions with signed links, and the outbox's record of each send.

-- Random per subscription and part of every link signed for it: a link works for this one
-- subscription only, and rotating the nonce voids every link sent before.
ALTER TABLE subscriptions ADD COLUMN token_nonce TEXT;
-- The last confirmation e-mail, for the cool-down between two of them.
ALTER TABLE subscriptions ADD COLUMN confirm_sent_at TEXT;
-- Why mail to this address stopped (the SMTP server's permanent answer).
ALTER TABLE subscriptions ADD COLUMN bounce_reason TEXT;
ALTER TABLE subscriptions ADD COLUMN updated_at TEXT;

-- At most one confirmation waits per address: a second request does not mail it again.
CREATE UNIQUE INDEX subscriptions_one_pending ON subscriptions (email) WHERE confirmed_at IS NULL AND unsubscribed_at IS NULL;
CREATE INDEX subscriptions_due ON subscriptions (period) WHERE confirmed_at IS NOT NULL AND unsubscribed_at IS NULL AND bounced_at IS NULL;
CREATE INDEX subscriptions_user ON subscriptions (user_id);

-- What a row covers, set when it is enqueued (the unique (subscription_id, period_key) row of 001).
ALTER TABLE outbox ADD COLUMN period TEXT;          -- daily | weekdays | weekly
ALTER TABLE outbox ADD COLUMN window_from TEXT;     -- first list day the digest covers
ALTER TABLE outbox ADD COLUMN window_to TEXT;       -- last list day it covers
ALTER TABLE outbox ADD COLUMN not_before TEXT;      -- after a temporary error: not retried before this time
ALTER TABLE outbox ADD COLUMN expires_at TEXT;      -- a digest not sent by then is given up (status failed)
-- Set by one conditional statement just before SMTP's end of data (the point of no return); it
-- succeeds once per row, so a message is handed over at most once whatever the leases say.
ALTER TABLE outbox ADD COLUMN handed_at TEXT;
ALTER TABLE outbox ADD COLUMN paper_ids TEXT;       -- JSON array: the papers the message listed
ALTER TABLE outbox ADD COLUMN run_id INTEGER;       -- job_runs.id of the run that enqueued it

CREATE INDEX outbox_claim ON outbox (status, not_before, id);
CREATE INDEX outbox_subscription_sent ON outbox (subscription_id, sent_at);
