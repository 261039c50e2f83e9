-- Hypercare schema, SQLite flavour. Keep columns identical to
-- ../postgres/0001_init.sql. Timestamps are unix microseconds UTC; JSON is
-- TEXT; booleans are INTEGER 0/1 (STRICT tables have no BOOLEAN).

CREATE TABLE teams (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE services (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    team_id           TEXT NOT NULL DEFAULT '',
    escalation_policy TEXT NOT NULL DEFAULT '',
    active            INTEGER NOT NULL DEFAULT 1,
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE integrations (
    id         TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id),
    type       TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    key_hash   TEXT NOT NULL
) STRICT;
CREATE INDEX integrations_service ON integrations (service_id);
CREATE INDEX integrations_key_hash ON integrations (key_hash);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('incident_number', 0);

CREATE TABLE incidents (
    id               TEXT PRIMARY KEY,
    number           INTEGER NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    status           TEXT NOT NULL,
    urgency          TEXT NOT NULL,
    severity         TEXT NOT NULL,
    service_id       TEXT NOT NULL REFERENCES services (id),
    alert_count      INTEGER NOT NULL,
    open_alert_count INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    acknowledged_at  INTEGER,
    resolved_at      INTEGER
) STRICT;
CREATE INDEX incidents_status_number ON incidents (status, number);
CREATE INDEX incidents_service_number ON incidents (service_id, number);

CREATE TABLE alerts (
    id              TEXT PRIMARY KEY,
    service_id      TEXT NOT NULL REFERENCES services (id),
    incident_id     TEXT REFERENCES incidents (id),
    integration_id  TEXT NOT NULL,
    dedup_key       TEXT NOT NULL,
    status          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    severity        TEXT NOT NULL,
    source          TEXT NOT NULL,
    component       TEXT NOT NULL,
    grp             TEXT NOT NULL,
    class           TEXT NOT NULL,
    custom_details  TEXT,
    links           TEXT,
    images          TEXT,
    event_count     INTEGER NOT NULL,
    first_seen_at   INTEGER NOT NULL,
    last_seen_at    INTEGER NOT NULL,
    acknowledged_at INTEGER,
    resolved_at     INTEGER
) STRICT;
CREATE UNIQUE INDEX alerts_open_dedup ON alerts (service_id, dedup_key) WHERE status <> 'resolved';
CREATE INDEX alerts_incident ON alerts (incident_id, id);
CREATE INDEX alerts_service_dedup ON alerts (service_id, dedup_key, id);

CREATE TABLE timeline (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    at          INTEGER NOT NULL,
    type        TEXT NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    message     TEXT NOT NULL,
    details     TEXT
) STRICT;
CREATE INDEX timeline_incident_at ON timeline (incident_id, at, id);

CREATE TABLE events (
    id             TEXT PRIMARY KEY,
    received_at    INTEGER NOT NULL,
    integration_id TEXT NOT NULL,
    service_id     TEXT NOT NULL,
    action         TEXT NOT NULL,
    dedup_key      TEXT NOT NULL,
    alert_id       TEXT NOT NULL,
    incident_id    TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    payload        TEXT
) STRICT;

CREATE TABLE change_events (
    id             TEXT PRIMARY KEY,
    service_id     TEXT NOT NULL,
    integration_id TEXT NOT NULL,
    summary        TEXT NOT NULL,
    source         TEXT NOT NULL,
    occurred_at    INTEGER NOT NULL,
    received_at    INTEGER NOT NULL,
    custom_details TEXT,
    links          TEXT
) STRICT;
CREATE INDEX change_events_service_at ON change_events (service_id, occurred_at, id);
CREATE INDEX change_events_at ON change_events (occurred_at, id);

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
) STRICT;
