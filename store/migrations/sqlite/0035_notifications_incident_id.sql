-- An incident's notifications are listed a page at a time (GET
-- /api/v1/incidents/{id}/notifications?limit=&cursor=), ordered by
-- (created_at, id): with id in the index a page is a range read in order
-- and stopped by the LIMIT, instead of a sort of every page the incident
-- ever had.
DROP INDEX notifications_incident;
CREATE INDEX notifications_incident ON notifications (incident_id, created_at, id);
