-- Noise reduction (grouping, dependencies, transient and flapping):
-- symptom_of is the upstream incident a downstream alert is attached to as a
-- symptom ('' when none; such an alert has no incident of its own);
-- transient and flapping mark incidents; features and last_features are
-- the normalised text and attributes (correlate.Features) of an incident's
-- first and latest alert, and last_alert_at when the latest joined, which
-- intelligent and time grouping compare without reading alerts. The indexes serve grouping
-- (the open incidents of a service and their recent alerts) and dependency promotion (symptoms of an
-- incident).
ALTER TABLE alerts ADD COLUMN symptom_of TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN transient BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE incidents ADD COLUMN flapping BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE incidents ADD COLUMN features TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN last_features TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN last_alert_at BIGINT NOT NULL DEFAULT 0;
UPDATE incidents SET last_alert_at = created_at;
CREATE INDEX alerts_symptom_of ON alerts (symptom_of) WHERE symptom_of <> '';
CREATE INDEX alerts_incident_first_seen ON alerts (incident_id, first_seen_at, id);
CREATE INDEX incidents_open_service ON incidents (service_id, number) WHERE status <> 'resolved';
-- An alert whose features equal an open incident's first or latest alert's
-- joins it without scoring the other candidates.
CREATE INDEX incidents_open_features ON incidents (service_id, features) WHERE status <> 'resolved';
CREATE INDEX incidents_open_last_features ON incidents (service_id, last_features) WHERE status <> 'resolved';
