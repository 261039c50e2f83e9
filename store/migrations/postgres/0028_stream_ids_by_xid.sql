-- Stream event IDs are no longer drawn from a sequence: a transaction's
-- events get IDs (xid << 20) + 0, 1, 2, ..., its top-level transaction ID
-- shifted left, and readers read only below (oldest running xid) << 20,
-- so no row ever commits below an ID a reader has passed (store/stream.go,
-- ARCHITECTURE.md "Live stream"). The old advisory lock that kept sequence
-- IDs in commit order serialised every writer's commit.
-- Without the default, an insert that forgets the ID fails instead of
-- taking a low ID a reader may already have passed.
ALTER TABLE stream_events ALTER COLUMN id DROP DEFAULT;
DROP SEQUENCE IF EXISTS stream_events_id_seq;
-- Every ID drawn so far must lie below the new ones (it does: each earlier
-- transaction inserted far fewer than 2^20 events and had its own xid), so
-- Last-Event-IDs clients hold keep their order.
DO $$
BEGIN
    IF (SELECT COALESCE(MAX(id), 0) FROM stream_events) >= (pg_current_xact_id()::text::bigint << 20) THEN
        RAISE EXCEPTION 'stream_events IDs overlap the xid-based IDs; prune the stream (DELETE FROM stream_events) and retry';
    END IF;
END $$;
