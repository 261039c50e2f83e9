-- The Alertmanager or Grafana notification group an incident was opened
-- for ('' for others): the group's later alerts join the open incident of
-- their group (incident_per: group), found by this partial index, which
-- holds only open incidents that have a group, so other incidents pay no
-- index upkeep for it.
ALTER TABLE incidents ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
CREATE INDEX incidents_open_group ON incidents (service_id, group_key, number) WHERE group_key <> '' AND status <> 'resolved';
