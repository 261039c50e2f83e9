-- When an escalation's first step is due were no maintenance window or
-- silence holding it: the incident's opening plus the service's pause or
-- an event rule's delay (microseconds; 0 for rows from before, read as
-- "at once"). A hold ended early (a silence expired) moves the first step
-- to the later of this and now, so the pause still filters blips.
ALTER TABLE escalations ADD COLUMN ready_at BIGINT NOT NULL DEFAULT 0;
