-- The web UI's status tabs count a filtered list's incidents per status
-- within its urgency (and service): an index range, capped by the count's
-- LIMIT, instead of a walk of every incident of that status checking the
-- urgency of each.
CREATE INDEX incidents_status_urgency ON incidents (status, urgency, (service_id || '/'));
