-- One-click action tokens (package actlink) are single-use: the first
-- action taken with a token records its SHA-256 here, and any later use is
-- refused. Rows live until the token itself expires (expires_at, unix
-- microseconds); claiming a token prunes the expired ones.
CREATE TABLE act_token_uses (
    token_hash TEXT PRIMARY KEY,
    action     TEXT NOT NULL,
    used_at    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX act_token_uses_expires ON act_token_uses (expires_at);
-- Verification codes are now hashed with HMAC-SHA256 under a server key
-- (see api/contact_verify.go), so a code pending from before cannot match:
-- it is treated as expired and the user asked to send a new one.
UPDATE contact_verifications SET expires_at = 0 WHERE code_hash <> '';
