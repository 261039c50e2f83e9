PRAGMA foreign_keys=OFF;
BEGIN;
DROP TABLE events;
DROP TABLE timeline;
DROP TABLE alerts;
DROP TABLE incidents;
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
, priority TEXT NOT NULL DEFAULT '', transient INTEGER NOT NULL DEFAULT 0, flapping INTEGER NOT NULL DEFAULT 0, features TEXT NOT NULL DEFAULT '', last_features TEXT NOT NULL DEFAULT '', last_alert_at INTEGER NOT NULL DEFAULT 0, suppressed_by TEXT NOT NULL DEFAULT '', suppressed_until INTEGER) STRICT, WITHOUT ROWID;
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
, symptom_of TEXT NOT NULL DEFAULT '') STRICT, WITHOUT ROWID;
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
) STRICT, WITHOUT ROWID;
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
, rules TEXT NOT NULL DEFAULT '') STRICT, WITHOUT ROWID;
CREATE INDEX incidents_status_number ON incidents (status, number);
CREATE UNIQUE INDEX alerts_open_dedup ON alerts (service_id, dedup_key) WHERE status <> 'resolved';
CREATE INDEX alerts_incident ON alerts (incident_id, id);
CREATE INDEX timeline_incident_at ON timeline (incident_id, at, id);
CREATE INDEX events_integration_at ON events (integration_id, received_at);
CREATE INDEX alerts_symptom_of ON alerts (symptom_of) WHERE symptom_of <> '';
CREATE INDEX alerts_incident_first_seen ON alerts (incident_id, first_seen_at, id);
CREATE INDEX incidents_open_service ON incidents (service_id, number) WHERE status <> 'resolved';
CREATE INDEX incidents_open_features ON incidents (service_id, features) WHERE status <> 'resolved';
CREATE INDEX incidents_open_last_features ON incidents (service_id, last_features) WHERE status <> 'resolved';
CREATE INDEX events_received_at ON events (received_at, id);
CREATE INDEX incidents_suppressed_by ON incidents (suppressed_by) WHERE suppressed_by <> '' AND status <> 'resolved';
CREATE INDEX events_received_service ON events (received_at, service_id, outcome);
CREATE INDEX alerts_first_seen_service ON alerts (first_seen_at, service_id);
CREATE INDEX incidents_created_service ON incidents (created_at, service_id);
CREATE INDEX alerts_dedup_service ON alerts (dedup_key, service_id, id);
CREATE INDEX alerts_service_status ON alerts ((service_id || '/'), status, id);
CREATE INDEX alerts_status ON alerts (status, id);
CREATE INDEX incidents_service_status ON incidents ((service_id || '/'), status, number);
CREATE INDEX incidents_resolved_at ON incidents (resolved_at) WHERE status = 'resolved';
CREATE INDEX alerts_standalone_resolved ON alerts (resolved_at) WHERE incident_id IS NULL AND status = 'resolved';
COMMIT;