-- Web UI login: a password hash per config user (bcrypt; never the
-- password) and browser sessions, stored by the SHA-256 of their random
-- token so a database leak yields no usable cookie. Setting a password
-- deletes the user's sessions.
CREATE TABLE user_passwords (
    user_id    TEXT PRIMARY KEY,
    hash       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
