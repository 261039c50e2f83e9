-- Where a notification group's later alerts go once its incident was
-- merged into an incident opened for another group (incidents.group_key
-- names one group): to incident_id, while it is open. One row per merged
-- group, written by the merge; pruned with its incident.
CREATE TABLE merged_groups (
    service_id  TEXT NOT NULL,
    group_key   TEXT NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    PRIMARY KEY (service_id, group_key)
) STRICT;
CREATE INDEX merged_groups_incident ON merged_groups (incident_id);
