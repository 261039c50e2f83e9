-- Every documented listing is one bounded index read at any table size
-- (issue 11; store/read_list.go says how the listings use these, and
-- ARCHITECTURE.md "Indexes" which read uses which index).
--
-- Alerts by dedup key without a service scanned the whole table: the key
-- now leads. (dedup_key, service_id, id) also serves everything the old
-- (service_id, dedup_key, id) index did (both columns given), so it
-- replaces it and ingest pays for no extra index here.
DROP INDEX alerts_service_dedup;
CREATE INDEX alerts_dedup_service ON alerts (dedup_key, service_id, id);
-- Alerts of a service, newest first, optionally by status: one range per
-- status, already in id order, so a page never sorts the service's history.
-- Keyed by an expression only the listings use (service_id || '/'): the
-- write path's own reads (service_id = $1 with a dedup key, or open
-- incidents) must not take it. With no statistics yet (a fresh PostgreSQL
-- database, autovacuum off) the planner chose a plain (service_id, …)
-- index for them and walked every alert of the service per event.
CREATE INDEX alerts_service_status ON alerts ((service_id || '/'), status, id);
-- Alerts of every service by status, newest first (?status=triggered, or
-- resolved: the newest alerts are mostly open, so a walk of the primary key
-- for resolved ones would first pass every open alert).
CREATE INDEX alerts_status ON alerts (status, id);
-- Incidents of a service by status, newest first. It replaces
-- (service_id, number): a listing by service alone reads it as one range
-- per status.
DROP INDEX incidents_service_number;
CREATE INDEX incidents_service_status ON incidents ((service_id || '/'), status, number);
