-- A slim outbox: a stream event now records which object changed
-- (object_id) instead of a JSON copy of it (payload, left '' on new rows).
-- Readers read the object as it is when they read the event
-- (ARCHITECTURE.md, "Live stream"). The copies were half of the database
-- under an alert storm and a fifth of each commit's work. Rows written
-- before this migration keep their payload and are served from it.
ALTER TABLE stream_events ADD COLUMN object_id TEXT NOT NULL DEFAULT '';
