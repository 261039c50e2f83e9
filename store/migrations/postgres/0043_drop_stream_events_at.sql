-- The stream outbox's time index served only PruneStream, which now finds
-- how far to prune by walking the oldest IDs (events are numbered in
-- commit order): every stream event, three per new alert, paid an insert
-- into it and each commit about two pages of it.
DROP INDEX stream_events_at;
