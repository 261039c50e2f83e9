-- Integration keys are secrets: whoever has one can open, acknowledge and
-- resolve incidents. Until now intake stored each event's routing_key in its
-- event-log payload, where every viewer could read it. Remove the key from
-- every stored payload; the integration stays identified by integration_id.
-- Keep the result identical to ../sqlite/0003_redact_routing_keys.sql.
-- No other table ever stored a key: change_events, alerts and the timeline
-- hold the integration's ID and name, and integrations only a key hash.

-- Every payload intake wrote is Go's encoding of hypercare.Event, whose
-- first member was routing_key (a validated alphanumeric key, or "" for the
-- native formats): cut it as text, so the rest stays byte for byte what
-- intake now writes for the same event (and what SQLite's json_remove gives).
UPDATE events
   SET payload = regexp_replace(payload, '^\{"routing_key":"(?:[^"\\]|\\.)*",', '{')
 WHERE payload LIKE '{"routing\_key":%';

-- Any payload still holding a top-level routing_key (none that intake wrote)
-- loses it through jsonb, which keeps the JSON value but not its formatting.
UPDATE events
   SET payload = (payload::jsonb - 'routing_key')::text
 WHERE payload LIKE '%"routing\_key"%'
   AND jsonb_exists(payload::jsonb, 'routing_key');
