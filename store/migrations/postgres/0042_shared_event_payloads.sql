-- Shared event payloads (store/shared_payload.go). Alertmanager re-sends
-- every firing alert of a group each time it notifies about the group,
-- byte for byte as before, and each re-send stored ~1 KB of payload: three
-- fifths of what a storm of re-sends wrote. Such an event now stores no
-- payload and names, in payload_from, the event whose payload it has; the
-- partial index finds an event's sharers when retention prunes it, and
-- event_payloads keeps a pruned event's payload, under its ID, while later
-- events still share it.
ALTER TABLE events ADD COLUMN payload_from TEXT NOT NULL DEFAULT '';
CREATE INDEX events_payload_from ON events (payload_from) WHERE payload_from <> '';
CREATE TABLE event_payloads (
    id      TEXT PRIMARY KEY,
    payload TEXT NOT NULL
);
