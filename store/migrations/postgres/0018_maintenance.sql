-- Maintenance windows and silences (issue 8, item 5). An incident opened
-- while a maintenance window or silence covered its alert records what held
-- its first page (suppressed_by, "maintenance:ID" or "silence:ID") and until
-- when (suppressed_until); its escalation row is simply due then, so the
-- page survives restarts and goes out once.
ALTER TABLE incidents ADD COLUMN suppressed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN suppressed_until BIGINT;
CREATE INDEX incidents_suppressed_by ON incidents (suppressed_by) WHERE suppressed_by <> '' AND status <> 'resolved';

-- Silences created at run time (API, CLI). matchers and services are JSON
-- arrays of strings; expired_at is set when one is expired early (ends_at
-- then moves to that moment).
CREATE TABLE silences (
    id         TEXT PRIMARY KEY,
    matchers   TEXT NOT NULL,
    services   TEXT NOT NULL,
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    comment    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expired_at BIGINT
);
CREATE INDEX silences_ends ON silences (ends_at);

-- Announcements of window starts and ends: one row per (window, edge,
-- occurrence, target), unique, so each is sent once whichever node or
-- restart schedules it; delivered like pages (lease, attempts, backoff).
CREATE TABLE announcements (
    id            TEXT PRIMARY KEY,
    subject       TEXT NOT NULL,
    edge          TEXT NOT NULL,
    occurrence_at BIGINT NOT NULL,
    target        TEXT NOT NULL,
    message       TEXT NOT NULL,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL,
    last_error    TEXT NOT NULL,
    due_at        BIGINT NOT NULL,
    lease_until   BIGINT,
    created_at    BIGINT NOT NULL,
    sent_at       BIGINT
);
CREATE UNIQUE INDEX announcements_once ON announcements (subject, edge, occurrence_at, target);
CREATE INDEX announcements_due ON announcements (due_at) WHERE status IN ('pending', 'sending');
