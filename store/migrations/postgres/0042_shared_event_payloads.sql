-- Shared event payloads (store/shared_payload.go). Alertmanager re-sends
-- every firing alert of a group each time it notifies about the group,
-- byte for byte as before, and each re-send stored ~1 KB of payload: half
-- of what a storm of re-sends wrote. Such an event now stores no payload
-- and names, in payload_from, an event of the last hour whose payload it
-- has; that event's shared_until says until when later events may share
-- it, and event_payloads keeps its payload once retention deletes it,
-- until no event of that window is left. No index is keyed by the shared
-- event: it would take a random insert per sharer, and page churn is what
-- this saves.
ALTER TABLE events ADD COLUMN payload_from TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN shared_until BIGINT NOT NULL DEFAULT 0;
CREATE TABLE event_payloads (
    id      TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    until   BIGINT NOT NULL
);
CREATE INDEX event_payloads_until ON event_payloads (until);
