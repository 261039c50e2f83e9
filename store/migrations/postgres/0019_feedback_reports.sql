-- Noise feedback and the reports over a period (noise report, hypercare
-- window summaries). incident_feedback holds the last verdict a responder
-- gave on an incident (noise or actionable), with who gave it and when
-- (every verdict given is also on the timeline). The indexes make every
-- report query a range scan on time: events are covered (received_at,
-- service_id, outcome), so counting them reads the index alone.
CREATE TABLE incident_feedback (
    incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
    verdict     TEXT NOT NULL,
    note        TEXT NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX events_received_service ON events (received_at, service_id, outcome);
CREATE INDEX alerts_first_seen_service ON alerts (first_seen_at, service_id);
CREATE INDEX incidents_created_service ON incidents (created_at, service_id);
CREATE INDEX notifications_created ON notifications (created_at);
