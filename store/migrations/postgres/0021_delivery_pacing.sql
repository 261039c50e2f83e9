-- Delivery pacing (notify.throttle, notify.digest). kind is 'page' (an
-- ordinary page), 'held' (a page waiting for its user's digest) or
-- 'digest' (one message standing for the held pages whose digest_id is
-- its id; those end with status 'digested').
ALTER TABLE notifications ADD COLUMN kind TEXT NOT NULL DEFAULT 'page';
ALTER TABLE notifications ADD COLUMN digest_id TEXT NOT NULL DEFAULT '';
-- Throttles and digests count a user's recent sends on one channel.
CREATE INDEX notifications_sent_by_user ON notifications (user_id, type, sent_at) WHERE status = 'sent';
-- The pages one digest stands for.
CREATE INDEX notifications_digest ON notifications (digest_id) WHERE digest_id <> '';
