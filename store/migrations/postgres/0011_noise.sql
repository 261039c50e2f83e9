-- Noise reduction (grouping, dependencies, transient and flapping):
-- symptom_of is the upstream incident a downstream alert is attached to as a
-- symptom ('' when none; such an alert has no incident of its own);
-- transient and flapping mark incidents. The indexes serve grouping
-- (the open incidents of a service and their recent alerts) and dependency promotion (symptoms of an
-- incident).
ALTER TABLE alerts ADD COLUMN symptom_of TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN transient BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE incidents ADD COLUMN flapping BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX alerts_symptom_of ON alerts (symptom_of) WHERE symptom_of <> '';
CREATE INDEX alerts_incident_first_seen ON alerts (incident_id, first_seen_at);
CREATE INDEX incidents_service_status_number ON incidents (service_id, status, number);
