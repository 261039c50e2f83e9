-- The feature indexes serve intelligent grouping only (its exact-match
-- read, OpenIncidentWithFeatures), but held an entry for every open
-- incident: incidents of services without intelligent grouping have no
-- features (''), and each of their inserts and updates wrote both indexes
-- for nothing. Now they hold the incidents that have features.
DROP INDEX incidents_open_features;
DROP INDEX incidents_open_last_features;
CREATE INDEX incidents_open_features ON incidents (service_id, features)
    WHERE status <> 'resolved' AND features <> '';
CREATE INDEX incidents_open_last_features ON incidents (service_id, last_features)
    WHERE status <> 'resolved' AND last_features <> '';
