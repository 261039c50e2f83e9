-- Integration keys are secrets: whoever has one can open, acknowledge and
-- resolve incidents. Until now intake stored each event's routing_key in its
-- event-log payload, where every viewer could read it. Remove the key from
-- every stored payload; the integration stays identified by integration_id.
-- Keep the result identical to ../postgres/0003_redact_routing_keys.sql:
-- json_remove keeps the other members, their order and their text as they
-- were, which is exactly what intake now writes for the same event.
-- No other table ever stored a key: change_events, alerts and the timeline
-- hold the integration's ID and name, and integrations only a key hash.
UPDATE events
   SET payload = json_remove(payload, '$.routing_key')
 WHERE payload LIKE '%"routing\_key"%' ESCAPE '\'
   AND CASE WHEN json_valid(payload) THEN json_type(payload, '$.routing_key') IS NOT NULL ELSE 0 END;
