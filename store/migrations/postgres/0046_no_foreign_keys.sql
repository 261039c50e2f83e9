-- No enforced foreign keys. Each one cost every row that names an incident
-- or a service a lookup of that row and a KEY SHARE lock on it, written to
-- the WAL: in a profile of new alerts, 14 % of PostgreSQL's CPU went to
-- these checks (an alert names its service and incident, an incident its
-- service, a timeline entry its incident; a page and an escalation their
-- incident). Dropping them took 1.16 times the new alerts and 1.34 times
-- the Alertmanager batches of new alerts per second (BENCHMARKS.md, "No
-- enforced foreign keys"). The references stay whole by construction:
-- services are never deleted (a service left out of the config is marked
-- inactive), an incident is inserted before anything that names it, and
-- retention deletes an incident's rows before the incident. The store's
-- tests count rows whose reference is missing (Store.Orphans) after every
-- test that opens a store, on both engines; SQLite runs with foreign_keys
-- off for the same reason, so the two engines behave alike.
ALTER TABLE alerts DROP CONSTRAINT alerts_service_id_fkey;
ALTER TABLE alerts DROP CONSTRAINT alerts_incident_id_fkey;
ALTER TABLE incidents DROP CONSTRAINT incidents_service_id_fkey;
ALTER TABLE timeline DROP CONSTRAINT timeline_incident_id_fkey;
ALTER TABLE escalations DROP CONSTRAINT escalations_incident_id_fkey;
ALTER TABLE notifications DROP CONSTRAINT notifications_incident_id_fkey;
ALTER TABLE incident_feedback DROP CONSTRAINT incident_feedback_incident_id_fkey;
ALTER TABLE merged_groups DROP CONSTRAINT merged_groups_incident_id_fkey;
ALTER TABLE integrations DROP CONSTRAINT integrations_service_id_fkey;
