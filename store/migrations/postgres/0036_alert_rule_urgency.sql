-- The urgency and priority the event rules chose for an alert's trigger
-- ('' when no rule set them). An alert that was a symptom (no incident of
-- its own) opens its incident only when its upstream incident resolves,
-- outside intake: it takes them from here, so a rule's urgency: low on a
-- critical batch alert does not turn into a high-urgency night page.
ALTER TABLE alerts ADD COLUMN rule_urgency TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN rule_priority TEXT NOT NULL DEFAULT '';
