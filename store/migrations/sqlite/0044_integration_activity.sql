-- When each integration last sent an event: one row per integration,
-- written by SQLite's one writer once per integration per commit (the
-- latest event of the batch). It replaces events_integration_at, which
-- answered one read per integration (the readiness report's silent
-- integrations) and cost every event an index insert, and a commit of
-- re-sent Alertmanager batches about 9 of its 137 WAL pages.
CREATE TABLE integration_activity (
    integration_id TEXT PRIMARY KEY,
    last_event_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO integration_activity (integration_id, last_event_at)
    SELECT integration_id, MAX(received_at) FROM events GROUP BY integration_id;
DROP INDEX events_integration_at;
