-- The node holding a page's or an announcement's lease (its store's random
-- ID, as in its NOTIFY payloads). On PostgreSQL a surviving node takes over
-- the leases of a node whose liveness lock is gone (store/liveness.go)
-- instead of waiting out the three-minute lease. NULL on rows leased
-- before this migration: those wait for their lease as before.
ALTER TABLE notifications ADD COLUMN lease_node TEXT;
ALTER TABLE announcements ADD COLUMN lease_node TEXT;
