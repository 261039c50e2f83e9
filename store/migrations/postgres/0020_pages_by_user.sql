-- Fatigue guardrail: how often a responder was paged lately is read by
-- user and time (RecentPages), inside the escalation engine's write.
CREATE INDEX notifications_user ON notifications (user_id, created_at);
