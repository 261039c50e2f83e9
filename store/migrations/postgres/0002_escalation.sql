-- Escalation state per incident and the notifications (pages) it creates:
-- durable rows with due times, claimed by the escalation and delivery engines.
CREATE TABLE escalations (
    incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
    policy_id   TEXT NOT NULL,
    service_id  TEXT NOT NULL,
    level       BIGINT NOT NULL,
    loop        BIGINT NOT NULL,
    step        BIGINT NOT NULL,
    status      TEXT NOT NULL,
    due_at      BIGINT NOT NULL,
    urgency     TEXT NOT NULL,
    ack_timeout BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX escalations_due ON escalations (due_at) WHERE status <> 'done';

CREATE TABLE notifications (
    id             TEXT PRIMARY KEY,
    incident_id    TEXT NOT NULL REFERENCES incidents (id),
    user_id        TEXT NOT NULL,
    contact_method TEXT NOT NULL,
    type           TEXT NOT NULL,
    level          BIGINT NOT NULL,
    loop           BIGINT NOT NULL,
    step           BIGINT NOT NULL,
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL,
    attempts       BIGINT NOT NULL,
    last_error     TEXT NOT NULL,
    due_at         BIGINT NOT NULL,
    lease_until    BIGINT,
    created_at     BIGINT NOT NULL,
    sent_at        BIGINT
);
CREATE UNIQUE INDEX notifications_once ON notifications (incident_id, step, user_id, contact_method);
CREATE INDEX notifications_due ON notifications (due_at) WHERE status IN ('pending', 'sending');
CREATE INDEX notifications_incident ON notifications (incident_id, created_at);

-- Round-robin turn per policy level, so a level of peers shares the load.
CREATE TABLE rotation_turns (
    policy_id TEXT NOT NULL,
    level     BIGINT NOT NULL,
    turn      BIGINT NOT NULL,
    PRIMARY KEY (policy_id, level)
);

-- Calendar feeds: the feed token's SHA-256 hash (the token itself is shown
-- once, like an API token) and what the feed shows.
CREATE TABLE calendar_feeds (
    token_hash TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
