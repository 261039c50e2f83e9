-- The dedup key an alert's first trigger was sent with, when an event rule
-- rewrote it ('' otherwise). An acknowledge or resolve that carries only
-- the key (PagerDuty Events v2) does not match a rule that reads the
-- payload, so it arrives with the key as sent: intake finds the open alert
-- by this key then (Tx.FindOpenAlertBySentKey), instead of resolving
-- nothing and leaving the alert open for good. Open alerts only, and only
-- rewritten ones, so the index stays small.
ALTER TABLE alerts ADD COLUMN sent_key TEXT NOT NULL DEFAULT '';
CREATE INDEX alerts_open_sent_key ON alerts (service_id, sent_key) WHERE sent_key <> '' AND status <> 'resolved';
