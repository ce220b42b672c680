-- Digests: double opt-in subscriptions with signed links, and the outbox's record of each send.
-- Same meaning as the embedded store's 004_digests.sql. Forward-only.

ALTER TABLE subscriptions ADD COLUMN token_nonce TEXT;
ALTER TABLE subscriptions ADD COLUMN confirm_sent_at TEXT;
ALTER TABLE subscriptions ADD COLUMN bounce_reason TEXT;
ALTER TABLE subscriptions ADD COLUMN updated_at TEXT;

CREATE UNIQUE INDEX subscriptions_one_pending ON subscriptions (email) WHERE confirmed_at IS NULL AND unsubscribed_at IS NULL;
CREATE INDEX subscriptions_due ON subscriptions (period) WHERE confirmed_at IS NOT NULL AND unsubscribed_at IS NULL AND bounced_at IS NULL;
CREATE INDEX subscriptions_user ON subscriptions (user_id);

ALTER TABLE outbox ADD COLUMN period TEXT;
ALTER TABLE outbox ADD COLUMN window_from TEXT;
ALTER TABLE outbox ADD COLUMN window_to TEXT;
ALTER TABLE outbox ADD COLUMN not_before TEXT;
ALTER TABLE outbox ADD COLUMN expires_at TEXT;
ALTER TABLE outbox ADD COLUMN handed_at TEXT;
ALTER TABLE outbox ADD COLUMN paper_ids TEXT;
ALTER TABLE outbox ADD COLUMN run_id INTEGER;

CREATE INDEX outbox_claim ON outbox (status, not_before, id);
CREATE INDEX outbox_subscription_sent ON outbox (subscription_id, sent_at);
