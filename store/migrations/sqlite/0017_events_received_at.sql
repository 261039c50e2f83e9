-- Event log in arrival order, for `hypercare events export --from --to`
-- (the replay format): one index range scan per page instead of a sort of
-- the whole log.
CREATE INDEX events_received_at ON events (received_at, id);
