-- The live stream's transactional outbox: every incident, alert, timeline
-- and notification change writes a row here in its own transaction, so the
-- stream publishes only what committed and a client resumes by ID.
-- A sequence: IDs are never reused after pruning, so a Last-Event-ID
-- always means the same event. Rows are pruned after 24 h.
CREATE TABLE stream_events (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    op          TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    payload     TEXT NOT NULL
);
CREATE INDEX stream_events_at ON stream_events (at);
-- pruned_through: the highest ID pruned, so a client resuming from below
-- it is told to reload instead of silently missing events.
CREATE TABLE stream_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_through BIGINT NOT NULL
);
INSERT INTO stream_state (id, pruned_through) VALUES (1, 0);
