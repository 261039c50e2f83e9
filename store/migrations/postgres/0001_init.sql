-- Hypercare schema, PostgreSQL flavour. Keep columns identical to
-- ../sqlite/0001_init.sql. Timestamps are unix microseconds UTC (BIGINT);
-- JSON is TEXT (not jsonb: stored verbatim, same bytes as on SQLite).

CREATE TABLE teams (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE services (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    team_id           TEXT NOT NULL DEFAULT '',
    escalation_policy TEXT NOT NULL DEFAULT '',
    active            BOOLEAN NOT NULL DEFAULT true,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE integrations (
    id         TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id),
    type       TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    key_hash   TEXT NOT NULL
);
CREATE INDEX integrations_service ON integrations (service_id);
CREATE INDEX integrations_key_hash ON integrations (key_hash);

CREATE SEQUENCE incident_number_seq;

CREATE TABLE incidents (
    id               TEXT PRIMARY KEY,
    number           BIGINT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    status           TEXT NOT NULL,
    urgency          TEXT NOT NULL,
    severity         TEXT NOT NULL,
    service_id       TEXT NOT NULL REFERENCES services (id),
    alert_count      BIGINT NOT NULL,
    open_alert_count BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    acknowledged_at  BIGINT,
    resolved_at      BIGINT
);
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
    event_count     BIGINT NOT NULL,
    first_seen_at   BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    acknowledged_at BIGINT,
    resolved_at     BIGINT
);
CREATE UNIQUE INDEX alerts_open_dedup ON alerts (service_id, dedup_key) WHERE status <> 'resolved';
CREATE INDEX alerts_incident ON alerts (incident_id, id);
CREATE INDEX alerts_service_dedup ON alerts (service_id, dedup_key, id);

CREATE TABLE timeline (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    at          BIGINT NOT NULL,
    type        TEXT NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    message     TEXT NOT NULL,
    details     TEXT
);
CREATE INDEX timeline_incident_at ON timeline (incident_id, at, id);

CREATE TABLE events (
    id             TEXT PRIMARY KEY,
    received_at    BIGINT NOT NULL,
    integration_id TEXT NOT NULL,
    service_id     TEXT NOT NULL,
    action         TEXT NOT NULL,
    dedup_key      TEXT NOT NULL,
    alert_id       TEXT NOT NULL,
    incident_id    TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    payload        TEXT
);

CREATE TABLE change_events (
    id             TEXT PRIMARY KEY,
    service_id     TEXT NOT NULL,
    integration_id TEXT NOT NULL,
    summary        TEXT NOT NULL,
    source         TEXT NOT NULL,
    occurred_at    BIGINT NOT NULL,
    received_at    BIGINT NOT NULL,
    custom_details TEXT,
    links          TEXT
);
CREATE INDEX change_events_service_at ON change_events (service_id, occurred_at, id);
CREATE INDEX change_events_at ON change_events (occurred_at, id);

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
