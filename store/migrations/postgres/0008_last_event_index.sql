-- When each integration last sent anything, for the readiness check of
-- hypercare windows (a silent monitor is a blind spot): one index seek per
-- integration instead of a scan of the whole event log.
CREATE INDEX events_integration_at ON events (integration_id, received_at);
CREATE INDEX change_events_integration_at ON change_events (integration_id, received_at);
