-- Retention (config `retention`): the prune deletes the oldest finished
-- history in small batches, and each batch must find its rows with an
-- index range scan, never a scan of the table, so that pruning a large
-- store costs the same per batch as pruning a small one and never holds
-- the writer long. The event log (events_received_at), change events
-- (change_events_at) and pages (notifications_created) already have one.
CREATE INDEX incidents_resolved_at ON incidents (resolved_at) WHERE status = 'resolved';
CREATE INDEX escalations_done_at ON escalations (updated_at) WHERE status = 'done';
-- Resolved alerts that never had an incident of their own (suppressed by
-- an event rule, or a symptom of an upstream incident).
CREATE INDEX alerts_standalone_resolved ON alerts (resolved_at) WHERE incident_id IS NULL AND status = 'resolved';
