-- Dependency grace (symptom_grace_minutes): an upstream incident whose own
-- alerts all resolved while symptoms still fire is recovering. One row per
-- recovering incident records since when and when its grace ends; the
-- escalation engine then resolves it and promotes the symptoms still
-- firing to incidents of their own. A durable timer: it survives restarts.
CREATE TABLE symptom_grace (
    incident_id TEXT PRIMARY KEY,
    recovering_since BIGINT NOT NULL,
    due_at BIGINT NOT NULL
);
CREATE INDEX symptom_grace_due ON symptom_grace (due_at);
-- Incidents already recovering get the default grace of 10 minutes from
-- their last change, so none waits forever for a symptom that never clears.
INSERT INTO symptom_grace (incident_id, recovering_since, due_at)
SELECT id, updated_at, updated_at + 600000000 FROM incidents
WHERE status <> 'resolved' AND alert_count > 0 AND open_alert_count = 0;
