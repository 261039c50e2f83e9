-- Escalation state per incident and the notifications (pages) it creates:
-- durable rows with due times, claimed by the escalation and delivery engines.
CREATE TABLE escalations (
    incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
    policy_id   TEXT NOT NULL,
    service_id  TEXT NOT NULL,
    level       INTEGER NOT NULL,
    loop        INTEGER NOT NULL,
    step        INTEGER NOT NULL,
    status      TEXT NOT NULL,
    due_at      INTEGER NOT NULL,
    urgency     TEXT NOT NULL,
    ack_timeout INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX escalations_due ON escalations (due_at) WHERE status <> 'done';

CREATE TABLE notifications (
    id             TEXT PRIMARY KEY,
    incident_id    TEXT NOT NULL REFERENCES incidents (id),
    user_id        TEXT NOT NULL,
    contact_method TEXT NOT NULL,
    type           TEXT NOT NULL,
    level          INTEGER NOT NULL,
    loop           INTEGER NOT NULL,
    step           INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL,
    last_error     TEXT NOT NULL,
    due_at         INTEGER NOT NULL,
    lease_until    INTEGER,
    created_at     INTEGER NOT NULL,
    sent_at        INTEGER
) STRICT;
CREATE UNIQUE INDEX notifications_once ON notifications (incident_id, step, user_id, contact_method);
CREATE INDEX notifications_due ON notifications (due_at) WHERE status IN ('pending', 'sending');
CREATE INDEX notifications_incident ON notifications (incident_id, created_at);

-- Round-robin turn per policy level, so a level of peers shares the load.
CREATE TABLE rotation_turns (
    policy_id TEXT NOT NULL,
    level     INTEGER NOT NULL,
    turn      INTEGER NOT NULL,
    PRIMARY KEY (policy_id, level)
) STRICT;

-- Calendar feeds: the feed token's SHA-256 hash (the token itself is shown
-- once, like an API token) and what the feed shows.
CREATE TABLE calendar_feeds (
    token_hash TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
