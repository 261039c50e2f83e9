-- The user an incident was reassigned to ('' when none): a reassignment
-- stops the policy, so its ack timeout re-triggers the incident to the
-- assignee, as PagerDuty does, instead of restarting the policy at level 1.
ALTER TABLE escalations ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
