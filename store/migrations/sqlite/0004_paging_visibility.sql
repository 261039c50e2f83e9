-- A failed page's full error (which may name the receiver's host, address
-- and port) is kept apart from last_error, the short reason every role may
-- see; the API shows the detail to admins only.
ALTER TABLE notifications ADD COLUMN error_detail TEXT NOT NULL DEFAULT '';
-- Errors recorded before this migration were full errors: they become
-- admin-only detail, and every role sees a neutral reason instead.
UPDATE notifications SET error_detail = last_error, last_error = 'delivery failed' WHERE last_error <> '';

-- Calendar feeds get an ID to list and revoke them by, and who made them.
-- Existing feeds take a prefix of their token hash as ID (unique in
-- practice: 64 bits of a SHA-256 of a 256-bit random token).
ALTER TABLE calendar_feeds ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE calendar_feeds ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
UPDATE calendar_feeds SET id = substr(token_hash, 1, 16) WHERE id = '';
CREATE UNIQUE INDEX calendar_feeds_id ON calendar_feeds (id);
