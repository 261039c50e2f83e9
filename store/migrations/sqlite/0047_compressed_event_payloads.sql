-- The event log's payloads compressed (store/payload_s2.go). A new
-- alert's event carries about 1 KB of JSON, and batches of new alerts
-- wrote about 6.6 KB per alert to disk (the WAL and the checkpoints'
-- copies): the payload's bytes were a share of every commit's fsync. The
-- writer now stores a payload of 256 bytes or more S2-compressed in
-- payload_s2 (about 58 % of its size on Alertmanager's alerts), payload
-- left NULL; shorter or incompressible ones stay JSON text in payload, as
-- every row written before. A payload kept in event_payloads for its
-- sharers (migration 0042) keeps its form: '' in payload and the bytes in
-- payload_s2. Readers take whichever is set (the column's type says
-- which). A binary older than this migration refuses the database
-- (store/migrate.go), so none reads such a row as having no payload.
ALTER TABLE events ADD COLUMN payload_s2 BLOB;
ALTER TABLE event_payloads ADD COLUMN payload_s2 BLOB;
